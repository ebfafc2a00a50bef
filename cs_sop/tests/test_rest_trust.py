"""The trust boundary over REST, as the people who cross it: a portal customer and a team-limited
agent logged in over HTTP against the site served on loopback (cs_sop.tests.rest)."""

import frappe
from frappe.tests.utils import FrappeTestCase

from cs_sop.api import escalation as api_escalation
from cs_sop.tests.rest import Client, error_text, message
from cs_sop.tests.utils import (
	PASSWORD,
	classify,
	make_customer_user,
	make_team,
	make_team_agent,
	make_ticket,
	make_user,
)

CUSTOMER = "cs-sop-rest-customer@example.com"
TEAM_AGENT = "cs-sop-rest-teamagent@example.com"
RECEIVER = "cs-sop-rest-receiver@example.com"
TEAM = "Tim REST Saya"
OTHER_TEAM = "Tim REST Lain"


class TestRestTrust(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		make_customer_user(CUSTOMER)
		make_team(OTHER_TEAM)
		make_team_agent(TEAM_AGENT, TEAM)
		make_user(RECEIVER, "Penerima", roles=("SOP Supervisor",))
		frappe.db.set_single_value("HD Settings", "restrict_tickets_by_agent_group", 1)
		frappe.db.set_single_value("HD Settings", "do_not_restrict_tickets_without_an_agent_group", 0)
		cls.own = make_ticket(raised_by=CUSTOMER, agent_group=TEAM, **classify()).name
		cls.other = make_ticket(agent_group=OTHER_TEAM, **classify()).name
		cls.own_esc = api_escalation.escalate(cls.own, "Complexity", "tiket tim saya")
		cls.other_esc = api_escalation.escalate(cls.other, "Complexity", "tiket tim lain")
		frappe.db.commit()  # the served site is another connection
		cls.customer = Client(CUSTOMER, PASSWORD)
		cls.agent = Client(TEAM_AGENT, PASSWORD)

	@classmethod
	def tearDownClass(cls):
		frappe.db.set_single_value("HD Settings", "restrict_tickets_by_agent_group", 0)
		frappe.db.commit()
		super().tearDownClass()

	def stored(self, ticket: str, *fields):
		frappe.db.rollback()  # a fresh snapshot of what the server committed
		return frappe.db.get_value("HD Ticket", ticket, list(fields), as_dict=True)

	def test_customer_cannot_set_sop_fields_on_own_ticket(self):
		for field, value in (
			("sop_impact", "Critical"),
			("sop_urgency", "Critical"),
			("sop_root_cause", "x"),
		):
			r = self.customer.method(
				"frappe.client.set_value", doctype="HD Ticket", name=self.own, fieldname=field, value=value
			)
			self.assertIn(r.status_code, (403, 417), r.text)
			self.assertIn("Only agents", error_text(r))
		s = self.stored(self.own, "sop_impact", "sop_urgency", "sop_root_cause", "priority")
		self.assertEqual((s.sop_impact, s.sop_urgency, s.sop_root_cause), ("High", "Medium", None))

	def test_customer_new_ticket_starts_plain(self):
		r = self.customer.method(
			"helpdesk.helpdesk.doctype.hd_ticket.api.new",
			doc={
				"subject": "Barang rusak saat diterima",
				"description": "Kemasan penyok",
				"sop_channel": "WhatsApp",
				"sop_escalation_level": 3,
				"sop_stage": "Escalated",
				"sop_impact": "Critical",
				"sop_urgency": "Critical",
			},
		)
		name = message(r)["name"]
		s = self.stored(name, "sop_channel", "sop_escalation_level", "sop_stage", "sop_impact", "priority")
		self.assertEqual(
			(s.sop_channel, s.sop_escalation_level, s.sop_stage, s.sop_impact),
			("Web Portal", 0, "Received", None),
		)
		self.assertNotEqual(s.priority, "Urgent")

	def test_agent_cannot_rewrite_or_export_escalations(self):
		for field, value in (("escalated_to_user", TEAM_AGENT), ("status", "Cancelled")):
			r = self.agent.method(
				"frappe.client.set_value",
				doctype="SOP Escalation",
				name=self.own_esc,
				fieldname=field,
				value=value,
			)
			self.assertEqual(r.status_code, 403, r.text)
		frappe.db.rollback()
		self.assertEqual(frappe.db.get_value("SOP Escalation", self.own_esc, "status"), "Open")
		r = self.agent.get(
			"/api/method/frappe.desk.reportview.export_query",
			params={"doctype": "SOP Escalation", "file_format_type": "CSV"},
		)
		self.assertNotEqual(r.status_code, 200)

	def test_team_limited_agent_lists_only_own_teams_escalations(self):
		r = self.agent.get(
			"/api/resource/SOP Escalation",
			params={
				"filters": frappe.as_json([["ticket", "in", [self.own, self.other]]]),
				"limit_page_length": 50,
			},
		)
		names = {row["name"] for row in r.json()["data"]}
		self.assertEqual(names, {self.own_esc})
		self.assertEqual(self.agent.get(f"/api/resource/SOP Escalation/{self.other_esc}").status_code, 403)
		self.assertEqual(self.agent.get(f"/api/resource/SOP Escalation/{self.own_esc}").status_code, 200)

	def test_customer_sees_no_escalation(self):
		r = self.customer.get(f"/api/resource/SOP Escalation/{self.own_esc}")
		self.assertEqual(r.status_code, 403)

	def test_write_methods_refuse_get(self):
		r = self.agent.method(
			"cs_sop.api.escalation.escalate", http="GET", ticket=self.own, reason="Complexity", summary="x"
		)
		self.assertEqual(r.status_code, 403, r.text)

	def test_only_receiver_or_manager_acknowledges(self):
		r = self.agent.method("cs_sop.api.escalation.acknowledge", escalation=self.own_esc)
		self.assertEqual(r.status_code, 403, r.text)
		receiver = Client(RECEIVER, PASSWORD)
		r = receiver.method("cs_sop.api.escalation.acknowledge", escalation=self.own_esc)
		self.assertEqual(r.status_code, 200, r.text)
		frappe.db.rollback()
		self.assertEqual(frappe.db.get_value("SOP Escalation", self.own_esc, "acknowledged_by"), RECEIVER)

	def test_draft_articles_stay_internal(self):
		docs = {}
		for status in ("Draft", "Published"):
			docs[status] = (
				frappe.get_doc(
					{
						"doctype": "HD Article",
						"title": f"Artikel {status}",
						"content": "isi",
						"status": status,
					}
				)
				.insert(ignore_permissions=True)
				.name
			)
		frappe.db.commit()  # the served site must see them
		# Helpdesk decides who reads published articles: All and Guest on 1.25, its customer roles on
		# 1.28 (a guest then reads none); cs_sop only keeps drafts from everyone outside the staff
		guest_reads = frappe.permissions.has_permission("HD Article", "read", user="Guest")
		for client, reads in ((Client(), guest_reads), (self.customer, True)):
			self.assertEqual(client.get(f"/api/resource/HD Article/{docs['Draft']}").status_code, 403)
			published = client.get(f"/api/resource/HD Article/{docs['Published']}").status_code
			self.assertEqual(published, 200 if reads else 403)
			r = client.get(
				"/api/resource/HD Article",
				params={"filters": frappe.as_json([["name", "in", list(docs.values())]])},
			)
			if reads:
				self.assertEqual({row["name"] for row in r.json()["data"]}, {docs["Published"]})
			else:
				self.assertEqual(r.status_code, 403)
		self.assertEqual(self.agent.get(f"/api/resource/HD Article/{docs['Draft']}").status_code, 200)

	def test_customer_cannot_escalate(self):
		r = self.customer.method(
			"cs_sop.api.escalation.escalate", ticket=self.own, reason="Complexity", summary="tolong"
		)
		self.assertEqual(r.status_code, 403, r.text)
