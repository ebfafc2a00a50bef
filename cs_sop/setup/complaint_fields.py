"""Fields the complaint procedure adds to Helpdesk's doctypes (pure data, no `frappe`)."""

TICKET_FIELDS: tuple[dict, ...] = (
	{
		"fieldname": "sop_applied_solution",
		"fieldtype": "Link",
		"label": "Applied Solution",
		"options": "SOP Solution",
		"read_only": 1,
		"no_copy": 1,
		"insert_after": "sop_root_cause",
		"description": "The approved solution sent to the customer (complaint register)",
	},
	{
		"fieldname": "sop_complaint_type",
		"fieldtype": "Select",
		"label": "Complaint Type",
		"options": "\nService\nOperational",
		"fetch_from": "ticket_type.sop_complaint_type",
		"read_only": 1,
		"no_copy": 1,
		"in_standard_filter": 1,
		"insert_after": "sop_applied_solution",
	},
	{
		"fieldname": "sop_ack_notice_sent_on",
		"fieldtype": "Datetime",
		"label": "Complaint Acknowledgement Sent On",
		"hidden": 1,
		"read_only": 1,
		"no_copy": 1,
		"insert_after": "sop_complaint_type",
	},
	{
		"fieldname": "sop_ooh_reply_period",
		"fieldtype": "Datetime",
		"label": "Out-of-Hours Reply Sent For",
		"hidden": 1,
		"read_only": 1,
		"no_copy": 1,
		"insert_after": "sop_ack_notice_sent_on",
		"description": "The next opening of the closed period that was answered",
	},
	{
		"fieldname": "sop_last_customer_update",
		"fieldtype": "Datetime",
		"label": "Last Progress Update Sent On",
		"hidden": 1,
		"read_only": 1,
		"no_copy": 1,
		"insert_after": "sop_ooh_reply_period",
	},
	{
		"fieldname": "sop_receipt_sent_on",
		"fieldtype": "Datetime",
		"label": "Receipt Sent On",
		"hidden": 1,
		"read_only": 1,
		"no_copy": 1,
		"insert_after": "sop_last_customer_update",
		"description": "When the new ticket's receipt (its number) went to the customer",
	},
)

TICKET_TYPE_FIELDS: tuple[dict, ...] = (
	{
		"fieldname": "sop_approver",
		"fieldtype": "Link",
		"label": "Department Head (Approver)",
		"options": "User",
		"insert_after": "sop_default_team",
		"description": "Approves the solutions proposed for complaints of this category (a desk user; set by an SOP Operations Manager or a System Manager)",
	},
	{
		"fieldname": "sop_approver_role",
		"fieldtype": "Link",
		"label": "Approver Role",
		"options": "Role",
		"insert_after": "sop_approver",
		"description": "Or anyone with this staff role approves (default: SOP Settings)",
	},
)

# rows of the Default HD Ticket Template (agent UI side panel)
TEMPLATE_FIELDS = ("sop_applied_solution", "sop_complaint_type")
