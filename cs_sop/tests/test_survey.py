"""Satisfaction survey: sending, one per ticket, answers, bad input, reminder, expiry."""

from datetime import timedelta

import frappe
from frappe.utils import now_datetime

from cs_sop.api import survey as api_survey
from cs_sop.closure import answers, survey
from cs_sop.tests.test_closure import CUSTOMER, ClosureCase, resolved_ticket
from cs_sop.tests.utils import make_user

SUPERVISOR = "cs-sop-survey-supervisor@example.com"


def closed_ticket():
	doc = resolved_ticket()
	doc.status = "Closed"
	doc.save(ignore_permissions=True)
	return doc.name


def survey_of(ticket: str):
	return frappe.db.get_value("SOP Survey", {"ticket": ticket}, "*", as_dict=True)


class SurveyCase(ClosureCase):
	def setUp(self):
		super().setUp()
		make_user(SUPERVISOR, "Supervisor CS", roles=("SOP Supervisor",))

	def token(self, ticket: str) -> str:
		return survey.token_of(survey_of(ticket).name)


class TestSending(SurveyCase):
	def test_closing_sends_one_survey_at_once(self):
		ticket = closed_ticket()
		s = survey_of(ticket)
		self.assertEqual(s.status, "Sent")
		self.assertEqual((s.customer_email, s.category, s.csat, s.nps), (CUSTOMER, "Pengiriman", 0, -1))
		self.assertEqual(s.token_hash, survey.rules.hash_token(self.token(ticket)))
		self.assertNotIn(self.token(ticket), str(frappe.db.get_value("SOP Survey", s.name, "*")))
		# closing again (reopened by an agent, closed again) never makes a second survey
		doc = frappe.get_doc("HD Ticket", ticket)
		doc.status = "Open"
		doc.save(ignore_permissions=True)
		doc = frappe.get_doc("HD Ticket", ticket)
		doc.status = "Closed"
		doc.save(ignore_permissions=True)
		frappe.db.set_value("HD Ticket", ticket, "sop_survey_due", now_datetime(), update_modified=False)
		self.assertEqual(survey.send_due(only=[ticket]), 0)
		self.assertEqual(frappe.db.count("SOP Survey", {"ticket": ticket}), 1)

	def test_delay_then_job(self):
		frappe.db.set_single_value("SOP Settings", "survey_delay_minutes", 60)
		frappe.clear_document_cache("SOP Settings", "SOP Settings")
		ticket = closed_ticket()
		self.assertIsNone(survey_of(ticket))
		self.assertEqual(survey.send_due(only=[ticket]), 0)
		self.assertEqual(survey.send_due(now=now_datetime() + timedelta(minutes=61), only=[ticket]), 1)
		self.assertEqual(survey.send_due(now=now_datetime() + timedelta(minutes=62), only=[ticket]), 0)
		self.assertEqual(frappe.db.count("SOP Survey", {"ticket": ticket}), 1)


