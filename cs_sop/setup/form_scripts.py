"""The agent-UI and portal actions cs_sop ships as HD Form Scripts (Helpdesk's extension point).

One helper for all of them: inserted when missing; on a later install or migrate the shipped
script text is brought up to date (it is code, like the app's), while an admin's choice to
disable one is kept.
"""

from pathlib import Path

import frappe

SETUP_DIR = Path(__file__).parent
ESCALATE = "SOP Escalate Action"
SOLUTION = "SOP Solution Actions"
CLOSURE = "SOP Closure Actions"
PORTAL_CONFIRMATION = "SOP Portal Confirmation"
WHATSAPP_RETRY = "SOP WhatsApp Retry"
RECEIPT = "SOP Print Receipt"
# name, script file, applied to the customer portal
SCRIPTS = (
	(ESCALATE, "escalate_action.js", False),
	(SOLUTION, "solution_action.js", False),
	(CLOSURE, "closure_action.js", False),
	(PORTAL_CONFIRMATION, "portal_confirm.js", True),
	(WHATSAPP_RETRY, "whatsapp_action.js", False),
	(RECEIPT, "receipt_action.js", False),
)


def install_all() -> None:
	"""Every shipped script, inserted or brought up to date (install and every migrate)."""
	for name, js_file, portal in SCRIPTS:
		install_form_script(name, js_file, portal)


def remove_all() -> None:
	for name, _js_file, _portal in SCRIPTS:
		remove_form_script(name)


def install_form_script(name: str, js_file: str, portal: bool = False) -> None:
	script = (SETUP_DIR / js_file).read_text()
	if frappe.db.exists("HD Form Script", name):
		if frappe.db.get_value("HD Form Script", name, "script") != script:
			frappe.db.set_value("HD Form Script", name, "script", script)
		return
	frappe.get_doc(
		{
			"doctype": "HD Form Script",
			"name": name,
			"dt": "HD Ticket",
			"apply_to": "Form",
			"apply_to_customer_portal": int(portal),
			"enabled": 1,
			"script": script,
		}
	).insert(ignore_permissions=True)  # install and migrate run as Administrator


def remove_form_script(name: str) -> None:
	if frappe.db.exists("HD Form Script", name):
		frappe.delete_doc("HD Form Script", name, ignore_permissions=True, force=True)
