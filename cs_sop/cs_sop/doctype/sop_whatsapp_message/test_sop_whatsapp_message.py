# Copyright (c) 2026, cs_sop developers
# For license information, please see license.txt

import frappe
from frappe.tests.utils import FrappeTestCase


class TestSOPWhatsAppMessage(FrappeTestCase):
	def test_whatsapp_message_id_is_unique(self):
		row = {
			"doctype": "SOP WhatsApp Message",
			"direction": "Inbound",
			"phone": "62811",
			"status": "Received",
		}
		wa_id = f"wamid.UNIQUE{frappe.generate_hash(length=8)}"
		frappe.get_doc(dict(row, wa_message_id=wa_id)).insert(ignore_permissions=True)
		with self.assertRaises(frappe.UniqueValidationError):
			frappe.get_doc(dict(row, wa_message_id=wa_id)).insert(ignore_permissions=True)
		# outbound rows wait without an id: many may
		for _i in range(2):
			frappe.get_doc(dict(row, direction="Outbound", status="Queued")).insert(ignore_permissions=True)
		frappe.db.rollback()
