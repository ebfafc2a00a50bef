"""The live chat widget in headless Chromium, embedded in a page of ANOTHER origin (a small
http.server on another loopback port): the visitor chats, the agent replies from the Helpdesk agent
UI, the reply appears in the widget; a reload keeps the conversation; outside operating hours the
widget says when the desk opens. Screenshots go to $CS_SOP_SCREENSHOTS when it is set."""

import functools
import http.server
import os
import random
import socket
import tempfile
import threading
from pathlib import Path

import frappe
from frappe.tests.utils import FrappeTestCase

from cs_sop.livechat import access
from cs_sop.tests.rest import served
from cs_sop.tests.utils import PASSWORD, make_user

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking"]
AGENT = "cs-sop-livechat-ui-agent@example.com"
WEEK = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _free_port() -> int:
	with socket.socket() as s:
		s.bind(("127.0.0.1", 0))
		return s.getsockname()[1]


class CompanySite:
	"""The company's website: one page with the embed script tag, on its own origin."""

	def __init__(self, chat_url: str, lang: str = "id"):
		self.dir = tempfile.mkdtemp(prefix="cs-sop-livechat-")
		Path(self.dir, "index.html").write_text(
			"<!doctype html><html><head><meta charset='utf-8'>"
			"<meta name='viewport' content='width=device-width, initial-scale=1'><title>Toko Contoh</title></head>"
			"<body style='font-family:sans-serif;margin:2rem'><h1>Toko Contoh</h1>"
			"<p>Belanja kebutuhan rumah tangga dengan mudah.</p>"
			f"<script src='{chat_url}/assets/cs_sop/js/livechat.js' data-lang='{lang}' async></script>"
			"</body></html>"
		)
		self.port = _free_port()
		handler = functools.partial(QuietHandler, directory=self.dir)
		self.server = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), handler)
		threading.Thread(target=self.server.serve_forever, daemon=True).start()
		self.origin = f"http://127.0.0.1:{self.port}"

	def stop(self):
		self.server.shutdown()
		self.server.server_close()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
	def log_message(self, *args):
		pass


def set_hours(rows) -> None:
	settings = frappe.get_doc("SOP Settings")
	settings.set("operating_hours", [])
	for workday, start, end in rows:
		settings.append("operating_hours", {"workday": workday, "start_time": start, "end_time": end})
	settings.save(ignore_permissions=True)
	frappe.cache.delete_value("cs_sop:calendar")
	frappe.db.commit()


