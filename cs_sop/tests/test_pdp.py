"""UU PDP: anonymisation reaches contacts, portal users, files, notifications, queued emails,
escalations, activities, comments, versions, solutions, surveys and WhatsApp; the data-subject
request finds and erases everything about an email or phone, for managers only (also over REST)."""

import os

import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils import add_days, now_datetime, today

from cs_sop import privacy
from cs_sop.api import privacy as api_privacy
from cs_sop.closure import answers, survey
from cs_sop.core import privacy as rules
from cs_sop.privacy import scrub
from cs_sop.tests.rest import Client, error_text
from cs_sop.tests.test_closure import ClosureCase, resolved_ticket
from cs_sop.tests.utils import PASSWORD, make_agent, make_customer_user, make_user

MANAGER = "cs-sop-pdp-manager@example.com"
REST_AGENT = "cs-sop-pdp-agent@example.com"

# every table the anonymisation covers: none may still hold the subject afterwards
COVERED = (
	"HD Ticket",
	"Communication",
	"Communication Link",
	"Comment",
	"HD Ticket Comment",
	"HD Ticket Activity",
	"ToDo",
	"Version",
	"SOP Escalation",
	"SOP Solution",
	"SOP Survey",
	"SOP WhatsApp Message",
	"SOP WhatsApp Event",
	"Notification Log",
	"Email Queue",
	"Email Queue Recipient",
	"File",
	"Contact",
	"Contact Email",
	"Contact Phone",
	"Dynamic Link",
	"User",
	"Has Role",
	"Deleted Document",
	"Activity Log",
	"SOP Data Subject Request",
	"SOP Anonymisation Log",
)


def traces(*terms: str) -> dict:
	"""{table: rows} of the covered tables where any column contains any of the terms (SQL LIKE)."""
	found = {}
	for doctype in COVERED:
		if not frappe.db.table_exists(doctype):
			continue
		D = frappe.qb.DocType(doctype)
		crit = None
		for column in frappe.db.get_table_columns(doctype):
			for term in terms:
				c = D[column].like(f"%{rules.like_escape(term)}%")
				crit = c if crit is None else crit | c
		rows = frappe.qb.from_(D).select("*").where(crit).run(as_dict=True)
		for row in rows:
			columns = [k for k, v in row.items() if any(t in str(v) for t in terms)]
			found.setdefault(doctype, {})[row.name] = columns
	return found


def _insert(doc: dict) -> str:
	d = frappe.get_doc(doc)
	d.name = d.name or frappe.generate_hash(length=10)
	d.db_insert()
	return d.name


def identity() -> tuple[tuple[str, str], str, tuple[str, str, str]]:
	"""A name and an Indonesian mobile number of this run only: rows other tests committed never
	match the trace searches."""
	import random

	national = "813" + "".join(random.choice("0123456789") for _ in range(8))
	surname = "Wulan" + "".join(random.choice("bcdfghjklmnprstvz") for _ in range(5))
	phone = f"+62 {national[:3]}-{national[3:7]}-{national[7:]}"
	return ("Sari", surname), phone, rules.phone_forms(phone).forms


def _file(doctype: str, name: str, label: str, text: str) -> tuple[str, str]:
	f = frappe.get_doc(
		{
			"doctype": "File",
			"file_name": f"pdp-{label}-{frappe.generate_hash(length=6)}.txt",
			"content": f"KTP {text}".encode(),
			"attached_to_doctype": doctype,
			"attached_to_name": name,
			"is_private": 1,
		}
	).insert(ignore_permissions=True)
	return f.name, f.get_full_path()


