"""Satisfaction survey (SOP stage 7, *Survei Kepuasan Pelanggan*): sending, reminding, expiring,
answering.

- `send_due` (scheduler, and at once on closure when the delay is 0) makes one SOP Survey per
  closed ticket whose `sop_survey_due` has come: one locking indexed query, one INSERT IGNORE
  (the survey's name and its `ticket` are unique: a ticket never gets two), one UPDATE clearing
  `sop_survey_due`; then the invitations.
- `remind_and_expire`: one reminder per unanswered survey, then Expired after its expiry date.
- `submit`: the public page's answer. The token is checked against its stored hash with the
  survey row locked, so two tabs submitting at once give one answer and one "already answered".
  The answer also fills Helpdesk's own feedback fields (`feedback_rating`, `feedback`,
  `feedback_extra`), so Helpdesk's dashboards agree with the survey.
"""

import json
from datetime import timedelta

import frappe
from frappe import _
from frappe.utils import escape_html, get_datetime, get_url, now_datetime

from cs_sop import bulk
from cs_sop.core import survey as rules
from cs_sop.guest import limited

SURVEY = "SOP Survey"
TICKET = "HD Ticket"
BATCH = 10000
MAX_TEXT = 2000
SUPERVISOR_ROLE = "SOP Supervisor"


def _settings():
	return frappe.get_cached_doc("SOP Settings")


def _days(field: str, default: int) -> int:
	value = _settings().get(field)
	return default if value is None else int(value)


def survey_name(ticket: str) -> str:
	return f"SRV-{ticket}"


def token_of(name: str) -> str:
	from frappe.utils.password import get_encryption_key

	return rules.make_token(get_encryption_key(), "survey", name)


def survey_url(name: str) -> str:
	return get_url(f"/sop-survey/{token_of(name)}")


# ---------- sending ----------


def enqueue_jobs():
	"""Scheduler (every 5 minutes): the due surveys, reminders and expiries, on the long queue."""
	frappe.enqueue(
		"cs_sop.survey.run_jobs",
		queue="long",
		job_id="cs_sop_survey_jobs",
		deduplicate=True,
		now=frappe.flags.in_test,
	)


def run_jobs():
	from cs_sop.closure import auto_close_unconfirmed

	auto_close_unconfirmed()
	send_due()
	remind_and_expire()


def send_due(now=None, limit: int = BATCH, only: list[str] | None = None) -> int:
	"""Make and send the surveys that are due. Returns how many this run made."""
	now = now or now_datetime()
	T = frappe.qb.DocType(TICKET)
	query = (
		frappe.qb.from_(T)
		.select(T.name, T.raised_by, T.contact, T.sop_channel, T._assign, T.agent_group, T.ticket_type)
		.where(T.sop_survey_due <= now)
		.orderby(T.sop_survey_due)
		.limit(limit)
		.for_update()
	)
	if only:
		query = query.where(T.name.isin(only))
	rows = query.run(as_dict=True)
	if not rows:
		return 0
	names = [r.name for r in rows]
	for chunk in _chunks(names):
		frappe.qb.update(T).set(T.sop_survey_due, None).where(T.name.isin(chunk)).run()
	if not _settings().get("survey_enabled"):
		return 0
	rows = [r for r in rows if r.raised_by]
	languages = _languages({r.raised_by for r in rows})
	expires = now + timedelta(days=_days("survey_expiry_days", 7))
	values = []
	for r in rows:
		name = survey_name(r.name)
		values.append(
			(
				name,
				now,
				now,
				frappe.session.user,
				frappe.session.user,
				r.name,
				rules.SENT,
				r.sop_channel,
				r.contact,
				r.raised_by,
				languages.get(r.raised_by.lower()),
				_first_assignee(r._assign),
				r.agent_group,
				r.ticket_type,
				now,
				expires,
				0,
				-1,
				0,
				rules.hash_token(token_of(name)),
			)
		)
	bulk.insert(
		SURVEY,
		[
			*bulk.STANDARD_COLUMNS,
			"ticket",
			"status",
			"channel",
			"contact",
			"customer_email",
			"language",
			"agent",
			"team",
			"category",
			"sent_on",
			"expires_on",
			"csat",
			"nps",
			"ces",
			"token_hash",
		],
		values,
		ignore_duplicates=True,
	)
	made = _made_now([r.name for r in rows], now)
	by_ticket = {r.name: r for r in rows}
	queue_invitations(
		[
			(t, survey_name(t), languages.get(by_ticket[t].raised_by.lower()), False, str(expires))
			for t in made
		]
	)
	return len(made)


