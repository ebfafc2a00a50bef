"""A receipt for every contact: each new ticket's customer gets its number at once, once, on the
ticket's channel (email, WhatsApp against the fake Graph API); not for request types switched off,
not for an agent's internal ticket; the marker is system-owned; the printed receipt (Print Format
*Tanda Terima Pengaduan*) renders in Indonesian with the number."""

import os
import subprocess
import tempfile

import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils import get_datetime

from cs_sop.core.id_dates import format_datetime
from cs_sop.intake import receipt
from cs_sop.tests.fake_graph import FakeGraph, inbound_payload, text_message
from cs_sop.tests.rest import Client, served
from cs_sop.tests.utils import PASSWORD, classify, ensure_email_account, make_agent, make_ticket
from cs_sop.tests.whatsapp_utils import configure, random_phone, signed
from cs_sop.whatsapp import jobs

CUSTOMER = "cs-sop-receipt-customer@example.com"
AGENT = "cs-sop-receipt-agent@example.com"
RECEIPT_TEXT = "kami catat dengan nomor tiket"


def receipts(ticket: str) -> list[dict]:
	return frappe.get_all(
		"Email Queue",
		filters={"reference_doctype": "HD Ticket", "reference_name": ticket},
		fields=["name", "message"],
	)


def receipt_mails(ticket: str) -> list[dict]:
	return [m for m in receipts(ticket) if RECEIPT_TEXT in (m.message or "")]


def set_switched_off(*request_types: str) -> None:
	settings = frappe.get_single("SOP Settings")
	settings.send_receipt = 1
	settings.set("receipt_request_types", [])
	for rt in request_types:
		settings.append("receipt_request_types", {"request_type": rt, "send_receipt": 0})
	settings.save()


def make_staff_agent(email: str = AGENT) -> str:
	from cs_sop.tests.utils import make_user

	make_user(email, "Agen Tanda Terima", roles=("Agent",))
	if not frappe.db.exists("HD Agent", email):
		frappe.get_doc({"doctype": "HD Agent", "user": email, "agent_name": "Agen Tanda Terima"}).insert(
			ignore_permissions=True
		)
	return email


class ReceiptCase(FrappeTestCase):
	def setUp(self):
		frappe.set_user("Administrator")
		ensure_email_account()
		make_agent()
		set_switched_off()

	def tearDown(self):
		frappe.set_user("Administrator")
		frappe.db.rollback()


