app_name = "cs_sop"
app_title = "CS SOP"
app_publisher = "cs_sop developers"
app_description = "Indonesian customer-service SOP on Frappe Helpdesk"
app_email = "dev@cs-sop.invalid"
app_license = "agpl-3.0"
# Helpdesk 1.25.1 to 1.28.x: the range is pyproject.toml [tool.bench.frappe-dependencies] (bench checks it;
# Frappe 15 hooks have no version field); what differs between them is cs_sop/compat.py
required_apps = ["helpdesk"]
require_type_annotated_api_methods = True

# Installation
# ------------
after_install = [
	"cs_sop.setup.install.after_install",
	"cs_sop.i18n.install_translations",
	# Helpdesk 1.28 enables an empty team's round robin, which fails every ticket routed there
	"cs_sop.compat.disable_empty_team_rules",
]
# compiles cs_sop/locale/*.po into the bench's .mo files (Frappe v15 reads only those)
# new custom fields and new SOP Settings defaults of a later version, every migrate (idempotent)
after_migrate = [
	"cs_sop.setup.sync.after_migrate",
	"cs_sop.i18n.install_translations",
	"cs_sop.compat.disable_empty_team_rules",
]
before_uninstall = "cs_sop.setup.install.before_uninstall"

# Document events
# ---------------
# Only for other apps' doctypes that cs_sop does not override: the lifecycle of HD Ticket and of HD
# Service Level Agreement is their classes in cs_sop/overrides (override_doctype_class below), and
# cs_sop's own doctypes do theirs in their controllers (one exception below).
doc_events = {
	# a customer's message on a ticket outside operating hours: one reply per closed period
	"Communication": {
		"after_insert": [
			"cs_sop.complaint.notices.on_communication",
			# a Live Chat conversation's message to the visitor's realtime room (cs_sop/livechat)
			"cs_sop.livechat.service.on_communication",
			# a chat customer's message starts the reply clock, the agent's reply stops it
			"cs_sop.intake.message_clock.on_communication",
		]
	},
	# the complaint notice templates must render before they are saved
	"Email Template": {"validate": "cs_sop.complaint.templates.validate_email_template"},
	# a department head who is not staff gets the role to decide in the desk
	"HD Ticket Type": {"validate": "cs_sop.complaint.approvers.on_ticket_type_validate"},
	# a team without members keeps its assignment rule disabled (Helpdesk 1.28 enables it)
	"HD Team": {
		"after_insert": "cs_sop.compat.disable_empty_team_rule",
		"on_update": "cs_sop.compat.disable_empty_team_rule",
	},
	"HD Service Holiday List": {
		"on_update": [
			"cs_sop.sla.calendar.clear_calendar",
			"cs_sop.overrides.hd_service_level_agreement.clear_holidays",
		],
		"on_change": "cs_sop.escalation.enqueue_replan",
		# the holiday dates cached for Helpdesk's SLA engine (cs_sop/overrides)
		"on_trash": "cs_sop.overrides.hd_service_level_agreement.clear_holidays",
		"after_rename": "cs_sop.overrides.hd_service_level_agreement.clear_holidays",
	},
	# cs_sop's own doctype, hooked here on purpose: the escalation package reads the levels through
	# its controller (get_levels), so the controller importing the package would make a cycle
	"SOP Escalation Level": {
		"on_change": "cs_sop.escalation.enqueue_replan",
		"on_trash": "cs_sop.escalation.enqueue_replan",
	},
	"HD Ticket Priority": {
		"on_update": "cs_sop.escalation.context.clear_update_intervals",
		"on_change": "cs_sop.escalation.enqueue_replan",
	},
	# the ticket's first assignee into sop_agent (reports group by agent over an index)
	"ToDo": {
		"on_update": "cs_sop.report_facts.on_assignment_change",
		"after_delete": "cs_sop.report_facts.on_assignment_change",
	},
}

