"""WhatsApp channel against a local fake Graph API and the site served on loopback.

Webhooks are signed POSTs sent with `requests` to the served site as a guest (like Meta); no worker
runs, so the tests call the queue jobs (`jobs.drain`, `jobs.send`, `jobs.sweep`) themselves.
"""

import base64
import time

import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils import add_to_date, now_datetime

from cs_sop import messaging
from cs_sop.tests import fake_graph
from cs_sop.tests.fake_graph import FakeGraph, inbound_payload, status_update, text_message
from cs_sop.tests.rest import Client
from cs_sop.tests.utils import PASSWORD, make_customer_user, make_user
from cs_sop.tests.whatsapp_utils import VERIFY_TOKEN, configure, random_phone, signed
from cs_sop.whatsapp import jobs, outbound

LOG = "SOP WhatsApp Message"
EVENT = "SOP WhatsApp Event"
AGENT = "cs-sop-wa-agent@example.com"
PNG = base64.b64decode(
	"iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)


def _agent() -> str:
	make_user(AGENT, "Agen WhatsApp", roles=("Agent",))
	if not frappe.db.exists("HD Agent", AGENT):
		frappe.get_doc({"doctype": "HD Agent", "user": AGENT, "agent_name": "Agen WhatsApp"}).insert(
			ignore_permissions=True
		)
	return AGENT


class TestWhatsApp(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.fake = FakeGraph()
		configure(cls.fake)
		_agent()
		frappe.db.commit()
		cls.guest = Client()

	@classmethod
	def tearDownClass(cls):
		cls.fake.stop()
		super().tearDownClass()

	def setUp(self):
		self.fake.clear()

	# helpers --------------------------------------------------------------------------------
	def post(self, payload: dict, **kwargs):
		body, headers = signed(payload, **kwargs)
		return self.guest.post("/api/method/cs_sop.whatsapp.webhook", data=body, headers=headers)

	def deliver(self, payload: dict):
		r = self.post(payload)
		self.assertEqual(r.status_code, 200, r.text)
		frappe.db.commit()
		jobs.drain()
		frappe.db.commit()

	def customer_says(self, phone: str, text: str, name: str = "Budi Santoso", **kw) -> tuple[str, str]:
		message, contact = text_message(phone, text, name=name, **kw)
		self.deliver(inbound_payload([message], contacts=[contact]))
		ticket = frappe.db.get_value(LOG, {"wa_message_id": message["id"]}, "ticket")
		return ticket, message["id"]

	def agent_replies(self, ticket: str, html: str):
		# what the fake saw so far (e.g. the acknowledgement notice of a new ticket) is not the reply
		self.fake.clear()
		agent = Client(AGENT, PASSWORD)
		r = agent.post(
			"/api/method/run_doc_method",
			json={"dt": "HD Ticket", "dn": ticket, "method": "reply_via_agent", "args": {"message": html}},
		)
		frappe.db.commit()
		return r

	def queued(self, ticket: str) -> str:
		return frappe.db.get_value(
			LOG, {"ticket": ticket, "direction": "Outbound"}, "name", order_by="creation desc"
		)

	# webhook boundary -----------------------------------------------------------------------
	def test_handshake(self):
		ok = self.guest.get(
			"/api/method/cs_sop.whatsapp.webhook",
			params={"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1158201444"},
		)
		self.assertEqual((ok.status_code, ok.text), (200, "1158201444"))
		bad = self.guest.get(
			"/api/method/cs_sop.whatsapp.webhook",
			params={"hub.mode": "subscribe", "hub.verify_token": "wrong", "hub.challenge": "1"},
		)
		self.assertEqual(bad.status_code, 403)

	def test_invalid_or_missing_signature_writes_nothing(self):
		message, contact = text_message(random_phone(), "halo")
		payload = inbound_payload([message], contacts=[contact])
		before = frappe.db.count(EVENT)
		self.assertEqual(self.post(payload, secret="not-the-secret").status_code, 403)
		body, headers = signed(payload)
		headers.pop("X-Hub-Signature-256")
		r = self.guest.post("/api/method/cs_sop.whatsapp.webhook", data=body, headers=headers)
		self.assertEqual(r.status_code, 403)
		too_big = inbound_payload([dict(message, text={"body": "x" * (1024 * 1024 + 10)})])
		self.assertEqual(self.post(too_big).status_code, 413)
		frappe.db.commit()
		self.assertEqual(frappe.db.count(EVENT), before)
		self.assertFalse(frappe.db.exists(LOG, {"wa_message_id": message["id"]}))

	# inbound ---------------------------------------------------------------------------------
	def test_inbound_text_makes_ticket_then_replies_on_it_once(self):
		phone = random_phone()
		ticket, wa_id = self.customer_says(phone, "Pesanan saya belum sampai <b>sejak</b> kemarin")
		self.assertTrue(ticket)
		doc = frappe.get_doc("HD Ticket", ticket)
		self.assertEqual(doc.sop_channel, "WhatsApp")
		self.assertEqual(frappe.db.get_value("Contact", doc.contact, "first_name"), "Budi Santoso")
		self.assertEqual(frappe.db.get_value("Contact", doc.contact, "mobile_no"), f"+{phone}")
		comms = frappe.get_all(
			"Communication",
			filters={"reference_doctype": "HD Ticket", "reference_name": ticket},
			fields=["sent_or_received", "communication_medium", "content", "sender"],
		)
		self.assertEqual(len(comms), 1)
		self.assertEqual(comms[0].sent_or_received, "Received")
		self.assertEqual(comms[0].communication_medium, "Chat")
		self.assertIn("&lt;b&gt;sejak&lt;/b&gt;", comms[0].content)  # escaped, not HTML

		# the same message re-delivered by Meta: still one Communication
		again, _contact = text_message(phone, "Pesanan saya belum sampai", wa_id=wa_id)
		self.deliver(inbound_payload([again]))
		# a second message: on the same open ticket
		second, _wa = self.customer_says(phone, "Mohon dibantu ya")
		self.assertEqual(second, ticket)
		self.assertEqual(
			frappe.db.count("Communication", {"reference_name": ticket, "reference_doctype": "HD Ticket"}), 2
		)
		# another customer: another ticket
		other, _wa = self.customer_says(random_phone(), "Halo", name="Siti")
		self.assertNotEqual(other, ticket)

		# a closed ticket is not reopened by a new message: a new ticket starts
		frappe.db.set_value("HD Ticket", ticket, "status", "Closed")
		frappe.db.commit()
		newer, _wa = self.customer_says(phone, "Ada masalah baru")
		self.assertNotEqual(newer, ticket)
		self.assertEqual(frappe.db.get_value("HD Ticket", newer, "contact"), doc.contact)

	def test_every_message_type_is_kept(self):
		phone = random_phone()
		self.fake.add_media("MEDIA1", PNG, "image/png")
		self.fake.add_media("MEDIA2", b"no;barang\n1;kaos\n", "text/csv")
		self.fake.add_media("MEDIA3", b"%PDF-1.4 damaged", "application/pdf")
		base = {"from": phone, "timestamp": str(int(time.time()))}
		messages = [
			dict(
				base,
				id=f"wamid.T{phone}1",
				type="image",
				image={"id": "MEDIA1", "mime_type": "image/png", "caption": "foto paket"},
			),
			dict(
				base,
				id=f"wamid.T{phone}2",
				type="document",
				document={"id": "MEDIA2", "filename": "pesanan.csv", "mime_type": "text/csv"},
			),
			dict(
				base,
				id=f"wamid.T{phone}6",
				type="document",
				document={"id": "MEDIA3", "filename": "rusak.pdf", "mime_type": "application/pdf"},
			),
			dict(
				base, id=f"wamid.T{phone}3", type="audio", audio={"id": "MISSING", "mime_type": "audio/ogg"}
			),
			dict(
				base,
				id=f"wamid.T{phone}4",
				type="location",
				location={"latitude": -6.2, "longitude": 106.8, "name": "Kantor"},
			),
			dict(
				base,
				id=f"wamid.T{phone}5",
				type="unsupported",
				errors=[{"code": 131051, "title": "Message type unknown"}],
			),
		]
		self.deliver(inbound_payload(messages, contacts=[{"profile": {"name": "Rina"}, "wa_id": phone}]))
		rows = frappe.get_all(
			LOG,
			filters={"phone": phone, "direction": "Inbound"},
			fields=["ticket", "communication", "message_type"],
			order_by="wa_message_id asc",
		)
		self.assertEqual(len(rows), 6)
		self.assertEqual(len({r.ticket for r in rows}), 1)
		by_type = {r.message_type: r for r in rows[:5]}
		files = frappe.get_all(
			"File",
			filters={
				"attached_to_doctype": "Communication",
				"attached_to_name": by_type["image"].communication,
			},
			fields=["is_private", "file_name", "file_size"],
		)
		self.assertEqual(len(files), 1)
		self.assertEqual((files[0].is_private, files[0].file_size), (1, len(PNG)))
		self.assertTrue(
			frappe.db.exists(
				"File",
				{
					"attached_to_doctype": "Communication",
					"attached_to_name": by_type["document"].communication,
					"file_name": "pesanan.csv",
				},
			)
		)
		content = lambda t: frappe.db.get_value("Communication", by_type[t].communication, "content")  # noqa: E731
		self.assertIn("foto paket", content("image"))
		self.assertIn("could not be downloaded", content("audio"))  # kept, and says why
		self.assertIn("maps.google.com/?q=-6.2,106.8", content("location"))
		self.assertIn("unsupported", content("unsupported"))
		damaged = frappe.db.get_value("Communication", rows[5].communication, "content")
		self.assertIn("could not be stored", damaged)  # the message is kept, the refusal said
		# the media URL was fetched with the token in the header only
		self.assertTrue(all(r["auth"] == f"Bearer {fake_graph.TOKEN}" for r in self.fake.requests))

	# outbound --------------------------------------------------------------------------------
	def test_agent_reply_goes_to_whatsapp_not_email(self):
		phone = random_phone()
		ticket, _wa = self.customer_says(phone, "Bagaimana cara retur?")
		emails_before = frappe.db.count("Email Queue")
		r = self.agent_replies(
			ticket,
			"<p>Selamat siang Bapak, <strong>retur</strong> bisa lewat <a href='https://x.id/retur'>formulir</a>.</p>",
		)
		self.assertEqual(r.status_code, 200, r.text)
		log = self.queued(ticket)
		row = frappe.db.get_value(LOG, log, ["status", "communication", "phone"], as_dict=True)
		self.assertEqual((row.status, row.phone), ("Queued", phone))
		comm = frappe.db.get_value(
			"Communication",
			row.communication,
			["sent_or_received", "delivery_status", "communication_medium"],
			as_dict=True,
		)
		self.assertEqual(
			(comm.sent_or_received, comm.delivery_status, comm.communication_medium),
			("Sent", "Sending", "Chat"),
		)
		self.assertEqual(frappe.db.count("Email Queue"), emails_before)  # not emailed
		self.assertEqual(jobs.send(log), "Sent")  # the queue job (no worker runs in tests)
		frappe.db.commit()
		sent = self.fake.sent()
		self.assertEqual(len(sent), 1)
		self.assertEqual(sent[0]["to"], phone)
		self.assertEqual(sent[0]["type"], "text")
		self.assertEqual(
			sent[0]["text"]["body"], "Selamat siang Bapak, *retur* bisa lewat formulir (https://x.id/retur)."
		)
		self.assertEqual(frappe.db.get_value("Communication", row.communication, "delivery_status"), "Sent")
		self.assertTrue(frappe.db.get_value("HD Ticket", ticket, "first_responded_on"))
		self.assertEqual(jobs.send(log), "Sent")  # a second run sends nothing
		self.assertEqual(len(self.fake.sent()), 1)

	def test_reply_attachments_stay_on_the_ticket_and_are_copied_to_the_reply(self):
		"""As Helpdesk's own reply (1.28): the upload stays on the ticket, the Communication gets its
		own File row; a file of another ticket that the agent did not upload is refused."""
		phone = random_phone()
		ticket, _wa = self.customer_says(phone, "Ini foto barangnya")
		other, _wa = self.customer_says(random_phone(), "Tiket lain", name="Siti")

		def upload(on: str, owner: str) -> str:
			f = frappe.get_doc(
				{
					"doctype": "File",
					"file_name": f"bukti-{frappe.generate_hash(length=6)}.txt",
					"content": b"bukti",
					"is_private": 1,
					"attached_to_doctype": "HD Ticket",
					"attached_to_name": on,
				}
			).insert(ignore_permissions=True)
			frappe.db.set_value("File", f.name, "owner", owner)
			return f.name

		mine = upload(ticket, AGENT)
		foreign = upload(other, "Administrator")
		frappe.db.commit()
		agent = Client(AGENT, PASSWORD)

		def reply(files):
			r = agent.post(
				"/api/method/run_doc_method",
				json={
					"dt": "HD Ticket",
					"dn": ticket,
					"method": "reply_via_agent",
					"args": {"message": "<p>Terlampir</p>", "attachments": files},
				},
			)
			frappe.db.commit()
			return r

		comms = frappe.db.count("Communication", {"reference_name": ticket})
		r = reply([foreign])
		self.assertEqual(r.status_code, 403, r.text)
		self.assertEqual(frappe.db.count("Communication", {"reference_name": ticket}), comms)
		self.assertFalse(
			frappe.db.exists(
				"File", {"attached_to_doctype": "HD Ticket", "attached_to_name": ticket, "name": foreign}
			)
		)
		r = reply([mine])
		self.assertEqual(r.status_code, 200, r.text)
		url, parent = frappe.db.get_value("File", mine, ["file_url", "attached_to_name"])
		self.assertEqual(parent, ticket)  # not moved
		communication = frappe.db.get_value(LOG, self.queued(ticket), "communication")
		self.assertTrue(
			frappe.db.exists(
				"File",
				{"file_url": url, "attached_to_doctype": "Communication", "attached_to_name": communication},
			)
		)
		self.assertEqual(
			frappe.db.count(
				"File", {"file_url": url, "attached_to_doctype": "HD Ticket", "attached_to_name": ticket}
			),
			1,
		)

	def test_status_webhooks_only_move_forward(self):
		phone = random_phone()
		ticket, _wa = self.customer_says(phone, "Tolong cek")
		self.agent_replies(ticket, "<p>Baik</p>")
		log = self.queued(ticket)
		jobs.send(log)
		frappe.db.commit()
		wa_id = frappe.db.get_value(LOG, log, "wa_message_id")
		# out of order: read arrives before delivered and sent
		self.deliver(inbound_payload([], statuses=[status_update(wa_id, "read", phone)]))
		self.deliver(
			inbound_payload(
				[], statuses=[status_update(wa_id, "delivered", phone), status_update(wa_id, "sent", phone)]
			)
		)
		self.assertEqual(frappe.db.get_value(LOG, log, "status"), "Read")
		comm = frappe.db.get_value(LOG, log, "communication")
		self.assertEqual(frappe.db.get_value("Communication", comm, "delivery_status"), "Read")

	def test_failed_status_is_shown_and_retried_by_the_agent(self):
		phone = random_phone()
		ticket, _wa = self.customer_says(phone, "Halo")
		self.agent_replies(ticket, "<p>Halo juga</p>")
		log = self.queued(ticket)
		jobs.send(log)
		frappe.db.commit()
		wa_id = frappe.db.get_value(LOG, log, "wa_message_id")
		error = [
			{"code": 131026, "title": "Message undeliverable", "error_data": {"details": "Unable to deliver"}}
		]
		self.deliver(inbound_payload([], statuses=[status_update(wa_id, "failed", phone, errors=error)]))
		row = frappe.db.get_value(LOG, log, ["status", "error", "communication"], as_dict=True)
		self.assertEqual(row.status, "Failed")
		self.assertIn("131026", row.error)
		self.assertEqual(frappe.db.get_value("Communication", row.communication, "delivery_status"), "Error")
		self.assertTrue(
			frappe.db.exists(
				"HD Ticket Comment",
				{"reference_ticket": ticket, "content": ["like", "%could not be delivered%"]},
			)
		)
		# a late "delivered" does not revive it
		self.deliver(inbound_payload([], statuses=[status_update(wa_id, "delivered", phone)]))
		self.assertEqual(frappe.db.get_value(LOG, log, "status"), "Failed")
		# a portal customer may not retry; the agent may
		customer = make_customer_user("cs-sop-wa-portal@example.com")
		frappe.db.commit()
		refused = Client(customer, PASSWORD).method("cs_sop.api.whatsapp.retry", message=log)
		self.assertIn(refused.status_code, (403, 417))
		self.assertEqual(frappe.db.get_value(LOG, log, "status"), "Failed")
		ok = Client(AGENT, PASSWORD).method("cs_sop.api.whatsapp.retry", message=log)
		self.assertEqual(ok.status_code, 200, ok.text)
		frappe.db.commit()
		self.assertEqual(frappe.db.get_value(LOG, log, "status"), "Queued")
		self.assertEqual(jobs.send(log), "Sent")
		self.assertNotEqual(frappe.db.get_value(LOG, log, "wa_message_id"), wa_id)

	def test_outside_24h_the_template_goes_and_the_agent_is_told(self):
		phone = random_phone()
		ticket, _wa = self.customer_says(phone, "Pesan lama", timestamp=int(time.time()) - 25 * 3600)
		r = self.agent_replies(ticket, "<p>Maaf baru kami balas</p>")
		self.assertIn("24", r.text)  # the agent sees it at once
		log = self.queued(ticket)
		self.assertEqual(jobs.send(log), "Sent")
		sent = self.fake.sent()
		self.assertEqual(sent[-1]["type"], "template")
		self.assertEqual(sent[-1]["template"]["name"], "cs_sop_lanjutan")
		self.assertEqual(sent[-1]["template"]["components"][0]["parameters"][0]["text"], ticket)
		self.assertTrue(frappe.db.get_value(LOG, log, "is_template"))
		self.assertTrue(
			frappe.db.exists(
				"HD Ticket Comment", {"reference_ticket": ticket, "content": ["like", "%template%"]}
			)
		)

	def test_re_engagement_error_falls_back_to_the_template(self):
		phone = random_phone()
		ticket, _wa = self.customer_says(phone, "Halo")
		self.agent_replies(ticket, "<p>Baik</p>")
		self.fake.fail_next(131047)
		log = self.queued(ticket)
		self.assertEqual(jobs.send(log), "Sent")
		types = [r["json"]["type"] for r in self.fake.requests if r["path"].endswith("/messages")]
		self.assertEqual(types, ["text", "template"])

	def test_rate_limits_are_retried_permanent_errors_are_not(self):
		phone = random_phone()
		ticket, _wa = self.customer_says(phone, "Halo")
		# a rate limit (130429, 80007): one request, no sleeping in the job; queued again with a
		# next attempt time, not sent before it, then sent by the sweep
		for code, text in ((130429, "<p>Satu</p>"), (80007, "<p>Dua</p>")):
			self.fake.clear()
			self.agent_replies(ticket, text)
			log = self.queued(ticket)
			self.fake.fail_next(code)
			self.assertEqual(jobs.send(log), "Queued")
			self.assertEqual(len(self.fake.requests), 1)
			row = frappe.db.get_value(
				LOG, log, ["status", "retry_count", "next_attempt_at", "error_code"], as_dict=True
			)
			self.assertEqual((row.status, row.retry_count, row.error_code), ("Queued", 1, str(code)))
			self.assertGreater(row.next_attempt_at, now_datetime())
			self.assertEqual(jobs.send(log), "Queued")  # not due yet: nothing sent
			self.assertEqual(len(self.fake.requests), 1)
			frappe.db.set_value(LOG, log, "next_attempt_at", add_to_date(now_datetime(), minutes=-1))
			frappe.db.commit()
			jobs.sweep()
			self.assertEqual(frappe.db.get_value(LOG, log, "status"), "Sent")
			self.assertEqual(len(self.fake.sent()), 1)
		# a permanent error: one request, failed at once, said on the ticket
		self.fake.clear()
		self.agent_replies(ticket, "<p>Tiga</p>")
		log = self.queued(ticket)
		self.fake.fail_next(131026)
		self.assertEqual(jobs.send(log), "Failed")
		self.assertEqual(len(self.fake.requests), 1)
		# the token is in no error text
		errors = frappe.get_all(LOG, filters={"ticket": ticket}, pluck="error")
		self.assertFalse(any(fake_graph.TOKEN in (e or "") for e in errors))

	def test_notices_of_other_issues_go_over_whatsapp(self):
		phone = random_phone()
		ticket, _wa = self.customer_says(phone, "Halo")
		comms = frappe.db.count("Communication", {"reference_name": ticket, "reference_doctype": "HD Ticket"})
		self.assertTrue(
			messaging.send_to_customer(
				ticket, "Tiket Anda kami terima", "<p>Nomor tiket <b>" + ticket + "</b>.</p>"
			)
		)
		frappe.db.commit()
		sent = self.fake.sent()
		self.assertEqual(sent[-1]["to"], phone)
		self.assertEqual(sent[-1]["text"]["body"], f"*Tiket Anda kami terima*\n\nNomor tiket *{ticket}*.")
		# a notice is not a Communication (it must not count as the agent's first response)
		self.assertEqual(
			frappe.db.count("Communication", {"reference_name": ticket, "reference_doctype": "HD Ticket"}),
			comms,
		)
		self.assertTrue(outbound.send_notice.is_ready())

	def test_event_processing_is_safe_twice(self):
		phone = random_phone()
		message, contact = text_message(phone, "Dua kali")
		payload = inbound_payload([message], contacts=[contact])
		self.assertEqual(self.post(payload).status_code, 200)
		self.assertEqual(self.post(payload).status_code, 200)  # Meta re-delivers
		frappe.db.commit()
		jobs.drain()
		jobs.sweep()
		self.assertEqual(frappe.db.count(LOG, {"wa_message_id": message["id"]}), 1)
		ticket = frappe.db.get_value(LOG, {"wa_message_id": message["id"]}, "ticket")
		self.assertEqual(
			frappe.db.count("Communication", {"reference_name": ticket, "reference_doctype": "HD Ticket"}), 1
		)
