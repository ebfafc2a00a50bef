"""Closure and survey over REST against the served site, as the portal customer, agents and a guest:
who may confirm which ticket, the public pages, forged / reused tokens, two tabs."""

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils import now_datetime

from cs_sop.closure import confirmation, survey
from cs_sop.tests.rest import Client, error_text, message
from cs_sop.tests.test_closure import CUSTOMER, OTHER, resolved_ticket
from cs_sop.tests.utils import (
	PASSWORD,
	ensure_email_account,
	make_agent,
	make_customer_user,
	make_team,
	make_team_agent,
	make_user,
)

TEAM_AGENT = "cs-sop-closure-teamagent@example.com"
TEAM = "Tim Uji Penutupan"


def link_token(ticket: str) -> str:
	requested = frappe.db.get_value("HD Ticket", ticket, "sop_confirmation_requested_on")
	return confirmation.confirmation_token(ticket, requested)


class TestClosureRest(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		ensure_email_account()
		make_agent()
		make_customer_user(CUSTOMER)
		make_customer_user(OTHER)
		make_user(CUSTOMER, "Pelanggan Portal", user_type="Website User")  # the test password
		make_user(OTHER, "Pelanggan Lain", user_type="Website User")
		make_team_agent(TEAM_AGENT, TEAM)
		make_team("Tim Logistik")
		frappe.db.set_single_value("HD Settings", "restrict_tickets_by_agent_group", 1)
		frappe.db.set_single_value("HD Settings", "do_not_restrict_tickets_without_an_agent_group", 0)
		frappe.db.set_single_value("SOP Settings", {"survey_enabled": 1, "survey_delay_minutes": 0})
		frappe.clear_document_cache("SOP Settings", "SOP Settings")
		frappe.db.commit()

	@classmethod
	def tearDownClass(cls):
		frappe.db.set_single_value("HD Settings", "restrict_tickets_by_agent_group", 0)
		frappe.db.commit()
		super().tearDownClass()

	def ticket(self) -> str:
		name = resolved_ticket().name  # category Pengiriman: team Tim Logistik
		frappe.db.commit()
		return name

	def test_portal_customer_confirms_own_resolved_ticket_only(self):
		mine, open_one = self.ticket(), self.ticket()
		frappe.db.set_value("HD Ticket", open_one, "status", "Open")
		frappe.db.set_value("HD Ticket", open_one, "status_category", "Open")
		frappe.db.commit()
		other = Client(OTHER, PASSWORD)
		r = other.method("cs_sop.api.closure.confirm_resolution", ticket=mine, resolved=1)
		self.assertEqual(r.status_code, 403, error_text(r))
		customer = Client(CUSTOMER, PASSWORD)
		r = customer.method("cs_sop.api.closure.confirm_resolution", ticket=open_one, resolved=1)
		self.assertEqual(r.status_code, 417, error_text(r))
		self.assertIn("not waiting for a confirmation", error_text(r))
		# the customer cannot set the confirmation fields directly
		r = customer.method(
			"frappe.client.set_value",
			doctype="HD Ticket",
			name=mine,
			fieldname="sop_resolution_confirmed",
			value="Confirmed",
		)
		self.assertGreaterEqual(r.status_code, 400, error_text(r))
		frappe.db.rollback()
		self.assertEqual(frappe.db.get_value("HD Ticket", mine, "sop_resolution_confirmed"), "Awaiting")
		self.assertEqual(
			message(customer.method("cs_sop.api.closure.confirm_resolution", ticket=mine, resolved=1)),
			"Confirmed",
		)
		r = customer.method("cs_sop.api.closure.confirm_resolution", ticket=mine, resolved=1)
		self.assertEqual(r.status_code, 417, error_text(r))
		frappe.db.rollback()
		self.assertEqual(frappe.db.get_value("HD Ticket", mine, "status"), "Closed")
		self.assertEqual(frappe.db.count("SOP Survey", {"ticket": mine}), 1)

	def test_team_limited_agent(self):
		ticket = self.ticket()
		agent = Client(TEAM_AGENT, PASSWORD)
		r = agent.method("cs_sop.api.closure.confirm_resolution", ticket=ticket, resolved=1, via="Phone")
		self.assertEqual(r.status_code, 403, error_text(r))
		r = agent.method("cs_sop.api.closure.resolve_ticket", ticket=ticket, resolution="<p>x</p>")
		self.assertEqual(r.status_code, 403, error_text(r))
		frappe.db.set_value("HD Ticket", ticket, "agent_group", TEAM)
		frappe.db.commit()
		r = agent.method("cs_sop.api.closure.confirm_resolution", ticket=ticket, resolved=1)
		self.assertEqual(r.status_code, 417, error_text(r))  # how the customer answered is required
		r = agent.method(
			"cs_sop.api.closure.confirm_resolution", ticket=ticket, resolved=0, via="Phone", reason="Belum"
		)
		self.assertEqual(message(r), "Not Resolved")
		frappe.db.rollback()
		self.assertEqual(frappe.db.get_value("HD Ticket", ticket, "status_category"), "Open")

	def test_guest_confirmation_page(self):
		ticket = self.ticket()
		token = link_token(ticket)
		guest = Client()
		page = guest.get(f"/sop-confirm/{ticket}/{token}?answer=yes&lang=id")
		self.assertEqual(page.status_code, 200)
		self.assertIn("Ya, sudah selesai", page.text)
		self.assertEqual(
			frappe.db.get_value("HD Ticket", ticket, "status"), "Resolved"
		)  # opening changes nothing
		forged = ("A" if token[0] != "A" else "B") + token[1:]
		page = guest.get(f"/sop-confirm/{ticket}/{forged}")  # no customer known: Indonesian
		self.assertEqual(page.status_code, 200)
		self.assertIn("Tautan konfirmasi ini tidak berlaku.", page.text)
		self.assertNotIn("Traceback", page.text)
		r = guest.method("cs_sop.api.closure.confirm_link", ticket=ticket, token=forged, resolved=1)
		self.assertEqual(r.status_code, 403, error_text(r))
		r = guest.post(
			"/api/method/cs_sop.api.closure.confirm_form",
			data={"ticket": ticket, "token": token, "resolved": "1"},
			allow_redirects=False,
		)
		self.assertIn(r.status_code, (301, 302, 303), r.text)
		frappe.db.rollback()
		self.assertEqual(frappe.db.get_value("HD Ticket", ticket, "status"), "Closed")
		page = guest.get(f"/sop-confirm/{ticket}/{token}?lang=en")
		self.assertIn("Thank you! Your ticket is closed.", page.text)
		r = guest.method(
			"cs_sop.api.closure.confirm_link", ticket=ticket, token=token, resolved=0, reason="x"
		)
		self.assertEqual(r.status_code, 417, error_text(r))

	def test_guest_survey(self):
		ticket = self.ticket()
		frappe.get_doc("HD Ticket", ticket).update({"status": "Closed"}).save(ignore_permissions=True)
		frappe.db.commit()
		name = frappe.db.get_value("SOP Survey", {"ticket": ticket})
		token = survey.token_of(name)
		guest = Client()
		page = guest.get(f"/sop-survey/{token}")
		self.assertEqual(page.status_code, 200)
		self.assertIn('name="csat"', page.text)
		for bad in ("x" * 43, "<script>", token[:-1] + ("A" if token[-1] != "A" else "B")):
			page = guest.get(f"/sop-survey/{bad}?lang=en")
			self.assertEqual(page.status_code, 200)
			self.assertIn("This survey link is not valid.", page.text)
			r = guest.method("cs_sop.api.survey.submit_answer", token=bad, csat=5, problem_solved="Yes")
			self.assertEqual(r.status_code, 403, error_text(r))
		r = guest.method("cs_sop.api.survey.submit_answer", token=token, csat="7", problem_solved="Yes")
		self.assertEqual(r.status_code, 417)
		self.assertIn("from 1 to 5", error_text(r))
		# two tabs submit at once: one answer, one "already answered"
		with ThreadPoolExecutor(2) as pool:
			results = list(
				pool.map(
					lambda csat: Client().method(
						"cs_sop.api.survey.submit_answer", token=token, csat=csat, problem_solved="Yes"
					),
					(4, 5),
				)
			)
		codes = sorted(r.status_code for r in results)
		self.assertEqual(codes, [200, 417], [error_text(r) for r in results])
		self.assertIn("already answered", error_text(next(r for r in results if r.status_code == 417)))
		frappe.db.rollback()
		self.assertEqual(frappe.db.get_value("SOP Survey", name, "status"), "Answered")
		page = guest.get(f"/sop-survey/{token}?lang=en")
		self.assertIn("already answered", page.text)

	def test_expired_survey_page(self):
		ticket = self.ticket()
		frappe.get_doc("HD Ticket", ticket).update({"status": "Closed"}).save(ignore_permissions=True)
		name = frappe.db.get_value("SOP Survey", {"ticket": ticket})
		frappe.db.set_value("SOP Survey", name, "expires_on", now_datetime() - timedelta(minutes=1))
		frappe.db.commit()
		guest = Client()
		page = guest.get(f"/sop-survey/{survey.token_of(name)}?lang=id")
		self.assertEqual(page.status_code, 200)
		self.assertIn("kedaluwarsa", page.text)
