"""Messenger and Instagram Direct (cs_sop.meta) on the WhatsApp channel's machinery, and WhatsApp's
confirmation / survey templates with URL buttons, against the local fake Graph API and the site
served on loopback.

Webhooks are signed POSTs sent with `requests` to the served site as a guest (like Meta); no worker
runs, so the tests call the queue jobs (`jobs.drain`, `jobs.send`, `jobs.sweep`) themselves.
"""

import json
import time

import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils import add_to_date, get_url, now_datetime

from cs_sop import messaging
from cs_sop.closure import confirmation, survey
from cs_sop.tests.fake_graph import TOKEN, FakeGraph, dm_payload, inbound_payload, text_message
from cs_sop.tests.rest import Client
from cs_sop.tests.utils import PASSWORD, make_user
from cs_sop.tests.whatsapp_utils import configure, random_phone, signed
from cs_sop.whatsapp import jobs

LOG = "SOP WhatsApp Message"
EVENT = "SOP WhatsApp Event"
AGENT = "cs-sop-meta-agent@example.com"
PAGE_ID = "PAGE100200300"
IG_ID = "IG178414000"
META_SECRET = "cs-sop-meta-app-secret"
META_VERIFY = "cs-sop-meta-verify"
PLATFORMS = ("Messenger", "Instagram")
ACCOUNT = {"Messenger": PAGE_ID, "Instagram": IG_ID}
HOUR_MS = 3600 * 1000


def _agent() -> str:
	make_user(AGENT, "Agen Media Sosial", roles=("Agent",))
	if not frappe.db.exists("HD Agent", AGENT):
		frappe.get_doc({"doctype": "HD Agent", "user": AGENT, "agent_name": "Agen Media Sosial"}).insert(
			ignore_permissions=True
		)
	return AGENT


def configure_meta(fake: FakeGraph) -> None:
	doc = frappe.get_single("SOP Meta Settings")
	doc.update(
		{
			"messenger_enabled": 1,
			"instagram_enabled": 1,
			"page_id": PAGE_ID,
			"instagram_account_id": IG_ID,
			"page_access_token": TOKEN,
			"app_secret": META_SECRET,
			"verify_token": META_VERIFY,
			"api_base_url": fake.url,
			"api_version": "v21.0",
			"timeout": 5,
		}
	)
	doc.save(ignore_permissions=True)
	frappe.db.commit()


def sender_id() -> str:
	return str(int(time.time() * 1000)) + frappe.generate_hash(length=4).translate(
		str.maketrans("abcdef", "123456")
	)


