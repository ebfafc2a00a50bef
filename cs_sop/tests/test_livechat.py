"""Website live chat over HTTP, as a website visitor (guest with a token), another visitor, an
attacker and an agent would use it (cs_sop/livechat)."""

import itertools
import json
import random
import time

import frappe
from frappe.tests.utils import FrappeTestCase

from cs_sop.chat import attach_to_message
from cs_sop.core import livechat as rules
from cs_sop.livechat import access
from cs_sop.tests.rest import Client, error_text, message
from cs_sop.tests.utils import PASSWORD, make_user

AGENT = "cs-sop-livechat-agent@example.com"
PORTAL = "cs-sop-livechat-portal@example.com"
SHOP = "https://shop.example.co.id"
API = "/api/method/cs_sop.livechat.api."
_ips = itertools.count(1)


def visitor_client(origin: str | None = SHOP) -> Client:
	"""A guest browser on its own address (rate limits count per address)."""
	client = Client()
	n = next(_ips) + random.randint(0, 60000)
	client.session.headers["X-Forwarded-For"] = f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}"
	if origin:
		client.session.headers["Origin"] = origin
	return client


def tickets_of(email: str) -> int:
	return frappe.db.count("HD Ticket", {"raised_by": email})


def communications(ticket: str) -> int:
	return frappe.db.count("Communication", {"reference_doctype": "HD Ticket", "reference_name": ticket})


def chat_events(publish) -> list:
	return [c for c in publish.call_args_list if c.args and c.args[0] == "cs_sop_livechat_message"]


