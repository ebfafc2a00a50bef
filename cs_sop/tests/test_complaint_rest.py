"""Complaint procedure over HTTP as the real roles (customer, agents, approver), and in /helpdesk
with headless Chromium (the approval and send actions of the agent UI; screenshots for the README)."""

import os
import time
from pathlib import Path

import frappe
from frappe.tests.utils import FrappeTestCase

from cs_sop.api import complaint as api_complaint
from cs_sop.tests.rest import Client, error_text, message, served
from cs_sop.tests.test_complaint import AGENT, HEAD, OUTSIDER, PROPOSER, TEAM, complaint, setup_people
from cs_sop.tests.utils import PASSWORD, make_customer_user, make_team, make_user

PORTAL = "cs-sop-h11-portal@example.com"
OTHER_TEAM = "Tim Uji Lain"
SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
CHROMIUM = "/usr/bin/chromium"


def status_of(name: str) -> str:
	frappe.db.rollback()  # see what the server committed
	return frappe.db.get_value("SOP Solution", name, "status")


class ComplaintRESTCase(FrappeTestCase):
	restrict_by_team = True  # Helpdesk's "restrict tickets by agent group" during the tests

	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		frappe.set_user("Administrator")
		setup_people()
		make_user(AGENT, "Agen SOP", roles=("Agent",))  # with the test password
		make_team(TEAM, [PROPOSER, AGENT])
		make_team(OTHER_TEAM, [OUTSIDER])
		make_customer_user(PORTAL)
		cls.restrict = frappe.db.get_single_value("HD Settings", "restrict_tickets_by_agent_group")
		frappe.db.set_single_value(
			"HD Settings", "restrict_tickets_by_agent_group", int(cls.restrict_by_team)
		)
		frappe.db.commit()
		served()

	@classmethod
	def tearDownClass(cls):
		frappe.set_user("Administrator")
		frappe.db.set_single_value("HD Settings", "restrict_tickets_by_agent_group", cls.restrict or 0)
		frappe.db.commit()
		super().tearDownClass()

	def ticket_with_proposal(self, submit: bool = False):
		frappe.set_user("Administrator")
		t = complaint(agent_group=TEAM, raised_by=PORTAL)
		frappe.set_user(PROPOSER)
		name = api_complaint.propose(
			t.name, "Kirim ulang barang dengan kurir ekspres.", action_owner=PROPOSER
		)
		if submit:
			frappe.set_user(AGENT)
			api_complaint.submit_for_approval(name)
		frappe.set_user("Administrator")
		frappe.db.commit()
		return t.name, name


class TestComplaintREST(ComplaintRESTCase):
	def test_customer_sees_and_does_nothing(self):
		ticket, name = self.ticket_with_proposal()
		customer = Client(PORTAL, PASSWORD)
		self.assertIn(customer.get(f"/api/resource/SOP Solution/{name}").status_code, (403, 404))
		listed = customer.get(
			"/api/resource/SOP Solution", params={"filters": f'[["ticket","=","{ticket}"]]'}
		)
		self.assertTrue(listed.status_code == 403 or not listed.json().get("data"))
		r = customer.method("cs_sop.api.complaint.propose", ticket=ticket, description="Saya mau refund")
		self.assertEqual(r.status_code, 403, error_text(r))
		r = customer.method("cs_sop.api.complaint.solutions_for_ticket", ticket=ticket)
		self.assertEqual(r.status_code, 403, error_text(r))
		self.assertEqual(
			customer.method("cs_sop.api.complaint.send_progress_update", ticket=ticket).status_code, 403
		)
		self.assertEqual(status_of(name), "Proposed")

	def test_team_limited_agent_sees_only_his_teams_solutions(self):
		ticket, name = self.ticket_with_proposal()
		outsider = Client(OUTSIDER, PASSWORD)
		self.assertEqual(outsider.get(f"/api/resource/SOP Solution/{name}").status_code, 403)
		listed = message_or_data(
			outsider.get("/api/resource/SOP Solution", params={"filters": f'[["ticket","=","{ticket}"]]'})
		)
		self.assertEqual(listed, [])
		r = outsider.method("cs_sop.api.complaint.submit_for_approval", solution=name)
		self.assertEqual(r.status_code, 403, error_text(r))
		member = Client(PROPOSER, PASSWORD)
		listed = message_or_data(
			member.get("/api/resource/SOP Solution", params={"filters": f'[["ticket","=","{ticket}"]]'})
		)
		self.assertEqual([row["name"] for row in listed], [name])

	def test_approver_decides_cs_sends(self):
		ticket, name = self.ticket_with_proposal(submit=True)
		agent, head, proposer = Client(AGENT, PASSWORD), Client(HEAD, PASSWORD), Client(PROPOSER, PASSWORD)
		# refused: sending before approval, the proposer approving, GET on a writing method
		r = agent.method("cs_sop.api.complaint.send_solution", solution=name)
		self.assertEqual(r.status_code, 417, error_text(r))
		self.assertIn("waiting for approval", error_text(r))
		r = proposer.method("cs_sop.api.complaint.approve", solution=name)
		self.assertEqual(r.status_code, 403, error_text(r))
		self.assertNotEqual(
			head.method("cs_sop.api.complaint.approve", http="GET", solution=name).status_code, 200
		)
		waiting = message(head.method("cs_sop.api.complaint.waiting_for_my_approval", http="GET"))
		self.assertIn(name, [w["name"] for w in waiting])
		self.assertEqual(status_of(name), "Pending Approval")
		# the approver (not in the team, no write right on the ticket needed) approves
		self.assertEqual(
			message(head.method("cs_sop.api.complaint.approve", solution=name))["status"], "Approved"
		)
		r = head.method("cs_sop.api.complaint.approve", solution=name)
		self.assertEqual(r.status_code, 417, error_text(r))
		self.assertEqual(
			message(agent.method("cs_sop.api.complaint.send_solution", solution=name))["status"], "Sent"
		)
		frappe.db.rollback()
		self.assertEqual(frappe.db.get_value("HD Ticket", ticket, "sop_applied_solution"), name)
		wait = frappe.db.get_value("SOP Solution", name, "approval_wait_seconds")
		self.assertIsNotNone(wait)

	def test_progress_update_over_rest(self):
		ticket, _name = self.ticket_with_proposal()
		agent = Client(AGENT, PASSWORD)
		preview = message(
			agent.method("cs_sop.api.complaint.progress_update_preview", http="GET", ticket=ticket)
		)
		self.assertIn("Status saat ini", preview["message"])
		r = agent.method(
			"cs_sop.api.complaint.send_progress_update", ticket=ticket, message=preview["message"]
		)
		message(r)
		frappe.db.rollback()
		self.assertTrue(frappe.db.get_value("HD Ticket", ticket, "sop_last_customer_update"))