class TestMetaChannels(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.fake = FakeGraph()
		configure(cls.fake)
		configure_meta(cls.fake)
		_agent()
		frappe.db.commit()
		cls.guest = Client()

	@classmethod
	def tearDownClass(cls):
		doc = frappe.get_single("SOP WhatsApp Settings")
		doc.update({"confirmation_template": "", "survey_template": ""})
		doc.save(ignore_permissions=True)
		frappe.db.commit()
		cls.fake.stop()
		super().tearDownClass()

	def setUp(self):
		self.fake.clear()

	# helpers --------------------------------------------------------------------------------
	def post(self, payload: dict, secret: str = META_SECRET):
		body, headers = signed(payload, secret=secret)
		return self.guest.post("/api/method/cs_sop.meta.webhook", data=body, headers=headers)

	def deliver(self, payload: dict):
		r = self.post(payload)
		self.assertEqual(r.status_code, 200, r.text)
		frappe.db.commit()
		jobs.drain()
		frappe.db.commit()

	def dm(self, platform: str, sender: str, text: str, **kw) -> tuple[str, str]:
		payload = dm_payload(platform, ACCOUNT[platform], sender, text, **kw)
		mid = payload["entry"][0]["messaging"][0]["message"]["mid"]
		self.deliver(payload)
		return frappe.db.get_value(LOG, {"wa_message_id": mid}, "ticket"), mid

	def agent_replies(self, ticket: str, html: str):
		self.fake.clear()
		r = Client(AGENT, PASSWORD).post(
			"/api/method/run_doc_method",
			json={"dt": "HD Ticket", "dn": ticket, "method": "reply_via_agent", "args": {"message": html}},
		)
		frappe.db.commit()
		return r

	def queued(self, ticket: str) -> str:
		return frappe.db.get_value(
			LOG, {"ticket": ticket, "direction": "Outbound"}, "name", order_by="creation desc"
		)

	def comments(self, ticket: str, like: str) -> int:
		return frappe.db.count("HD Ticket Comment", {"reference_ticket": ticket, "content": ["like", like]})

	def messages_posted(self) -> list[dict]:
		return [r for r in self.fake.requests if r["method"] == "POST" and r["path"].endswith("/messages")]

	# webhook boundary -----------------------------------------------------------------------
	def test_handshake_and_signature(self):
		ok = self.guest.get(
			"/api/method/cs_sop.meta.webhook",
			params={"hub.mode": "subscribe", "hub.verify_token": META_VERIFY, "hub.challenge": "4242"},
		)
		self.assertEqual((ok.status_code, ok.text), (200, "4242"))
		bad = self.guest.get(
			"/api/method/cs_sop.meta.webhook",
			params={"hub.mode": "subscribe", "hub.verify_token": "wrong", "hub.challenge": "1"},
		)
		self.assertEqual(bad.status_code, 403)
		for platform in PLATFORMS:
			payload = dm_payload(platform, ACCOUNT[platform], sender_id(), "halo")
			mid = payload["entry"][0]["messaging"][0]["message"]["mid"]
			before = frappe.db.count(EVENT)
			# the WhatsApp app's secret is not this channel's; no signature at all; a tampered body
			self.assertEqual(self.post(payload, secret="cs-sop-test-app-secret").status_code, 403)
			body, headers = signed(payload, secret=META_SECRET)
			r = self.guest.post(
				"/api/method/cs_sop.meta.webhook",
				data=body,
				headers={"Content-Type": "application/json"},
			)
			self.assertEqual(r.status_code, 403)
			r = self.guest.post(
				"/api/method/cs_sop.meta.webhook", data=body.replace(b"halo", b"hal0"), headers=headers
			)
			self.assertEqual(r.status_code, 403)
			frappe.db.commit()
			jobs.drain()
			self.assertEqual(frappe.db.count(EVENT), before)
			self.assertFalse(frappe.db.exists(LOG, {"wa_message_id": mid}))
		# a WhatsApp body is not accepted here, a Messenger body not on the WhatsApp endpoint
		message, contact = text_message(random_phone(), "halo")
		before = frappe.db.count(EVENT)
		self.assertEqual(self.post(inbound_payload([message], contacts=[contact])).text, "ignored")
		body, headers = signed(dm_payload("Messenger", PAGE_ID, sender_id(), "x"))
		r = self.guest.post("/api/method/cs_sop.whatsapp.webhook", data=body, headers=headers)
		self.assertEqual(r.text, "ignored")
		frappe.db.commit()
		self.assertEqual(frappe.db.count(EVENT), before)

	# inbound ---------------------------------------------------------------------------------
	def test_dm_makes_ticket_then_appends_once(self):
		for platform in PLATFORMS:
			sender = sender_id()
			if platform == "Messenger":
				self.fake.add_profile(sender, first_name="Budi", last_name="Santoso")
			else:
				self.fake.add_profile(sender, name="Siti Aminah", username="siti.a")
			ticket, mid = self.dm(platform, sender, "Pesanan saya <b>belum</b> sampai")
			self.assertTrue(ticket, platform)
			doc = frappe.get_doc("HD Ticket", ticket)
			self.assertEqual((doc.sop_channel, doc.sop_social_platform), ("Social Media", platform))
			self.assertEqual(doc.raised_by, f"{sender}@{platform.lower()}.invalid")
			name = "Budi Santoso" if platform == "Messenger" else "Siti Aminah"
			self.assertEqual(frappe.db.get_value("Contact", doc.contact, "first_name"), name)
			self.assertIn(name, doc.subject)
			comms = frappe.get_all(
				"Communication",
				filters={"reference_doctype": "HD Ticket", "reference_name": ticket},
				fields=["sent_or_received", "communication_medium", "content", "sender"],
			)
			self.assertEqual(len(comms), 1)
			self.assertEqual((comms[0].sent_or_received, comms[0].communication_medium), ("Received", "Chat"))
			self.assertIn("&lt;b&gt;belum&lt;/b&gt;", comms[0].content)  # escaped, not HTML
			row = frappe.db.get_value(
				LOG, {"wa_message_id": mid}, ["platform", "phone", "owner"], as_dict=True
			)
			self.assertEqual((row.platform, row.phone, row.owner), (platform, sender, doc.raised_by))

			# Meta re-delivers the same event (same mid): stored once
			self.deliver(dm_payload(platform, ACCOUNT[platform], sender, "Pesanan saya", mid=mid))
			self.assertEqual(frappe.db.count(LOG, {"wa_message_id": mid}), 1)
			# a second DM: a Communication on the same ticket
			second, _mid = self.dm(platform, sender, "Mohon dibantu")
			self.assertEqual(second, ticket)
			self.assertEqual(
				frappe.db.count(
					"Communication", {"reference_doctype": "HD Ticket", "reference_name": ticket}
				),
				2,
			)
		# the ticket's platform is system-owned: an agent cannot change it over REST
		agent = Client(AGENT, PASSWORD)
		r = agent.put(f"/api/resource/HD Ticket/{ticket}", json={"sop_social_platform": "Messenger"})
		frappe.db.commit()
		self.assertEqual(frappe.db.get_value("HD Ticket", ticket, "sop_social_platform"), "Instagram", r.text)

	def test_other_page_and_echo_are_ignored(self):
		sender = sender_id()
		other = dm_payload("Messenger", "SOME_OTHER_PAGE", sender, "bukan untuk kami")
		echo = dm_payload("Messenger", PAGE_ID, sender, "balasan halaman")
		echo["entry"][0]["messaging"][0]["message"]["is_echo"] = True
		for payload in (other, echo):
			self.deliver(payload)
			mid = payload["entry"][0]["messaging"][0]["message"]["mid"]
			self.assertFalse(frappe.db.exists(LOG, {"wa_message_id": mid}))

	# outbound --------------------------------------------------------------------------------
	def test_reply_inside_24h_is_a_response(self):
		for platform in PLATFORMS:
			sender = sender_id()
			ticket, _mid = self.dm(platform, sender, "Bagaimana cara retur?")
			emails = frappe.db.count("Email Queue")
			r = self.agent_replies(ticket, "<p>Retur lewat <strong>formulir</strong> ini.</p>")
			self.assertEqual(r.status_code, 200, r.text)
			log = self.queued(ticket)
			row = frappe.db.get_value(LOG, log, ["platform", "status", "communication"], as_dict=True)
			self.assertEqual((row.platform, row.status), (platform, "Queued"))
			self.assertEqual(frappe.db.count("Email Queue"), emails)  # not emailed
			self.assertEqual(jobs.send(log), "Sent")
			frappe.db.commit()
			sent = self.messages_posted()
			self.assertEqual(len(sent), 1)
			self.assertTrue(sent[0]["path"].endswith(f"/v21.0/{PAGE_ID}/messages"))
			self.assertEqual(sent[0]["auth"], f"Bearer {TOKEN}")
			body = sent[0]["json"]
			self.assertEqual(body["recipient"], {"id": sender})
			self.assertEqual(body["messaging_type"], "RESPONSE")
			self.assertNotIn("tag", body)
			self.assertEqual(body["message"], {"text": "Retur lewat formulir ini."})
			self.assertTrue(frappe.db.get_value(LOG, log, "wa_message_id").startswith("m_FAKE"))
			self.assertEqual(
				frappe.db.get_value("Communication", row.communication, "delivery_status"), "Sent"
			)
			self.assertEqual(jobs.send(log), "Sent")  # a second run sends nothing
			self.assertEqual(len(self.messages_posted()), 1)

	def test_reply_after_24h_goes_with_human_agent_tag(self):
		sender = sender_id()
		old = int(time.time() * 1000) - 30 * HOUR_MS
		ticket, _mid = self.dm("Messenger", sender, "Pesan kemarin", timestamp_ms=old)
		r = self.agent_replies(ticket, "<p>Maaf baru kami balas</p>")
		self.assertIn("HUMAN_AGENT", r.text)  # the agent is told at once
		self.assertEqual(jobs.send(self.queued(ticket)), "Sent")
		body = self.messages_posted()[-1]["json"]
		self.assertEqual((body["messaging_type"], body["tag"]), ("MESSAGE_TAG", "HUMAN_AGENT"))
		self.assertEqual(self.comments(ticket, "%HUMAN_AGENT%"), 1)
		# an automatic notice may not use the tag: not sent, said on the ticket (the notices the
		# old message itself set off, e.g. the acknowledgement, were refused the same way)
		notes = self.comments(ticket, "%automatic message%")
		self.fake.clear()
		self.assertTrue(messaging.send_to_customer(ticket, "Tiket Anda", "<p>Info</p>"))
		frappe.db.commit()
		log = self.queued(ticket)
		self.assertEqual(frappe.db.get_value(LOG, log, "status"), "Failed")
		self.assertEqual(self.messages_posted(), [])
		self.assertEqual(self.comments(ticket, "%automatic message%"), notes + 1)

	def test_reply_after_7_days_is_refused_with_a_note(self):
		sender = sender_id()
		old = int(time.time() * 1000) - 8 * 24 * HOUR_MS
		ticket, _mid = self.dm("Instagram", sender, "Pesan lama", timestamp_ms=old)
		r = self.agent_replies(ticket, "<p>Halo, masih ada yang bisa dibantu?</p>")
		self.assertEqual(r.status_code, 200, r.text)
		self.assertIn("7", r.text)
		log = self.queued(ticket)
		self.assertEqual(jobs.send(log), "Failed")
		self.assertEqual(self.messages_posted(), [])  # nothing went to Meta
		row = frappe.db.get_value(LOG, log, ["status", "error", "communication"], as_dict=True)
		self.assertIn("7", row.error)
		self.assertEqual(frappe.db.get_value("Communication", row.communication, "delivery_status"), "Error")
		self.assertEqual(self.comments(ticket, "%older than 7 days%"), 1)

	def test_send_api_errors(self):
		sender = sender_id()
		ticket, _mid = self.dm("Messenger", sender, "Halo")
		# 613 rate limit: one request, queued again with a next attempt time, sent by the sweep
		self.agent_replies(ticket, "<p>Satu</p>")
		log = self.queued(ticket)
		self.fake.fail_next(613)
		self.assertEqual(jobs.send(log), "Queued")
		self.assertEqual(len(self.fake.requests), 1)
		row = frappe.db.get_value(LOG, log, ["retry_count", "next_attempt_at", "error_code"], as_dict=True)
		self.assertEqual((row.retry_count, row.error_code), (1, "613"))
		self.assertGreater(row.next_attempt_at, now_datetime())
		self.assertEqual(jobs.send(log), "Queued")  # not due yet: nothing sent
		self.assertEqual(len(self.fake.requests), 1)
		frappe.db.set_value(LOG, log, "next_attempt_at", add_to_date(now_datetime(), minutes=-1))
		frappe.db.commit()
		jobs.sweep()
		self.assertEqual(frappe.db.get_value(LOG, log, "status"), "Sent")
		# 10 / 2018278 (Meta says the window is closed) and 551 (person unavailable): failed at
		# once, not retried, said on the ticket
		for code, note in ((10, "%older than 7 days%"), (551, "%not available%")):
			self.agent_replies(ticket, f"<p>Kode {code}</p>")
			log = self.queued(ticket)
			self.fake.fail_next(code)
			self.assertEqual(jobs.send(log), "Failed")
			self.assertEqual(len(self.messages_posted()), 1)
			self.assertEqual(frappe.db.get_value(LOG, log, "error_code"), str(code))
			self.assertEqual(self.comments(ticket, note), 1)
		errors = frappe.get_all(LOG, filters={"ticket": ticket}, pluck="error")
		self.assertFalse(any(TOKEN in (e or "") for e in errors))

	def test_notice_inside_24h_goes_as_plain_text(self):
		sender = sender_id()
		ticket, _mid = self.dm("Messenger", sender, "Halo")
		comms = frappe.db.count("Communication", {"reference_doctype": "HD Ticket", "reference_name": ticket})
		self.fake.clear()
		self.assertTrue(
			messaging.send_to_customer(ticket, "Tiket Anda kami terima", f"<p>Nomor <b>{ticket}</b>.</p>")
		)
		frappe.db.commit()
		body = self.messages_posted()[-1]["json"]
		self.assertEqual(body["message"]["text"], f"Tiket Anda kami terima\n\nNomor {ticket}.")
		self.assertEqual(body["messaging_type"], "RESPONSE")
		self.assertEqual(
			frappe.db.count("Communication", {"reference_doctype": "HD Ticket", "reference_name": ticket}),
			comms,
		)


class TestWhatsAppLinkTemplates(FrappeTestCase):
	"""After 24 hours the confirmation request and the survey invitation go as their own approved
	templates, the links as the {{1}} suffix of their URL buttons."""

	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.fake = FakeGraph()
		configure(cls.fake)
		cls.guest = Client()

	@classmethod
	def tearDownClass(cls):
		doc = frappe.get_single("SOP WhatsApp Settings")
		doc.update({"confirmation_template": "", "survey_template": ""})
		doc.save(ignore_permissions=True)
		frappe.db.commit()
		cls.fake.stop()
		super().tearDownClass()

	def setUp(self):
		self.fake.clear()
		self.templates("cs_sop_konfirmasi", "cs_sop_survei")

	def templates(self, confirmation: str, survey_name: str):
		doc = frappe.get_single("SOP WhatsApp Settings")
		doc.update(
			{
				"confirmation_template": confirmation,
				"confirmation_template_language": "id",
				"survey_template": survey_name,
				"survey_template_language": "id",
			}
		)
		doc.save(ignore_permissions=True)
		frappe.db.commit()

	def old_whatsapp_ticket(self, hours: int = 25) -> str:
		phone = random_phone()
		message, contact = text_message(phone, "Halo", timestamp=int(time.time()) - hours * 3600)
		body, headers = signed(inbound_payload([message], contacts=[contact]))
		r = self.guest.post("/api/method/cs_sop.whatsapp.webhook", data=body, headers=headers)
		self.assertEqual(r.status_code, 200, r.text)
		frappe.db.commit()
		jobs.drain()
		frappe.db.commit()
		self.fake.clear()
		return frappe.db.get_value(LOG, {"wa_message_id": message["id"]}, "ticket")

	def template_sent(self) -> dict:
		sent = [r["json"] for r in self.fake.requests if r["path"].endswith("/messages")]
		self.assertEqual(len(sent), 1, sent)
		self.assertEqual(sent[0]["type"], "template")
		return sent[0]["template"]

	def test_confirmation_request_buttons_carry_the_links(self):
		ticket = self.old_whatsapp_ticket()
		requested = now_datetime()
		frappe.db.set_value("HD Ticket", ticket, "sop_confirmation_requested_on", requested)
		self.assertTrue(confirmation.send_confirmation_request(ticket))
		frappe.db.commit()  # the send job runs after the commit (tests: in-process)
		template = self.template_sent()
		self.assertEqual((template["name"], template["language"]), ("cs_sop_konfirmasi", {"code": "id"}))
		body, yes, no = template["components"]
		self.assertEqual(body, {"type": "body", "parameters": [{"type": "text", "text": ticket}]})
		for button, index, answer in ((yes, "0", "yes"), (no, "1", "no")):
			self.assertEqual((button["type"], button["sub_type"], button["index"]), ("button", "url", index))
			suffix = button["parameters"][0]["text"]
			# the button's base URL (registered at Meta) + the suffix = the link of the email
			self.assertEqual(
				get_url("/sop-confirm/") + suffix, confirmation.confirmation_url(ticket, requested, answer)
			)
		log = frappe.db.get_value(
			"SOP WhatsApp Message",
			{"ticket": ticket, "direction": "Outbound"},
			["status", "template_kind", "is_template"],
			as_dict=True,
		)
		self.assertEqual((log.status, log.template_kind, log.is_template), ("Sent", "Confirmation", 1))

	def test_survey_invitation_button_carries_the_link(self):
		ticket = self.old_whatsapp_ticket()
		name = survey.survey_name(ticket)
		self.assertTrue(survey._invite(ticket, name, "id", False, add_to_date(now_datetime(), days=7)))
		frappe.db.commit()
		template = self.template_sent()
		self.assertEqual(template["name"], "cs_sop_survei")
		body, button = template["components"]
		self.assertEqual(body["parameters"], [{"type": "text", "text": ticket}])
		self.assertEqual((button["sub_type"], button["index"]), ("url", "0"))
		self.assertEqual(get_url("/sop-survey/") + button["parameters"][0]["text"], survey.survey_url(name))

	def test_inside_24h_the_links_go_as_text(self):
		ticket = self.old_whatsapp_ticket(hours=1)
		name = survey.survey_name(ticket)
		self.assertTrue(survey._invite(ticket, name, "id", False, add_to_date(now_datetime(), days=7)))
		frappe.db.commit()
		sent = [r["json"] for r in self.fake.requests if r["path"].endswith("/messages")]
		self.assertEqual(sent[-1]["type"], "text")
		self.assertIn(survey.survey_url(name), sent[-1]["text"]["body"])

	def test_without_its_own_template_the_general_one_goes(self):
		self.templates("", "")
		ticket = self.old_whatsapp_ticket()
		self.assertTrue(
			survey._invite(
				ticket, survey.survey_name(ticket), "id", False, add_to_date(now_datetime(), days=7)
			)
		)
		frappe.db.commit()
		template = self.template_sent()
		self.assertEqual(template["name"], "cs_sop_lanjutan")
		self.assertEqual([c["type"] for c in template["components"]], ["body"])
		self.assertEqual(json.dumps(template).count("button"), 0)
