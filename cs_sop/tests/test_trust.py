"""The trust boundary, in-process: who may set `sop_*` fields, who may write or read
SOP Escalations, what the API accepts. The same rules over REST: test_rest_trust.py."""

import frappe
from frappe.tests.utils import FrappeTestCase

from cs_sop.api import escalation as api_escalation
from cs_sop.escalation import escalation_name
from cs_sop.tests.utils import (
	AGENT,
	agent_reply,
	classify,
	make_agent,
	make_customer_user,
	make_team,
	make_team_agent,
	make_ticket,
	make_user,
)

CUSTOMER = "cs-sop-trust-customer@example.com"
TEAM_AGENT = "cs-sop-trust-teamagent@example.com"
TEAM = "Tim Uji Kepercayaan"
OTHER_TEAM = "Tim Uji Lain"


def set_restriction(on: bool):
	frappe.db.set_single_value("HD Settings", "restrict_tickets_by_agent_group", int(on))
	frappe.db.set_single_value("HD Settings", "do_not_restrict_tickets_without_an_agent_group", 0)


class TestSopFieldsGuard(FrappeTestCase):
	def setUp(self):
		make_agent()
		make_customer_user(CUSTOMER)

	def tearDown(self):
		frappe.set_user("Administrator")
		frappe.db.rollback()

	def test_customer_ticket_starts_plain_whatever_was_sent(self):
		frappe.set_user(CUSTOMER)
		doc = frappe.get_doc(
			{
				"doctype": "HD Ticket",
				"subject": "Pesanan rusak",
				"raised_by": CUSTOMER,
				"via_customer_portal": 1,
				"sop_channel": "WhatsApp",
				"sop_escalation_level": 3,
				"sop_stage": "Escalated",
				"sop_impact": "Critical",
				"sop_urgency": "Critical",
				"sop_root_cause": "saya yang tentukan",
			}
		).insert()
		frappe.set_user("Administrator")
		t = frappe.get_doc("HD Ticket", doc.name)
		self.assertEqual(
			(
				t.sop_channel,
				t.sop_escalation_level,
				t.sop_stage,
				t.sop_impact,
				t.sop_urgency,
				t.sop_root_cause,
			),
			("Web Portal", 0, "Received", None, None, None),
		)
		self.assertNotEqual(t.priority, "Urgent")

	def test_customer_cannot_change_sop_fields_of_own_ticket(self):
		t = make_ticket(raised_by=CUSTOMER, **classify())
		frappe.set_user(CUSTOMER)
		for field, value in (("sop_impact", "Critical"), ("sop_root_cause", "bukan salah kami")):
			doc = frappe.get_doc("HD Ticket", t.name)
			doc.set(field, value)
			with self.assertRaises(frappe.PermissionError) as cm:
				doc.save()
			self.assertIn("Only agents", str(cm.exception))
		frappe.set_user("Administrator")
		stored = frappe.db.get_value(
			"HD Ticket", t.name, ["sop_impact", "sop_root_cause", "priority"], as_dict=True
		)
		self.assertEqual((stored.sop_impact, stored.sop_root_cause), ("High", None))

	def test_agent_sets_classification_but_not_sweep_fields(self):
		frappe.set_user(AGENT)
		doc = frappe.get_doc(
			{
				"doctype": "HD Ticket",
				"subject": "Tagihan ganda",
				"raised_by": CUSTOMER,
				"sop_escalation_level": 2,
				"sop_update_misses": 5,
				**classify(),
			}
		).insert()
		frappe.set_user("Administrator")
		t = frappe.get_doc("HD Ticket", doc.name)
		self.assertEqual((t.sop_escalation_level, t.sop_update_misses), (0, 0))
		self.assertEqual(t.sop_impact, "High")
		t.sop_escalation_level = 3
		t.save(ignore_permissions=True)
		self.assertEqual(frappe.db.get_value("HD Ticket", t.name, "sop_escalation_level"), 0)

	def test_missing_rule_blocks_only_the_save_that_changes_impact(self):
		t = make_ticket(raised_by=CUSTOMER, **classify())
		frappe.db.delete("SOP Priority Rule", {"impact": "High", "urgency": "Medium"})
		frappe.db.delete("SOP Priority Rule", {"impact": "Low", "urgency": "Medium"})
		frappe.cache.delete_value("cs_sop:priority_matrix")
		frappe.clear_cache()
		# a customer's email on the existing ticket: never blocked
		frappe.get_doc(
			{
				"doctype": "Communication",
				"communication_type": "Communication",
				"content": "Bagaimana kabar pesanan saya?",
				"reference_doctype": "HD Ticket",
				"reference_name": t.name,
				"sender": CUSTOMER,
				"sent_or_received": "Received",
				"subject": "Re: pesanan",
			}
		).insert(ignore_permissions=True)
		doc = frappe.get_doc("HD Ticket", t.name)
		doc.subject = "Pesanan belum diterima (2)"
		doc.save(ignore_permissions=True)
		doc.sop_impact = "Low"
		with self.assertRaises(frappe.ValidationError) as cm:
			doc.save(ignore_permissions=True)
		self.assertIn("SOP Priority Rule", str(cm.exception))

	def test_invalid_select_is_refused_before_the_matrix(self):
		t = make_ticket(**classify())
		doc = frappe.get_doc("HD Ticket", t.name)
		doc.sop_impact = "Gawat"
		with self.assertRaises(frappe.ValidationError) as cm:
			doc.save(ignore_permissions=True)
		self.assertIn("cannot be", str(cm.exception))
		self.assertNotIn("SOP Priority Rule", str(cm.exception))


