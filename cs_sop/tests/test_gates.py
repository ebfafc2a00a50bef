"""Ticket lifecycle gates over REST, as the people on both sides: an agent, a team-limited agent, a
supervisor, the portal customer and a guest against the served site (cs_sop.tests.rest).

- System-owned fields (what happened) keep their stored values whatever a save sends: set_value,
  PUT /api/resource, frappe.client.save, a new ticket.
- Closed only through the customer's confirmation (link, portal, an agent's record of a phone call),
  the automatic close, or a supervisor's exception with a reason (shown in SLA Compliance).
- A complaint is escalated or resolved only once classified; a category can require an approved
  solution sent to the customer before its complaints are resolved.
"""

import inspect
from datetime import timedelta

import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils import now_datetime

from cs_sop.closure import auto_close
from cs_sop.core import gates
from cs_sop.tests.rest import Client, error_text, message
from cs_sop.tests.utils import (
	PASSWORD,
	classify,
	ensure_email_account,
	make_customer_user,
	make_team,
	make_team_agent,
	make_ticket,
	make_user,
	solution_sent,
)

CUSTOMER = "cs-sop-gates-customer@example.com"
AGENT = "cs-sop-gates-agent@example.com"
TEAM_AGENT = "cs-sop-gates-teamagent@example.com"
SUPERVISOR = "cs-sop-gates-supervisor@example.com"
TEAM = "Tim Uji Gerbang"
OTHER_TEAM = "Tim Uji Gerbang Lain"
CATEGORY = "Pengiriman"  # shipped: complaints need an approved solution


def make_staff(email: str, name: str, roles: tuple[str, ...]) -> str:
	make_user(email, name, roles=roles)
	if not frappe.db.exists("HD Agent", email):
		frappe.get_doc({"doctype": "HD Agent", "user": email, "agent_name": name}).insert(
			ignore_permissions=True
		)
	return email


def sample_value(df):
	"""A forged value of the field's type (a fake confirmation, a far retention date ...)."""
	if df.fieldtype == "Datetime":
		return "2099-01-01 10:00:00"
	if df.fieldtype == "Date":
		return "2099-01-01"
	if df.fieldtype in ("Int", "Check"):
		return 1 if df.fieldtype == "Check" else 7
	if df.fieldtype == "Select":
		return [o for o in (df.options or "").split("\n") if o][-1]
	if df.fieldtype == "Link":
		return SUPERVISOR if df.options == "User" else None
	return "palsu"


