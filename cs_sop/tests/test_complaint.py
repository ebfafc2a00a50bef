"""Complaint procedure: notices, solution proposals, approval, delivery, KB draft."""

from datetime import datetime, timedelta
from unittest.mock import patch

import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils import get_datetime, now_datetime

from cs_sop.api import complaint as api_complaint
from cs_sop.complaint import approval, notices, templates
from cs_sop.core.id_dates import format_datetime
from cs_sop.tests.utils import (
	AGENT,
	classify,
	ensure_email_account,
	make_agent,
	make_team,
	make_ticket,
	make_user,
)

CATEGORY = "Uji Keluhan SOP"
TEAM = "Tim Uji Keluhan"
PROPOSER = "cs-sop-h11-team@example.com"  # member of the category's team
HEAD = "cs-sop-h11-head@example.com"  # department head of the category
OUTSIDER = "cs-sop-h11-outsider@example.com"  # an agent not in the team
MANAGER = "cs-sop-h11-opsman@example.com"
SUPERVISOR = "cs-sop-h11-supervisor@example.com"
CUSTOMER = "cs-sop-h11-customer@example.com"


def setup_people():
	ensure_email_account()
	make_agent()
	for user, name in ((PROPOSER, "Tim Terkait"), (HEAD, "Kepala Bidang"), (OUTSIDER, "Agen Lain")):
		make_user(user, name, roles=("Agent",))
		if not frappe.db.exists("HD Agent", user):
			frappe.get_doc({"doctype": "HD Agent", "user": user, "agent_name": name}).insert(
				ignore_permissions=True
			)
	make_user(MANAGER, "Manajer", roles=("SOP Operations Manager",))
	make_user(SUPERVISOR, "Supervisor", roles=("Agent", "SOP Supervisor"))
	make_team(TEAM, [PROPOSER])
	if not frappe.db.exists("HD Ticket Type", CATEGORY):
		doc = frappe.new_doc("HD Ticket Type")
		doc.name = CATEGORY
		doc.insert(ignore_permissions=True)
	frappe.db.set_value(
		"HD Ticket Type",
		CATEGORY,
		{
			"sop_complaint_type": "Service",
			"sop_default_team": TEAM,
			"sop_approver": HEAD,
			"sop_approver_role": None,
		},
	)
	frappe.clear_document_cache("HD Ticket Type", CATEGORY)
	frappe.db.set_single_value(
		"SOP Settings",
		{
			"send_complaint_acknowledgement": 1,
			"send_out_of_hours_reply": 1,
			"approval_reminder_hours": 4,
			"approval_escalation_hours": 8,
		},
	)


def complaint(raised_by: str = CUSTOMER, **values):
	return make_ticket(raised_by=raised_by, **classify(ticket_type=CATEGORY, **values))


def queued(ticket: str) -> int:
	return frappe.db.count("Email Queue", {"reference_doctype": "HD Ticket", "reference_name": ticket})


class ComplaintCase(FrappeTestCase):
	def setUp(self):
		frappe.set_user("Administrator")
		setup_people()
		# these tests count the complaint notices; every new ticket's receipt is test_receipt's
		frappe.db.set_single_value("SOP Settings", "send_receipt", 0)

	def tearDown(self):
		frappe.set_user("Administrator")
		frappe.db.rollback()