INLINE_MESSAGES = 20  # a few messages (a ticket just closed) go out in the request itself
MESSAGE_CHUNK = 500


def queue_invitations(items: list[tuple]) -> None:
	"""Invitations / reminders: a few at once, a burst in background chunks after the commit.

	Composing an email (template, CSS inlining, Email Queue row) costs milliseconds per message;
	the job that decides stays set-based and fast, the messages follow in chunks of 500 on the
	default queue, only once the job's transaction is committed.
	"""
	if len(items) <= INLINE_MESSAGES:
		send_invitations(items)
		return
	for i in range(0, len(items), MESSAGE_CHUNK):
		frappe.enqueue(
			"cs_sop.survey.send_invitations",
			items=items[i : i + MESSAGE_CHUNK],
			enqueue_after_commit=True,
			now=frappe.flags.in_test,
		)


def send_invitations(items: list) -> int:
	"""(ticket, survey, language, is_reminder, expires_on) per message."""
	sent = 0
	for ticket, name, lang, reminder, expires_on in items:
		sent += bool(_invite(ticket, name, lang, bool(reminder), expires_on))
	return sent


def _chunks(items: list, size: int = 1000):
	for i in range(0, len(items), size):
		yield items[i : i + size]


def _made_now(tickets: list[str], now) -> list[str]:
	"""The tickets whose survey this run inserted (INSERT IGNORE skips one that exists)."""
	S = frappe.qb.DocType(SURVEY)
	made = []
	for chunk in _chunks(tickets):
		made += (
			frappe.qb.from_(S)
			.select(S.ticket)
			.where(S.ticket.isin(chunk))
			.where(S.sent_on == now)
			.where(S.creation == now)
			.run(pluck=True)
		)
	return made


def _first_assignee(assign: str | None) -> str | None:
	try:
		users = json.loads(assign or "[]")
	except ValueError:
		return None
	return users[0] if users else None


def _languages(emails: set[str]) -> dict[str, str]:
	"""Each customer's language (their user's), else the site's; one query per 1000 emails."""
	from cs_sop.messaging import site_language

	found = {}
	U = frappe.qb.DocType("User")
	for chunk in _chunks(sorted(emails)):
		for email, lang in (
			frappe.qb.from_(U).select(U.email, U.language).where(U.email.isin(chunk)).run(as_list=True)
		):
			if lang:
				found[email.lower()] = lang
	default = site_language()
	return {e.lower(): found.get(e.lower(), default) for e in emails}


def _invite(ticket: str, name: str, lang: str | None, reminder: bool, expires_on) -> bool:
	from cs_sop import messaging
	from cs_sop.core.id_dates import format_datetime

	lang = lang or messaging.site_language()
	if reminder:
		subject = _("Reminder: how was our service? Ticket #{0}", lang=lang).format(ticket)
	else:
		subject = _("How was our service? Ticket #{0}", lang=lang).format(ticket)
	tz = frappe.utils.get_system_timezone()
	html = frappe.render_template(
		"cs_sop/templates/emails/sop_survey_invitation.html",
		{
			"greeting": _("Dear Customer,", lang=lang),
			"intro": _(
				"Your ticket #{0} is closed. Please tell us how we did: it takes one minute.", lang=lang
			).format(ticket),
			"button": _("Fill in the survey", lang=lang),
			"url": survey_url(name),
			"note": _("The link works once and until {0}.", lang=lang).format(
				format_datetime(get_datetime(expires_on), lang, tz)
			),
			"thanks": _("Thank you,", lang=lang),
			"team": _("Customer Service", lang=lang),
		},
	)
	what = _("Survey reminders") if reminder else _("Survey invitations")
	# WhatsApp after 24 hours: the approved template's URL button carries the survey link
	buttons = {"kind": "Survey", "suffixes": [token_of(name)]}
	return messaging.send_to_customer(ticket, subject, html, what=what, buttons=buttons)