def seed(email: str, closed: bool = True) -> dict:
	"""A portal customer with a ticket and every kind of record that can hold their data."""
	NAME, PHONE, FORMS = identity()
	spaced = f"0{FORMS[2][2:5]} {FORMS[2][5:9]} {FORMS[2][9:]}"
	make_customer_user(email)
	contact = frappe.db.get_value("Contact", {"email_id": email})
	c = frappe.get_doc("Contact", contact)
	c.first_name, c.last_name = NAME
	c.append("phone_nos", {"phone": PHONE, "is_primary_mobile_no": 1})
	c.append("phone_nos", {"phone": FORMS[0], "is_primary_phone": 1})
	c.save(ignore_permissions=True)
	contact = c.name
	doc = resolved_ticket(
		subject=f"Pesanan {' '.join(NAME)} belum sampai",
		description=f"Halo, saya {' '.join(NAME)} ({PHONE}, {email}).",
	)
	ticket = doc.name
	frappe.db.set_value("HD Ticket", ticket, {"raised_by": email, "contact": contact, "owner": email})
	comm = frappe.get_doc(
		{
			"doctype": "Communication",
			"communication_type": "Communication",
			"communication_medium": "Email",
			"sent_or_received": "Received",
			"subject": f"Re: {NAME[0]}",
			"content": f"Dari {' '.join(NAME)}, telepon {spaced} / {FORMS[2]}",
			"sender": email,
			"sender_full_name": " ".join(NAME),
			"reference_doctype": "HD Ticket",
			"reference_name": ticket,
		}
	).insert(ignore_permissions=True)
	text = f"{' '.join(NAME)} {PHONE}"
	files = [_file("HD Ticket", ticket, "ticket", text), _file("Communication", comm.name, "comm", text)]
	_insert(
		{
			"doctype": "Comment",
			"comment_type": "Comment",
			"reference_doctype": "HD Ticket",
			"reference_name": ticket,
			"comment_email": email,
			"comment_by": " ".join(NAME),
			"content": f"Pelanggan {NAME[1]} minta telepon balik ke {FORMS[1]}",
		}
	)
	_insert({"doctype": "HD Ticket Activity", "ticket": ticket, "action": f"{email} menambahkan lampiran"})
	_insert(
		{
			"doctype": "Version",
			"ref_doctype": "HD Ticket",
			"docname": ticket,
			"data": frappe.as_json({"changed": [["raised_by", email, "x"]]}),
		}
	)
	_insert(
		{
			"doctype": "Notification Log",
			"for_user": "Administrator",
			"type": "Alert",
			"document_type": "HD Ticket",
			"document_name": ticket,
			"subject": f"{' '.join(NAME)} membalas tiket",
			"email_content": f"Komentar survei dari {email}",
		}
	)
	queue = _insert(
		{
			"doctype": "Email Queue",
			"sender": "cs-sop-support@example.com",
			"message": f"Yth. {' '.join(NAME)}, mohon isi survei",
			"status": "Not Sent",
			"reference_doctype": "HD Ticket",
			"reference_name": ticket,
		}
	)
	_insert(
		{
			"doctype": "Email Queue Recipient",
			"parent": queue,
			"parenttype": "Email Queue",
			"parentfield": "recipients",
			"recipient": email,
			"status": "Not Sent",
		}
	)
	esc = _insert(
		{
			"doctype": "SOP Escalation",
			"ticket": ticket,
			"level": 2,
			"status": "Resolved",
			"reason": "Complexity",
			"subject": doc.subject,
			"case_summary": f"{NAME[0]} marah, hubungi {FORMS[0]}",
		}
	)
	sol = _insert(
		{
			"doctype": "SOP Solution",
			"ticket": ticket,
			"status": "Sent",
			"subject": doc.subject,
			"description": f"<p>Bapak/Ibu {' '.join(NAME)}, paket dikirim ulang ke {email}</p>",
		}
	)
	wa = _insert(
		{
			"doctype": "SOP WhatsApp Message",
			"ticket": ticket,
			"direction": "Inbound",
			"phone": FORMS[2],
			"message_type": "text",
			"wa_message_id": f"wamid.pdp.{ticket}",
			"body": f"Saya {' '.join(NAME)}",
			"status": "Received",
		}
	)
	event = _insert(
		{
			"doctype": "SOP WhatsApp Event",
			"status": "Processed",
			# a webhook of the conversation: as old as the ticket, so past the retention too
			"received_at": add_days(now_datetime(), -(365 * 3)),
			"payload": frappe.as_json({"from": FORMS[2], "text": "halo"}),
		}
	)
	if closed:
		t = frappe.get_doc("HD Ticket", ticket)
		t.status = "Closed"
		t.save(ignore_permissions=True)
		s = frappe.db.get_value("SOP Survey", {"ticket": ticket})
		answers.submit(survey.token_of(s), 2, "No", low_score_reason=f"{NAME[0]} kecewa, {FORMS[0]}")
		frappe.db.set_value("SOP Survey", s, "comment", f"Hubungi {email}")
	return frappe._dict(
		email=email,
		contact=contact,
		ticket=ticket,
		comm=comm.name,
		files=files,
		queue=queue,
		escalation=esc,
		solution=sol,
		whatsapp=wa,
		event=event,
		name=NAME,
		phone=PHONE,
		forms=FORMS,
		spaced=spaced,
	)