class TestAcknowledgement(ComplaintCase):
	def test_sent_once_with_number_category_and_target(self):
		with patch(
			"cs_sop.messaging.send_to_customer",
			wraps=__import__("cs_sop.messaging").messaging.send_to_customer,
		) as send:
			t = complaint()
			self.assertEqual(send.call_count, 1)
			ticket, subject, body = send.call_args.args[:3]
		self.assertEqual(ticket, t.name)
		self.assertIn(f"#{t.name}", subject)
		self.assertIn(CATEGORY, body)
		target = format_datetime(get_datetime(t.resolution_by), "id", "Asia/Jakarta")
		self.assertIn(f"paling lambat {target}", body)
		self.assertRegex(
			target, r"^(Senin|Selasa|Rabu|Kamis|Jumat|Sabtu|Minggu), \d+ \w+ \d{4} pukul \d\d\.\d\d WIB$"
		)
		self.assertEqual(queued(t.name), 1)
		self.assertTrue(frappe.db.get_value("HD Ticket", t.name, "sop_ack_notice_sent_on"))
		# saves, reruns and a stale copy never send again
		t.reload()
		t.sop_impact = "Low"
		t.save()
		self.assertFalse(notices.send_acknowledgement(t.name))
		self.assertEqual(queued(t.name), 1)

	def test_stale_copy_keeps_the_markers(self):
		# the markers are written without `modified`: an agent's open copy saves after them
		frappe.db.set_single_value("SOP Settings", "send_complaint_acknowledgement", 0)
		t = complaint()
		stale = frappe.get_doc("HD Ticket", t.name)
		frappe.db.set_single_value("SOP Settings", "send_complaint_acknowledgement", 1)
		self.assertTrue(notices.send_acknowledgement(t.name))
		self.assertTrue(notices.after_customer_message(t.name, SUNDAY_NIGHT))
		stale.subject = "Subjek diubah"
		stale.save()
		row = frappe.db.get_value("HD Ticket", t.name, ["sop_ack_notice_sent_on", "sop_ooh_reply_period"])
		self.assertTrue(all(row), row)
		self.assertEqual(queued(t.name), 2)  # acknowledgement + out-of-hours reply, no second one

	def test_questions_and_uncategorised_complaints_get_none(self):
		q = make_ticket(raised_by=CUSTOMER, **classify(ticket_type=CATEGORY, sop_request_type="Question"))
		u = make_ticket(raised_by=CUSTOMER, sop_request_type="Complaint")
		self.assertEqual((queued(q.name), queued(u.name)), (0, 0))

	def test_switched_off(self):
		frappe.db.set_single_value("SOP Settings", "send_complaint_acknowledgement", 0)
		self.assertEqual(queued(complaint().name), 0)


SUNDAY_NIGHT = datetime(2026, 11, 29, 3, 0)  # Sunday: closed; opens Monday 30 Nov 08:00
MONDAY_MORNING = datetime(2026, 11, 30, 9, 0)


class TestOutOfHours(ComplaintCase):
	def ticket(self):
		t = complaint()
		return t.name, queued(t.name)

	def test_one_reply_per_closed_period_never_in_hours(self):
		name, base = self.ticket()
		with patch("cs_sop.messaging.send_to_customer", return_value=True) as send:
			self.assertTrue(notices.after_customer_message(name, SUNDAY_NIGHT))
			body = send.call_args.args[2]
			self.assertIn("Kami akan membalas pada hari Senin, 30 November 2026 pukul 08.00 WIB", body)
			self.assertFalse(notices.after_customer_message(name, SUNDAY_NIGHT + timedelta(hours=2)))
			self.assertFalse(notices.after_customer_message(name, MONDAY_MORNING))
			# Monday evening is another closed period
			self.assertTrue(notices.after_customer_message(name, datetime(2026, 11, 30, 18, 30)))
			self.assertEqual(send.call_count, 2)
		self.assertEqual(
			get_datetime(frappe.db.get_value("HD Ticket", name, "sop_ooh_reply_period")),
			datetime(2026, 12, 1, 8, 0),
		)

	def test_incoming_communication_triggers_the_reply(self):
		name, base = self.ticket()
		for when in (SUNDAY_NIGHT, SUNDAY_NIGHT + timedelta(minutes=5), MONDAY_MORNING):
			frappe.get_doc(
				{
					"doctype": "Communication",
					"communication_type": "Communication",
					"communication_medium": "Email",
					"sent_or_received": "Received",
					"content": "Halo, ada kabar?",
					"subject": "Re: tiket",
					"sender": CUSTOMER,
					"reference_doctype": "HD Ticket",
					"reference_name": name,
					"communication_date": when,
				}
			).insert(ignore_permissions=True)
		self.assertEqual(queued(name), base + 1)

	def test_holiday_is_closed(self):
		from cs_sop.sla.calendar import cached_calendar

		name, base = self.ticket()
		holiday = next(d for d in sorted(cached_calendar().holidays) if d.weekday() < 5 and d.year >= 2026)
		self.assertTrue(
			notices.after_customer_message(
				name, datetime.combine(holiday, datetime.min.time()) + timedelta(hours=10)
			)
		)
		self.assertEqual(queued(name), base + 1)


