# Copyright (c) 2026, cs_sop developers
# For license information, please see license.txt

import frappe
from frappe.tests.utils import FrappeTestCase


class TestSOPMetaSettings(FrappeTestCase):
	def test_validation_and_secrets(self):
		doc = frappe.get_single("SOP Meta Settings")
		doc.api_base_url = "ftp://graph.example"
		self.assertRaises(frappe.ValidationError, doc.save)
		doc.reload()
		doc.update({"messenger_enabled": 1, "page_id": ""})
		self.assertRaises(frappe.ValidationError, doc.save)
		doc.reload()
		doc.update({"instagram_enabled": 1, "page_id": "P1", "instagram_account_id": ""})
		self.assertRaises(frappe.ValidationError, doc.save)
		doc.reload()
		self.assertTrue(doc.webhook_url.endswith("/api/method/cs_sop.meta.webhook"))
		# a Password field is never sent to the client in clear
		doc.update({"page_access_token": "secret-page-token", "app_secret": "secret-app-value"})
		doc.save()
		dumped = frappe.as_json(frappe.get_single("SOP Meta Settings").as_dict())
		self.assertNotIn("secret-page-token", dumped)
		self.assertNotIn("secret-app-value", dumped)
		frappe.db.rollback()