def terms_of(s) -> tuple[str, ...]:
	return (s.email, *s.forms, s.spaced, s.phone, s.name[1])


class TestRetentionCoverage(ClosureCase):
	def test_job_run_twice_leaves_no_trace(self):
		s = seed(f"cs-sop-pdp-job-{frappe.generate_hash(length=6)}@example.com")
		self.assertTrue(traces(*terms_of(s)))
		frappe.db.set_value("HD Ticket", s.ticket, "sop_retention_until", add_days(today(), -1))
		first = privacy.anonymise_due(commit=False)
		self.assertGreaterEqual(first["tickets"], 1)
		self.assertGreaterEqual(first["files"], 2)
		self.assertGreaterEqual(first["contacts"], 1)
		self.assertGreaterEqual(first["users"], 1)
		second = privacy.anonymise_due(commit=False)
		self.assertEqual(second["tickets"], 0)
		# the agents' notification emails (no reference to the ticket) are gone long before the
		# retention ends: Frappe clears the outbox after 30 days (Log Settings); so here
		Q = frappe.qb.DocType("Email Queue")
		frappe.qb.update(Q).set(Q.modified, add_days(now_datetime(), -40)).where(
			Q.reference_doctype.isnull()
		).run()
		from frappe.email.doctype.email_queue.email_queue import EmailQueue

		EmailQueue.clear_old_logs(days=30)
		self.assertEqual(traces(*terms_of(s)), {})
		for _name, path in s.files:
			self.assertFalse(os.path.exists(path), path)
		self.assertFalse(frappe.db.exists("Contact", s.contact))
		self.assertFalse(frappe.db.exists("User", s.email))
		self.assertFalse(frappe.db.exists("Notification Log", {"document_name": s.ticket}))
		self.assertFalse(frappe.db.exists("Email Queue", s.queue))
		# what the reports need stays
		t = frappe.db.get_value(
			"HD Ticket", s.ticket, ["status", "ticket_type", "sop_closed_on"], as_dict=True
		)
		self.assertEqual((t.status, t.ticket_type), ("Closed", "Pengiriman"))
		self.assertTrue(t.sop_closed_on)
		self.assertEqual(frappe.db.get_value("SOP Survey", {"ticket": s.ticket}, "csat"), 2)
		self.assertEqual(frappe.db.get_value("SOP Escalation", s.escalation, "level"), 2)

	def test_a_crashed_batch_changes_nothing_and_the_rerun_finishes(self):
		from unittest.mock import patch

		s = seed(f"cs-sop-pdp-crash-{frappe.generate_hash(length=6)}@example.com")
		frappe.db.set_value("HD Ticket", s.ticket, "sop_retention_until", add_days(today(), -1))
		# committed, as real tickets are: a killed worker's transaction rolls back to this state
		# (not a savepoint: MariaDB 10.11 aborts on full-text indexed rows changed across one)
		frappe.db.commit()
		with patch.object(scrub, "delete_files", side_effect=RuntimeError("worker killed")):
			with self.assertRaises(RuntimeError):
				privacy.anonymise_due(commit=False)
		frappe.db.rollback()
		self.assertEqual(frappe.db.get_value("HD Ticket", s.ticket, "raised_by"), s.email)
		self.assertTrue(frappe.db.exists("Contact", s.contact))
		for _name, path in s.files:
			self.assertTrue(os.path.exists(path), path)
		self.assertGreaterEqual(privacy.anonymise_due(commit=False)["tickets"], 1)
		self.assertEqual(frappe.db.get_value("HD Ticket", s.ticket, "raised_by"), privacy.ANON_EMAIL)
		self.assertFalse(frappe.db.exists("Contact", s.contact))
		self.assertEqual(traces(s.email, *s.forms), {})
		frappe.db.commit()  # nothing personal left behind on the test site

	def test_portal_user_linked_elsewhere_is_disabled_and_renamed(self):
		s = seed(f"cs-sop-pdp-linked-{frappe.generate_hash(length=6)}@example.com")
		# a document that links to the user keeps Frappe from deleting it
		frappe.db.set_value("SOP Escalation", s.escalation, "escalated_by", s.email)
		frappe.db.set_value("HD Ticket", s.ticket, "sop_retention_until", add_days(today(), -1))
		privacy.anonymise_due(commit=False)
		self.assertFalse(frappe.db.exists("User", s.email))
		renamed = frappe.db.get_value("SOP Escalation", s.escalation, "escalated_by")
		self.assertTrue(renamed.startswith("anonymised-"), renamed)
		user = frappe.db.get_value("User", renamed, ["enabled", "first_name", "email"], as_dict=True)
		self.assertEqual((user.enabled, user.first_name, user.email), (0, privacy.ANON_NAME, renamed))
		self.assertEqual(traces(s.email), {})

	def test_contact_kept_while_a_newer_ticket_needs_it(self):
		s = seed(f"cs-sop-pdp-keep-{frappe.generate_hash(length=6)}@example.com")
		newer = resolved_ticket(subject="Pesanan kedua")
		frappe.db.set_value("HD Ticket", newer.name, {"raised_by": s.email, "contact": s.contact})
		frappe.db.set_value("HD Ticket", s.ticket, "sop_retention_until", add_days(today(), -1))
		counts = privacy.anonymise_due(commit=False)
		self.assertGreaterEqual(counts["tickets"], 1)
		self.assertTrue(frappe.db.exists("Contact", s.contact))
		self.assertTrue(frappe.db.exists("User", s.email))
		self.assertEqual(frappe.db.get_value("HD Ticket", s.ticket, "raised_by"), privacy.ANON_EMAIL)

	def test_sql_phone_pattern_is_the_pure_one(self):
		for value in (
			"+62 813-1111-2222",
			"0812-3456-7890",
			"6221 555 1234",
			"(021) 555.1234",
			"0062 811 000 111",
		):
			sql = frappe.db.sql(f"SELECT {scrub._phone('%(v)s')}", scrub.sql_params(v=value))[0][0]
			self.assertEqual(sql, rules.phone_pattern(rules.phone_forms(value)), value)
		for value in ("", "12", "abc"):
			sql = frappe.db.sql(f"SELECT {scrub._phone('%(v)s')}", scrub.sql_params(v=value))[0][0]
			self.assertEqual(sql, scrub.NEVER, value)