def screenshot_dir() -> Path:
	"""docs/screenshots when this process may write there, else the site's private files."""
	path = Path(os.environ.get("CS_SOP_SCREENSHOTS") or SHOTS)
	if not os.access(path, os.W_OK):
		path = Path(frappe.get_site_path("private", "files", "cs_sop_screenshots"))
	path.mkdir(parents=True, exist_ok=True)
	return path


def message_or_data(response):
	response.raise_for_status()
	return response.json().get("data")


class TestComplaintAgentUI(ComplaintRESTCase):
	"""Headless Chromium in /helpdesk: refused send, approval, send, progress update."""

	restrict_by_team = False  # the department head opens the ticket in /helpdesk too

	def setUp(self):
		if not os.path.exists(CHROMIUM):
			self.skipTest("Chromium is not installed at /usr/bin/chromium")
		try:
			from playwright.sync_api import sync_playwright  # noqa: F401
		except ImportError:
			self.skipTest("the playwright package is not installed")

	def browser_session(self, pw, user: str):
		browser = pw.chromium.launch(
			executable_path=CHROMIUM,
			args=[
				"--no-sandbox",
				"--disable-gpu",
				"--disable-background-networking",
				"--disable-component-update",
				"--disable-sync",
			],
		)
		context = browser.new_context(base_url=served(), viewport={"width": 1400, "height": 900})
		r = context.request.post("/api/method/login", form={"usr": user, "pwd": PASSWORD})
		self.assertTrue(r.ok, r.text())
		return browser, context.new_page()

	def open_solutions(self, page, ticket: str):
		page.goto(f"/helpdesk/tickets/{ticket}")
		page.get_by_role("button", name="Solution", exact=True).click(timeout=60000)
		page.get_by_text("Solutions", exact=True).click()
		page.wait_for_selector("#cs-sop-sol-pick", timeout=30000)

	def dialog_button(self, page, label: str):
		return page.get_by_role("dialog").get_by_role("button", name=label, exact=True)

	def wait_status(self, name: str, status: str):
		for _ in range(60):
			if status_of(name) == status:
				return
			time.sleep(0.5)
		self.assertEqual(status_of(name), status)

	def test_approve_and_send_in_helpdesk(self):
		from playwright.sync_api import sync_playwright

		ticket, name = self.ticket_with_proposal(submit=True)
		shots = screenshot_dir()
		with sync_playwright() as pw:
			browser, page = self.browser_session(pw, AGENT)
			try:
				self.open_solutions(page, ticket)
				self.dialog_button(page, "Send to Customer").click()
				page.wait_for_function(
					"document.getElementById('cs-sop-sol-error').textContent.length > 0", timeout=30000
				)
				refused = page.locator("#cs-sop-sol-error").text_content()
				self.assertIn("Only an approved solution can be sent", refused)
				page.screenshot(path=str(shots / "solution-send-refused.png"))
				self.assertEqual(status_of(name), "Pending Approval")
			finally:
				browser.close()

			browser, page = self.browser_session(pw, HEAD)
			try:
				self.open_solutions(page, ticket)
				page.screenshot(path=str(shots / "solution-approve.png"))
				self.dialog_button(page, "Approve").click()
				self.wait_status(name, "Approved")
			finally:
				browser.close()

			browser, page = self.browser_session(pw, AGENT)
			try:
				self.open_solutions(page, ticket)
				self.dialog_button(page, "Send to Customer").click()
				self.wait_status(name, "Sent")
				page.wait_for_timeout(1500)  # the page reloads after the toast
				page.get_by_role("button", name="Send Progress Update", exact=True).click(timeout=60000)
				page.wait_for_selector("#cs-sop-progress", timeout=30000)
				self.assertIn("Status saat ini", page.locator("#cs-sop-progress").input_value())
				page.screenshot(path=str(shots / "progress-update.png"))
				self.dialog_button(page, "Send").click()
				for _ in range(60):
					frappe.db.rollback()
					if frappe.db.get_value("HD Ticket", ticket, "sop_last_customer_update"):
						break
					time.sleep(0.5)
				self.assertTrue(frappe.db.get_value("HD Ticket", ticket, "sop_last_customer_update"))
			finally:
				browser.close()
		frappe.db.rollback()
		self.assertEqual(frappe.db.get_value("HD Ticket", ticket, "sop_applied_solution"), name)