class GatesCase(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		ensure_email_account()
		make_customer_user(CUSTOMER)
		make_staff(AGENT, "Agen Gerbang", ("Agent",))
		make_staff(SUPERVISOR, "Supervisor Gerbang", ("Agent", "SOP Supervisor"))
		make_team(OTHER_TEAM, [AGENT])
		make_team(TEAM, [AGENT, SUPERVISOR])
		make_team_agent(TEAM_AGENT, TEAM)
		frappe.db.set_single_value("HD Settings", "restrict_tickets_by_agent_group", 1)
		frappe.db.set_single_value("HD Settings", "do_not_restrict_tickets_without_an_agent_group", 0)
		frappe.db.set_single_value(
			"SOP Settings",
			{
				"close_needs_confirmation": 1,
				"require_closure_form": 1,
				"confirmation_days": 3,
				"survey_enabled": 0,
			},
		)
		frappe.clear_document_cache("SOP Settings", "SOP Settings")
		frappe.db.commit()  # the served site is another connection
		cls.agent = Client(AGENT, PASSWORD)
		cls.team_agent = Client(TEAM_AGENT, PASSWORD)
		cls.supervisor = Client(SUPERVISOR, PASSWORD)
		cls.customer = Client(CUSTOMER, PASSWORD)
		cls.guest = Client()

	@classmethod
	def tearDownClass(cls):
		frappe.db.set_single_value("HD Settings", "restrict_tickets_by_agent_group", 0)
		frappe.db.set_single_value("SOP Settings", "survey_enabled", 1)
		frappe.clear_document_cache("SOP Settings", "SOP Settings")
		frappe.db.commit()
		super().tearDownClass()

	def ticket(self, resolved: bool = False, team: str = TEAM, **values) -> str:
		values = {"raised_by": CUSTOMER, "agent_group": team, **classify(ticket_type=CATEGORY), **values}
		doc = make_ticket(**values)
		if resolved:  # as the system: the gates apply to people, this is the test's setup
			doc.resolution_details = "<p>Barang dikirim ulang</p>"
			doc.sop_root_cause = "Alamat salah"
			doc.status = "Resolved"
			doc.save(ignore_permissions=True)
		frappe.db.commit()
		return doc.name

	def stored(self, ticket: str, *fields) -> dict:
		frappe.db.rollback()  # a fresh snapshot of what the server committed
		return frappe.db.get_value("HD Ticket", ticket, list(fields), as_dict=True)

	def system_values(self, ticket: str) -> dict:
		fields = [f for f in gates.SYSTEM_FIELDS if f != "sop_next_check"]
		return {k: str(v) for k, v in self.stored(ticket, *fields).items()}

	def refused(self, r, *texts, codes=(403, 417)):
		self.assertIn(r.status_code, codes, r.text[:500])
		for text in texts:
			self.assertIn(text, error_text(r))


class TestSystemOwnedFields(GatesCase):
	def forged(self) -> dict:
		meta = frappe.get_meta("HD Ticket")
		values = {}
		for name in gates.SYSTEM_FIELDS:
			df = meta.get_field(name)
			value = sample_value(df)
			if value is not None:
				values[name] = value
		values.update(
			sop_resolution_confirmed="Confirmed",
			sop_confirmation_via="Phone",
			sop_retention_until="2099-01-01",
		)
		return values

	def test_set_value_put_and_save_keep_every_system_field(self):
		ticket = self.ticket(resolved=True)
		before = self.system_values(ticket)
		self.assertEqual(before["sop_resolution_confirmed"], "Awaiting")
		forged = self.forged()
		for client in (self.agent, self.team_agent, self.supervisor):
			for field, value in forged.items():
				r = client.method(
					"frappe.client.set_value", doctype="HD Ticket", name=ticket, fieldname=field, value=value
				)
				self.assertLess(r.status_code, 500, r.text[:300])
			r = client.put(f"/api/resource/HD Ticket/{ticket}", json=forged)
			self.assertLess(r.status_code, 500, r.text[:300])
			doc = client.get(f"/api/resource/HD Ticket/{ticket}").json()["data"]
			doc.update(forged)
			r = client.method("frappe.client.save", doc=doc)
			self.assertLess(r.status_code, 500, r.text[:300])
			self.assertEqual(self.system_values(ticket), before, client)
		# the ticket can still be saved: a user field changes, the evidence stays
		r = self.agent.method(
			"frappe.client.set_value",
			doctype="HD Ticket",
			name=ticket,
			fieldname={"sop_root_cause": "Kurir salah alamat", **forged},
		)
		self.assertEqual(r.status_code, 200, error_text(r))
		self.assertEqual(self.stored(ticket, "sop_root_cause").sop_root_cause, "Kurir salah alamat")
		self.assertEqual(self.system_values(ticket), before)

	def test_customer_and_guest_are_refused(self):
		ticket = self.ticket(resolved=True)
		before = self.system_values(ticket)
		evidence = ("sop_resolution_confirmed", "sop_confirmation_via", "sop_retention_until")
		for field, value in self.forged().items():
			r = self.customer.method(
				"frappe.client.set_value", doctype="HD Ticket", name=ticket, fieldname=field, value=value
			)
			if field in evidence or field.startswith("sop_close_exception"):
				self.refused(r, "Only agents")
			else:  # refused, or (the sweep's and recomputed fields) kept
				self.assertLess(r.status_code, 500, r.text[:300])
			r = self.guest.method(
				"frappe.client.set_value", doctype="HD Ticket", name=ticket, fieldname=field, value=value
			)
			self.refused(r)
		r = self.customer.put(f"/api/resource/HD Ticket/{ticket}", json=self.forged())
		self.refused(r)
		r = self.guest.put(f"/api/resource/HD Ticket/{ticket}", json=self.forged())
		self.refused(r)
		self.assertEqual(self.system_values(ticket), before)

	def test_new_ticket_starts_without_evidence(self):
		r = self.agent.post(
			"/api/resource/HD Ticket",
			json={
				"subject": "Tiket dengan bukti palsu",
				"raised_by": CUSTOMER,
				"agent_group": TEAM,
				**self.forged(),
			},
		)
		self.assertEqual(r.status_code, 200, error_text(r))
		name = r.json()["data"]["name"]
		s = self.stored(
			name,
			"sop_resolution_confirmed",
			"sop_confirmation_via",
			"sop_retention_until",
			"sop_closed_on",
			"sop_close_exception_by",
			"sop_applied_solution",
			"sop_reopen_count",
			"sop_escalation_level",
		)
		self.assertEqual(tuple(s.values()), (None, None, None, None, None, None, 0, 0), s)


class TestCloseGate(GatesCase):
	def test_people_cannot_close_by_hand(self):
		open_one, resolved = self.ticket(), self.ticket(resolved=True)
		for client in (self.agent, self.team_agent, self.supervisor):
			for ticket in (open_one, resolved):
				r = client.method(
					"frappe.client.set_value",
					doctype="HD Ticket",
					name=ticket,
					fieldname="status",
					value="Closed",
				)
				self.refused(r, "needs the customer")
				r = client.put(f"/api/resource/HD Ticket/{ticket}", json={"status": "Closed"})
				self.refused(r, "needs the customer")
		self.assertEqual(self.stored(open_one, "status").status, "Open")
		s = self.stored(resolved, "status", "sop_resolution_confirmed", "sop_closed_on")
		self.assertEqual(
			(s.status, s.sop_resolution_confirmed, s.sop_closed_on), ("Resolved", "Awaiting", None)
		)
		r = self.guest.method(
			"frappe.client.set_value", doctype="HD Ticket", name=resolved, fieldname="status", value="Closed"
		)
		self.refused(r)
		self.assertEqual(self.stored(resolved, "status").status, "Resolved")

	def test_helpdesk_merge_closes_the_duplicate(self):
		from helpdesk.helpdesk.doctype.hd_ticket.hd_ticket import HDTicket

		if "last_communication.name if last_communication.name" in inspect.getsource(
			HDTicket.reply_via_agent
		):
			# Helpdesk 1.25.1's merge_ticket moves the duplicate's messages, then replies on it and fails
			# on its missing last message (AttributeError), with or without cs_sop; 1.28 fixed it
			self.skipTest("Helpdesk's own merge_ticket fails on this release")
		duplicate, target = self.ticket(), self.ticket()
		r = self.agent.method(
			"helpdesk.helpdesk.doctype.hd_ticket.api.merge_ticket", source=duplicate, target=target
		)
		self.assertEqual(r.status_code, 200, error_text(r))
		s = self.stored(duplicate, "status", "is_merged", "merged_with")
		self.assertEqual(tuple(s.values()), ("Closed", 1, target))

	def test_portal_close_counts_as_the_customers_confirmation(self):
		ticket = self.ticket(resolved=True)
		r = self.customer.method(
			"frappe.client.set_value", doctype="HD Ticket", name=ticket, fieldname="status", value="Closed"
		)
		self.assertEqual(r.status_code, 200, error_text(r))
		s = self.stored(ticket, "status", "sop_resolution_confirmed", "sop_confirmation_via")
		self.assertEqual(tuple(s.values()), ("Closed", "Confirmed", "Portal"))

	def test_customer_confirms(self):
		ticket = self.ticket(resolved=True)
		self.assertEqual(
			message(self.customer.method("cs_sop.api.closure.confirm_resolution", ticket=ticket, resolved=1)),
			"Confirmed",
		)
		self.assertEqual(self.stored(ticket, "status").status, "Closed")

	def test_agent_records_a_phone_confirmation_with_who_and_when(self):
		ticket = self.ticket(resolved=True)
		r = self.team_agent.method(
			"cs_sop.api.closure.confirm_resolution", ticket=ticket, resolved=1, via="Phone"
		)
		self.assertEqual(message(r), "Confirmed")
		s = self.stored(ticket, "status", "sop_resolution_confirmed", "sop_confirmation_via")
		self.assertEqual(tuple(s.values()), ("Closed", "Confirmed", "Phone"))
		line = frappe.get_all(
			"HD Ticket Activity",
			filters={"ticket": ticket, "action": ("like", "%confirmed the resolution%")},
			fields=["owner", "creation", "action"],
		)
		self.assertEqual(len(line), 1)
		self.assertEqual(line[0].owner, TEAM_AGENT)
		self.assertIn("Phone", line[0].action)
		# a team-limited agent records nothing on another team's ticket
		other = self.ticket(resolved=True, team=OTHER_TEAM)
		r = self.team_agent.method(
			"cs_sop.api.closure.confirm_resolution", ticket=other, resolved=1, via="Phone"
		)
		self.refused(r, codes=(403,))
		self.assertEqual(self.stored(other, "status").status, "Resolved")

	def test_automatic_close(self):
		ticket = self.ticket(resolved=True)
		frappe.db.set_value(
			"HD Ticket", ticket, "sop_confirmation_due", now_datetime() - timedelta(minutes=1)
		)
		self.assertEqual(auto_close.auto_close_unconfirmed(only=[ticket]), 1)
		frappe.db.commit()  # the job's own transaction, as the scheduler commits it
		s = self.stored(ticket, "status", "sop_resolution_confirmed", "sop_confirmation_via")
		self.assertEqual(tuple(s.values()), ("Closed", "No Reply", "Automatic"))

	def test_supervisors_exception(self):
		resolved, open_one = self.ticket(resolved=True), self.ticket()
		# not a supervisor, no reason, a guest: refused, nothing written
		for client, codes in ((self.agent, (403,)), (self.team_agent, (403,)), (self.guest, (403,))):
			r = client.method("cs_sop.api.closure.close_with_exception", ticket=resolved, reason="Duplikat")
			self.refused(r, codes=codes)
		r = self.supervisor.method("cs_sop.api.closure.close_with_exception", ticket=resolved, reason="  ")
		self.refused(r, "A reason is required", codes=(417,))
		r = self.supervisor.method(
			"cs_sop.api.closure.close_with_exception",
			ticket=resolved,
			reason="x" * (gates.MAX_EXCEPTION_REASON + 1),
		)
		self.refused(r, "too long", codes=(417,))
		r = self.supervisor.get(
			"/api/method/cs_sop.api.closure.close_with_exception",
			params={"ticket": resolved, "reason": "Duplikat"},
		)
		self.refused(r, codes=(403,))
		s = self.stored(resolved, "status", "sop_close_exception_by")
		self.assertEqual((s.status, s.sop_close_exception_by), ("Resolved", None))
		# the supervisor with a reason
		r = self.supervisor.method(
			"cs_sop.api.closure.close_with_exception",
			ticket=resolved,
			reason="Pelanggan tidak dapat dihubungi",
		)
		self.assertEqual(message(r), "Closed")
		s = self.stored(
			resolved,
			"status",
			"sop_close_exception_by",
			"sop_close_exception_on",
			"sop_close_exception_reason",
			"sop_closed_on",
		)
		self.assertEqual(s.status, "Closed")
		self.assertEqual(s.sop_close_exception_by, SUPERVISOR)
		self.assertEqual(s.sop_close_exception_reason, "Pelanggan tidak dapat dihubungi")
		self.assertTrue(s.sop_close_exception_on and s.sop_closed_on)
		self.assertTrue(
			frappe.db.exists(
				"HD Ticket Activity",
				{"ticket": resolved, "owner": SUPERVISOR, "action": ("like", "%Pelanggan tidak dapat%")},
			)
		)
		r = self.supervisor.method("cs_sop.api.closure.close_with_exception", ticket=resolved, reason="lagi")
		self.refused(r, "already closed", codes=(417,))
		# an open complaint: the closure form and the solution gate still apply
		r = self.supervisor.method(
			"cs_sop.api.closure.close_with_exception", ticket=open_one, reason="Duplikat"
		)
		self.refused(r, "Resolution Summary", codes=(417,))
		self.assertEqual(self.stored(open_one, "status").status, "Open")
		# SLA Compliance lists them
		from cs_sop.cs_sop.report.sop_sla_compliance import sop_sla_compliance as report

		frappe.set_user("Administrator")
		_cols, rows, _m, _chart, summary = report.execute(
			{"group_by": "Team", "team": TEAM, "closed_by_exception": 1}
		)
		team_row = next(row for row in rows if row["group_value"] == TEAM)
		self.assertGreaterEqual(team_row["closed_by_exception"], 1)
		self.assertEqual(team_row["tickets"], team_row["closed_by_exception"])


class TestComplaintGates(GatesCase):
	def test_unclassified_complaint_is_neither_escalated_nor_resolved(self):
		ticket = self.ticket(ticket_type="Unspecified", sop_impact=None, sop_urgency=None)
		r = self.agent.method(
			"cs_sop.api.escalation.escalate", ticket=ticket, reason="Complexity", summary="Rumit"
		)
		self.refused(r, "classify it", "Category", "Impact", "Urgency", codes=(417,))
		self.assertFalse(frappe.db.exists("SOP Escalation", {"ticket": ticket}))
		r = self.agent.method(
			"cs_sop.api.closure.resolve_ticket", ticket=ticket, resolution="<p>x</p>", root_cause="Alamat"
		)
		self.refused(r, "classify it", "Category", codes=(417,))
		r = self.agent.put(
			f"/api/resource/HD Ticket/{ticket}",
			json={"status": "Resolved", "resolution_details": "<p>x</p>", "sop_root_cause": "Alamat"},
		)
		self.refused(r, "classify it", codes=(417,))
		self.assertEqual(self.stored(ticket, "status").status, "Open")
		# classified: the escalation goes ahead
		r = self.agent.put(
			f"/api/resource/HD Ticket/{ticket}",
			json={"ticket_type": CATEGORY, "sop_impact": "High", "sop_urgency": "High"},
		)
		self.assertEqual(r.status_code, 200, error_text(r))
		r = self.agent.method(
			"cs_sop.api.escalation.escalate", ticket=ticket, reason="Complexity", summary="Rumit"
		)
		self.assertEqual(r.status_code, 200, error_text(r))
		frappe.db.rollback()
		self.assertTrue(frappe.db.exists("SOP Escalation", {"ticket": ticket}))

	def test_question_needs_no_classification(self):
		ticket = self.ticket(ticket_type="Unspecified", sop_request_type="Question", sop_impact=None)
		r = self.agent.method("cs_sop.api.closure.resolve_ticket", ticket=ticket, resolution="<p>Dijawab</p>")
		self.assertEqual(message(r), "Resolved")

	def test_category_requiring_an_approved_solution(self):
		self.assertTrue(frappe.db.get_value("HD Ticket Type", CATEGORY, "sop_requires_approved_solution"))
		ticket = self.ticket()
		args = {"ticket": ticket, "resolution": "<p>Dikirim ulang</p>", "root_cause": "Alamat salah"}
		r = self.agent.method("cs_sop.api.closure.resolve_ticket", **args)
		self.refused(r, "approved solution", codes=(417,))
		solution_sent(ticket, "Approved")  # approved but not sent yet
		frappe.db.commit()
		r = self.agent.method("cs_sop.api.closure.resolve_ticket", **args)
		self.refused(r, "approved solution", codes=(417,))
		self.assertEqual(self.stored(ticket, "status").status, "Open")
		solution_sent(ticket)
		frappe.db.commit()
		self.assertEqual(message(self.agent.method("cs_sop.api.closure.resolve_ticket", **args)), "Resolved")
		# a category that does not require it
		frappe.db.set_value("HD Ticket Type", "Lainnya", "sop_requires_approved_solution", 0)
		frappe.clear_document_cache("HD Ticket Type", "Lainnya")
		frappe.db.commit()
		try:
			other = self.ticket(ticket_type="Lainnya")
			args["ticket"] = other
			self.assertEqual(
				message(self.agent.method("cs_sop.api.closure.resolve_ticket", **args)), "Resolved"
			)
		finally:
			frappe.db.set_value("HD Ticket Type", "Lainnya", "sop_requires_approved_solution", 1)
			frappe.clear_document_cache("HD Ticket Type", "Lainnya")
			frappe.db.commit()
