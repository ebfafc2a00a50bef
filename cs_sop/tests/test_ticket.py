from datetime import timedelta

import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils import get_datetime

from cs_sop.core.matrix import default_priority
from cs_sop.setup import defaults as d
from cs_sop.sla.calendar import operating_calendar
from cs_sop.tests.utils import AGENT, agent_reply, classify, make_agent, make_ticket


class TestPriorityMatrix(FrappeTestCase):
	def tearDown(self):
		frappe.set_user("Administrator")
		frappe.db.rollback()
		frappe.cache.delete_value("cs_sop:priority_matrix")

	def test_insert_takes_priority_from_matrix(self):
		for impact, urgency in [
			("Low", "Low"),
			("High", "High"),
			("Critical", "Medium"),
			("Critical", "High"),
		]:
			t = make_ticket(sop_impact=impact, sop_urgency=urgency)
			self.assertEqual(t.priority, default_priority(impact, urgency), (impact, urgency))

	def test_sla_targets_follow_matrix_priority(self):
		t = make_ticket(sop_impact="Critical", sop_urgency="Critical")
		self.assertEqual(t.priority, "Urgent")
		self.assertEqual(t.sla, d.STANDARD_SLA)
		response, _ = d.STANDARD_TARGETS["Urgent"]
		cal = operating_calendar()
		expected = cal.add(get_datetime(t.service_level_agreement_creation), response)
		self.assertEqual(get_datetime(t.response_by), expected)

	def test_save_recomputes_priority(self):
		t = make_ticket()
		t.sop_impact, t.sop_urgency = "Low", "Low"
		t.save(ignore_permissions=True)
		self.assertEqual(t.priority, "Low")
		t.sop_urgency = "Critical"
		t.save(ignore_permissions=True)
		self.assertEqual(t.priority, default_priority("Low", "Critical"))

	def test_agent_ui_set_value_path(self):
		"""The agent UI saves one field at a time through frappe.client.set_value."""
		make_agent()
		t = make_ticket()
		frappe.set_user(AGENT)
		frappe.client.set_value("HD Ticket", t.name, "sop_impact", "Critical")
		frappe.client.set_value("HD Ticket", t.name, "sop_urgency", "Critical")
		self.assertEqual(frappe.db.get_value("HD Ticket", t.name, "priority"), "Urgent")

	def test_priority_changed_by_hand_is_refused(self):
		t = make_ticket(sop_impact="Low", sop_urgency="Low")
		t.priority = "Urgent"
		with self.assertRaises(frappe.ValidationError):
			t.save(ignore_permissions=True)

	def test_admin_edit_of_a_rule_applies(self):
		frappe.db.set_value("SOP Priority Rule", "Low-Low", "priority", "High")
		frappe.cache.delete_value("cs_sop:priority_matrix")
		self.assertEqual(make_ticket(sop_impact="Low", sop_urgency="Low").priority, "High")

	def test_missing_rule_is_a_clear_error(self):
		frappe.db.delete("SOP Priority Rule", {"name": "Medium-High"})
		frappe.cache.delete_value("cs_sop:priority_matrix")
		with self.assertRaisesRegex(frappe.ValidationError, "Medium"):
			make_ticket(sop_impact="Medium", sop_urgency="High")

	def test_duplicate_rule_refused(self):
		with self.assertRaises(frappe.DuplicateEntryError):
			frappe.get_doc(
				{"doctype": "SOP Priority Rule", "impact": "Low", "urgency": "Low", "priority": "Low"}
			).insert()

	def test_unclassified_ticket_keeps_helpdesk_priority(self):
		t = make_ticket(priority="High")
		self.assertEqual(t.priority, "High")


