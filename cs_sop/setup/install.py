"""Install, migrate and uninstall: everything the SOP needs on a Helpdesk site.

Every step is insert-if-missing; `bench migrate` re-syncs what a later version adds through
`cs_sop.setup.sync.after_migrate`, never overwriting what an admin changed.
"""

import frappe
from frappe.custom.doctype.custom_field.custom_field import create_custom_fields

from cs_sop.core.matrix import rule_name
from cs_sop.intake import channel_owner
from cs_sop.report_facts import add_indexes, drop_indexes
from cs_sop.settings import fill_new_settings_defaults
from cs_sop.setup import complaint, form_scripts
from cs_sop.setup import defaults as d
from cs_sop.setup.closure_fields import require_approved_solutions
from cs_sop.setup.custom_fields import TEMPLATE_FIELDS, get_custom_fields
from cs_sop.sla import switch as sla_switch
from cs_sop.sla.agreements import build_sla
from cs_sop.sla.holidays import sync_holiday_list

DEFAULT_TEMPLATE = "Default"  # Helpdesk's HD Ticket Template used by the agent UI


def after_install():
	install_defaults()
	# a reinstall is a first install: the SOP SLAs are Helpdesk's again (uninstall disabled them)
	apply_sla_switch()


def apply_sla_switch():
	sla_switch.apply(frappe.get_single("SOP Settings"))


def install_defaults():
	create_custom_fields(get_custom_fields(), ignore_validate=True)
	frappe.clear_cache(doctype="HD Ticket")
	create_roles()
	fill_new_settings_defaults()
	create_priority_rules()
	create_teams()
	create_categories()
	settings = ensure_settings()
	create_slas(settings)
	add_template_fields()
	create_saved_replies()
	create_escalation_levels()
	set_update_intervals()
	form_scripts.install_all()
	complaint.install()
	require_approved_solutions()
	add_indexes()
	channel_owner.install_defaults()


def create_roles():
	for role in d.ROLES:
		if not frappe.db.exists("Role", role):
			frappe.get_doc({"doctype": "Role", "role_name": role, "desk_access": 1}).insert(
				ignore_permissions=True  # install runs as Administrator; no user to check
			)


def create_priority_rules():
	for impact, urgency, priority in d.PRIORITY_RULES:
		name = rule_name(impact, urgency)
		if frappe.db.exists("SOP Priority Rule", name) or not frappe.db.exists(
			"HD Ticket Priority", priority
		):
			continue
		frappe.get_doc(
			{"doctype": "SOP Priority Rule", "impact": impact, "urgency": urgency, "priority": priority}
		).insert()


def create_teams():
	for team in d.TEAMS:
		if not frappe.db.exists("HD Team", team):
			# Helpdesk 1.28 makes a team's users mandatory; the shipped teams start empty, for the
			# admin to fill, as Helpdesk's own installer inserts its teams
			frappe.get_doc({"doctype": "HD Team", "team_name": team}).insert(ignore_mandatory=True)


def create_categories():
	for name, description, complaint_type, team in d.CATEGORIES:
		if frappe.db.exists("HD Ticket Type", name):
			continue
		doc = frappe.new_doc("HD Ticket Type")
		doc.name = name
		doc.description = description
		doc.sop_complaint_type = complaint_type
		doc.sop_default_team = team if team and frappe.db.exists("HD Team", team) else None
		doc.insert()


def ensure_settings():
	settings = frappe.get_single("SOP Settings")
	changed = False
	if not settings.operating_hours:
		for workday, start, end in d.OPERATING_HOURS:
			settings.append("operating_hours", {"workday": workday, "start_time": start, "end_time": end})
		changed = True
	if not settings.holiday_list:
		settings.holiday_list = d.HOLIDAY_LIST
		changed = True
	sync_holiday_list(settings)  # before the save: settings link to the list
	if changed:
		settings.flags.skip_sla_sync = True  # the SLAs are created right after, from these values
		settings.save()
	return settings


