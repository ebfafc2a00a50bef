"""Satisfaction survey (SOP stage 7, *Survei Kepuasan Pelanggan*): sending, reminding, expiring.

- `send_due` (scheduler, and at once on closure when the delay is 0) makes one SOP Survey per
  closed ticket whose `sop_survey_due` has come: one locking indexed query, one INSERT IGNORE
  (the survey's name and its `ticket` are unique: a ticket never gets two), one UPDATE clearing
  `sop_survey_due`; then the invitations.
- `remind_and_expire`: one reminder per unanswered survey, then Expired after its expiry date.
The answers are `answers`.
"""

from datetime import timedelta

import frappe
from frappe import _
from frappe.utils import get_datetime, get_url, now_datetime
from frappe.utils.password import get_encryption_key

from cs_sop import background, bulk, messaging, settings
from cs_sop.core import survey as rules
from cs_sop.core.id_dates import format_datetime
from cs_sop.users import first_assignee

SURVEY = "SOP Survey"
TICKET = "HD Ticket"
BATCH = 10000


def survey_name(ticket: str) -> str:
	return f"SRV-{ticket}"


def token_of(name: str) -> str:
	return rules.make_token(get_encryption_key(), "survey", name)


def survey_url(name: str) -> str:
	return get_url(f"/sop-survey/{token_of(name)}")


def send_due(now=None, limit: int = BATCH, only: list[str] | None = None) -> int:
	"""Make and send the surveys that are due. Returns how many this run made."""
	now = now or now_datetime()
	T = frappe.qb.DocType(TICKET)
	query = (
		frappe.qb.from_(T)
		.select(T.name, T.raised_by, T.contact, T.sop_channel, T._assign, T.agent_group, T.ticket_type)
		.where(T.sop_survey_due <= now)
	)
	rows = bulk.locked_due(query, T.sop_survey_due, T.name, limit, only)
	if not rows:
		return 0
	names = [r.name for r in rows]
	for chunk in bulk.chunks(names):
		frappe.qb.update(T).set(T.sop_survey_due, None).where(T.name.isin(chunk)).run()
	if not settings.int_value("survey_enabled"):
		return 0
	rows = [r for r in rows if r.raised_by]
	languages = _languages({r.raised_by for r in rows})
	expires = now + timedelta(days=settings.int_value("survey_expiry_days"))
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
				first_assignee(r._assign),
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
	for chunk in bulk.chunks(items, MESSAGE_CHUNK):
		background.after_commit("cs_sop.closure.survey.send_invitations", queue="default", items=chunk)


def send_invitations(items: list) -> int:
	"""(ticket, survey, language, is_reminder, expires_on) per message."""
	sent = 0
	for ticket, name, lang, reminder, expires_on in items:
		sent += bool(_invite(ticket, name, lang, bool(reminder), expires_on))
	return sent


def _made_now(tickets: list[str], now) -> list[str]:
	"""The tickets whose survey this run inserted (INSERT IGNORE skips one that exists)."""
	S = frappe.qb.DocType(SURVEY)
	made = []
	for chunk in bulk.chunks(tickets):
		made += (
			frappe.qb.from_(S)
			.select(S.ticket)
			.where(S.ticket.isin(chunk))
			.where(S.sent_on == now)
			.where(S.creation == now)
			.run(pluck=True)
		)
	return made


def _languages(emails: set[str]) -> dict[str, str]:
	"""Each customer's language (their user's), else the site's; one query per 1000 emails."""
	found = {}
	U = frappe.qb.DocType("User")
	for chunk in bulk.chunks(sorted(emails)):
		for email, lang in (
			frappe.qb.from_(U).select(U.email, U.language).where(U.email.isin(chunk)).run(as_list=True)
		):
			if lang:
				found[email.lower()] = lang
	default = messaging.site_language()
	return {e.lower(): found.get(e.lower(), default) for e in emails}


def _invite(ticket: str, name: str, lang: str | None, reminder: bool, expires_on) -> bool:
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
	days = settings.int_value("survey_reminder_days")
	if days:
		query = (
			frappe.qb.from_(S)
			.select(S.name, S.ticket, S.language, S.expires_on)
			.where(S.status == rules.SENT)
			.where(S.sent_on <= now - timedelta(days=days))
			.where(S.reminded_on.isnull())
			.where(S.expires_on > now)
		)
		rows = bulk.locked_due(query, S.sent_on, S.ticket, limit, only)
		for chunk in bulk.chunks([r.name for r in rows]):
			frappe.qb.update(S).set(S.reminded_on, now).where(S.name.isin(chunk)).where(
				S.reminded_on.isnull()
			).run()
		queue_invitations([(r.ticket, r.name, r.language, True, str(r.expires_on)) for r in rows])
		reminded = len(rows)
	return {"expired": expired, "reminded": reminded}