# Scheduled tasks
# ---------------
scheduler_events = {
	# queues the escalation sweep on the long queue (deduplicated): detection lag <= 1 minute
	"cron": {
		"* * * * *": [
			"cs_sop.escalation.enqueue_sweep",
			# WhatsApp: events a lost job left pending, rate-limited sends due again;
			# queues the sweep on the long queue (deduplicated)
			"cs_sop.whatsapp.jobs.enqueue_sweep",
		],
		# solutions waiting too long for approval: reminder, then the SOP Operations Manager
		"*/5 * * * *": [
			"cs_sop.complaint.approval.approval_sweep",
			# unconfirmed resolutions closed, surveys sent / reminded / expired
			"cs_sop.closure.jobs.enqueue_jobs",
		],
		# the reports' per-day summary: rebuilds the days whose tickets changed (SOP Report Day)
		"*/10 * * * *": ["cs_sop.cs_sop.doctype.sop_report_day.sop_report_day.refresh"],
	},
	# idempotent: adds next year's Indonesian holidays to the SOP holiday list once they are due
	"daily_long": [
		"cs_sop.sla.holidays.ensure_holiday_years",
		# UU PDP: personal data of tickets past their retention period anonymised, run logged
		"cs_sop.privacy.anonymise_due",
	],
	# on the 1st: last month's management report (PDF) to the SOP Operations Managers
	"monthly_long": ["cs_sop.management_report.send_monthly"],
}

# Public pages: the survey and the resolution confirmation, a token in the path
website_route_rules = [
	{"from_route": "/sop-survey/<token>", "to_route": "sop-survey"},
	{"from_route": "/sop-confirm/<ticket>/<token>", "to_route": "sop-confirm"},
]

# Overridden classes
# ------------------
# HD Ticket: the SOP's lifecycle steps in order (no doc_events), the SLA chosen and applied from the
# cached configuration, agent replies on chat channels to the chat instead of email.
override_doctype_class = {
	"HD Ticket": "cs_sop.overrides.hd_ticket.CSSOPHDTicket",
	# Helpdesk's SLA engine with the holiday list and the SLA choice cached; its changes clear them
	"HD Service Level Agreement": "cs_sop.overrides.hd_service_level_agreement.SOPServiceLevelAgreement",
}

# the printed receipt (Print Format "Tanda Terima Pengaduan") reads its Indonesian values here
jinja = {"methods": ["cs_sop.intake.receipt.cs_sop_receipt_details"]}

# Website live chat: only the allowed websites may frame the chat page /sop-chat
after_request = ["cs_sop.livechat.page.frame_headers"]

# Bahasa Indonesia in Helpdesk's UI: the original method, then its labels translated (cs_sop/i18n.py)
override_whitelisted_methods = {
	"frappe.desk.form.load.getdoctype": "cs_sop.i18n.getdoctype",
	"helpdesk.helpdesk.doctype.hd_ticket.api.get_ticket_customizations": "cs_sop.i18n.get_ticket_customizations",
	"helpdesk.helpdesk.doctype.hd_ticket_template.api.get_one": "cs_sop.i18n.get_template",
	"helpdesk.helpdesk.doctype.hd_ticket.api.get_one": "cs_sop.i18n.get_ticket",
	"helpdesk.api.doc.get_list_data": "cs_sop.i18n.get_list_data",
	"helpdesk.api.doc.get_filterable_fields": "cs_sop.i18n.get_filterable_fields",
	"helpdesk.api.doc.sort_options": "cs_sop.i18n.sort_options",
}

# Row-level permissions
# ---------------------
# SOP Solution: managers all; approvers what they must decide; agents the solutions
# on tickets they may read; customers nothing (no role of theirs has the doctype).
has_permission = {
	"SOP Solution": "cs_sop.complaint.access.has_permission",
	# SOP Escalation: readable with its ticket (team-limited agents: their teams' only)
	"SOP Escalation": "cs_sop.permissions.escalation_has_permission",
	# customer data (answers, phone numbers, texts): readable with its ticket; no ticket: managers
	"SOP Survey": "cs_sop.permissions.ticket_row_has_permission",
	"SOP WhatsApp Message": "cs_sop.permissions.ticket_row_has_permission",
	"SOP WhatsApp Event": "cs_sop.permissions.ticket_row_has_permission",
	# Helpdesk gives All/Guest read on HD Article: drafts (e.g. from solutions) stay internal
	"HD Article": "cs_sop.permissions.article_has_permission",
}
permission_query_conditions = {
	"SOP Solution": "cs_sop.complaint.access.permission_query",
	"SOP Escalation": "cs_sop.permissions.escalation_query",
	"SOP Survey": "cs_sop.permissions.survey_query",
	"SOP WhatsApp Message": "cs_sop.permissions.whatsapp_message_query",
	"SOP WhatsApp Event": "cs_sop.permissions.whatsapp_event_query",
	"HD Article": "cs_sop.permissions.article_query",
}
