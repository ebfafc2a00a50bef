"""WhatsApp in the Helpdesk agent UI (headless Chromium): an inbound WhatsApp message shows in
/helpdesk/tickets/<id>, the agent replies there, and the (fake) WhatsApp API receives the reply."""

import os
from pathlib import Path

import frappe
from frappe.tests.utils import FrappeTestCase

from cs_sop.tests.fake_graph import FakeGraph, inbound_payload, text_message
from cs_sop.tests.rest import Client, served
from cs_sop.tests.utils import PASSWORD, make_user
from cs_sop.tests.whatsapp_utils import configure, random_phone, signed
from cs_sop.whatsapp import jobs

CHROMIUM = "/usr/bin/chromium"
AGENT = "cs-sop-wa-ui-agent@example.com"
LOG = "SOP WhatsApp Message"


class TestWhatsAppInAgentUI(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.fake = FakeGraph()
		configure(cls.fake)
		make_user(AGENT, "Agen UI WhatsApp", roles=("Agent",))
		if not frappe.db.exists("HD Agent", AGENT):
			frappe.get_doc({"doctype": "HD Agent", "user": AGENT, "agent_name": "Agen UI WhatsApp"}).insert(
				ignore_permissions=True
			)
		frappe.db.commit()

	@classmethod
	def tearDownClass(cls):
		cls.fake.stop()
		super().tearDownClass()

	def setUp(self):
		try:
			from playwright.sync_api import sync_playwright  # noqa: F401
		except ImportError:
			self.skipTest("the playwright package is not installed")
		if not Path(CHROMIUM).exists():
			self.skipTest(f"{CHROMIUM} is not installed")

	def shown(self, page, text: str, timeout: int) -> None:
		"""Wait until `text` is in a message of the activity (Helpdesk renders each in an iframe)."""
		step = 500
		for _i in range(timeout // step):
			for frame in page.frames[1:]:  # the messages, not the reply editor
				try:
					if text in frame.locator("body").inner_text(timeout=step):
						return
				except Exception:
					continue
			page.wait_for_timeout(step)
		shots = os.environ.get("CS_SOP_SCREENSHOTS")
		if shots:
			page.screenshot(path=str(Path(shots) / "whatsapp-fail.png"))
		raise AssertionError(f"not shown in the agent UI: {text}")

	def test_inbound_shows_and_the_agent_replies_from_helpdesk(self):
		from playwright.sync_api import sync_playwright

		phone = random_phone()
		text = f"Paket saya belum sampai, nomor resi JNE{phone[-6:]}"
		message, contact = text_message(phone, text, name="Dewi Lestari")
		body, headers = signed(inbound_payload([message], contacts=[contact]))
		r = Client().post("/api/method/cs_sop.whatsapp.webhook", data=body, headers=headers)
		self.assertEqual(r.status_code, 200, r.text)
		frappe.db.commit()
		jobs.drain()
		frappe.db.commit()
		ticket = frappe.db.get_value(LOG, {"wa_message_id": message["id"]}, "ticket")
		self.assertTrue(ticket)

		reply = f"Selamat siang Ibu Dewi, resi {phone[-6:]} sedang kami cek ke kurir."
		with sync_playwright() as pw:
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
			try:
				context = browser.new_context(base_url=served(), viewport={"width": 1440, "height": 900})
				login = context.request.post("/api/method/login", form={"usr": AGENT, "pwd": PASSWORD})
				self.assertTrue(login.ok, login.text())
				page = context.new_page()
				page.goto(f"/helpdesk/tickets/{ticket}")
				self.shown(page, text, 90000)  # the customer's message in the ticket's activity
				page.get_by_role("button", name="Reply", exact=True).last.click()
				editor = page.locator(".ProseMirror[contenteditable=true]").last
				editor.wait_for(timeout=30000)
				editor.click()
				page.keyboard.type(reply)
				page.get_by_role("button", name="Send (Ctrl + ⏎)").last.click()
				self.shown(page, reply, 60000)  # the agent's reply in the activity
				page.wait_for_timeout(2500)
				shots = os.environ.get("CS_SOP_SCREENSHOTS")
				if shots:
					page.screenshot(path=str(Path(shots) / "whatsapp-ticket.png"))
			finally:
				browser.close()

		frappe.db.commit()
		log = frappe.db.get_value(LOG, {"ticket": ticket, "direction": "Outbound"}, "name")
		self.assertTrue(log, "the agent's reply was not queued for WhatsApp")
		self.assertEqual(jobs.send(log), "Sent")  # the queue job (no worker runs in tests)
		# the new ticket's acknowledgement notice (complaint procedure) may have gone too: find the reply
		sent = [s for s in self.fake.sent() if reply in ((s.get("text") or {}).get("body") or "")]
		self.assertEqual(len(sent), 1)
		self.assertEqual(sent[0]["to"], phone)
		self.assertIn(reply, sent[0]["text"]["body"])
