"""Queue jobs and the sweep of the Meta channels (WhatsApp, Messenger, Instagram).

- `drain`: processes stored webhook events (one transaction per event), queued after the webhook's
  commit (`cs_sop.graph.webhook`); deduplicated, so at most one waits per site and it works through
  everything pending.
- `send`: sends one queued outbound message (`cs_sop.graph.outbox`) through its platform.
- `sweep` (every minute, on the long queue, deduplicated): what a lost job or a rate limit left
  behind: events still pending, sends due again, sends a dead job left Sending (failed, never
  repeated). Workers must run for all of it (`bench start`, or supervisor in production).

These jobs own their transaction and commit: the Sending mark must be durable before the HTTP call
(see `cs_sop.graph.outbox`), and each event is processed in its own transaction.
"""

import json

import frappe
from frappe.utils import add_to_date, now_datetime

from cs_sop.core import meta as meta_rules
from cs_sop.graph import inbox, outbox
from cs_sop.graph.client import GraphError
from cs_sop.meta import inbound as meta_inbound
from cs_sop.meta import outbound as meta_outbound
from cs_sop.whatsapp import delivery, inbound

EVENT = "SOP WhatsApp Event"
LOG = outbox.LOG
MAX_EVENT_ATTEMPTS = 5
BATCH = 200


def _as_system():
	# the webhook enqueues as Guest; the records are written by the system
	frappe.set_user("Administrator")
	# read what other workers committed (see cs_sop.graph.inbox.sender_lock)
	frappe.db.sql("set session transaction isolation level read committed")


# events ---------------------------------------------------------------------------------------
def drain(limit: int | None = None) -> int:
	"""Process pending events that were never tried, oldest first; how many were processed."""
	_as_system()
	done = 0
	while limit is None or done < limit:
		frappe.db.commit()
		event = frappe.qb.DocType(EVENT)
		names = (
			frappe.qb.from_(event)
			.select(event.name)
			.where(event.status == "Pending")
			.where(event.attempts == 0)
			.orderby(event.received_at)
			.orderby(event.name)
			.limit(BATCH)
			.run(pluck=True)
		)
		if not names:
			break
		progressed = False
		for name in names:
			if process_event(name):
				done += 1
				progressed = True
			if limit is not None and done >= limit:
				break
		if not progressed:
			break
	return done


def process_event(name: str) -> bool:
	"""Process one stored event in its own transaction; False when another worker has it or it is done."""
	frappe.db.commit()
	event = frappe.qb.DocType(EVENT)
	try:
		rows = (
			frappe.qb.from_(event)
			.select(event.name, event.status, event.attempts, event.payload, event.received_at)
			.where(event.name == name)
			.where(event.status == "Pending")
			.for_update(skip_locked=True)
			.run(as_dict=True)
		)
	except Exception:
		frappe.db.rollback()
		raise
	if not rows:
		frappe.db.rollback()
		return False
	row = rows[0]
	# a media download Meta refuses for now fails the event (retried by the sweep) unless this is
	# its last try: no sleeping in the job (see whatsapp.inbound.attach)
	frappe.flags.cs_sop_wa_last_try = row.attempts + 1 >= MAX_EVENT_ATTEMPTS
	try:
		unmatched = handle_payload(json.loads(row.payload or "{}"))
		young = row.received_at and row.received_at > add_to_date(now_datetime(), minutes=-10)
		if unmatched and young and row.attempts < MAX_EVENT_ATTEMPTS:
			# a status for a message whose send is not committed yet: the sweep looks again
			_mark(name, "Pending", row.attempts + 1, f"status for unknown message ids: {unmatched[:5]}")
		else:
			_mark(name, "Processed", row.attempts + 1, None)
		frappe.db.commit()
	except Exception:
		frappe.db.rollback()
		error = frappe.get_traceback()
		attempts = row.attempts + 1
		_mark(name, "Failed" if attempts >= MAX_EVENT_ATTEMPTS else "Pending", attempts, error[-2000:])
		frappe.log_error(
			title="cs_sop: WhatsApp event failed", message=error, reference_doctype=EVENT, reference_name=name
		)
		frappe.db.commit()
	finally:
		inbox.release_locks()
	return True


def _mark(name: str, status: str, attempts: int, error: str | None) -> None:
	frappe.db.set_value(
		EVENT, name, {"status": status, "attempts": attempts, "error": error}, update_modified=False
	)


def handle_payload(payload: dict) -> list[str]:
	"""Every message and status in a webhook body; the ids of statuses for unknown messages.
	Messenger and Instagram bodies (object page / instagram) go to cs_sop.meta.inbound."""
	if meta_rules.platform_of(payload):
		meta_inbound.handle(payload)
		return []
	unmatched = []
	for entry in payload.get("entry") or []:
		for change in entry.get("changes") or []:
			value = change.get("value") or {}
			names = {
				c.get("wa_id"): (c.get("profile") or {}).get("name") for c in value.get("contacts") or []
			}
			for message in value.get("messages") or []:
				inbound.receive(message, names.get(message.get("from")))
			for status in value.get("statuses") or []:
				if not outbox.apply_status(status):
					unmatched.append(status.get("id"))
	return unmatched


