"""The survey's answers from its public page: checked, stored once, copied into Helpdesk's own
feedback fields (`feedback_rating`, `feedback`, `feedback_extra`) so its dashboards agree, and a
low score alerts the SOP Supervisors.

The token is checked against its stored hash with the survey row locked, so two tabs submitting
at once give one answer and one "already answered".
"""

import frappe
from frappe import _
from frappe.utils import escape_html, get_datetime, get_url, now_datetime

from cs_sop import activity, messaging
from cs_sop.core import survey as rules
from cs_sop.guest import as_customer
from cs_sop.users import SUPERVISOR, role_users

SURVEY = "SOP Survey"
TICKET = "HD Ticket"
MAX_TEXT = 2000


def find(token: str, lock: bool = False):
	"""The survey of a link token, or None for a malformed or unknown token."""
	if not rules.is_well_formed(token):
		return None
	return frappe.db.get_value(
		SURVEY,
		{"token_hash": rules.hash_token(token)},
		["name", "ticket", "status", "expires_on", "language", "csat", "customer_email"],
		as_dict=True,
		for_update=lock,
	)


def state_of(row, now=None) -> str:
	"""invalid / answered / expired / open."""
	if not row:
		return "invalid"
	if row.status == rules.ANSWERED:
		return "answered"
	if row.status == rules.EXPIRED or rules.is_expired(get_datetime(row.expires_on), now or now_datetime()):
		return "expired"
	return "open"


def _messages() -> dict[str, str]:
	return {
		"csat": _("Please choose how satisfied you are, from 1 to 5."),
		"problem_solved": _("Please answer whether your problem was solved: Yes or No."),
		"nps": _("The recommendation score must be a whole number from 0 to 10."),
		"ces": _("The effort score must be a whole number from 1 to 7."),
		"comment": _("The comment is too long (at most {0} characters).").format(MAX_TEXT),
		"low_score_reason": _("The reason is too long (at most {0} characters).").format(MAX_TEXT),
	}


def _text(field: str, value) -> str:
	if value is not None and not isinstance(value, str):
		raise rules.InvalidAnswer(field, "not text")
	value = (value or "").strip()
	if len(value) > MAX_TEXT:
		raise rules.InvalidAnswer(field, "too long")
	return escape_html(value)  # stored escaped: shown as text wherever it is rendered


def _parse(csat, problem_solved, nps=None, ces=None, comment=None, low_score_reason=None) -> dict:
	"""Validated answers; rules.InvalidAnswer naming the question otherwise."""
	values = {
		"csat": rules.parse_score("csat", csat, *rules.CSAT_RANGE, required=True),
		"problem_solved": rules.parse_yes_no("problem_solved", problem_solved),
		"nps": rules.parse_score("nps", nps, *rules.NPS_RANGE, required=False),
		"ces": rules.parse_score("ces", ces, *rules.CES_RANGE, required=False),
	}
	values["comment"] = _text("comment", comment)
	values["low_score_reason"] = (
		_text("low_score_reason", low_score_reason) if rules.is_low(values["csat"]) else ""
	)
	return values


def parse_answers(csat, problem_solved, nps=None, ces=None, comment=None, low_score_reason=None) -> dict:
	"""Validated answers, or a translated frappe.throw naming the question (nothing written)."""
	try:
		return _parse(csat, problem_solved, nps, ces, comment, low_score_reason)
	except rules.InvalidAnswer as e:
		frappe.throw(_messages()[e.field], title=_("Please check your answers"))


def page_messages() -> dict[str, str]:
	"""What the public page may say after a refused form: fixed, translated texts by code (the
	page never shows text taken from its URL)."""
	return {
		**_messages(),
		"invalid": _("This survey link is not valid."),
		"answered": _("This survey was already answered. Thank you!"),
		"expired": _("This survey link has expired."),
		"failed": _("Your answer could not be saved. Please check it and try again."),
	}


def error_code(token: str, *answers) -> str:
	"""Why an answer from the page's form was refused, as a code of `page_messages`."""
	state = state_of(find(token))
	if state != "open":
		return state
	try:
		_parse(*answers)
	except rules.InvalidAnswer as e:
		return e.field
	return "failed"


def submit(token: str, csat, problem_solved, nps=None, ces=None, comment=None, low_score_reason=None) -> str:
	"""Record the answer of the survey a link token opens. Returns the survey's name."""
	peek = find(token)
	if peek and peek.language:
		frappe.local.lang = peek.language  # messages in the customer's language
	values = parse_answers(csat, problem_solved, nps, ces, comment, low_score_reason)
	row = find(token, lock=True)  # two tabs at once: the second waits here, then sees Answered
	state = state_of(row)
	if state == "invalid":
		frappe.throw(_("This survey link is not valid."), frappe.PermissionError)
	if state == "answered":
		frappe.throw(_("This survey was already answered. Thank you!"), frappe.ValidationError)
	if state == "expired":
		frappe.throw(_("This survey link has expired."), frappe.ValidationError)
	now = now_datetime()
	with as_customer(row.customer_email):  # the answer is the customer's: modified by, activity
		frappe.db.set_value(
			SURVEY,
			row.name,
			{
				**values,
				"nps": -1 if values["nps"] is None else values["nps"],
				"ces": values["ces"] or 0,
				"status": rules.ANSWERED,
				"answered_on": now,
			},
			update_modified=True,
		)
		_set_helpdesk_feedback(row.ticket, values)
		activity.log_lines(
			[(row.ticket, _("the customer answered the survey: satisfaction {0}/5").format(values["csat"]))]
		)
	if rules.is_low(values["csat"]):
		notify_low_score(row.ticket, row.name, values)
	return row.name


def _set_helpdesk_feedback(ticket: str, values: dict):
	"""Helpdesk's own feedback fields, so its dashboards and agent home show the same rating."""
	rating = rules.feedback_rating(values["csat"])
	option = frappe.db.get_value(
		"HD Ticket Feedback Option", {"rating": rating, "disabled": 0}, "name", order_by="name asc"
	)
	frappe.db.set_value(
		TICKET,
		ticket,
		{"feedback_rating": rating, "feedback": option, "feedback_extra": values["comment"] or None},
		update_modified=False,
	)


def notify_low_score(ticket: str, survey: str, values: dict):
	"""A CSAT of 2 or less: the SOP Supervisors get a notification and an email."""
	users = role_users(SUPERVISOR)
	if not users:
		return
	link = get_url(f"/app/sop-survey/{survey}")
	for user in users:
		lang = messaging.language_of(user)
		subject = _("Low satisfaction score on ticket #{0}: {1}/5", lang=lang).format(ticket, values["csat"])
		body = "<p>{}</p><p>{}</p><p><a href='{}'>{}</a></p>".format(
			escape_html(subject),
			values.get("low_score_reason") or values.get("comment") or "",
			link,
			_("Open the survey", lang=lang),
		)
		frappe.get_doc(
			{
				"doctype": "Notification Log",
				"for_user": user,
				"type": "Alert",
				"document_type": SURVEY,
				"document_name": survey,
				"subject": subject,
				"email_content": body,
			}
		).insert(ignore_permissions=True)  # a system notice to staff, not the customer's record
		messaging.email([user], subject, body, ticket=ticket, what=_("Low-score alerts"))