class TestLiveChat(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		make_user(AGENT, "Agen Chat", roles=("Agent",))
		if not frappe.db.exists("HD Agent", AGENT):
			frappe.get_doc({"doctype": "HD Agent", "user": AGENT, "agent_name": "Agen Chat"}).insert(
				ignore_permissions=True
			)
		frappe.db.set_single_value("SOP Settings", {"livechat_enabled": 1, "livechat_allowed_origins": SHOP})
		frappe.db.commit()
		frappe.clear_document_cache("SOP Settings", "SOP Settings")

	def start(self, client: Client, text: str = "Halo, pesanan saya belum sampai.", **visitor) -> dict:
		visitor = visitor or {"name": "Rina Wijaya", "email": f"rina.{random.randint(1, 10**9)}@example.net"}
		r = client.method("cs_sop.livechat.api.start", message=text, lang="id", **visitor)
		self.assertEqual(r.status_code, 200, r.text)
		frappe.db.commit()
		return message(r)

	def poll(self, client: Client, token: str, since: str | None = None) -> dict:
		params = {"token": token, **({"since": since} if since else {})}
		r = client.get(API + "messages", params=params)
		self.assertEqual(r.status_code, 200, r.text)
		return message(r)

	def agent_reply(self, ticket: str, html: str, attachments: list | None = None):
		r = Client(AGENT, PASSWORD).post(
			"/api/method/run_doc_method",
			json={
				"dt": "HD Ticket",
				"dn": ticket,
				"method": "reply_via_agent",
				"args": {"message": html, "attachments": attachments or []},
			},
		)
		frappe.db.commit()
		return r

	# the conversation -------------------------------------------------------------------------
	def test_visitor_chats_and_the_agent_reply_reaches_them(self):
		visitor = visitor_client()
		email = f"budi.{random.randint(1, 10**9)}@example.net"
		res = self.start(visitor, "Halo, saya mau tanya ongkir ke Medan.", name="Budi Santoso", email=email)
		ticket = res["ticket"]
		row = frappe.db.get_value(
			"HD Ticket", ticket, ["sop_channel", "raised_by", "owner", "contact"], as_dict=True
		)
		self.assertEqual((row.sop_channel, row.raised_by, row.owner), ("Live Chat", email, email))
		self.assertTrue(row.contact)
		first = frappe.db.get_value(
			"Communication",
			res["message"]["id"],
			["sent_or_received", "sender", "owner", "communication_medium", "content"],
			as_dict=True,
		)
		self.assertEqual((first.sent_or_received, first.sender, first.owner), ("Received", email, email))
		self.assertIn("ongkir ke Medan", first.content)

		r = visitor.method(
			"cs_sop.livechat.api.send", token=res["token"], message="Beratnya 2 kg.", client_id="abc-1"
		)
		self.assertEqual(r.status_code, 200, r.text)
		again = visitor.method(
			"cs_sop.livechat.api.send", token=res["token"], message="Beratnya 2 kg.", client_id="abc-1"
		)
		self.assertEqual(message(again)["message"]["id"], message(r)["message"]["id"])  # retried: once
		frappe.db.commit()
		self.assertEqual(communications(ticket), 2)

		first_poll = self.poll(visitor, res["token"])
		self.assertEqual([m["from"] for m in first_poll["messages"]], ["visitor", "visitor"])
		seen = {m["id"] for m in first_poll["messages"]}
		cursor = first_poll["cursor"]

		def unseen(cursor: str) -> list[dict]:
			# a poll re-reads a few seconds before its cursor (late commits); the widget shows ids once
			out = self.poll(visitor, res["token"], cursor)
			return [m for m in out["messages"] if m["id"] not in seen]

		self.assertEqual(unseen(cursor), [])

		r = self.agent_reply(ticket, "<p>Ongkir ke Medan Rp 45.000, Pak Budi.</p>")
		self.assertEqual(r.status_code, 200, r.text)
		reply = frappe.get_all(
			"Communication",
			filters={"reference_name": ticket, "sent_or_received": "Sent"},
			fields=["sender", "communication_medium"],
		)
		self.assertEqual(reply, [{"sender": AGENT, "communication_medium": "Chat"}])
		self.assertFalse(
			frappe.db.exists("Email Queue", {"reference_name": ticket, "message": ("like", "%45.000%")})
		)
		new = unseen(cursor)
		self.assertEqual(len(new), 1)
		self.assertEqual(new[0]["from"], "agent")
		self.assertIn("Rp 45.000", new[0]["html"])
		seen.add(new[0]["id"])
		self.assertEqual(unseen(new[0]["cursor"]), [])
		# an old cursor (beyond the re-read window) returns nothing of before it
		old = frappe.utils.add_to_date(frappe.utils.now_datetime(), minutes=5).strftime(
			"%Y-%m-%d %H:%M:%S.%f"
		)
		self.assertEqual(self.poll(visitor, res["token"], f"{old}|x")["messages"], [])
		self.assertEqual(frappe.db.get_value("HD Ticket", ticket, "first_responded_on") is not None, True)

	def test_logged_in_customer_is_not_asked(self):
		make_user(PORTAL, "Sari Portal", user_type="Website User")
		frappe.db.commit()
		customer = Client(PORTAL, PASSWORD)
		customer.session.headers["X-Forwarded-For"] = "10.250.0.1"
		state = message(customer.get(API + "status"))
		self.assertEqual(state["visitor"]["email"], PORTAL)
		r = customer.method("cs_sop.livechat.api.start", message="Faktur saya salah.")
		self.assertEqual(r.status_code, 200, r.text)
		frappe.db.commit()
		ticket = message(r)["ticket"]
		self.assertEqual(frappe.db.get_value("HD Ticket", ticket, "raised_by"), PORTAL)

	def test_guest_cannot_pose_as_staff(self):
		before = tickets_of(AGENT)
		r = visitor_client().method(
			"cs_sop.livechat.api.start", message="hi", name="Palsu", email=AGENT, lang="id"
		)
		self.assertEqual(r.status_code, 403, r.text)
		self.assertIn("alamat email Anda sendiri", error_text(r))
		frappe.db.rollback()
		self.assertEqual(tickets_of(AGENT), before)

	def test_phone_only_visitor(self):
		res = self.start(visitor_client(), "Saya hanya punya nomor HP.", name="Andi", phone="0812-3456-7890")
		self.assertEqual(
			frappe.db.get_value("HD Ticket", res["ticket"], "raised_by"), "6281234567890@livechat.invalid"
		)

	# tokens -----------------------------------------------------------------------------------
	def test_another_visitors_token_reads_nothing(self):
		a, b = visitor_client(), visitor_client()
		res_a = self.start(a, "Rahasia pelanggan A: nomor rekening 1234567890.")
		res_b = self.start(b, "Pertanyaan pelanggan B.")
		# B's token names B's ticket only; swapping the ticket in its payload breaks the signature
		payload, signature = res_b["token"].split(".")
		claims = json.loads(rules._unb64(payload))
		claims["t"] = res_a["ticket"]
		forged = rules._b64(json.dumps(claims).encode()) + "." + signature
		for token in (forged, res_b["token"] + "x", "x" * 40, ""):
			r = b.get(API + "messages", params={"token": token})
			self.assertEqual(r.status_code, 403, r.text)
			self.assertNotIn("1234567890", r.text)
		# B's own token: B's messages only
		own = self.poll(b, res_b["token"])
		self.assertNotIn("1234567890", frappe.as_json(own))
		# the file endpoint: A's message's file is not B's
		frappe.set_user("Administrator")
		f = attach_to_message(res_a["ticket"], res_a["message"]["id"], "rekening.txt", b"1234567890")
		frappe.db.commit()
		r = b.get(API + "file", params={"token": res_b["token"], "file": f})
		self.assertEqual(r.status_code, 403, r.text)
		self.assertNotIn("1234567890", r.text)
		r = a.get(API + "file", params={"token": res_a["token"], "file": f})
		self.assertEqual((r.status_code, r.content), (200, b"1234567890"))
		# and Frappe's own API gives a guest nothing of the ticket
		r = b.get(f"/api/resource/HD Ticket/{res_a['ticket']}")
		self.assertIn(r.status_code, (403, 404))
		self.assertNotIn("1234567890", r.text)

	def test_forged_and_expired_tokens_are_refused(self):
		visitor = visitor_client()
		res = self.start(visitor)
		ticket, email = res["ticket"], frappe.db.get_value("HD Ticket", res["ticket"], "raised_by")
		expired = rules.sign(access.secret(), ticket, email, int(time.time()) - access.token_max_age() - 10)
		other_secret = rules.sign(b"not the site's secret", ticket, email, int(time.time()))
		before = communications(ticket)
		for token in (expired, other_secret):
			r = visitor.method("cs_sop.livechat.api.send", token=token, message="masuk?", lang="id")
			self.assertEqual(r.status_code, 403, r.text)
			self.assertIn("tidak berlaku", error_text(r))
			r = visitor.get(API + "messages", params={"token": token})
			self.assertEqual(r.status_code, 403, r.text)
		frappe.db.rollback()
		self.assertEqual(communications(ticket), before)

	def test_closed_conversation_starts_a_new_ticket(self):
		visitor = visitor_client()
		res = self.start(visitor)
		frappe.db.set_value("HD Ticket", res["ticket"], "status", "Closed")
		frappe.db.commit()
		r = visitor.method("cs_sop.livechat.api.send", token=res["token"], message="Masih ada pertanyaan.")
		self.assertEqual(r.status_code, 200, r.text)
		out = message(r)
		self.assertNotEqual(out["ticket"], res["ticket"])
		self.assertNotEqual(out["token"], res["token"])
		frappe.db.commit()
		self.assertEqual(frappe.db.get_value("HD Ticket", out["ticket"], "sop_channel"), "Live Chat")

	# the boundary -----------------------------------------------------------------------------
	def test_disallowed_origin_is_refused(self):
		email = f"evil.{random.randint(1, 10**9)}@example.net"
		r = visitor_client("https://evil.example").method(
			"cs_sop.livechat.api.start", message="hi", name="X", email=email, lang="id"
		)
		self.assertEqual(r.status_code, 403, r.text)
		self.assertIn("tidak diizinkan", error_text(r))
		frappe.db.rollback()
		self.assertEqual(tickets_of(email), 0)
		page = visitor_client(None).get("/sop-chat", params={"embed": 1})
		self.assertEqual(page.status_code, 200)
		self.assertIn("frame-ancestors 'self'", page.headers.get("Content-Security-Policy", ""))
		self.assertIn(SHOP, page.headers["Content-Security-Policy"])
		self.assertNotIn("evil.example", page.headers["Content-Security-Policy"])

	def test_rate_limit_answers_429(self):
		visitor = visitor_client()
		codes = [visitor.get(API + "status").status_code for _i in range(62)]
		self.assertEqual(codes[0], 200)
		self.assertEqual(codes[-1], 429)
		self.assertEqual(visitor_client().get(API + "status").status_code, 200)  # another address

	def test_oversize_is_refused_with_a_translated_message(self):
		visitor = visitor_client()
		res = self.start(visitor)
		before = communications(res["ticket"])
		r = visitor.method("cs_sop.livechat.api.send", token=res["token"], message="x" * 4001, lang="id")
		self.assertEqual(r.status_code, 417, r.text)
		self.assertIn("Pesan terlalu panjang", error_text(r))
		big = b"0" * (access.max_file_size() + 1)
		r = visitor.post(
			API + "upload",
			data={"token": res["token"]},
			files={"file": ("besar.pdf", big, "application/pdf")},
			headers={"Accept-Language": "id"},
		)
		self.assertEqual(r.status_code, 417, r.text)
		self.assertIn("terlalu besar", error_text(r))
		frappe.db.rollback()
		self.assertEqual(communications(res["ticket"]), before)
		self.assertFalse(frappe.db.exists("File", {"file_name": "besar.pdf"}))

	def test_attachments_both_ways(self):
		visitor = visitor_client()
		res = self.start(visitor)
		ticket = res["ticket"]
		r = visitor.post(
			API + "upload",
			data={"token": res["token"], "message": "Foto paketnya", "client_id": "up-1"},
			files={"file": ("paket.txt", b"isi paket rusak", "text/plain")},
		)
		self.assertEqual(r.status_code, 200, r.text)
		sent = message(r)["message"]
		self.assertEqual([f["file_name"] for f in sent["files"]], ["paket.txt"])
		frappe.db.commit()
		self.assertTrue(
			frappe.db.exists("File", {"attached_to_doctype": "HD Ticket", "attached_to_name": ticket})
		)
		# the agent's reply with a file uploaded to the ticket, as the agent UI's editor does
		frappe.set_user(AGENT)
		file = frappe.get_doc(
			{
				"doctype": "File",
				"file_name": "panduan-retur.txt",
				"content": b"Langkah retur",
				"attached_to_doctype": "HD Ticket",
				"attached_to_name": ticket,
				"is_private": 1,
			}
		).insert()
		frappe.set_user("Administrator")
		frappe.db.commit()
		r = self.agent_reply(ticket, "<p>Silakan ikuti panduan terlampir.</p>", [file.name])
		self.assertEqual(r.status_code, 200, r.text)
		last = self.poll(visitor, res["token"])["messages"][-1]
		self.assertEqual(last["from"], "agent")
		self.assertEqual([f["file_name"] for f in last["files"]], ["panduan-retur.txt"])
		r = visitor.get(API + "file", params={"token": res["token"], "file": last["files"][0]["id"]})
		self.assertEqual((r.status_code, r.content), (200, b"Langkah retur"))

	def test_out_of_hours_says_when_the_desk_opens_and_takes_the_message(self):
		settings = frappe.get_doc("SOP Settings")
		kept = [(r.workday, r.start_time, r.end_time) for r in settings.operating_hours]
		now = frappe.utils.now_datetime()
		closed_day = now.strftime("%A")
		try:
			settings.set("operating_hours", [])
			for day in ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"):
				if day != closed_day:
					settings.append(
						"operating_hours", {"workday": day, "start_time": "08:00:00", "end_time": "17:00:00"}
					)
			settings.save(ignore_permissions=True)
			frappe.cache.delete_value("cs_sop:calendar")
			frappe.db.commit()
			visitor = visitor_client()
			state = message(visitor.get(API + "status", params={"lang": "id"}))
			self.assertFalse(state["open"])
			self.assertIn("08.00", state["next_opening_text"])
			res = self.start(visitor, "Pesan di luar jam kerja.")
			self.assertFalse(res["open"])
			self.assertEqual(communications(res["ticket"]), 1)
			page = visitor.get("/sop-chat", params={"embed": 1, "lang": "id"})
			self.assertIn("di luar jam operasional", page.text)
		finally:
			settings = frappe.get_doc("SOP Settings")
			settings.set("operating_hours", [])
			for workday, start, end in kept:
				settings.append("operating_hours", {"workday": workday, "start_time": start, "end_time": end})
			settings.save(ignore_permissions=True)
			frappe.cache.delete_value("cs_sop:calendar")
			frappe.db.commit()

	def test_every_message_is_published_to_the_conversations_room(self):
		from unittest.mock import patch

		res = self.start(visitor_client())
		ticket = frappe.get_doc("HD Ticket", res["ticket"])
		frappe.set_user(AGENT)
		try:
			with patch("frappe.publish_realtime") as publish:
				ticket.reply_via_agent("<p>Baik, kami cek dulu.</p>")
				self.assertEqual(chat_events(publish), [])  # only once committed
				frappe.db.commit()
		finally:
			frappe.set_user("Administrator")
		[((event, payload), kwargs)] = chat_events(publish)
		self.assertEqual(kwargs["task_id"], access.room(res["ticket"]))
		self.assertEqual(payload["from"], "agent")
		self.assertIn("kami cek dulu", payload["html"])
		self.assertNotEqual(access.room(res["ticket"]), access.room(str(int(res["ticket"]) + 1)))

	def test_the_chat_speaks_the_visitors_language(self):
		visitor = visitor_client(None)
		english = visitor.get("/sop-chat", params={"embed": 1}, headers={"Accept-Language": "en-US,en;q=0.9"})
		self.assertIn("Start chat", english.text)
		indonesian = visitor.get("/sop-chat", params={"embed": 1}, headers={"Accept-Language": "id-ID"})
		self.assertIn("Mulai chat", indonesian.text)
		forced = visitor.get(
			"/sop-chat", params={"embed": 1, "lang": "en"}, headers={"Accept-Language": "id"}
		)
		self.assertIn("Start chat", forced.text)
		r = visitor_client().method(
			"cs_sop.livechat.api.start", message="hi", name="", email="a@b.co", lang="en"
		)
		self.assertIn("Please enter your name.", error_text(r))