class TestProgressUpdate(ComplaintCase):
	def test_send_resets_the_cadence(self):
		t = complaint()
		frappe.db.set_value(
			"HD Ticket",
			t.name,
			{"sop_update_misses": 2, "first_responded_on": now_datetime() - timedelta(days=3)},
		)
		base = queued(t.name)
		frappe.set_user(AGENT)
		preview = api_complaint.progress_update_preview(t.name)
		self.assertIn(f"#{t.name}", preview["subject"])
		self.assertIn("Status saat ini", preview["message"])
		api_complaint.send_progress_update(t.name, preview["message"] + "\n\nTambahan dari agen.")
		frappe.set_user("Administrator")
		row = frappe.db.get_value(
			"HD Ticket",
			t.name,
			["sop_update_misses", "sop_next_check", "last_agent_response", "sop_last_customer_update"],
			as_dict=True,
		)
		self.assertEqual(row.sop_update_misses, 0)
		self.assertTrue(row.sop_last_customer_update)
		self.assertGreater(get_datetime(row.sop_next_check), now_datetime())
		self.assertEqual(queued(t.name), base + 1)
		self.assertTrue(frappe.db.exists("HD Ticket Comment", {"reference_ticket": t.name}))

	def test_empty_text_refused(self):
		t = complaint()
		base = queued(t.name)
		frappe.set_user(AGENT)
		self.assertRaises(frappe.ValidationError, api_complaint.send_progress_update, t.name, "   ")
		frappe.set_user("Administrator")
		self.assertEqual(queued(t.name), base)


