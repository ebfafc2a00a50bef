"""UU PDP retention: preview, anonymisation of ticket, messages and survey, statistics kept."""

from datetime import date, timedelta

import frappe
from frappe.utils import add_days, getdate, today

from cs_sop import privacy
from cs_sop.api import privacy as api_privacy
from cs_sop.closure import answers, survey
from cs_sop.tests.test_closure import ClosureCase, resolved_ticket
from cs_sop.tests.utils import make_customer_user

PRIVATE = "cs-sop-privacy-budi@example.com"


def private_closed_ticket() -> str:
	make_customer_user(PRIVATE)
	frappe.db.set_value("Contact", {"email_id": PRIVATE}, {"first_name": "Budi", "last_name": "Santoso"})
	contact = frappe.db.get_value("Contact", {"email_id": PRIVATE})
	frappe.db.set_value("Contact", contact, {"full_name": "Budi Santoso", "mobile_no": "+6281234567890"})
	doc = resolved_ticket(
		subject="Pesanan Budi Santoso belum sampai",
		description="Halo, saya Budi Santoso (+6281234567890, cs-sop-privacy-budi@example.com).",
	)
	frappe.db.set_value("HD Ticket", doc.name, {"raised_by": PRIVATE, "contact": contact})
	frappe.get_doc(
		{
			"doctype": "Communication",
			"communication_type": "Communication",
			"communication_medium": "Email",
			"sent_or_received": "Received",
			"subject": "Re: Budi Santoso",
			"content": "Dari Budi Santoso, telepon +6281234567890",
			"sender": PRIVATE,
			"sender_full_name": "Budi Santoso",
			"reference_doctype": "HD Ticket",
			"reference_name": doc.name,
		}
	).insert(ignore_permissions=True)
	doc = frappe.get_doc("HD Ticket", doc.name)
	doc.status = "Closed"
	doc.save(ignore_permissions=True)
	s = frappe.db.get_value("SOP Survey", {"ticket": doc.name})
	answers.submit(survey.token_of(s), 2, "No", low_score_reason="Budi Santoso kecewa")
	return doc.name


class TestRetention(ClosureCase):
	def test_retention_date_from_category_rule(self):
		settings = frappe.get_single("SOP Settings")
		settings.retention_years = 2
		settings.set("retention_rules", [{"category": "Tagihan & Pembayaran", "years": 5}])
		settings.flags.skip_sla_sync = True
		settings.save()
		frappe.clear_document_cache("SOP Settings", "SOP Settings")
		ticket = resolved_ticket()
		doc = frappe.get_doc("HD Ticket", ticket.name)
		doc.status = "Closed"
		doc.save(ignore_permissions=True)
		closed = getdate(frappe.db.get_value("HD Ticket", ticket.name, "sop_closed_on"))
		self.assertEqual(
			getdate(frappe.db.get_value("HD Ticket", ticket.name, "sop_retention_until")),
			date(closed.year + 2, closed.month, closed.day) + timedelta(days=1),
		)
		frappe.db.set_value("HD Ticket", ticket.name, "ticket_type", "Tagihan & Pembayaran")
		self.assertGreaterEqual(privacy.recompute_retention(), 1)
		self.assertEqual(
			getdate(frappe.db.get_value("HD Ticket", ticket.name, "sop_retention_until")),
			date(closed.year + 5, closed.month, closed.day) + timedelta(days=1),
		)