def remind_and_expire(now=None, limit: int = BATCH, only: list[str] | None = None) -> dict:
	"""One reminder per unanswered survey after N days; Expired once past the expiry date.
	`only`: the surveys of these tickets and no others (the demo data's simulated days)."""
	now = now or now_datetime()
	S = frappe.qb.DocType(SURVEY)
	expire = (
		frappe.qb.update(S)
		.set(S.status, rules.EXPIRED)
		.set(S.modified, now)
		.where(S.status == rules.SENT)
		.where(S.expires_on <= now)
	)
	if only is not None:
		expire = expire.where(S.ticket.isin(only or [""]))
	expire.run()
	expired = frappe.db._cursor.rowcount or 0
	reminded = 0
	days = _days("survey_reminder_days", 2)
	if days:
		query = (
			frappe.qb.from_(S)
			.select(S.name, S.ticket, S.language, S.expires_on)
			.where(S.status == rules.SENT)
			.where(S.sent_on <= now - timedelta(days=days))
			.where(S.reminded_on.isnull())
			.where(S.expires_on > now)
			.orderby(S.sent_on)
			.limit(limit)
			.for_update()
		)
		if only is not None:
			query = query.where(S.ticket.isin(only or [""]))
		rows = query.run(as_dict=True)
		for chunk in _chunks([r.name for r in rows]):
			frappe.qb.update(S).set(S.reminded_on, now).where(S.name.isin(chunk)).where(
				S.reminded_on.isnull()
			).run()
		queue_invitations([(r.ticket, r.name, r.language, True, str(r.expires_on)) for r in rows])
		reminded = len(rows)
	return {"expired": expired, "reminded": reminded}


# ---------- answering (public page) ----------


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
	from cs_sop.closure import log_lines
	from cs_sop.guest import as_customer

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
		log_lines(
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
	from cs_sop import messaging

	users = supervisors()
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


def supervisors() -> list[str]:
	HR = frappe.qb.DocType("Has Role")
	U = frappe.qb.DocType("User")
	return (
		frappe.qb.from_(HR)
		.join(U)
		.on(U.name == HR.parent)
		.select(U.name)
		.distinct()
		.where(HR.role == SUPERVISOR_ROLE)
		.where(HR.parenttype == "User")
		.where(U.enabled == 1)
		.where(U.name.notin(["Administrator", "Guest"]))
		.run(pluck=True)
	)


# ---------- whitelisted ----------


@frappe.whitelist(allow_guest=True, methods=["POST"])
@limited
def submit_answer(
	token: str,
	csat: str | int,
	problem_solved: str,
	nps: str | int | None = None,
	ces: str | int | None = None,
	comment: str | None = None,
	low_score_reason: str | None = None,
) -> dict:
	"""The public survey page's answer (no login: the link's token is the permission)."""
	submit(token, csat, problem_solved, nps, ces, comment, low_score_reason)
	return {"ok": True, "redirect": f"/sop-survey/{token}?done=1"}


@frappe.whitelist(allow_guest=True, methods=["POST"])
@limited
def submit_form(
	token: str,
	csat: str | None = None,
	problem_solved: str | None = None,
	nps: str | None = None,
	ces: str | None = None,
	comment: str | None = None,
	low_score_reason: str | None = None,
) -> None:
	"""The same, for the page's plain HTML form (no JavaScript): redirects back to the page."""
	try:
		submit(token, csat, problem_solved, nps, ces, comment, low_score_reason)
		location = f"/sop-survey/{token}?done=1"
	except (frappe.ValidationError, frappe.PermissionError):
		frappe.clear_messages()
		frappe.db.rollback()
		# a code, not the message: the page shows its own fixed text for it
		code = error_code(token, csat, problem_solved, nps, ces, comment, low_score_reason)
		location = "/sop-survey/{}?{}".format(
			token if rules.is_well_formed(token) else "invalid", frappe.utils.urlencode({"error": code})
		)
	frappe.local.response["type"] = "redirect"
	frappe.local.response["location"] = location


@frappe.whitelist(methods=["GET"])
def scores(from_date: str | None = None, to_date: str | None = None) -> dict:
	"""CSAT %, averages, NPS, CES, response rate of the surveys sent in a period (supervisors)."""
	if not frappe.has_permission(SURVEY, "read"):
		frappe.throw(_("You cannot read surveys."), frappe.PermissionError)
	filters = {}
	if from_date and to_date:
		filters["sent_on"] = ["between", [from_date, to_date]]
	rows = frappe.get_all(SURVEY, filters=filters, fields=["status", "csat", "nps", "ces", "problem_solved"])
	return rules.score(rows).__dict__
