"""The public survey page and the agent's closure form in headless Chromium.

Phone-sized viewport: fill in the survey, submit, see the confirmation, and the same link refused
the second time. The agent UI: the Resolve action's closure form refuses a complaint without its
root cause. Screenshots go to docs/screenshots/ (README). Skipped, never faked, without Chromium
or playwright.
"""

import os
from pathlib import Path

import frappe
from frappe.tests.utils import FrappeTestCase

from cs_sop.closure import survey
from cs_sop.tests.rest import served
from cs_sop.tests.test_closure import CUSTOMER, resolved_ticket
from cs_sop.tests.utils import (
	AGENT,
	PASSWORD,
	agent_reply,
	classify,
	ensure_email_account,
	make_agent,
	make_customer_user,
	make_ticket,
	make_user,
	solution_sent,
)

CHROMIUM = "/usr/bin/chromium"
DOCS_SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
# the bench user may not own the checkout: then the screenshots go to /tmp (copy them by hand)
SHOTS = DOCS_SHOTS if os.access(DOCS_SHOTS, os.W_OK) else Path("/tmp/cs_sop_screenshots")
ARGS = [
	"--no-sandbox",
	"--disable-gpu",
	"--disable-background-networking",
	"--disable-component-update",
	"--disable-sync",
]
PHONE = {"width": 390, "height": 844}