class TestEmailReceipt(ReceiptCase):
	def test_sent_once_with_the_number(self):
		t = make_ticket(sop_channel="Email", raised_by=CUSTOMER, subject="Tagihan ganda")
		mails = receipt_mails(t.name)
		self.assertEqual(len(mails), 1)
		self.assertIn(f"#{t.name}", mails[0].message)
		self.assertTrue(frappe.db.get_value("HD Ticket", t.name, receipt.MARKER))
		# saves, a rerun of the job and a stale copy never send again
		t.sop_impact = "Low"
		t.save()
		self.assertFalse(receipt.send_receipt(t.name))
		self.assertEqual(len(receipt_mails(t.name)), 1)

	def test_every_channel_and_request_type_by_default(self):
		for channel, request_type in (("Phone", "Question"), ("Walk-in", "Feedback"), ("Web Portal", None)):
			t = make_ticket(sop_channel=channel, sop_request_type=request_type, raised_by=CUSTOMER)
			self.assertEqual(len(receipt_mails(t.name)), 1, channel)

	def test_not_for_request_types_switched_off(self):
		set_switched_off("Feedback")
		off = make_ticket(sop_channel="Email", sop_request_type="Feedback", raised_by=CUSTOMER)
		self.assertEqual(receipt_mails(off.name), [])
		self.assertFalse(frappe.db.get_value("HD Ticket", off.name, receipt.MARKER))
		on = make_ticket(sop_channel="Email", sop_request_type="Question", raised_by=CUSTOMER)
		self.assertEqual(len(receipt_mails(on.name)), 1)
		frappe.db.set_single_value("SOP Settings", "send_receipt", 0)
		frappe.clear_document_cache("SOP Settings", "SOP Settings")
		none = make_ticket(sop_channel="Email", raised_by=CUSTOMER)
		self.assertEqual(receipt_mails(none.name), [])

	def test_not_for_an_agents_internal_ticket_but_for_its_customer_contact(self):
		agent = make_staff_agent()
		internal = make_ticket(sop_channel="Phone", raised_by=agent, subject="Cek stok gudang")
		self.assertEqual(receipt_mails(internal.name), [])
		self.assertFalse(frappe.db.get_value("HD Ticket", internal.name, receipt.MARKER))
		contact = frappe.get_doc({"doctype": "Contact", "first_name": "Ibu Sari"})
		contact.append("email_ids", {"email_id": "cs-sop-receipt-sari@example.com", "is_primary": 1})
		contact.insert(ignore_permissions=True)
		for_customer = make_ticket(sop_channel="Phone", raised_by=agent, contact=contact.name)
		mails = frappe.get_all(
			"Email Queue",
			filters={"reference_name": for_customer.name, "reference_doctype": "HD Ticket"},
			pluck="name",
		)
		self.assertEqual(len(mails), 1)
		recipients = frappe.get_all("Email Queue Recipient", filters={"parent": mails[0]}, pluck="recipient")
		self.assertEqual(recipients, ["cs-sop-receipt-sari@example.com"])

	def test_a_complaint_classified_on_arrival_gets_the_acknowledgement_only(self):
		frappe.db.set_single_value("SOP Settings", "send_complaint_acknowledgement", 1)
		t = make_ticket(sop_channel="Email", raised_by=CUSTOMER, **classify())
		self.assertEqual(receipt_mails(t.name), [])
		self.assertEqual(len(receipts(t.name)), 1)  # the acknowledgement, with the number
		self.assertTrue(frappe.db.get_value("HD Ticket", t.name, "sop_ack_notice_sent_on"))


class TestPrintedReceipt(ReceiptCase):
	def test_print_format_renders_in_indonesian_with_the_number(self):
		self.assertEqual(
			frappe.db.get_value("Print Format", receipt.PRINT_FORMAT, ["standard", "doc_type"]),
			("Yes", "HD Ticket"),
		)
		t = make_ticket(
			sop_channel="Walk-in", raised_by=CUSTOMER, subject="Barang rusak saat diterima", **classify()
		)
		# wkhtmltopdf loads the page's styles from the site's URL: the site served on loopback here
		host_name = frappe.local.conf.get("host_name")
		frappe.local.conf.host_name = served()
		try:
			pdf = frappe.get_print("HD Ticket", t.name, receipt.PRINT_FORMAT, as_pdf=True, no_letterhead=1)
		finally:
			frappe.local.conf.host_name = host_name
		self.assertTrue(pdf.startswith(b"%PDF"))
		with tempfile.TemporaryDirectory() as tmp:
			path = os.path.join(tmp, "receipt.pdf")
			with open(path, "wb") as f:
				f.write(pdf)
			text = subprocess.run(
				["pdftotext", "-layout", path, "-"], capture_output=True, text=True, check=True
			).stdout
		flat = " ".join(text.split())
		for expected in (
			"TANDA TERIMA PENGADUAN",
			"Nomor Tiket",
			f"#{t.name}",
			"Datang Langsung",  # the channel, in Indonesian
			"Pengiriman",
			"Barang rusak saat diterima",
			"Target Penyelesaian",
			"WIB",
			"Tindak lanjut",
		):
			self.assertIn(expected, flat)
		target = format_datetime(get_datetime(t.resolution_by), "id", "Asia/Jakarta")
		self.assertIn(f"paling lambat {target}", flat)

	def test_agent_ui_action_is_shipped(self):
		from cs_sop.setup.form_scripts import RECEIPT as RECEIPT_FORM_SCRIPT

		script = frappe.db.get_value("HD Form Script", RECEIPT_FORM_SCRIPT, ["dt", "enabled", "script"])
		self.assertEqual(script[:2], ("HD Ticket", 1))
		self.assertIn("/printview?doctype=", script[2])
		self.assertIn("Tanda Terima Pengaduan", script[2])


