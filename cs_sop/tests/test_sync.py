"""After migrate: new SOP Settings fields get their default once; saved values are kept."""

import frappe
from frappe.tests.utils import FrappeTestCase

from cs_sop.settings import fill_new_settings_defaults


class TestSettingsDefaults(FrappeTestCase):
	def tearDown(self):
		frappe.db.rollback()
		frappe.clear_document_cache("SOP Settings", "SOP Settings")

	def test_missing_field_gets_its_default_and_saved_values_stay(self):
		S = frappe.qb.DocType("Singles")
		frappe.qb.from_(S).delete().where(S.doctype == "SOP Settings").where(
			S.field.isin(["survey_expiry_days", "require_closure_form"])
		).run()
		frappe.db.set_single_value("SOP Settings", "confirmation_days", 5)
		filled = fill_new_settings_defaults()
		self.assertIn("survey_expiry_days", filled)
		self.assertNotIn("confirmation_days", filled)
		settings = frappe.get_doc("SOP Settings")
		self.assertEqual(settings.survey_expiry_days, 7)
		self.assertEqual(settings.require_closure_form, 1)
		self.assertEqual(settings.confirmation_days, 5)
		self.assertEqual(fill_new_settings_defaults(), [])