def create_slas(settings):
	created_standard = False
	if not frappe.db.exists("HD Service Level Agreement", d.STANDARD_SLA):
		doc = build_sla(settings, d.STANDARD_SLA, default=True)
		# Helpdesk needs one default SLA at any time: the switch below makes this one the default
		# and remembers (and disables) Helpdesk's previous one, which uninstall gives back.
		doc.default_sla = 0 if frappe.db.exists("HD Service Level Agreement", {"default_sla": 1}) else 1
		doc.insert()
		created_standard = True
	if not frappe.db.exists("HD Service Level Agreement", d.CHAT_SLA):
		build_sla(settings, d.CHAT_SLA, default=False).insert()

	values = {}
	if not settings.standard_sla:
		values["standard_sla"] = d.STANDARD_SLA
	if not settings.chat_sla:
		values["chat_sla"] = d.CHAT_SLA
	if values:
		frappe.db.set_single_value("SOP Settings", values)
		settings.update(values)
	if created_standard and settings.get("use_sop_slas", 1):
		sla_switch.use_sop_slas(settings)


def add_template_fields():
	if not frappe.db.exists("HD Ticket Template", DEFAULT_TEMPLATE):
		return
	template = frappe.get_doc("HD Ticket Template", DEFAULT_TEMPLATE)
	present = {row.fieldname for row in template.fields}
	missing = [f for f in TEMPLATE_FIELDS if f not in present]
	if not missing:
		return
	for fieldname in missing:
		# hidden from customers: the portal's new-ticket form uses the same template
		template.append("fields", {"fieldname": fieldname, "hide_from_customer": 1})
	template.save()


def create_saved_replies():
	for title, message in d.SAVED_REPLIES:
		if not frappe.db.exists("HD Saved Reply", title):
			frappe.get_doc(
				{"doctype": "HD Saved Reply", "title": title, "message": message, "scope": "Global"}
			).insert()


def create_escalation_levels():
	if frappe.db.count("SOP Escalation Level"):
		return
	for level, name, trigger, share, hours, role, team, ack in d.ESCALATION_LEVELS:
		frappe.get_doc(
			{
				"doctype": "SOP Escalation Level",
				"level": level,
				"level_name": name,
				"trigger": trigger,
				"trigger_share": share,
				"trigger_hours": hours,
				"notify_role": role,
				"notify_category_team": team,
				"ack_minutes": ack,
			}
		).insert()


def set_update_intervals():
	"""Only on first install (every priority still at 0): 0 later means "no reminders"."""
	if frappe.get_all("HD Ticket Priority", filters={"sop_update_interval": (">", 0)}, limit=1):
		return
	for priority, minutes in d.UPDATE_INTERVALS.items():
		if frappe.db.exists("HD Ticket Priority", priority):
			frappe.db.set_value("HD Ticket Priority", priority, "sop_update_interval", minutes)


def before_uninstall():
	"""Leave Helpdesk as it was: its default SLA back, no SOP fields in its template or forms.

	Kept on purpose: ticket data in the sop_* columns (reinstalling shows it again; the report
	indexes and virtual columns on HD Ticket are dropped), the
	categories, teams, holiday list, saved replies and the two SOP SLAs (disabled) that tickets
	link to.
	"""
	restore_default_sla()
	remove_template_fields()
	if frappe.flags.in_uninstall:
		# DDL commits whatever is open: only once Frappe's uninstall has committed its own changes
		frappe.db.after_commit.add(drop_indexes)
	form_scripts.remove_all()
	frappe.db.delete("HD Service Day", {"parenttype": "SOP Settings"})
	for dt, fields in get_custom_fields().items():
		for field in fields:
			name = frappe.db.get_value("Custom Field", {"dt": dt, "fieldname": field["fieldname"]})
			if name:
				frappe.delete_doc("Custom Field", name, ignore_permissions=True, force=True)
		frappe.clear_cache(doctype=dt)


def restore_default_sla():
	"""Helpdesk's previous default SLA back (enabled), the SOP SLAs disabled: as switching off
	*Use the SOP SLAs*, except that with no previous default the SOP one stays (Helpdesk needs one)."""
	sla_switch.use_helpdesk_slas(frappe.get_single("SOP Settings"), strict=False)


def remove_template_fields():
	if not frappe.db.exists("HD Ticket Template", DEFAULT_TEMPLATE):
		return
	template = frappe.get_doc("HD Ticket Template", DEFAULT_TEMPLATE)
	template.fields = [row for row in template.fields if row.fieldname not in TEMPLATE_FIELDS]
	template.save(ignore_permissions=True)
