"""Outbound messages of the Meta platforms (WhatsApp, Messenger, Instagram): one SOP WhatsApp
Message row each, never sent inside a web request.

A row is Queued here and a queue job sends it after the commit (`cs_sop.whatsapp.jobs.send`). A
message is sent at most once: the job marks it Sending and commits before the HTTP call, so a crash
or a lost answer after the call leaves it Sending (never Queued again); the sweep then marks it
Failed with "may have been delivered" (`fail_stale_sending`), and only a person retries it.
Status webhooks move the row forward only (sent → delivered → read, or failed), and the reply's
Communication shows the state as its delivery badge in the agent UI. A failed message says so on
the ticket and can be retried (`cs_sop.api.whatsapp.retry`).
"""

import json
from typing import NamedTuple

import frappe
from frappe import _
from frappe.utils import add_to_date, escape_html, now_datetime

from cs_sop.core import whatsapp as rules

LOG = "SOP WhatsApp Message"
WHATSAPP = "WhatsApp"
MAX_RETRIES = 6
STALE_SENDING_MINUTES = 15  # well beyond the HTTP timeout: the job that marked it is gone
# the badge of a reply in the agent UI (Communication.delivery_status has no "Delivered")
DELIVERY_BADGE = {
	"Queued": "Sending",
	"Sending": "Sending",
	"Sent": "Sent",
	"Delivered": "Sent",
	"Read": "Read",
	"Failed": "Error",
}


class Delivered(NamedTuple):
	"""What a platform's `deliver` returns: the message id, more values for the row, a note for the
	ticket (e.g. "sent as a template")."""

	id: str
	values: dict
	note: str | None = None


class Undeliverable(Exception):
	"""The message may not go at all (no template configured, Meta's window closed): Failed, said on
	the ticket, not retried."""


def latest(column: str, order_by: str = "creation", **where):
	"""The newest known `column` of the message rows matching `where` (field=value), else None."""
	log = frappe.qb.DocType(LOG)
	query = frappe.qb.from_(log).select(log[column]).where(log[column].isnotnull())
	for field, value in where.items():
		query = query.where(log[field] == value)
	found = query.orderby(log[order_by], order=frappe.qb.desc).limit(1).run()
	return found[0][0] if found else None


def last_inbound_at(sender: str, platform: str = WHATSAPP):
	"""When the customer (a number, or a Messenger / Instagram sender id) last wrote on the platform."""
	return latest("status_at", "status_at", phone=sender, platform=platform, direction="Inbound")


def queue(
	ticket: str | None,
	phone: str,
	body: str,
	communication: str | None = None,
	subject: str = "",
	platform: str = WHATSAPP,
	template_kind: str | None = None,
	url_suffixes: list[str] | None = None,
) -> str:
	"""A Queued outbound message (any Meta platform), sent by a queue job after the commit.
	`template_kind` / `url_suffixes`: the approved template with URL buttons that carries this
	notice when the WhatsApp window is closed (confirmation request, survey invitation)."""
	log = frappe.get_doc(
		{
			"doctype": LOG,
			"platform": platform,
			"direction": "Outbound",
			"ticket": ticket,
			"phone": phone,
			"template_kind": template_kind,
			"url_suffixes": json.dumps(url_suffixes) if url_suffixes else None,
			"communication": communication,
			"subject": subject[:140] if subject else None,
			"body": body,
			"message_type": "text",
			"status": "Queued",
			"status_rank": rules.STATUS_RANK["Queued"],
			"status_at": now_datetime(),
		}
	)
	log.insert(ignore_permissions=True)  # system record of a send the caller was allowed to make
	enqueue_send(log.name)
	return log.name


def enqueue_send(log_name: str) -> None:
	if frappe.flags.in_test:
		# no worker runs in tests: the job runs as a worker would, after the caller's commit (the
		# job commits itself, which must never happen inside the caller's transaction)
		frappe.db.after_commit.add(lambda: frappe.call("cs_sop.whatsapp.jobs.send", log_name=log_name))
		return
	frappe.enqueue(
		"cs_sop.whatsapp.jobs.send",
		queue="short",
		log_name=log_name,
		enqueue_after_commit=True,
		job_id=f"cs_sop_wa_send:{log_name}",
		deduplicate=True,
	)


def mark(row, status: str, **values) -> None:
	"""The row's new status (and more values), its rank and time; not a user's edit."""
	values.update(status=status, status_rank=rules.STATUS_RANK[status], status_at=now_datetime())
	frappe.db.set_value(LOG, row.name, values, update_modified=False)


def later(row, error) -> str:
	"""Meta refused for now (rate limit, server error): Queued again, due after a backoff (or Meta's
	Retry-After when longer); the sweep sends it then."""
	retries = (row.retry_count or 0) + 1
	seconds = max(rules.retry_delay_minutes(retries) * 60, min(error.retry_after or 0, 3600))
	mark(
		row,
		"Queued",
		retry_count=retries,
		error=str(error)[:1000],
		error_code=str(error.code or error.http_status or ""),
		next_attempt_at=add_to_date(now_datetime(), seconds=seconds),
	)
	return "Queued"