class TestChannelAndCategory(FrappeTestCase):
	def tearDown(self):
		frappe.set_user("Administrator")
		frappe.db.rollback()

	def test_chat_channel_gets_five_minute_first_response(self):
		t = make_ticket(sop_channel="WhatsApp", sop_impact="Low", sop_urgency="Low")
		self.assertEqual(t.sla, d.CHAT_SLA)
		start = get_datetime(t.service_level_agreement_creation)
		expected = operating_calendar().add(start, 5 * 60)
		self.assertEqual(get_datetime(t.response_by), expected)
		if operating_calendar().is_open(start) and operating_calendar().is_open(start + timedelta(minutes=5)):
			self.assertEqual(get_datetime(t.response_by) - start, timedelta(minutes=5))

	def test_other_channels_get_standard_sla(self):
		self.assertEqual(make_ticket(sop_channel="Phone").sla, d.STANDARD_SLA)

	def test_portal_ticket_defaults_to_web_portal(self):
		self.assertEqual(make_ticket(via_customer_portal=1).sop_channel, "Web Portal")

	def test_category_routes_to_its_team(self):
		t = make_ticket(ticket_type="Kualitas Produk")
		self.assertEqual(t.agent_group, "Tim Produksi")
		self.assertEqual(
			frappe.db.get_value("HD Ticket Type", "Kualitas Produk", "sop_complaint_type"), "Operational"
		)

	def test_category_does_not_override_a_team(self):
		t = make_ticket(ticket_type="Teknis", agent_group="Billing")
		self.assertEqual(t.agent_group, "Billing")

	def test_category_change_routes_unassigned_ticket(self):
		t = make_ticket()
		t.ticket_type = "Tagihan & Pembayaran"
		t.save(ignore_permissions=True)
		self.assertEqual(t.agent_group, "Tim Keuangan")


class TestStage(FrappeTestCase):
	def tearDown(self):
		frappe.set_user("Administrator")
		frappe.db.rollback()

	def test_full_lifecycle(self):
		t = make_ticket(sop_channel="Email")
		self.assertEqual(t.sop_stage, "Received")

		t.update(classify())
		t.save(ignore_permissions=True)
		self.assertEqual(t.sop_stage, "Classified")

		agent_reply(t.name)
		t.reload()
		self.assertEqual(t.sop_stage, "Initial Handling")

		t.resolution_details = "Paket dikirim ulang."
		t.sop_root_cause = "Alamat salah di sistem kurir."
		t.status = "Resolved"
		t.save(ignore_permissions=True)
		self.assertEqual(t.sop_stage, "Resolved")

		t.status = "Closed"
		t.save(ignore_permissions=True)
		self.assertEqual(t.sop_stage, "Closed")

		t.status = "Open"
		t.save(ignore_permissions=True)
		self.assertEqual(t.sop_stage, "Initial Handling")

		actions = frappe.get_all("HD Ticket Activity", filters={"ticket": t.name}, pluck="action")
		self.assertTrue(any("Classified" in a for a in actions), actions)

	def test_reply_before_classification_stays_received(self):
		t = make_ticket()
		agent_reply(t.name)
		t.reload()
		self.assertEqual(t.sop_stage, "Received")
		t.update(classify())
		t.save(ignore_permissions=True)
		self.assertEqual(t.sop_stage, "Initial Handling")

	def test_cannot_skip_classification(self):
		t = make_ticket()
		t.sop_stage = "Initial Handling"
		with self.assertRaisesRegex(frappe.ValidationError, "Impact"):
			t.save(ignore_permissions=True)

	def test_cannot_escalate_by_hand(self):
		t = make_ticket(**classify())
		t.sop_stage = "Escalated"
		with self.assertRaises(frappe.ValidationError):
			t.save(ignore_permissions=True)

	def test_manual_initial_handling_allowed_when_classified(self):
		t = make_ticket(**classify())
		t.sop_stage = "Initial Handling"
		t.save(ignore_permissions=True)
		self.assertEqual(t.sop_stage, "Initial Handling")

	def test_fallback_category_is_not_classified(self):
		t = make_ticket(**classify(ticket_type="Unspecified"))
		self.assertEqual(t.sop_stage, "Received")
