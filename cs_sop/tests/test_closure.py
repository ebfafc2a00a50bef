"""Closure form, customer confirmation (link, portal, agent) and automatic closure."""

from datetime import timedelta

import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils import now_datetime

from cs_sop.closure import actions, auto_close, confirmation
from cs_sop.core import confirmation as rules
from cs_sop.tests.utils import (
	AGENT,
	agent_reply,
	classify,
	ensure_email_account,
	make_agent,
	make_customer_user,
	make_ticket,
	solution_sent,
)

CUSTOMER = "cs-sop-closure-customer@example.com"
OTHER = "cs-sop-closure-other@example.com"


def resolved_ticket(request_type="Complaint", **values):
	"""A classified, answered ticket resolved with its closure form filled in."""
	doc = make_ticket(raised_by=CUSTOMER, **classify(sop_request_type=request_type), **values)
	agent_reply(doc.name)
	doc = frappe.get_doc("HD Ticket", doc.name)
	doc.resolution_details = "<p>Paket dikirim ulang dengan kurir lain.</p>"
	doc.sop_root_cause = "Alamat salah di sistem kurir"
	doc.status = "Resolved"
	doc.save(ignore_permissions=True)
	return frappe.get_doc("HD Ticket", doc.name)


def queued_to(email: str, contains: str) -> list[str]:
	Q = frappe.qb.DocType("Email Queue")
	R = frappe.qb.DocType("Email Queue Recipient")
	rows = (
		frappe.qb.from_(Q)
		.join(R)
		.on(R.parent == Q.name)
		.select(Q.message)
		.where(R.recipient == email)
		.orderby(Q.creation)
		.run(pluck=True)
	)
	return [m for m in rows if contains in (m or "")]


def token_of(url: str) -> str:
	return url.split("?")[0].rsplit("/", 1)[1]


class ClosureCase(FrappeTestCase):
	def setUp(self):
		ensure_email_account()
		make_agent()
		make_customer_user(CUSTOMER)
		make_customer_user(OTHER)
		frappe.db.set_single_value(
			"SOP Settings", {"confirmation_days": 3, "survey_enabled": 1, "survey_delay_minutes": 0}
		)
		frappe.clear_document_cache("SOP Settings", "SOP Settings")

	def tearDown(self):
		frappe.set_user("Administrator")
		frappe.db.rollback()


class TestClosureForm(ClosureCase):
	def test_complaint_needs_summary_and_root_cause(self):
		doc = make_ticket(raised_by=CUSTOMER, **classify())
		agent_reply(doc.name)
		frappe.set_user(AGENT)
		doc = frappe.get_doc("HD Ticket", doc.name)
		doc.status = "Resolved"
		with self.assertRaises(frappe.ValidationError) as e:
			doc.save()
		self.assertIn("Resolution Summary", str(e.exception))
		self.assertIn("Root Cause", str(e.exception))
		doc = frappe.get_doc("HD Ticket", doc.name)
		doc.resolution_details = "<p>Diganti baru</p>"
		doc.status = "Resolved"
		with self.assertRaises(frappe.ValidationError) as e:
			doc.save()
		self.assertNotIn("Resolution Summary", str(e.exception))
		self.assertIn("Root Cause", str(e.exception))
		self.assertEqual(frappe.db.get_value("HD Ticket", doc.name, "status"), "Open")

	def test_other_request_types_need_a_summary_only(self):
		doc = make_ticket(raised_by=CUSTOMER, **classify(sop_request_type="Question"))
		agent_reply(doc.name)
		frappe.set_user(AGENT)
		doc = frappe.get_doc("HD Ticket", doc.name)
		doc.status = "Closed"
		doc.resolution_details = "<p><br></p>"
		with self.assertRaises(frappe.ValidationError):
			doc.save()
		doc = frappe.get_doc("HD Ticket", doc.name)
		doc.resolution_details = "<p>Sudah dijawab: jam buka 08.00</p>"
		doc.status = "Resolved"
		doc.save()
		self.assertEqual(frappe.db.get_value("HD Ticket", doc.name, "sop_stage"), "Resolved")

	def test_message_in_indonesian(self):
		doc = make_ticket(raised_by=CUSTOMER, **classify())
		agent_reply(doc.name)
		frappe.set_user(AGENT)
		frappe.local.lang = "id"
		try:
			doc = frappe.get_doc("HD Ticket", doc.name)
			doc.status = "Resolved"
			with self.assertRaises(frappe.ValidationError) as e:
				doc.save()
			self.assertIn("Akar Masalah", str(e.exception))
		finally:
			frappe.local.lang = "en"

	def test_resolve_api_fills_the_form(self):
		doc = make_ticket(raised_by=CUSTOMER, **classify())
		agent_reply(doc.name)
		solution_sent(doc.name)  # a complaint of this category is resolved once its solution was sent
		frappe.set_user(AGENT)
		with self.assertRaises(frappe.ValidationError):
			actions.resolve(doc.name, "<p>Diganti</p>", "")
		actions.resolve(doc.name, "<p>Diganti</p><script>alert(1)</script>", "Stok rusak")
		row = frappe.db.get_value(
			"HD Ticket", doc.name, ["status", "resolution_details", "sop_root_cause"], as_dict=True
		)
		self.assertEqual(row.status, "Resolved")
		self.assertNotIn("<script", row.resolution_details)
		self.assertEqual(row.sop_root_cause, "Stok rusak")