class TestDataSubjectRequest(ClosureCase):
	def setUp(self):
		super().setUp()
		make_user(MANAGER, "Manajer PDP", roles=("SOP Operations Manager",))

	def test_find_lists_what_was_seeded(self):
		s = seed(f"cs-sop-pdp-find-{frappe.generate_hash(length=6)}@example.com")
		frappe.set_user(MANAGER)
		for key in (s.email, *s.forms, s.phone, s.spaced):
			found = api_privacy.find_data(key)
			counts = {x["label"]: x for x in found["sections"]}
			self.assertIn(s.ticket, counts["Tickets"]["names"], key)
			self.assertIn(s.contact, counts["Contacts"]["names"], key)
			for label, name in (
				("Communications", s.comm),
				("Escalations", s.escalation),
				("Solutions", s.solution),
				("WhatsApp Messages", s.whatsapp),
				("Queued Emails", s.queue),
			):
				self.assertIn(name, counts[label]["names"], (key, label))
			self.assertGreaterEqual(counts["Files"]["count"], 2)
			self.assertGreaterEqual(counts["Surveys"]["count"], 1)
			log = frappe.db.get_value(
				"SOP Data Subject Request", found["log"], ["action", "subject_masked", "counts"], as_dict=True
			)
			self.assertEqual(log.action, "Find")
			self.assertNotIn(s.email, str(log))
			self.assertIn(s.email, counts["Portal Users"]["names"], key)

	def test_erase_needs_confirmation_for_open_tickets_then_leaves_no_trace(self):
		s = seed(f"cs-sop-pdp-erase-{frappe.generate_hash(length=6)}@example.com", closed=False)
		frappe.set_user(MANAGER)
		before = frappe.db.count("SOP Data Subject Request")
		with self.assertRaises(frappe.ValidationError):
			api_privacy.erase_data(s.email)
		self.assertEqual(frappe.db.get_value("HD Ticket", s.ticket, "raised_by"), s.email)
		self.assertEqual(frappe.db.count("SOP Data Subject Request"), before)
		result = api_privacy.erase_data(s.email, include_open_tickets=True)
		self.assertTrue(result["counts"])
		frappe.set_user("Administrator")
		self.assertEqual(traces(*terms_of(s)), {})
		for _name, path in s.files:
			self.assertFalse(os.path.exists(path), path)
		log = frappe.get_doc("SOP Data Subject Request", result["log"])
		self.assertEqual((log.action, log.requested_by, log.include_open_tickets), ("Erase", MANAGER, 1))
		self.assertEqual(log.subject_masked, rules.mask(rules.subject_key(s.email)))

	def test_erase_by_phone(self):
		s = seed(f"cs-sop-pdp-phone-{frappe.generate_hash(length=6)}@example.com")
		frappe.set_user(MANAGER)
		api_privacy.erase_data(s.spaced)
		frappe.set_user("Administrator")
		self.assertEqual(traces(*s.forms, s.spaced, s.phone), {})
		self.assertFalse(frappe.db.exists("Contact", s.contact))

	def test_staff_and_bad_keys_refused(self):
		make_agent()
		frappe.set_user(MANAGER)
		with self.assertRaises(frappe.ValidationError):
			api_privacy.find_data("bukan kunci")
		with self.assertRaises(frappe.ValidationError):
			api_privacy.erase_data("cs-sop-agent@example.com")
		self.assertTrue(frappe.db.exists("User", "cs-sop-agent@example.com"))

	def test_log_cannot_be_written_directly(self):
		frappe.set_user("Administrator")
		with self.assertRaises(frappe.ValidationError):
			frappe.get_doc({"doctype": "SOP Data Subject Request", "action": "Erase"}).insert()


