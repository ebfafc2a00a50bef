# Copyright (c) 2026, cs_sop developers
# For license information, please see license.txt

import frappe
from frappe.tests.utils import FrappeTestCase


class TestSOPWhatsAppSettings(FrappeTestCase):
	def test_validation_and_secrets(self):
		doc = frappe.get_single("SOP WhatsApp Settings")
		doc.api_base_url = "ftp://graph.example"
		self.assertRaises(frappe.ValidationError, doc.save)
		doc.reload()
		doc.enabled = 1
		doc.phone_number_id = ""
		self.assertRaises(frappe.ValidationError, doc.save)
		doc.reload()
		self.assertTrue(doc.webhook_url.endswith("/api/method/cs_sop.whatsapp.webhook"))
		# a Password field is never sent to the client in clear
		doc.access_token = "secret-token-value"
		doc.phone_number_id = doc.phone_number_id or "1"
		doc.enabled = 0
		doc.save()
		self.assertNotIn(
			"secret-token-value", frappe.as_json(frappe.get_single("SOP WhatsApp Settings").as_dict())
		)
		frappe.db.rollback()