class TestSolutionFlow(ComplaintCase):
	def propose(self, ticket, text="Kirim ulang barang dengan kurir ekspres."):
		frappe.set_user(PROPOSER)
		name = api_complaint.propose(ticket, text, action_owner=PROPOSER, cost_impact="Ongkos kirim Rp50.000")
		frappe.set_user("Administrator")
		return name

	def as_user(self, user, fn, *args, **kwargs):
		frappe.set_user(user)
		try:
			return fn(*args, **kwargs)
		finally:
			frappe.set_user("Administrator")

	def test_propose_submit_approve_send(self):
		t = complaint()
		name = self.propose(t.name)
		other = self.propose(t.name, "Pengembalian dana penuh.")
		self.assertEqual(frappe.db.get_value("SOP Solution", name, "status"), "Proposed")
		out = self.as_user(AGENT, api_complaint.submit_for_approval, name)
		self.assertEqual((out["status"], out["approver_user"]), ("Pending Approval", HEAD))
		self.assertTrue(
			frappe.db.exists("ToDo", {"reference_name": name, "allocated_to": HEAD, "status": "Open"})
		)
		self.assertTrue(frappe.db.exists("Notification Log", {"document_name": name, "for_user": HEAD}))
		self.assertIn(name, [r.name for r in self.as_user(HEAD, api_complaint.waiting_for_my_approval)])
		# one submission per ticket at a time
		self.assertRaises(
			frappe.ValidationError, self.as_user, AGENT, api_complaint.submit_for_approval, other
		)
		# the proposer is not the approver
		with self.assertRaises(frappe.PermissionError) as refused:
			self.as_user(PROPOSER, api_complaint.approve, name)
		self.assertIn(HEAD, str(refused.exception))
		self.assertEqual(frappe.db.get_value("SOP Solution", name, "status"), "Pending Approval")
		# not sendable before approval
		self.assertRaises(frappe.ValidationError, self.as_user, AGENT, api_complaint.send_solution, name)
		self.as_user(HEAD, api_complaint.approve, name)
		sol = frappe.get_doc("SOP Solution", name)
		self.assertEqual((sol.status, sol.decided_by), ("Approved", HEAD))
		self.assertIsNotNone(sol.approval_wait_seconds)
		self.assertFalse(frappe.db.exists("ToDo", {"reference_name": name, "status": "Open"}))
		self.assertRaises(frappe.ValidationError, self.as_user, HEAD, api_complaint.approve, name)  # twice
		base = queued(t.name)
		self.as_user(AGENT, api_complaint.send_solution, name)
		self.assertEqual(frappe.db.get_value("SOP Solution", name, "status"), "Sent")
		self.assertEqual(frappe.db.get_value("HD Ticket", t.name, "sop_applied_solution"), name)
		self.assertEqual(queued(t.name), base + 1)
		self.assertRaises(
			frappe.ValidationError, self.as_user, AGENT, api_complaint.send_solution, name
		)  # twice
		self.assertEqual(queued(t.name), base + 1)
		# the register keeps category and complaint type
		self.assertEqual(
			frappe.db.get_value("HD Ticket", t.name, ["ticket_type", "sop_complaint_type"]),
			(CATEGORY, "Service"),
		)

	def test_rejection_needs_a_reason_and_blocks_sending(self):
		t = complaint()
		name = self.propose(t.name)
		self.as_user(AGENT, api_complaint.submit_for_approval, name)
		self.assertRaises(frappe.ValidationError, self.as_user, HEAD, api_complaint.reject, name, "  ")
		self.assertEqual(frappe.db.get_value("SOP Solution", name, "status"), "Pending Approval")
		self.as_user(HEAD, api_complaint.reject, name, "Biaya terlalu besar")
		row = frappe.db.get_value("SOP Solution", name, ["status", "rejection_reason"], as_dict=True)
		self.assertEqual((row.status, row.rejection_reason), ("Rejected", "Biaya terlalu besar"))
		with self.assertRaises(frappe.ValidationError) as refused:
			self.as_user(AGENT, api_complaint.send_solution, name)
		self.assertIn("rejected", str(refused.exception))
		# a new proposal may go up now
		again = self.propose(t.name, "Voucher belanja.")
		self.assertEqual(
			self.as_user(AGENT, api_complaint.submit_for_approval, again)["status"], "Pending Approval"
		)

	def test_only_the_related_team_proposes(self):
		t = complaint()
		self.assertRaises(
			frappe.PermissionError, self.as_user, OUTSIDER, api_complaint.propose, t.name, "Saya usul"
		)
		self.assertEqual(frappe.db.count("SOP Solution", {"ticket": t.name}), 0)
		# a supervisor (an agent with an SOP role) outside the team may
		self.assertTrue(self.as_user(SUPERVISOR, api_complaint.propose, t.name, "Usulan supervisor"))

	def test_frozen_after_submission_and_status_only_through_actions(self):
		t = complaint()
		name = self.propose(t.name)
		doc = frappe.get_doc("SOP Solution", name)
		doc.status = "Approved"
		self.assertRaises(frappe.ValidationError, doc.save)
		self.as_user(AGENT, api_complaint.submit_for_approval, name)
		doc = frappe.get_doc("SOP Solution", name)
		doc.description = "Diubah diam-diam"
		self.assertRaises(frappe.ValidationError, doc.save)

	def test_category_role_and_default_role(self):
		frappe.db.set_value("HD Ticket Type", CATEGORY, {"sop_approver": None, "sop_approver_role": None})
		frappe.clear_document_cache("HD Ticket Type", CATEGORY)
		t = complaint()
		name = self.propose(t.name)
		out = self.as_user(AGENT, api_complaint.submit_for_approval, name)
		self.assertEqual((out["approver_user"], out["approver_role"]), (None, "SOP Operations Manager"))
		self.as_user(MANAGER, api_complaint.approve, name)
		self.assertEqual(frappe.db.get_value("SOP Solution", name, "status"), "Approved")

	def test_knowledge_base_draft(self):
		t = complaint()
		name = self.propose(t.name)
		self.assertRaises(frappe.ValidationError, self.as_user, AGENT, api_complaint.create_kb_draft, name)
		self.as_user(AGENT, api_complaint.submit_for_approval, name)
		self.as_user(HEAD, api_complaint.approve, name)
		article = self.as_user(AGENT, api_complaint.create_kb_draft, name)
		row = frappe.db.get_value("HD Article", article, ["status", "category", "content"], as_dict=True)
		self.assertEqual(row.status, "Draft")
		self.assertEqual(frappe.db.get_value("HD Article Category", row.category, "category_name"), CATEGORY)
		self.assertNotIn("Rp50.000", row.content)  # the internal cost note stays internal
		self.assertEqual(frappe.db.get_value("SOP Solution", name, "kb_article"), article)
		self.assertRaises(frappe.ValidationError, self.as_user, AGENT, api_complaint.create_kb_draft, name)

	def test_approval_timeout_reminds_then_passes_to_the_manager(self):
		t = complaint()
		name = self.propose(t.name)
		self.as_user(AGENT, api_complaint.submit_for_approval, name)
		submitted = get_datetime(frappe.db.get_value("SOP Solution", name, "submitted_on"))
		late = submitted + timedelta(days=10)
		before = frappe.db.count("Notification Log", {"document_name": name, "for_user": HEAD})
		self.assertEqual(approval.approval_sweep(now=late, only=[name])["reminded"], 1)
		self.assertEqual(approval.approval_sweep(now=late, only=[name])["due"], 1)  # now the escalation step
		self.assertEqual(approval.approval_sweep(now=late, only=[name])["due"], 0)  # nothing left
		self.assertEqual(frappe.db.get_value("SOP Solution", name, "approval_stage"), 2)
		self.assertEqual(
			frappe.db.count("Notification Log", {"document_name": name, "for_user": HEAD}), before + 2
		)
		self.assertTrue(frappe.db.exists("Notification Log", {"document_name": name, "for_user": MANAGER}))
		self.as_user(MANAGER, api_complaint.approve, name)  # the manager took it over
		self.assertEqual(frappe.db.get_value("SOP Solution", name, "status"), "Approved")


