import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils import getdate, nowdate

from cs_sop.setup import defaults as d
from cs_sop.setup.custom_fields import TEMPLATE_FIELDS, get_custom_fields
from cs_sop.setup.install import before_uninstall, install_defaults
from cs_sop.sla import sync_holiday_list


class TestInstall(FrappeTestCase):
	def tearDown(self):
		frappe.db.rollback()
		frappe.clear_cache()

	def test_custom_fields_exist(self):
		for dt, fields in get_custom_fields().items():
			meta = frappe.get_meta(dt)
			for f in fields:
				self.assertTrue(meta.has_field(f["fieldname"]), (dt, f["fieldname"]))

	def test_fields_are_rows_of_default_template(self):
		rows = frappe.get_all(
			"HD Ticket Template Field",
			filters={"parent": "Default"},
			fields=["fieldname", "hide_from_customer"],
		)
		present = {r.fieldname: r.hide_from_customer for r in rows}
		for f in TEMPLATE_FIELDS:
			self.assertEqual(present.get(f), 1, f)

	def test_agent_ui_template_api_returns_sop_fields(self):
		from helpdesk.helpdesk.doctype.hd_ticket_template.api import get_one

		fields = {f.fieldname: f for f in get_one("Default")["fields"]}
		self.assertEqual(fields["sop_impact"].fieldtype, "Select")
		self.assertIn("Critical", fields["sop_impact"].options)

	def test_sixteen_rules(self):
		self.assertEqual(frappe.db.count("SOP Priority Rule"), 16)

	def test_roles_categories_teams_replies(self):
		for role in d.ROLES:
			self.assertTrue(frappe.db.exists("Role", role))
		for name, *_ in d.CATEGORIES:
			self.assertTrue(frappe.db.exists("HD Ticket Type", name))
		for team in d.TEAMS:
			self.assertTrue(frappe.db.exists("HD Team", team))
		for title, _ in d.SAVED_REPLIES:
			self.assertTrue(frappe.db.exists("HD Saved Reply", title))

	def test_slas(self):
		std = frappe.get_doc("HD Service Level Agreement", d.STANDARD_SLA)
		chat = frappe.get_doc("HD Service Level Agreement", d.CHAT_SLA)
		self.assertTrue(std.default_sla and std.enabled)
		self.assertEqual(std.holiday_list, d.HOLIDAY_LIST)
		self.assertIn("WhatsApp", chat.condition)
		self.assertEqual({p.response_time for p in chat.priorities}, {300})
		self.assertEqual(len(std.support_and_resolution), len(d.OPERATING_HOURS))

	def test_holidays_for_this_and_next_year(self):
		year = getdate(nowdate()).year
		dates = set(frappe.get_all("HD Holiday", filters={"parent": d.HOLIDAY_LIST}, pluck="holiday_date"))
		self.assertIn(getdate(f"{year}-08-17"), dates)
		self.assertIn(getdate(f"{year + 1}-08-17"), dates)

	def test_holiday_job_is_idempotent_and_cuti_bersama_optional(self):
		settings = frappe.get_single("SOP Settings")
		before = frappe.db.count("HD Holiday", {"parent": d.HOLIDAY_LIST})
		sync_holiday_list(settings)
		self.assertEqual(frappe.db.count("HD Holiday", {"parent": d.HOLIDAY_LIST}), before)

		settings.include_cuti_bersama = 0
		settings.save()
		without = frappe.get_all("HD Holiday", filters={"parent": d.HOLIDAY_LIST}, pluck="description")
		self.assertFalse([x for x in without if x.startswith("Cuti Bersama")])
		self.assertLess(len(without), before)

	def test_settings_sync_chat_minutes_and_hours(self):
		settings = frappe.get_single("SOP Settings")
		settings.chat_first_response_minutes = 7
		settings.operating_hours[0].start_time = "07:30:00"
		settings.save()
		chat = frappe.get_doc("HD Service Level Agreement", d.CHAT_SLA)
		self.assertEqual({p.response_time for p in chat.priorities}, {420})
		std = frappe.get_doc("HD Service Level Agreement", d.STANDARD_SLA)
		self.assertIn("7:30:00", {str(r.start_time) for r in std.support_and_resolution})

	def test_bad_settings_refused(self):
		settings = frappe.get_single("SOP Settings")
		settings.chat_first_response_minutes = 0
		with self.assertRaises(frappe.ValidationError):
			settings.save()
		settings.reload()
		settings.operating_hours[0].end_time = "06:00:00"
		with self.assertRaises(frappe.ValidationError):
			settings.save()

	def test_migrate_keeps_admin_edits(self):
		rule = frappe.get_doc("SOP Priority Rule", "Low-Low")
		rule.priority = "Urgent"
		rule.save()
		frappe.db.set_value("HD Ticket Type", "Teknis", "sop_default_team", "Billing")
		frappe.db.set_value("HD Saved Reply", d.SAVED_REPLIES[0][0], "message", "<p>Halo!</p>")
		install_defaults()  # what the migrate patch runs
		self.assertEqual(frappe.db.get_value("SOP Priority Rule", "Low-Low", "priority"), "Urgent")
		self.assertEqual(frappe.db.get_value("HD Ticket Type", "Teknis", "sop_default_team"), "Billing")
		self.assertEqual(
			frappe.db.get_value("HD Saved Reply", d.SAVED_REPLIES[0][0], "message"), "<p>Halo!</p>"
		)
		self.assertEqual(frappe.db.count("SOP Priority Rule"), 16)

	def test_uninstall_then_reinstall(self):
		before_uninstall()
		frappe.clear_cache(doctype="HD Ticket")
		self.assertFalse(frappe.get_meta("HD Ticket").has_field("sop_stage"))
		self.assertFalse(
			frappe.db.exists("HD Ticket Template Field", {"parent": "Default", "fieldname": "sop_stage"})
		)
		self.assertFalse(frappe.db.get_value("HD Service Level Agreement", d.STANDARD_SLA, "enabled"))
		default = frappe.db.get_value("HD Service Level Agreement", {"default_sla": 1}, "name")
		self.assertNotIn(default, (d.STANDARD_SLA, d.CHAT_SLA))
		# Helpdesk keeps working without the SOP fields
		t = frappe.get_doc(
			{"doctype": "HD Ticket", "subject": "tanpa SOP", "raised_by": "x@example.com"}
		).insert(ignore_permissions=True)
		self.assertEqual(t.sla, default)
