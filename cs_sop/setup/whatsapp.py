"""Install / uninstall of the WhatsApp channel (issue 13): the agent-UI retry action.

SOP WhatsApp Settings needs no default record (a single; WhatsApp is off until configured).
"""

import frappe

from cs_sop.setup.form_scripts import install_form_script

FORM_SCRIPT = "SOP WhatsApp Retry"


def install():
	install_form_script(FORM_SCRIPT, "whatsapp_action.js")


def uninstall():
	if frappe.db.exists("HD Form Script", FORM_SCRIPT):
		frappe.delete_doc("HD Form Script", FORM_SCRIPT, ignore_permissions=True, force=True)