class TestAnonymisation(ClosureCase):
	def tearDown(self):
		frappe.set_user("Administrator")
		frappe.db.rollback()

	def test_preview_then_anonymise_keeps_statistics(self):
		ticket = private_closed_ticket()
		frappe.db.set_value("HD Ticket", ticket, "sop_retention_until", add_days(today(), -1))
		preview = privacy.preview()
		self.assertGreaterEqual(preview["tickets"], 1)
		self.assertIn(ticket, [r.name for r in preview["sample"]] + [ticket] * (preview["tickets"] > 20))
		self.assertEqual(
			frappe.db.get_value("HD Ticket", ticket, "raised_by"), PRIVATE
		)  # preview writes nothing

		counts = privacy.anonymise([ticket])
		self.assertEqual(counts["tickets"], 1)
		self.assertGreaterEqual(counts["communications"], 1)
		self.assertEqual(counts["surveys"], 1)

		t = frappe.db.get_value(
			"HD Ticket",
			ticket,
			["raised_by", "contact", "subject", "description", "sop_anonymised_on", "sop_retention_until"],
			as_dict=True,
		)
		self.assertEqual(t.raised_by, privacy.ANON_EMAIL)
		self.assertIsNone(t.contact)
		for text in (t.subject, t.description):
			self.assertNotIn("Budi Santoso", text)
			self.assertNotIn("6281234567890", text)
			self.assertNotIn(PRIVATE, text)
		self.assertTrue(t.sop_anonymised_on)
		self.assertIsNone(t.sop_retention_until)
		for c in frappe.get_all(
			"Communication",
			filters={"reference_doctype": "HD Ticket", "reference_name": ticket},
			fields=["subject", "content", "sender", "recipients", "sender_full_name"],
		):
			blob = " ".join(str(v or "") for v in c.values())
			self.assertNotIn("Budi Santoso", blob)
			self.assertNotIn(PRIVATE, blob)
			self.assertNotIn("6281234567890", blob)
		s = frappe.db.get_value("SOP Survey", {"ticket": ticket}, "*", as_dict=True)
		self.assertEqual((s.csat, s.problem_solved, s.status), (2, "No", "Answered"))  # statistics stay
		self.assertIsNone(s.customer_email)
		self.assertIsNone(s.contact)
		self.assertFalse(s.low_score_reason)
		# done once: the next run does not find it
		self.assertNotIn(ticket, privacy._due_query(getdate(today()), 100000, lock=False).run(pluck=True))

	def test_job_logs_each_run_and_is_idempotent(self):
		ticket = private_closed_ticket()
		frappe.db.set_value("HD Ticket", ticket, "sop_retention_until", add_days(today(), -1))
		first = privacy.anonymise_due()
		self.assertGreaterEqual(first["tickets"], 1)
		self.assertTrue(frappe.db.exists("SOP Anonymisation Log", first["log"]))
		second = privacy.anonymise_due()
		self.assertEqual(second["tickets"], 0)
		self.assertTrue(frappe.db.exists("SOP Anonymisation Log", second["log"]))

	def test_preview_is_for_managers(self):
		frappe.set_user("Guest")
		with self.assertRaises(frappe.PermissionError):
			api_privacy.preview_anonymisation()


class TestWhatsAppAnonymisation(ClosureCase):
	def tearDown(self):
		frappe.set_user("Administrator")
		frappe.db.rollback()

	def test_whatsapp_log_of_the_ticket_loses_phone_and_text(self):
		ticket = private_closed_ticket()
		msg = frappe.get_doc(
			{
				"doctype": "SOP WhatsApp Message",
				"ticket": ticket,
				"direction": "Inbound",
				"phone": "6281234567890",
				"message_type": "text",
				"wa_message_id": f"wamid.privacy.{ticket}",
				"body": "Saya Budi Santoso",
				"raw_event": '{"from": "6281234567890"}',
				"status": "Received",
			}
		)
		msg.name = frappe.generate_hash(length=10)
		msg.db_insert()
		old = add_days(today(), -(365 * 3))
		event = frappe.get_doc(
			{
				"doctype": "SOP WhatsApp Event",
				"status": "Processed",
				"received_at": old,
				"payload": '{"from": "6281234567890"}',
			}
		)
		event.name = frappe.generate_hash(length=10)
		event.db_insert()
		frappe.db.set_value("HD Ticket", ticket, "sop_retention_until", add_days(today(), -1))
		privacy.anonymise_due(commit=False)
		row = frappe.db.get_value(
			"SOP WhatsApp Message", msg.name, ["phone", "body", "raw_event"], as_dict=True
		)
		self.assertEqual((row.phone, row.body, row.raw_event), (None, None, None))
		self.assertFalse(frappe.db.exists("SOP WhatsApp Event", event.name))