class TestLiveChatWidget(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		make_user(AGENT, "Agen Chat UI", roles=("Agent",))
		if not frappe.db.exists("HD Agent", AGENT):
			frappe.get_doc({"doctype": "HD Agent", "user": AGENT, "agent_name": "Agen Chat UI"}).insert(
				ignore_permissions=True
			)
		cls.url = served()
		cls.site = CompanySite(cls.url)
		frappe.db.set_single_value(
			"SOP Settings", {"livechat_enabled": 1, "livechat_allowed_origins": cls.site.origin}
		)
		settings = frappe.get_doc("SOP Settings")
		cls.hours = [(r.workday, r.start_time, r.end_time) for r in settings.operating_hours]
		set_hours([(day, "00:00:00", "23:59:59") for day in WEEK])  # open now, whatever the time

	@classmethod
	def tearDownClass(cls):
		set_hours(cls.hours)
		cls.site.stop()
		super().tearDownClass()

	def setUp(self):
		try:
			from playwright.sync_api import sync_playwright  # noqa: F401
		except ImportError:
			self.skipTest("the playwright package is not installed")
		if not Path(CHROMIUM).exists():
			self.skipTest(f"{CHROMIUM} is not installed")

	def shot(self, page, name: str) -> None:
		shots = os.environ.get("CS_SOP_SCREENSHOTS")
		if shots:
			page.screenshot(path=str(Path(shots) / name))

	def agent_ui_shown(self, page, text: str, timeout: int) -> None:
		step = 500
		for _i in range(timeout // step):
			for frame in page.frames[1:]:  # each message of the activity is an iframe
				try:
					if text in frame.locator("body").inner_text(timeout=step):
						return
				except Exception:
					continue
			page.wait_for_timeout(step)
		self.shot(page, "livechat-agent-fail.png")
		raise AssertionError(f"not shown in the agent UI: {text}")

	def test_visitor_chats_agent_replies_reload_keeps_it(self):
		from playwright.sync_api import expect, sync_playwright

		email = f"dewi.{random.randint(1, 10**9)}@example.net"
		question = "Apakah sofa hijau masih tersedia untuk dikirim ke Bandung?"
		answer = f"Masih tersedia, Ibu Dewi. Kode pesanan {random.randint(1000, 9999)}."
		with sync_playwright() as pw:
			browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
			try:
				context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="id-ID")
				page = context.new_page()
				page.goto(self.site.origin + "/index.html")
				page.get_by_role("button", name="Chat dengan kami").click()
				chat = page.frame_locator("iframe[title='Chat dengan kami']")
				chat.get_by_label("Nama").fill("Dewi Lestari")
				chat.get_by_label("Email", exact=True).fill(email)
				chat.locator("#sop-chat-first").fill(question)
				chat.get_by_role("button", name="Mulai chat").click()
				expect(chat.locator(".msg.visitor")).to_contain_text(question, timeout=30000)

				frappe.db.commit()  # see the server's writes
				ticket = frappe.db.get_value("HD Ticket", {"raised_by": email}, "name")
				self.assertTrue(ticket)
				self.assertEqual(frappe.db.get_value("HD Ticket", ticket, "sop_channel"), "Live Chat")

				# the agent replies with Helpdesk's own Reply in /helpdesk
				agent_context = browser.new_context(
					base_url=self.url, viewport={"width": 1440, "height": 900}
				)
				login = agent_context.request.post("/api/method/login", form={"usr": AGENT, "pwd": PASSWORD})
				self.assertTrue(login.ok, login.text())
				agent = agent_context.new_page()
				agent.goto(f"/helpdesk/tickets/{ticket}")
				self.agent_ui_shown(agent, question, 90000)
				agent.get_by_role("button", name="Reply", exact=True).last.click()
				editor = agent.locator(".ProseMirror[contenteditable=true]").last
				editor.wait_for(timeout=30000)
				editor.click()
				agent.keyboard.type(answer)
				agent.get_by_role("button", name="Send (Ctrl + ⏎)").last.click()
				self.agent_ui_shown(agent, answer, 60000)
				agent.wait_for_timeout(1500)
				self.shot(agent, "livechat-agent.png")

				# the reply reaches the widget (realtime, or the polling fallback within seconds)
				expect(chat.locator(".msg.agent")).to_contain_text(answer, timeout=30000)
				chat.locator("#sop-chat-text").fill("Terima kasih, saya pesan sekarang.")
				chat.get_by_role("button", name="Kirim").click()
				expect(chat.locator(".msg.visitor")).to_have_count(2, timeout=30000)
				self.shot(page, "livechat-widget.png")

				# a reload keeps the conversation (the panel reopens, the token is kept)
				page.reload()
				chat = page.frame_locator("iframe[title='Chat dengan kami']")
				expect(chat.locator(".msg.agent")).to_contain_text(answer, timeout=30000)
				expect(chat.locator(".msg")).to_have_count(3, timeout=30000)  # each message once
				expect(chat.locator("#sop-chat-start")).to_be_hidden()

				# on a phone the chat fills the screen
				phone = browser.new_context(
					viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
				)
				mobile = phone.new_page()
				mobile.goto(self.site.origin + "/index.html")
				mobile.get_by_role("button", name="Chat dengan kami").tap()
				box = mobile.locator(".cs-sop-chat-panel").bounding_box()
				self.assertEqual((round(box["width"]), round(box["height"])), (390, 844))
			finally:
				browser.close()
		frappe.db.commit()
		received = frappe.db.count(
			"Communication", {"reference_name": ticket, "sent_or_received": "Received"}
		)
		self.assertEqual(received, 2)

	def test_out_of_hours_widget_says_when_the_desk_opens(self):
		from playwright.sync_api import expect, sync_playwright

		today = frappe.utils.now_datetime().strftime("%A")
		set_hours([(day, "08:00:00", "17:00:00") for day in WEEK if day != today])
		try:
			with sync_playwright() as pw:
				browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
				try:
					page = browser.new_page(viewport={"width": 1280, "height": 800})
					page.goto(self.site.origin + "/index.html")
					page.get_by_role("button", name="Chat dengan kami").click()
					chat = page.frame_locator("iframe[title='Chat dengan kami']")
					notice = chat.locator("#sop-chat-hours")
					expect(notice).to_contain_text("di luar jam operasional", timeout=30000)
					expect(notice).to_contain_text("pukul 08.00")
					# the message is still taken
					chat.get_by_label("Nama").fill("Tono")
					chat.get_by_label("Nomor telepon").fill("081298765432")
					chat.locator("#sop-chat-first").fill("Saya tinggalkan pesan ya.")
					chat.get_by_role("button", name="Mulai chat").click()
					expect(chat.locator(".msg.visitor")).to_contain_text("tinggalkan pesan", timeout=30000)
					self.shot(page, "livechat-out-of-hours.png")
				finally:
					browser.close()
		finally:
			set_hours([(day, "00:00:00", "23:59:59") for day in WEEK])

	def test_reply_is_pushed_over_realtime(self):
		"""With Frappe's realtime server up, the reply arrives by push (not by the polling fallback)."""
		import shutil
		import subprocess

		from frappe.installer import update_site_config
		from playwright.sync_api import expect, sync_playwright

		node = shutil.which("node")
		bench = os.path.abspath(os.path.join(frappe.local.sites_path, ".."))
		entry = os.path.join(bench, "apps", "frappe", "socketio.js")
		if not node or not os.path.exists(entry):
			self.skipTest("node or Frappe's realtime server is not installed")
		port = _free_port()
		env = dict(os.environ, FRAPPE_SITE=frappe.local.site, FRAPPE_SOCKETIO_PORT=str(port))
		realtime = subprocess.Popen(
			[node, entry], cwd=bench, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
		)
		# the chat page tells the widget where the realtime server is (this site only, removed after)
		update_site_config("socketio_port", port)
		try:
			with sync_playwright() as pw:
				browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
				try:
					page = browser.new_page(viewport={"width": 1280, "height": 800})
					page.goto(self.site.origin + "/index.html")
					page.get_by_role("button", name="Chat dengan kami").click()
					chat = page.frame_locator("iframe[title='Chat dengan kami']")
					chat.get_by_label("Nama").fill("Wati")
					chat.get_by_label("Nomor telepon").fill("081311112222")
					chat.locator("#sop-chat-first").fill("Halo, apakah ada yang bisa membantu?")
					chat.get_by_role("button", name="Mulai chat").click()
					expect(chat.locator(".msg.visitor")).to_have_count(1, timeout=30000)
					expect(chat.locator("html[data-realtime='1']")).to_have_count(1, timeout=30000)
					frappe.db.commit()
					ticket = frappe.db.get_value(
						"HD Ticket",
						{"raised_by": "6281311112222@livechat.invalid"},
						"name",
						order_by="creation desc",
					)
					frappe.set_user(AGENT)
					frappe.get_doc("HD Ticket", ticket).reply_via_agent(
						"<p>Tentu, Ibu Wati. Ada yang bisa kami bantu?</p>"
					)
					frappe.set_user("Administrator")
					frappe.db.commit()
					# the widget polls every 20 s while the push channel is up: within 10 s it was the push
					expect(chat.locator(".msg.agent[data-via='realtime']")).to_contain_text(
						"Ada yang bisa kami bantu", timeout=10000
					)
					self.assertTrue(access.room(ticket))
				finally:
					browser.close()
		finally:
			update_site_config("socketio_port", "None")
			realtime.terminate()
			try:
				realtime.wait(10)
			except subprocess.TimeoutExpired:
				realtime.kill()