class TestConfirmation(ClosureCase):
	def test_resolution_asks_the_customer(self):
		before = now_datetime()
		doc = resolved_ticket()
		self.assertEqual(doc.sop_resolution_confirmed, rules.AWAITING)
		self.assertGreaterEqual(doc.sop_confirmation_requested_on, before.replace(microsecond=0))
		self.assertGreater(doc.sop_confirmation_due, doc.sop_confirmation_requested_on + timedelta(days=2))
		mails = queued_to(CUSTOMER, f"/sop-confirm/{doc.name}/")
		self.assertEqual(len(mails), 1)
		self.assertIn("Paket dikirim ulang", mails[0])

	def links(self, doc):
		yes = confirmation.confirmation_url(doc.name, doc.sop_confirmation_requested_on, "yes")
		return token_of(yes)

	def test_yes_closes_and_sends_the_survey(self):
		doc = resolved_ticket()
		state = confirmation.confirm_by_token(doc.name, self.links(doc), True)
		self.assertEqual(state, rules.CONFIRMED)
		row = frappe.db.get_value(
			"HD Ticket",
			doc.name,
			["status", "sop_stage", "sop_resolution_confirmed", "sop_confirmation_via", "sop_closed_on"],
			as_dict=True,
		)
		self.assertEqual((row.status, row.sop_stage), ("Closed", "Closed"))
		self.assertEqual(
			(row.sop_resolution_confirmed, row.sop_confirmation_via), ("Confirmed", "Email Link")
		)
		self.assertTrue(row.sop_closed_on)
		self.assertEqual(frappe.db.count("SOP Survey", {"ticket": doc.name}), 1)
		self.assertEqual(len(queued_to(CUSTOMER, "/sop-survey/")) >= 1, True)
		# the same link again: already answered, nothing changes
		with self.assertRaises(frappe.ValidationError):
			confirmation.confirm_by_token(doc.name, self.links(doc), True)

	def test_no_reopens_with_the_reason_as_a_reply(self):
		doc = resolved_ticket()
		reason = "Paket belum sampai <script>alert('x')</script>"
		state = confirmation.confirm_by_token(doc.name, self.links(doc), False, reason)
		self.assertEqual(state, rules.NOT_RESOLVED)
		row = frappe.db.get_value(
			"HD Ticket",
			doc.name,
			["status_category", "sop_stage", "sop_resolution_confirmed", "sop_escalation_level"],
			as_dict=True,
		)
		self.assertEqual(row.status_category, "Open")
		self.assertEqual(row.sop_stage, "Initial Handling")
		self.assertEqual(row.sop_resolution_confirmed, "Not Resolved")
		self.assertEqual(row.sop_escalation_level, 0)
		reply = frappe.get_all(
			"Communication",
			filters={"reference_name": doc.name, "sent_or_received": "Received"},
			fields=["content", "sender"],
		)
		self.assertEqual(len(reply), 1)
		self.assertEqual(reply[0].sender, CUSTOMER)
		self.assertIn("Paket belum sampai", reply[0].content)
		self.assertNotIn("<script", reply[0].content)

	def test_no_needs_a_reason(self):
		doc = resolved_ticket()
		with self.assertRaises(frappe.ValidationError):
			confirmation.confirm_by_token(doc.name, self.links(doc), False, "  ")
		self.assertEqual(frappe.db.get_value("HD Ticket", doc.name, "status"), "Resolved")

	def test_forged_and_stale_links_refused(self):
		doc = resolved_ticket()
		token = self.links(doc)
		forged = ("A" if token[0] != "A" else "B") + token[1:]
		for ticket, tok in ((doc.name, forged), (doc.name, "short"), (doc.name, token + "x")):
			with self.assertRaises(frappe.PermissionError):
				confirmation.confirm_by_token(ticket, tok, True)
		other = resolved_ticket()
		with self.assertRaises(frappe.PermissionError):
			confirmation.confirm_by_token(other.name, token, True)  # another ticket's link
		# resolved again later: the first link no longer works
		confirmation.confirm_by_token(doc.name, token, False, "Belum")
		doc = frappe.get_doc("HD Ticket", doc.name)
		doc.status = "Resolved"
		doc.save(ignore_permissions=True)
		with self.assertRaises(frappe.PermissionError):
			confirmation.confirm_by_token(doc.name, token, True)
		self.assertEqual(frappe.db.get_value("HD Ticket", doc.name, "status"), "Resolved")

	def test_portal_customer_confirms_own_ticket_only(self):
		doc = resolved_ticket()
		frappe.set_user(OTHER)
		with self.assertRaises(frappe.PermissionError):
			confirmation.confirm(doc.name, True)
		frappe.set_user(CUSTOMER)
		self.assertEqual(confirmation.confirm(doc.name, True), rules.CONFIRMED)
		frappe.set_user("Administrator")
		self.assertEqual(frappe.db.get_value("HD Ticket", doc.name, "sop_confirmation_via"), "Portal")

	def test_customer_cannot_confirm_an_open_ticket(self):
		doc = make_ticket(raised_by=CUSTOMER, **classify())
		frappe.set_user(CUSTOMER)
		with self.assertRaises(frappe.ValidationError):
			confirmation.confirm(doc.name, True)

	def test_agent_records_a_phone_confirmation(self):
		doc = resolved_ticket()
		frappe.set_user(AGENT)
		with self.assertRaises(frappe.ValidationError):
			confirmation.confirm(doc.name, True)  # how the customer answered is required
		self.assertEqual(confirmation.confirm(doc.name, True, via="Phone"), rules.CONFIRMED)
		frappe.set_user("Administrator")
		self.assertEqual(frappe.db.get_value("HD Ticket", doc.name, "sop_confirmation_via"), "Phone")