# sending --------------------------------------------------------------------------------------
def channel_of(platform: str | None):
	"""The platform's sending side: is_ready, not_ready_text, deliver, error_text."""
	if platform and platform != delivery.NAME:
		return meta_outbound.channel(platform)
	return delivery


def send(log_name: str) -> str | None:
	"""The send job (`cs_sop.graph.outbox.enqueue_send`), run as the system."""
	frappe.set_user("Administrator")
	return _send(log_name)


def _send(log_name: str) -> str | None:
	"""Send one queued message that is due; its new status. At most one HTTP call per message and
	run (no sleeping: a rate-limited send gets `next_attempt_at` and the sweep tries again); safe
	to run twice at once (row lock, status check). The platform's `deliver` makes the call."""
	row = claim(log_name)
	if not isinstance(row, dict):
		return row
	channel = channel_of(row.platform)
	try:
		delivered = channel.deliver(row)
	except outbox.Undeliverable as e:
		return _done(outbox.fail(row, str(e)))
	except GraphError as e:
		if e.maybe_sent:
			return _done(outbox.fail(row, outbox.maybe_sent_text(str(e), row.platform)))
		if e.retryable and (row.retry_count or 0) < outbox.MAX_RETRIES:
			return _done(outbox.later(row, e))
		return _done(outbox.fail(row, channel.error_text(e), code=e.code))
	outbox.mark(
		row,
		"Sent",
		wa_message_id=delivered.id,
		error=None,
		error_code=None,
		next_attempt_at=None,
		**delivered.values,
	)
	outbox.set_badge(row.communication, "Sent")
	if delivered.note and row.ticket:
		outbox.comment(row.ticket, delivered.note)
	return _done("Sent")


def claim(log_name: str):
	"""Lock the message; when it is Queued and due, mark it Sending and commit (the row, as a dict).
	Otherwise its status (None when unknown), or Failed when its platform is not set up."""
	frappe.db.commit()  # a fresh transaction: the lock below is held only until the commit
	log = frappe.qb.DocType(LOG)
	rows = (
		frappe.qb.from_(log)
		.select("*")
		.where(log.name == log_name)
		.where(log.direction == "Outbound")
		.for_update()
		.run(as_dict=True)
	)
	if not rows:
		frappe.db.rollback()
		return None
	row = rows[0]
	if row.status != "Queued" or (row.next_attempt_at and row.next_attempt_at > now_datetime()):
		frappe.db.rollback()
		return row.status
	channel = channel_of(row.platform)
	if not channel.is_ready():
		return _done(outbox.fail(row, channel.not_ready_text()))
	outbox.mark(row, "Sending")
	frappe.db.commit()  # durable before the HTTP call
	return row


def _done(status: str) -> str:
	frappe.db.commit()  # the job's outcome
	return status


# the sweep ------------------------------------------------------------------------------------
def enqueue_sweep() -> None:
	"""Scheduler (every minute): the sweep on the long queue, at most one waiting per site. A sweep
	may send hundreds of messages, more than a default-queue job should hold a worker for."""
	frappe.enqueue("cs_sop.whatsapp.jobs.sweep", queue="long", job_id="cs_sop_wa_sweep", deduplicate=True)


def sweep() -> dict:
	"""Every minute: events a lost job or a retry left pending, and sends that are due again."""
	_as_system()
	now = now_datetime()
	event = frappe.qb.DocType(EVENT)
	events = (
		frappe.qb.from_(event)
		.select(event.name)
		.where(event.status == "Pending")
		.where((event.attempts > 0) | (event.received_at < add_to_date(now, minutes=-1)))
		.orderby(event.received_at)
		.limit(1000)
		.run(pluck=True)
	)
	processed = sum(1 for name in events if process_event(name))
	log = frappe.qb.DocType(LOG)
	due = (
		frappe.qb.from_(log)
		.select(log.name)
		.where(log.direction == "Outbound")
		.where(log.status == "Queued")
		.where(
			(log.next_attempt_at <= now)
			| (log.next_attempt_at.isnull() & (log.status_at < add_to_date(now, minutes=-2)))
		)
		.orderby(log.status_at)
		.limit(500)
		.run(pluck=True)
	)
	sent = 0
	for name in due:
		try:
			if _send(name) == "Sent":  # commits itself
				sent += 1
		except Exception:
			frappe.db.rollback()
			frappe.log_error(title="cs_sop: WhatsApp send failed", reference_doctype=LOG, reference_name=name)
	stale = outbox.fail_stale_sending(now)
	return {"events": processed, "sends": sent, "stale": stale}
