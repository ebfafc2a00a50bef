"""Install/migrate part of the complaint procedure (issue 11): insert-if-missing, never overwrite.

- role *SOP Department Head* (approvers who are not agents decide in the desk form);
- the notice texts as Email Template records (Indonesian, editable);
- the agent-UI action *SOP Solution Actions* (HD Form Script);
- the defaults of the SOP Settings section *Complaint Procedure*.
"""

import frappe

FORM_SCRIPT = "SOP Solution Actions"
DEPARTMENT_HEAD = "SOP Department Head"
SETTINGS_DEFAULTS = {
	"send_complaint_acknowledgement": 1,
	"send_out_of_hours_reply": 1,
	"default_approver_role": "SOP Operations Manager",
	"approval_reminder_hours": 4,
	"approval_escalation_hours": 8,
}


def install():
	create_role()
	create_email_templates()
	create_form_script()
	set_settings_defaults()


def create_role():
	if not frappe.db.exists("Role", DEPARTMENT_HEAD):
		frappe.get_doc({"doctype": "Role", "role_name": DEPARTMENT_HEAD, "desk_access": 1}).insert(
			ignore_permissions=True  # install runs as Administrator
		)


def create_email_templates():
	from cs_sop.notices import TEMPLATES

	for name, (subject, body) in TEMPLATES.items():
		if frappe.db.exists("Email Template", name):
			continue
		frappe.get_doc(
			{
				"doctype": "Email Template",
				"name": name,
				"subject": subject,
				"use_html": 1,
				"response_html": body,
			}
		).insert(ignore_permissions=True)  # install runs as Administrator


def create_form_script():
	from cs_sop.setup.form_scripts import install_form_script

	install_form_script(FORM_SCRIPT, "solution_action.js")


def set_settings_defaults():
	stored = frappe.db.get_singles_dict("SOP Settings")
	missing = {k: v for k, v in SETTINGS_DEFAULTS.items() if k not in stored}
	if "default_approver_role" in missing and not frappe.db.exists("Role", missing["default_approver_role"]):
		missing.pop("default_approver_role")
	if missing:
		frappe.db.set_single_value("SOP Settings", missing)


def uninstall():
	if frappe.db.exists("HD Form Script", FORM_SCRIPT):
		frappe.delete_doc("HD Form Script", FORM_SCRIPT, ignore_permissions=True, force=True)