class TestWhatsAppReceipt(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.fake = FakeGraph()
		configure(cls.fake)
		frappe.db.commit()
		cls.guest = Client()

	@classmethod
	def tearDownClass(cls):
		cls.fake.stop()
		super().tearDownClass()

	def says(self, phone: str, text: str) -> str:
		message, contact = text_message(phone, text, name="Budi Receipt")
		body, headers = signed(inbound_payload([message], contacts=[contact]))
		r = self.guest.post("/api/method/cs_sop.whatsapp.webhook", data=body, headers=headers)
		self.assertEqual(r.status_code, 200, r.text)
		frappe.db.commit()
		jobs.drain()
		frappe.db.commit()
		return frappe.db.get_value("SOP WhatsApp Message", {"wa_message_id": message["id"]}, "ticket")

	def receipts_to(self, phone: str) -> list[dict]:
		return [
			m
			for m in self.fake.sent()
			if m.get("to") == phone and RECEIPT_TEXT in (m.get("text") or {}).get("body", "")
		]

	def test_sent_once_over_whatsapp(self):
		self.fake.clear()
		phone = random_phone()
		ticket = self.says(phone, "Halo, pesanan saya belum sampai")
		self.assertTrue(ticket)
		sent = self.receipts_to(phone)
		self.assertEqual(len(sent), 1, self.fake.sent())
		self.assertIn(f"#{ticket}", sent[0]["text"]["body"])
		self.assertTrue(frappe.db.get_value("HD Ticket", ticket, receipt.MARKER))
		# the next message of the same conversation is the same ticket: no second receipt
		self.assertEqual(self.says(phone, "Nomor pesanan 12345"), ticket)
		self.assertEqual(len(self.receipts_to(phone)), 1)
		self.assertFalse(receipt.send_receipt(ticket))


class TestMarkerOverRest(FrappeTestCase):
	"""The marker records what happened: an agent cannot write it (nothing written)."""

	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		frappe.set_user("Administrator")
		ensure_email_account()
		make_staff_agent()
		set_switched_off("Feedback")  # a ticket whose receipt is not due: its marker stays empty
		cls.ticket = make_ticket(sop_channel="Email", sop_request_type="Feedback", raised_by=CUSTOMER).name
		frappe.db.commit()

	@classmethod
	def tearDownClass(cls):
		frappe.set_user("Administrator")
		set_switched_off()
		frappe.db.commit()
		super().tearDownClass()

	def stored(self):
		frappe.db.rollback()
		return frappe.db.get_value("HD Ticket", self.ticket, receipt.MARKER)

	def test_put_set_value_and_insert_write_nothing(self):
		agent = Client(AGENT, PASSWORD)
		forged = "2020-01-01 08:00:00"
		agent.put(f"/api/resource/HD Ticket/{self.ticket}", json={receipt.MARKER: forged})
		self.assertIsNone(self.stored())
		agent.method(
			"frappe.client.set_value",
			doctype="HD Ticket",
			name=self.ticket,
			fieldname=receipt.MARKER,
			value=forged,
		)
		self.assertIsNone(self.stored())
		# a new ticket with a forged marker: the marker starts empty (the receipt is then due)
		r = agent.post(
			"/api/resource/HD Ticket",
			json={
				"subject": "Tiket dengan penanda palsu",
				"raised_by": CUSTOMER,
				"sop_request_type": "Feedback",
				receipt.MARKER: forged,
			},
		)
		self.assertEqual(r.status_code, 200, r.text[:300])
		name = r.json()["data"]["name"]
		frappe.db.rollback()
		self.assertNotEqual(str(frappe.db.get_value("HD Ticket", name, receipt.MARKER) or ""), forged)