class TestEscalationBoundary(FrappeTestCase):
	def setUp(self):
		make_agent()
		make_team(OTHER_TEAM)
		make_team_agent(TEAM_AGENT, TEAM)
		make_user("cs-sop-trust-sup@example.com", "Supervisor", roles=("SOP Supervisor",))

	def tearDown(self):
		frappe.set_user("Administrator")
		set_restriction(False)
		frappe.db.rollback()

	def test_agents_cannot_rewrite_an_escalation(self):
		t = make_ticket(**classify())
		name = api_escalation.escalate(t.name, "Complexity", "Butuh keputusan supervisor.")
		frappe.set_user(AGENT)
		with self.assertRaises(frappe.PermissionError):
			frappe.client.set_value("SOP Escalation", name, "status", "Cancelled")
		with self.assertRaises(frappe.PermissionError):
			frappe.client.set_value("SOP Escalation", name, "escalated_to_user", AGENT)
		esc = frappe.get_doc("SOP Escalation", name)
		esc.status = "Cancelled"
		with self.assertRaises(frappe.PermissionError):
			esc.save(ignore_permissions=True)  # even past the role check: only the API writes
		frappe.set_user("Administrator")
		self.assertEqual(frappe.db.get_value("SOP Escalation", name, "status"), "Open")
		# System Manager may correct
		frappe.client.set_value("SOP Escalation", name, "status", "Cancelled")
		self.assertEqual(frappe.db.get_value("SOP Escalation", name, "status"), "Cancelled")

	def test_team_limited_agent_reads_only_own_teams_escalations(self):
		mine = make_ticket(agent_group=TEAM, **classify())
		other = make_ticket(agent_group=OTHER_TEAM, **classify())
		mine_esc = api_escalation.escalate(mine.name, "Complexity", "tim saya")
		other_esc = api_escalation.escalate(other.name, "Complexity", "tim lain")
		set_restriction(True)
		frappe.set_user(TEAM_AGENT)
		seen = set(
			frappe.get_list("SOP Escalation", pluck="name", filters={"name": ("in", [mine_esc, other_esc])})
		)
		self.assertEqual(seen, {mine_esc})
		self.assertTrue(frappe.has_permission("SOP Escalation", "read", doc=mine_esc))
		self.assertFalse(frappe.has_permission("SOP Escalation", "read", doc=other_esc))
		self.assertFalse(frappe.has_permission("SOP Escalation", "export"))
		frappe.set_user("cs-sop-trust-sup@example.com")
		self.assertTrue(frappe.has_permission("SOP Escalation", "read", doc=other_esc))

	def test_attachment_must_belong_to_the_ticket(self):
		t = make_ticket(**classify())
		other = make_ticket(**classify())
		f = frappe.get_doc(
			{
				"doctype": "File",
				"file_name": "bukti.txt",
				"content": b"bukti",
				"attached_to_doctype": "HD Ticket",
				"attached_to_name": other.name,
				"is_private": 1,
			}
		).insert(ignore_permissions=True)
		with self.assertRaises(frappe.PermissionError):
			api_escalation.escalate(t.name, "Complexity", "lampiran tiket lain", f.file_url)
		with self.assertRaises(frappe.PermissionError):
			api_escalation.escalate(t.name, "Complexity", "lampiran palsu", "/private/files/tidak-ada.txt")
		self.assertFalse(frappe.db.exists("SOP Escalation", {"ticket": t.name}))
		name = api_escalation.escalate(other.name, "Complexity", "lampiran sah", f.file_url)
		self.assertEqual(frappe.db.get_value("SOP Escalation", name, "attachment"), f.file_url)

	def test_closed_ticket_and_long_summary_are_refused(self):
		t = make_ticket(**classify())
		with self.assertRaises(frappe.ValidationError) as cm:
			api_escalation.escalate(t.name, "Complexity", "x" * 2001)
		self.assertIn("2000", str(cm.exception))
		agent_reply(t.name)
		doc = frappe.get_doc("HD Ticket", t.name)
		doc.resolution_details = "Paket dikirim ulang."
		doc.sop_root_cause = "Alamat salah di sistem kurir."
		doc.status = "Closed"
		doc.save(ignore_permissions=True)
		with self.assertRaises(frappe.ValidationError):
			api_escalation.escalate(t.name, "Complexity", "sudah ditutup")
		self.assertFalse(frappe.db.exists("SOP Escalation", escalation_name(t.name, 1)))

	def test_write_methods_accept_post_only(self):
		for method in (api_escalation.escalate, api_escalation.acknowledge):
			allowed = frappe.allowed_http_methods_for_whitelisted_func.get(method)
			self.assertEqual(allowed, ["POST"], method.__name__)
