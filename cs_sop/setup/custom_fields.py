"""Custom fields cs_sop adds to Helpdesk's doctypes (created in code, removed on uninstall)."""

from cs_sop.core.matrix import LEVELS
from cs_sop.core.stage import RECEIVED, STAGES
from cs_sop.setup.closure_fields import TICKET_FIELDS as CLOSURE_FIELDS
from cs_sop.setup.closure_fields import TICKET_TYPE_FIELDS as CLOSURE_TYPE_FIELDS
from cs_sop.setup.complaint_fields import TEMPLATE_FIELDS as COMPLAINT_TEMPLATE_FIELDS
from cs_sop.setup.complaint_fields import TICKET_FIELDS as COMPLAINT_FIELDS
from cs_sop.setup.complaint_fields import TICKET_TYPE_FIELDS as COMPLAINT_TYPE_FIELDS

CHANNELS = ("Email", "Phone", "WhatsApp", "Live Chat", "Social Media", "Walk-in", "Web Portal")
SOCIAL_PLATFORMS = ("Messenger", "Instagram")
REQUEST_TYPES = ("Question", "Information Request", "Complaint", "Special Request", "Feedback")
COMPLAINT_TYPES = ("Service", "Operational")

# Rows of the Default HD Ticket Template: the agent UI (/helpdesk) shows a custom field only then.
TEMPLATE_FIELDS = (
	"sop_channel",
	"sop_request_type",
	"sop_impact",
	"sop_urgency",
	"sop_stage",
	"sop_escalation_level",
	"sop_root_cause",
	"sop_resolution_confirmed",
	*COMPLAINT_TEMPLATE_FIELDS,
)


def _select(*options: str) -> str:
	return "\n".join(("", *options))