class TestSurveyPageInChromium(FrappeTestCase):
	def setUp(self):
		if not os.path.exists(CHROMIUM):
			self.skipTest("Chromium is not installed at /usr/bin/chromium")
		try:
			from playwright.sync_api import sync_playwright  # noqa: F401
		except ImportError:
			self.skipTest("the playwright package is not installed")
		ensure_email_account()
		make_agent()
		make_user(AGENT, "Agen SOP", roles=("Agent",))  # the test password
		make_customer_user(CUSTOMER)
		frappe.db.set_single_value("SOP Settings", {"survey_enabled": 1, "survey_delay_minutes": 0})
		frappe.clear_document_cache("SOP Settings", "SOP Settings")
		frappe.db.set_value("User", CUSTOMER, "language", "id")

	def closed_ticket_token(self) -> tuple[str, str]:
		doc = resolved_ticket()
		doc.status = "Closed"
		doc.save(ignore_permissions=True)
		name = frappe.db.get_value("SOP Survey", {"ticket": doc.name})
		frappe.db.commit()
		return doc.name, survey.token_of(name)

	def test_fill_submit_and_reuse_on_a_phone(self):
		from playwright.sync_api import sync_playwright

		ticket, token = self.closed_ticket_token()
		SHOTS.mkdir(parents=True, exist_ok=True)
		with sync_playwright() as pw:
			browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
			try:
				context = browser.new_context(
					base_url=served(), viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True
				)
				page = context.new_page()
				page.goto(f"/sop-survey/{token}")
				self.assertEqual(page.locator("#sop-survey").get_attribute("lang"), "id")
				page.get_by_text("Seberapa puas Bapak/Ibu dengan layanan kami?").wait_for()
				page.screenshot(path=str(SHOTS / "survey-phone.png"), full_page=True)
				# submitting empty: a clear message, focus on it, nothing written
				page.get_by_role("button", name="Kirim jawaban saya").click()
				self.assertIn("dari 1 sampai 5", page.locator("#sop-survey-error").text_content())
				# keyboard: the radio buttons are real inputs with labels
				page.get_by_label("2 · Tidak puas").check()
				self.assertTrue(page.locator("#low-score").is_visible())  # a low score asks why
				page.get_by_label("Mohon maaf. Apa yang kurang berkenan?").fill("Kurir datang terlambat")
				page.get_by_label("4 · Puas").check()
				self.assertFalse(page.locator("#low-score").is_visible())
				page.locator("input[name=problem_solved][value=Yes]").check()
				page.locator("input[name=nps][value='9']").check()
				page.locator("input[name=ces][value='2']").check()
				page.get_by_label("Ada hal lain yang ingin Bapak/Ibu sampaikan?").fill("<b>Terima kasih</b>")
				page.screenshot(path=str(SHOTS / "survey-phone-filled.png"), full_page=True)
				page.get_by_role("button", name="Kirim jawaban saya").click()
				page.locator("#sop-survey-done").wait_for(timeout=30000)
				self.assertIn("Terima kasih atas masukan", page.locator("#sop-survey-done").text_content())
				page.screenshot(path=str(SHOTS / "survey-phone-thanks.png"), full_page=True)
				# the same link again (a second tab, a later click): refused, friendly
				page.goto(f"/sop-survey/{token}")
				self.assertIn("sudah dijawab", page.locator("#sop-survey-used").text_content())
				self.assertEqual(page.locator("#sop-survey-form").count(), 0)
				page.screenshot(path=str(SHOTS / "survey-phone-used.png"), full_page=True)
				page.goto("/sop-survey/bukan-token-yang-benar")
				self.assertIn("tidak berlaku", page.locator("#sop-survey-invalid").text_content())
			finally:
				browser.close()
		frappe.db.rollback()
		row = frappe.db.get_value(
			"SOP Survey", {"ticket": ticket}, ["status", "csat", "nps", "ces", "comment"], as_dict=True
		)
		self.assertEqual((row.status, row.csat, row.nps, row.ces), ("Answered", 4, 9, 2))
		self.assertEqual(row.comment, "&lt;b&gt;Terima kasih&lt;/b&gt;")

	def test_agent_closure_form(self):
		from playwright.sync_api import sync_playwright

		doc = make_ticket(raised_by=CUSTOMER, **classify())
		agent_reply(doc.name)
		solution_sent(doc.name)  # a complaint of this category is resolved once its solution was sent
		frappe.db.commit()
		SHOTS.mkdir(parents=True, exist_ok=True)
		with sync_playwright() as pw:
			browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
			try:
				context = browser.new_context(base_url=served(), viewport={"width": 1400, "height": 900})
				r = context.request.post("/api/method/login", form={"usr": AGENT, "pwd": PASSWORD})
				self.assertTrue(r.ok, r.text())
				page = context.new_page()
				page.goto(f"/helpdesk/tickets/{doc.name}")
				page.get_by_role("button", name="Resolve", exact=True).click(timeout=60000)
				page.wait_for_selector("#cs-sop-resolution", timeout=30000)
				page.fill("#cs-sop-resolution", "Paket dikirim ulang dengan kurir lain.")
				dialog = page.get_by_role("dialog")
				dialog.get_by_role("button", name="Resolve", exact=True).click()
				page.wait_for_function(
					"document.getElementById('cs-sop-closure-error').textContent.length > 0", timeout=30000
				)
				self.assertIn("Root Cause", page.locator("#cs-sop-closure-error").text_content())
				page.fill("#cs-sop-root-cause", "Alamat salah di sistem kurir")
				page.screenshot(path=str(SHOTS / "agent-closure-form.png"))
				dialog.get_by_role("button", name="Resolve", exact=True).click()
				for _ in range(60):
					frappe.db.rollback()
					if frappe.db.get_value("HD Ticket", doc.name, "status") == "Resolved":
						break
					page.wait_for_timeout(500)
			finally:
				browser.close()
		row = frappe.db.get_value(
			"HD Ticket", doc.name, ["status", "sop_root_cause", "sop_resolution_confirmed"], as_dict=True
		)
		self.assertEqual(
			(row.status, row.sop_root_cause, row.sop_resolution_confirmed),
			("Resolved", "Alamat salah di sistem kurir", "Awaiting"),
		)

	def test_portal_customer_confirms_in_helpdesk(self):
		import re

		from playwright.sync_api import sync_playwright

		make_user(CUSTOMER, "Pelanggan Portal", user_type="Website User")  # the test password
		doc = resolved_ticket()
		frappe.db.commit()
		SHOTS.mkdir(parents=True, exist_ok=True)
		with sync_playwright() as pw:
			browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
			try:
				context = browser.new_context(base_url=served(), viewport={"width": 1280, "height": 800})
				r = context.request.post("/api/method/login", form={"usr": CUSTOMER, "pwd": PASSWORD})
				self.assertTrue(r.ok, r.text())
				page = context.new_page()
				page.goto(f"/helpdesk/my-tickets/{doc.name}")
				yes = page.get_by_role("button", name=re.compile("Ya, sudah selesai|Yes, it is resolved"))
				yes.wait_for(timeout=60000)
				page.screenshot(path=str(SHOTS / "portal-confirm.png"))
				yes.click()
				for _ in range(60):
					frappe.db.rollback()
					if frappe.db.get_value("HD Ticket", doc.name, "status") == "Closed":
						break
					page.wait_for_timeout(500)
			finally:
				browser.close()
		row = frappe.db.get_value(
			"HD Ticket",
			doc.name,
			["status", "sop_resolution_confirmed", "sop_confirmation_via"],
			as_dict=True,
		)
		self.assertEqual(
			(row.status, row.sop_resolution_confirmed, row.sop_confirmation_via),
			("Closed", "Confirmed", "Portal"),
		)