class TestTemplates(ComplaintCase):
	def test_broken_template_falls_back_and_logs(self):
		frappe.db.set_value("Email Template", templates.ACKNOWLEDGEMENT, "response_html", "{{ ticket ")
		errors = frappe.db.count("Error Log")
		with patch("cs_sop.messaging.send_to_customer", return_value=True) as send:
			t = complaint()
		self.assertIn("paling lambat", send.call_args.args[2])
		self.assertIn(f"#{t.name}", send.call_args.args[1])
		self.assertEqual(frappe.db.count("Error Log"), errors + 1)

	def test_saving_a_broken_template_is_refused(self):
		doc = frappe.get_doc("Email Template", templates.OUT_OF_HOURS)
		doc.response_html = "{% if %}"
		self.assertRaises(frappe.ValidationError, doc.save)
		self.assertNotEqual(
			frappe.db.get_value("Email Template", templates.OUT_OF_HOURS, "response_html"), "{% if %}"
		)

	def test_no_outgoing_email_skips_without_failing(self):
		with patch("cs_sop.messaging.outgoing_email_ready", return_value=False):
			t = complaint()
		self.assertEqual(queued(t.name), 0)
		self.assertFalse(frappe.db.get_value("HD Ticket", t.name, "sop_ack_notice_sent_on"))