def get_custom_fields() -> dict[str, list[dict]]:
	return {
		"HD Ticket": [
			{
				"fieldname": "sop_section",
				"fieldtype": "Section Break",
				"label": "Customer Service SOP",
				"insert_after": "summary",
				"collapsible": 0,
			},
			{
				"fieldname": "sop_channel",
				"fieldtype": "Select",
				"label": "Channel",
				"options": _select(*CHANNELS),
				"insert_after": "sop_section",
				"in_standard_filter": 1,
				"description": "Where the customer contacted us (SOP stage 1)",
			},
			{
				# set by the Messenger / Instagram channel (cs_sop.meta); system-owned
				"fieldname": "sop_social_platform",
				"fieldtype": "Select",
				"label": "Social Media Platform",
				"options": _select(*SOCIAL_PLATFORMS),
				"insert_after": "sop_channel",
				"read_only": 1,
				"no_copy": 1,
				"depends_on": "eval:doc.sop_channel=='Social Media'",
				"description": "Where a Social Media ticket's messages come from and its replies go",
			},
			{
				"fieldname": "sop_request_type",
				"fieldtype": "Select",
				"label": "Request Type",
				"options": _select(*REQUEST_TYPES),
				"insert_after": "sop_channel",
				"in_standard_filter": 1,
			},
			{
				"fieldname": "sop_stage",
				"fieldtype": "Select",
				"label": "SOP Stage",
				"options": "\n".join(STAGES),
				"default": RECEIVED,
				"insert_after": "sop_request_type",
				"in_standard_filter": 1,
				"in_list_view": 1,
				"search_index": 1,
				"no_copy": 1,
			},
			{
				"fieldname": "sop_column",
				"fieldtype": "Column Break",
				"insert_after": "sop_stage",
			},
			{
				"fieldname": "sop_impact",
				"fieldtype": "Select",
				"label": "Impact",
				"options": _select(*LEVELS),
				"insert_after": "sop_column",
				"description": "Impact on the customer and on operations",
			},
			{
				"fieldname": "sop_urgency",
				"fieldtype": "Select",
				"label": "Urgency",
				"options": _select(*LEVELS),
				"insert_after": "sop_impact",
				"description": "Priority follows the impact × urgency matrix (SOP Priority Rule)",
			},
			{
				"fieldname": "sop_escalation_level",
				"fieldtype": "Int",
				"label": "Escalation Level",
				"default": "0",
				"read_only": 1,
				"no_copy": 1,
				"insert_after": "sop_urgency",
			},
			{
				"fieldname": "sop_next_check",
				"fieldtype": "Datetime",
				"label": "SOP Next Check",
				"hidden": 1,
				"read_only": 1,
				"no_copy": 1,
				"search_index": 1,
				"insert_after": "sop_escalation_level",
				"description": "When the escalation sweep looks at this ticket next (empty: never)",
			},
			{
				"fieldname": "sop_response_warned",
				"fieldtype": "Check",
				"label": "First Response Warning Sent",
				"hidden": 1,
				"read_only": 1,
				"no_copy": 1,
				"insert_after": "sop_next_check",
			},
			{
				"fieldname": "sop_resolution_warned",
				"fieldtype": "Check",
				"label": "Resolution Warning Sent",
				"hidden": 1,
				"read_only": 1,
				"no_copy": 1,
				"insert_after": "sop_response_warned",
			},
			{
				"fieldname": "sop_update_misses",
				"fieldtype": "Int",
				"label": "Missed Customer Updates",
				"hidden": 1,
				"read_only": 1,
				"no_copy": 1,
				"insert_after": "sop_resolution_warned",
			},
			{
				"fieldname": "sop_escalation_round",
				"fieldtype": "Int",
				"label": "Escalation Round",
				"hidden": 1,
				"read_only": 1,
				"no_copy": 1,
				"insert_after": "sop_update_misses",
				"description": "The escalation ladder's round: 1 at first, one more each time the ticket is reopened",
			},
			{
				"fieldname": "sop_ladder_start",
				"fieldtype": "Datetime",
				"label": "Escalation Round Started",
				"hidden": 1,
				"read_only": 1,
				"no_copy": 1,
				"insert_after": "sop_escalation_round",
			},
			{
				"fieldname": "sop_ladder_resolution_by",
				"fieldtype": "Datetime",
				"label": "Resolution Target of the Round",
				"hidden": 1,
				"read_only": 1,
				"no_copy": 1,
				"insert_after": "sop_ladder_start",
				"description": "A reopened ticket's fresh resolution target for the escalation ladder",
			},
			# report facts (cs_sop.report_facts): stored when the event happens, read by the reports
			{
				"fieldname": "sop_first_response_seconds",
				"fieldtype": "Int",
				"label": "First Response (Operating Seconds)",
				"hidden": 1,
				"read_only": 1,
				"no_copy": 1,
				"insert_after": "sop_update_misses",
			},
			{
				"fieldname": "sop_resolution_seconds",
				"fieldtype": "Int",
				"label": "Resolution (Operating Seconds)",
				"hidden": 1,
				"read_only": 1,
				"no_copy": 1,
				"insert_after": "sop_first_response_seconds",
			},
			{
				"fieldname": "sop_reopen_count",
				"fieldtype": "Int",
				"label": "Times Reopened",
				"hidden": 1,
				"read_only": 1,
				"no_copy": 1,
				"insert_after": "sop_resolution_seconds",
			},
			{
				"fieldname": "sop_agent",
				"fieldtype": "Link",
				"label": "Handling Agent",
				"options": "User",
				"hidden": 1,
				"read_only": 1,
				"no_copy": 1,
				"search_index": 1,
				"insert_after": "sop_reopen_count",
				"description": "The first assignee, kept from the assignment (for the reports)",
			},
			{
				"fieldname": "sop_subject_key",
				"fieldtype": "Data",
				"label": "Normalised Subject",
				"hidden": 1,
				"read_only": 1,
				"no_copy": 1,
				"insert_after": "sop_agent",
				"description": "The subject without numbers, prefixes and punctuation (recurring complaints)",
			},
			# the response clock of a chat ticket's waiting customer message (cs_sop.intake.message_clock)
			{
				"fieldname": "sop_waiting_since",
				"fieldtype": "Datetime",
				"label": "Customer Waiting Since",
				"hidden": 1,
				"read_only": 1,
				"no_copy": 1,
				"insert_after": "sop_subject_key",
				"description": "The oldest customer chat message not answered yet (empty: nobody waits)",
			},
			{
				"fieldname": "sop_message_due_on",
				"fieldtype": "Datetime",
				"label": "Chat Reply Due",
				"hidden": 1,
				"read_only": 1,
				"no_copy": 1,
				"insert_after": "sop_waiting_since",
			},
			{
				"fieldname": "sop_message_warned",
				"fieldtype": "Check",
				"label": "Chat Reply Warning Sent",
				"hidden": 1,
				"read_only": 1,
				"no_copy": 1,
				"insert_after": "sop_message_due_on",
			},
			{
				"fieldname": "sop_root_cause",
				"fieldtype": "Small Text",
				"label": "Root Cause",
				"insert_after": "sop_escalation_level",
				"no_copy": 1,
			},
			# closure, confirmation, survey, retention
			*CLOSURE_FIELDS,
			# complaint procedure: applied solution, complaint type, notice markers
			*COMPLAINT_FIELDS,
		],
		"HD Ticket Priority": [
			{
				"fieldname": "sop_update_interval",
				"fieldtype": "Int",
				"label": "Customer Update Interval (Minutes)",
				"insert_after": "integer_value",
				"non_negative": 1,
				"description": "Operating minutes between progress updates to the customer (0: none)",
			},
		],
		"HD Ticket Type": [
			{
				"fieldname": "sop_complaint_type",
				"fieldtype": "Select",
				"label": "SOP Complaint Type",
				"options": _select(*COMPLAINT_TYPES),
				"insert_after": "priority",
				"description": "Service: administration, delivery, general. Operational: product quality.",
			},
			{
				"fieldname": "sop_default_team",
				"fieldtype": "Link",
				"label": "Default Team",
				"options": "HD Team",
				"insert_after": "sop_complaint_type",
				"description": "Tickets of this category go to this team when no team is set",
			},
			# the department head who approves solutions
			*COMPLAINT_TYPE_FIELDS,
			# a complaint of the category is resolved only after an approved solution was sent
			*CLOSURE_TYPE_FIELDS,
		],
	}