class TestAutoClose(ClosureCase):
	def test_unanswered_resolutions_close_once(self):
		doc = resolved_ticket()
		later = resolved_ticket()
		past = now_datetime() - timedelta(minutes=1)
		frappe.db.set_value("HD Ticket", doc.name, "sop_confirmation_due", past, update_modified=False)
		only = [doc.name, later.name]
		self.assertEqual(auto_close.auto_close_unconfirmed(only=only), 1)
		self.assertEqual(auto_close.auto_close_unconfirmed(only=only), 0)
		row = frappe.db.get_value(
			"HD Ticket",
			doc.name,
			["status", "sop_stage", "sop_resolution_confirmed", "sop_survey_due", "sop_retention_until"],
			as_dict=True,
		)
		self.assertEqual(
			(row.status, row.sop_stage, row.sop_resolution_confirmed), ("Closed", "Closed", "No Reply")
		)
		self.assertTrue(row.sop_survey_due and row.sop_retention_until)
		self.assertTrue(
			frappe.db.exists(
				"HD Ticket Activity", {"ticket": doc.name, "action": ("like", "%automatically%")}
			)
		)
		self.assertEqual(frappe.db.get_value("HD Ticket", later.name, "status"), "Resolved")

	def test_helpdesk_own_close_is_recorded(self):
		doc = resolved_ticket()
		doc.status = "Closed"
		doc.flags.ignore_validate = True  # as Helpdesk's inactivity job saves
		doc.save(ignore_permissions=True)
		row = frappe.db.get_value(
			"HD Ticket",
			doc.name,
			["sop_resolution_confirmed", "sop_closed_on", "sop_retention_until"],
			as_dict=True,
		)
		self.assertEqual(row.sop_resolution_confirmed, "No Reply")
		self.assertTrue(row.sop_closed_on and row.sop_retention_until)


class TestResaveIsNotAResolution(ClosureCase):
	def tearDown(self):
		frappe.set_user("Administrator")
		frappe.db.rollback()

	def test_resave_of_a_resolved_ticket_needs_no_closure_form(self):
		# as Helpdesk's holiday-list update re-saves every ticket: same status, stale category
		t = make_ticket(**classify(sop_request_type="Question"))
		frappe.db.set_value(
			"HD Ticket", t.name, {"status": "Resolved", "status_category": "Open"}, update_modified=False
		)
		frappe.get_doc("HD Ticket", t.name).save(ignore_permissions=True)
		self.assertEqual(frappe.db.get_value("HD Ticket", t.name, "status_category"), "Resolved")
