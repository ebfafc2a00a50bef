"""Install / uninstall of the WhatsApp channel (issue 13): the agent-UI retry action.

SOP WhatsApp Settings needs no default record (a single; WhatsApp is off until configured).
"""

from pathlib import Path

import frappe

FORM_SCRIPT = "SOP WhatsApp Retry"


def install():
	if frappe.db.exists("HD Form Script", FORM_SCRIPT):
		return
	frappe.get_doc(
		{
			"doctype": "HD Form Script",
			"name": FORM_SCRIPT,
			"dt": "HD Ticket",
			"apply_to": "Form",
			"enabled": 1,
			"script": (Path(__file__).parent / "whatsapp_action.js").read_text(),
		}
	).insert(ignore_permissions=True)


def uninstall():
	if frappe.db.exists("HD Form Script", FORM_SCRIPT):
		frappe.delete_doc("HD Form Script", FORM_SCRIPT, ignore_permissions=True, force=True)
