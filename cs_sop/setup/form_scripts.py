"""The agent-UI and portal actions cs_sop ships as HD Form Scripts (Helpdesk's extension point).

One helper for all of them: inserted when missing; on a later install or migrate the shipped
script text is brought up to date (it is code, like the app's), while an admin's choice to
disable one is kept.
"""

from pathlib import Path

import frappe

SETUP_DIR = Path(__file__).parent


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