def fail(row, error: str, code=None) -> str:
	mark(row, "Failed", error=error[:1000], error_code=str(code or ""), next_attempt_at=None)
	set_badge(row.communication, "Failed")
	if row.ticket:
		comment(row.ticket, failure_text(row, error))
	return "Failed"


def failure_text(row, error: str) -> str:
	if row.get("platform") and row.platform != WHATSAPP:
		what = _("A {0} message to the customer could not be delivered: {1}").format(_(row.platform), error)
		return what + " " + _("Open {0} to retry it.").format(f"/app/sop-whatsapp-message/{row.name}")
	what = _("A WhatsApp message to +{0} could not be delivered: {1}").format(row.phone, error)
	return (
		what
		+ " "
		+ _("Open {0} to retry it, or use Retry WhatsApp on this ticket.").format(
			f"/app/sop-whatsapp-message/{row.name}"
		)
	)


def maybe_sent_text(error: str, platform: str | None = WHATSAPP) -> str:
	if platform and platform != WHATSAPP:
		return _(
			"The connection to {0} broke after the message was handed over ({1}); it may have been "
			"delivered. It is not sent again automatically: check with the customer before you retry."
		).format(platform, error)
	return _(
		"The connection to WhatsApp broke after the message was handed over ({0}); it may have been "
		"delivered. It is not sent again automatically: check with the customer before you retry."
	).format(error)


def set_badge(communication: str | None, status: str) -> None:
	if communication:
		frappe.db.set_value(
			"Communication", communication, "delivery_status", DELIVERY_BADGE[status], update_modified=False
		)


def comment(ticket: str, text: str) -> None:
	"""A note the agents see in the ticket's activity in /helpdesk."""
	frappe.get_doc(
		{
			"doctype": "HD Ticket Comment",
			"reference_ticket": ticket,
			"commented_by": "Administrator",
			"content": f"<p>{escape_html(text)}</p>",
		}
	).insert(ignore_permissions=True)  # written by the system job, not by a user


# Only queue jobs call the functions below that commit: the Sending mark must be durable before the
# HTTP call, or a crash after Meta accepted the message would leave it Queued and the sweep would
# send it a second time. A controller or API never commits; a job owns its transaction, so it may.
def fail_stale_sending(now=None) -> int:
	"""Messages left Sending by a job that died during or after its HTTP call: Failed, said on the
	ticket, never sent again automatically (Meta may have delivered them)."""
	now = now or now_datetime()
	log = frappe.qb.DocType(LOG)
	names = (
		frappe.qb.from_(log)
		.select(log.name)
		.where(log.direction == "Outbound")
		.where(log.status == "Sending")
		.where(log.status_at < add_to_date(now, minutes=-STALE_SENDING_MINUTES))
		.limit(500)
		.run(pluck=True)
	)
	failed = 0
	for name in names:
		frappe.db.commit()
		rows = (
			frappe.qb.from_(log)
			.select("*")
			.where(log.name == name)
			.where(log.status == "Sending")
			.for_update(skip_locked=True)
			.run(as_dict=True)
		)
		if rows:
			fail(rows[0], maybe_sent_text(_("no answer recorded"), rows[0].platform))
			failed += 1
		frappe.db.commit()
	return failed


def apply_status(status: dict) -> bool:
	"""One entry of a status webhook's `statuses`: move the message forward only. False when its id
	is not known yet."""
	new = rules.META_STATUS.get(status.get("status") or "")
	wa_id = status.get("id")
	if not new or not wa_id:
		return True
	log = frappe.qb.DocType(LOG)
	rows = (
		frappe.qb.from_(log)
		.select(log.name, log.status, log.status_rank, log.ticket, log.communication, log.phone, log.platform)
		.where(log.wa_message_id == wa_id)
		.for_update()
		.run(as_dict=True)
	)
	if not rows:
		return False
	row = rows[0]
	if rules.STATUS_RANK[new] <= (row.status_rank or 0):
		return True  # late or repeated: never backwards
	values = {}
	error = ""
	if new == "Failed":
		errors = status.get("errors") or [{}]
		first = errors[0]
		details = (first.get("error_data") or {}).get("details") or first.get("message") or ""
		title = first.get("title") or first.get("message") or _("Delivery failed")
		error = f"{title} ({first.get('code')}) {details}".strip()
		values.update(error=error[:1000], error_code=str(first.get("code") or ""))
	mark(row, new, **values)
	set_badge(row.communication, new)
	if new == "Failed" and row.ticket:
		comment(row.ticket, failure_text(row, error))
	return True


def retry(log_name: str) -> None:
	"""Queue a failed message again (a new message id; the old one stays failed at Meta)."""
	row = frappe.db.get_value(LOG, log_name, ["name", "retry_count", "communication"], as_dict=True)
	mark(
		row,
		"Queued",
		wa_message_id=None,
		retry_count=(row.retry_count or 0) + 1,
		next_attempt_at=None,
		is_template=0,
	)
	set_badge(row.communication, "Queued")
	enqueue_send(log_name)