class TestAnswer(SurveyCase):
	def test_answer_fills_helpdesk_feedback(self):
		ticket = closed_ticket()
		answers.submit(self.token(ticket), "4", "Yes", "9", "2", "Cepat & ramah")
		s = survey_of(ticket)
		self.assertEqual((s.status, s.csat, s.nps, s.ces, s.problem_solved), ("Answered", 4, 9, 2, "Yes"))
		self.assertEqual(s.comment, "Cepat &amp; ramah")
		self.assertTrue(s.answered_on)
		t = frappe.db.get_value(
			"HD Ticket", ticket, ["feedback_rating", "feedback", "feedback_extra"], as_dict=True
		)
		self.assertAlmostEqual(t.feedback_rating, 0.8)
		self.assertEqual(frappe.db.get_value("HD Ticket Feedback Option", t.feedback, "rating"), 0.8)
		self.assertEqual(t.feedback_extra, "Cepat &amp; ramah")

	def test_optional_answers_left_empty(self):
		ticket = closed_ticket()
		answers.submit(self.token(ticket), 5, "Yes", "", None, "")
		s = survey_of(ticket)
		self.assertEqual((s.csat, s.nps, s.ces), (5, -1, 0))

	def test_token_is_single_use(self):
		ticket = closed_ticket()
		token = self.token(ticket)
		answers.submit(token, 5, "Yes")
		with self.assertRaises(frappe.ValidationError) as e:
			answers.submit(token, 1, "No")
		self.assertIn("already answered", str(e.exception))
		self.assertEqual(survey_of(ticket).csat, 5)

	def test_forged_and_expired_tokens_refused(self):
		ticket = closed_ticket()
		token = self.token(ticket)
		for bad in (
			"x" * 43,
			token[:-1],
			"",
			"../../etc/passwd",
			survey.rules.make_token("other", "survey", "SRV-1"),
		):
			with self.assertRaises(frappe.PermissionError):
				answers.submit(bad, 5, "Yes")
		frappe.db.set_value(
			"SOP Survey", survey_of(ticket).name, "expires_on", now_datetime() - timedelta(seconds=1)
		)
		with self.assertRaises(frappe.ValidationError) as e:
			answers.submit(token, 5, "Yes")
		self.assertIn("expired", str(e.exception))
		self.assertEqual(survey_of(ticket).status, "Sent")

	def test_bad_scores_write_nothing(self):
		ticket = closed_ticket()
		token = self.token(ticket)
		cases = [
			(("6", "Yes"), "from 1 to 5"),
			(("0", "Yes"), "from 1 to 5"),
			(("abc", "Yes"), "from 1 to 5"),
			(("4.5", "Yes"), "from 1 to 5"),
			(("", "Yes"), "from 1 to 5"),
			(("4", "Maybe"), "Yes or No"),
			(("4", "Yes", "11"), "0 to 10"),
			(("4", "Yes", "-1"), "0 to 10"),
			(("4", "Yes", None, "8"), "1 to 7"),
			(("4", "Yes", None, "x"), "1 to 7"),
			(("4", "Yes", None, None, "x" * 2001), "too long"),
		]
		for args, message in cases:
			with self.assertRaises(frappe.ValidationError, msg=str(args)) as e:
				answers.submit(token, *args)
			self.assertIn(message, str(e.exception))
		s = survey_of(ticket)
		self.assertEqual((s.status, s.csat, s.answered_on), ("Sent", 0, None))

	def test_script_in_comment_is_stored_inert(self):
		ticket = closed_ticket()
		answers.submit(
			self.token(ticket), 3, "Yes", comment='<script>alert("x")</script><img src=x onerror=1>'
		)
		comment = survey_of(ticket).comment
		self.assertNotIn("<script", comment)
		self.assertNotIn("<img", comment)
		self.assertIn("&lt;script&gt;", comment)

	def test_low_score_asks_reason_and_notifies_the_supervisor(self):
		ticket = closed_ticket()
		answers.submit(self.token(ticket), 2, "No", low_score_reason="Kurir kasar")
		s = survey_of(ticket)
		self.assertEqual(s.low_score_reason, "Kurir kasar")
		self.assertTrue(
			frappe.db.exists("Notification Log", {"for_user": SUPERVISOR, "document_name": s.name})
		)

	def test_high_score_ignores_a_reason(self):
		ticket = closed_ticket()
		answers.submit(self.token(ticket), 5, "Yes", low_score_reason="tidak relevan")
		self.assertFalse(survey_of(ticket).low_score_reason)


class TestReminderAndExpiry(SurveyCase):
	def test_one_reminder_then_expired(self):
		ticket = closed_ticket()
		s = survey_of(ticket)
		sent = now_datetime() - timedelta(days=3)
		frappe.db.set_value("SOP Survey", s.name, {"sent_on": sent, "expires_on": sent + timedelta(days=7)})
		first = survey.remind_and_expire()
		self.assertGreaterEqual(first["reminded"], 1)
		self.assertTrue(survey_of(ticket).reminded_on)
		again = frappe.db.get_value("SOP Survey", s.name, "reminded_on")
		survey.remind_and_expire()
		self.assertEqual(frappe.db.get_value("SOP Survey", s.name, "reminded_on"), again)
		survey.remind_and_expire(now=sent + timedelta(days=7, seconds=1))
		self.assertEqual(survey_of(ticket).status, "Expired")

	def test_scores_endpoint(self):
		ticket = closed_ticket()
		answers.submit(self.token(ticket), 5, "Yes", "10", "1")
		result = api_survey.scores()
		self.assertGreaterEqual(result["answered"], 1)
		frappe.set_user(CUSTOMER)
		with self.assertRaises(frappe.PermissionError):
			api_survey.scores()