class TestDataSubjectRest(FrappeTestCase):
	"""Over HTTP: an agent, a portal customer and a guest are refused with nothing written; the
	manager finds and erases."""

	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		frappe.set_user("Administrator")
		ClosureCase.setUp(cls)
		make_user(MANAGER, "Manajer PDP", roles=("SOP Operations Manager",))
		make_user(REST_AGENT, "Agen PDP", roles=("Agent",))
		cls.email = f"cs-sop-pdp-rest-{frappe.generate_hash(length=6)}@example.com"
		cls.seeded = seed(cls.email)
		frappe.db.commit()  # the served site is another connection
		cls.clients = {
			"agent": Client(REST_AGENT, PASSWORD),
			"customer": Client(cls.email, PASSWORD),
			"guest": Client(),
		}

	def logs(self) -> int:
		frappe.db.rollback()
		return frappe.db.count("SOP Data Subject Request")

	def test_1_others_are_refused_with_nothing_written(self):
		before = self.logs()
		for who, client in self.clients.items():
			for method in ("find_data", "erase_data"):
				r = client.method(f"cs_sop.api.privacy.{method}", key=self.email)
				self.assertIn(r.status_code, (401, 403), (who, method, r.text))
				if who != "guest":  # a guest is stopped by Frappe before the method runs
					self.assertIn("Only a System Manager or an SOP Operations Manager", error_text(r))
				# nothing found is returned (a ticket name is a short number: not searched in the text,
				# where any hash may contain it)
				body = r.json() if "json" in r.headers.get("content-type", "") else {}
				self.assertNotIn("message", body, (who, method))
			r = client.post("/api/resource/SOP Data Subject Request", json={"action": "Erase"})
			self.assertIn(r.status_code, (401, 403, 417), (who, r.text))
		self.assertEqual(self.logs(), before)
		self.assertEqual(frappe.db.get_value("HD Ticket", self.seeded.ticket, "raised_by"), self.email)
		self.assertTrue(frappe.db.exists("Contact", self.seeded.contact))

	def test_2_manager_finds_then_erases(self):
		manager = Client(MANAGER, PASSWORD)
		r = manager.method("cs_sop.api.privacy.find_data", key=self.email)
		self.assertEqual(r.status_code, 200, error_text(r))
		labels = {s["label"]: s["count"] for s in r.json()["message"]["sections"]}
		self.assertGreaterEqual(labels["Tickets"], 1)
		r = manager.method("cs_sop.api.privacy.erase_data", key=self.email)
		self.assertEqual(r.status_code, 200, error_text(r))
		frappe.db.rollback()
		self.assertEqual(traces(*terms_of(self.seeded)), {})
