"""Messages to a WhatsApp customer: agents' replies from the Helpdesk UI and automatic notices.

Nothing is sent inside a web request: each message is a SOP WhatsApp Message row (status Queued)
and a queue job sends it after the commit (`jobs.send`). A message is sent at most once: the job
marks it Sending and commits before the HTTP call, so a crash or a lost answer after the call
leaves it Sending (never Queued again); the sweep then marks it Failed with "may have been
delivered", and only a person retries it. Status webhooks move the row forward only
(sent → delivered → read, or failed), and the reply's Communication shows the state as its delivery
badge in the agent UI. Outside the 24-hour customer-service window the configured template goes
instead and the agent is told on the ticket. A failed message says so on the ticket and can be
retried (`cs_sop.whatsapp.api.retry`).
"""

import json
from typing import NamedTuple

import frappe
from frappe import _
from frappe.utils import add_to_date, now_datetime

from cs_sop.core import whatsapp as rules
from cs_sop.whatsapp import settings
from cs_sop.whatsapp.inbound import EMAIL_DOMAIN, is_pseudo_email, pseudo_email

LOG = "SOP WhatsApp Message"
TICKET = "HD Ticket"
WHATSAPP = "WhatsApp"
MAX_RETRIES = 6
# the badge of a reply in the agent UI (Communication.delivery_status has no "Delivered")
DELIVERY_BADGE = {
	"Queued": "Sending",
	"Sending": "Sending",
	"Sent": "Sent",
	"Delivered": "Sent",
	"Read": "Read",
	"Failed": "Error",
}


# which number -------------------------------------------------------------------------------------
def phone_of(ticket: str) -> str | None:
	"""The number the customer wrote from; else the contact's mobile; else the pseudo address."""
	log = frappe.qb.DocType(LOG)
	last = (
		frappe.qb.from_(log)
		.select(log.phone)
		.where(log.ticket == ticket)
		.where(log.direction == "Inbound")
		.where(log.platform == WHATSAPP)
		.orderby(log.creation, order=frappe.qb.desc)
		.limit(1)
		.run()
	)
	if last:
		return last[0][0]
	row = frappe.db.get_value(TICKET, ticket, ["contact", "raised_by"], as_dict=True) or {}
	if row.get("contact"):
		number = frappe.db.get_value("Contact", row["contact"], "mobile_no") or frappe.db.get_value(
			"Contact", row["contact"], "phone"
		)
		if number:
			return rules.normalize_phone(number)
	if is_pseudo_email(row.get("raised_by")):
		return rules.normalize_phone(row["raised_by"].split("@")[0])
	return None


def last_inbound_at(phone: str, platform: str = WHATSAPP):
	"""When the customer (a number, or a Messenger / Instagram sender id) last wrote on the platform."""
	log = frappe.qb.DocType(LOG)
	found = (
		frappe.qb.from_(log)
		.select(log.status_at)
		.where(log.phone == phone)
		.where(log.platform == platform)
		.where(log.direction == "Inbound")
		.orderby(log.status_at, order=frappe.qb.desc)
		.limit(1)
		.run()
	)
	return found[0][0] if found else None


def inside_window(phone: str) -> bool:
	return rules.inside_window(last_inbound_at(phone), now_datetime())


# queueing ---------------------------------------------------------------------------------------
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


def reply(ticket, message: str, attachments: list[str] | None = None) -> str:
	"""An agent's reply on a WhatsApp ticket: the Communication Helpdesk would make, sent to WhatsApp."""
	require_agent()
	phone = phone_of(ticket.name)
	if not phone:
		frappe.throw(_("This WhatsApp ticket has no phone number to reply to."))
	communication, text = record_reply(
		ticket,
		message,
		rules.html_to_text(message),
		attachments,
		recipient=ticket.raised_by or pseudo_email(phone),
		phone_no=f"+{phone}",
	)
	log = queue(ticket.name, phone, text, communication=communication)
	if not inside_window(phone):
		frappe.msgprint(
			_(
				"The customer's last WhatsApp message is older than 24 hours. WhatsApp only allows an "
				"approved template now, so the template is sent instead of your text."
			),
			alert=True,
		)
	return log


def require_agent() -> None:
	from helpdesk.utils import is_agent

	if not is_agent():
		frappe.throw(_("You are not permitted to reply as an agent"), frappe.PermissionError)


def record_reply(
	ticket, message: str, text: str, attachments, recipient: str, phone_no: str | None = None
) -> tuple[str, str]:
	"""The Sent Communication of an agent's reply on a chat ticket (WhatsApp, Messenger, Instagram)
	with its attachments; (its name, the text to send). The caller queues the text."""
	names = [a.get("name") if isinstance(a, dict) else a for a in attachments or []]
	urls = [reply_file_url(ticket.name, n) for n in names if n]
	if not text and not urls:
		frappe.throw(_("The reply is empty."))
	communication = frappe.get_doc(
		{
			"doctype": "Communication",
			"communication_type": "Communication",
			"communication_medium": "Chat",
			"content": message,
			"delivery_status": "Sending",
			"phone_no": phone_no,
			"recipients": recipient,
			"reference_doctype": TICKET,
			"reference_name": ticket.name,
			"sender": frappe.session.user,
			"sent_or_received": "Sent",
			"status": "Linked",
			"subject": f"Re: {ticket.subject}",
		}
	)
	# the caller is an agent (checked above) with access to the ticket (Helpdesk's run_doc_method)
	communication.insert(ignore_permissions=True)
	# as Helpdesk's own reply (1.28; on 1.25 the same files end on the same two documents): the
	# upload stays on the ticket, where the editor put it, and the Communication gets its own row
	for url in dict.fromkeys(urls):
		attach_copy("Communication", communication.name, url)
		attach_copy(TICKET, ticket.name, url)
	if urls:
		# chat text carries links, not files: private files are on the ticket for the agent only
		text = (text + "\n\n" if text else "") + _("Attachments are on your ticket {0}.").format(ticket.name)
	return communication.name, text


def reply_file_url(ticket: str, name: str) -> str:
	"""The url of a file the agent attaches to a reply: one on this ticket or one they uploaded, so a
	reply cannot copy another ticket's private file onto this one."""
	row = frappe.db.get_value(
		"File", name, ["file_url", "owner", "attached_to_doctype", "attached_to_name"], as_dict=True
	)
	on_ticket = row and row.attached_to_doctype == TICKET and str(row.attached_to_name) == str(ticket)
	if not row or not row.file_url or not (on_ticket or row.owner == frappe.session.user):
		frappe.throw(_("You cannot attach file {0} to this reply.").format(name), frappe.PermissionError)
	return row.file_url


def attach_copy(doctype: str, name: str, file_url: str) -> None:
	"""A File row for `file_url` on the document, unless it has one already."""
	if frappe.db.exists(
		"File", {"file_url": file_url, "attached_to_doctype": doctype, "attached_to_name": name}
	):
		return
	# the reply's agent may write the ticket (checked by the caller); the row points at a file they uploaded
	frappe.get_doc(
		{"doctype": "File", "file_url": file_url, "attached_to_doctype": doctype, "attached_to_name": name}
	).insert(ignore_permissions=True)


def send_notice(ticket: str, subject: str, message_html: str, buttons: dict | None = None) -> bool:
	"""cs_sop.messaging's sender for WhatsApp tickets (acknowledgement, confirmation, survey …).
	Not a Communication (a notice must not count as the agent's first response). `buttons`:
	{"kind": "Confirmation" | "Survey", "suffixes": [...]}, the links of the notice as the {{1}} of
	its template's URL buttons, used when the 24-hour window is closed."""
	phone = phone_of(ticket)
	if not phone:
		return False
	body = rules.html_to_text(message_html)
	if subject and subject.strip() and subject.strip() not in body:
		body = f"*{subject.strip()}*\n\n{body}"
	buttons = buttons or {}
	queue(
		ticket,
		phone,
		body[: rules.MAX_TEXT],
		subject=subject,
		template_kind=buttons.get("kind"),
		url_suffixes=buttons.get("suffixes"),
	)
	return True


send_notice.is_ready = settings.is_ready
send_notice.takes_buttons = True


def is_whatsapp_ticket(ticket) -> bool:
	return ticket.get("sop_channel") == "WhatsApp"


# sending (the queue job) ----------------------------------------------------------------------
# Only queue jobs call `send` (jobs.send, jobs.sweep), and it commits: the Sending mark must be
# durable before the HTTP call, or a crash after Meta accepted the message would leave it Queued
# and the sweep would send it to the customer a second time. A controller or API never commits;
# a job owns its transaction, so it may.
STALE_SENDING_MINUTES = 15  # well beyond the HTTP timeout: the job that marked it is gone


def send(log_name: str) -> str | None:
	"""Send one queued message that is due; its new status. At most one HTTP call per message and
	run (no sleeping: a rate-limited send gets `next_attempt_at` and the sweep tries again); safe
	to run twice at once (row lock, status check). The platform's `deliver` makes the call
	(WhatsApp here, Messenger / Instagram in cs_sop.meta.outbound); what happens next is shared."""
	from cs_sop.whatsapp.client import WhatsAppError

	row = claim(log_name)
	if not isinstance(row, dict):
		return row
	channel = channel_of(row.platform)
	try:
		delivered = channel.deliver(row)
	except Undeliverable as e:
		return _done(fail(row, str(e)))
	except WhatsAppError as e:
		if e.maybe_sent:
			return _done(fail(row, maybe_sent_text(str(e), row.platform)))
		if e.retryable and (row.retry_count or 0) < MAX_RETRIES:
			return _done(later(row, e))
		return _done(fail(row, channel.error_text(e), code=e.code))
	frappe.db.set_value(
		LOG,
		row.name,
		{
			"wa_message_id": delivered.id,
			"status": "Sent",
			"status_rank": rules.STATUS_RANK["Sent"],
			"status_at": now_datetime(),
			"error": None,
			"error_code": None,
			"next_attempt_at": None,
			**delivered.values,
		},
		update_modified=False,
	)
	set_badge(row.communication, "Sent")
	if delivered.note and row.ticket:
		comment(row.ticket, delivered.note)
	return _done("Sent")


class Delivered(NamedTuple):
	"""What a platform's `deliver` returns: the message id, more values for the row, a note for the
	ticket (e.g. "sent as a template")."""

	id: str
	values: dict
	note: str | None = None


class Undeliverable(Exception):
	"""The message may not go at all (no template configured, Meta's window closed): Failed, said on
	the ticket, not retried."""


class _WhatsApp:
	name = WHATSAPP

	@staticmethod
	def is_ready() -> bool:
		return settings.is_ready()

	@staticmethod
	def not_ready_text() -> str:
		return _("WhatsApp is not enabled or not configured (SOP WhatsApp Settings).")

	@staticmethod
	def error_text(error) -> str:
		return str(error)

	@staticmethod
	def deliver(row) -> Delivered:
		"""Text inside the 24-hour window; outside it (or when Meta answers re-engagement) an
		approved template: the notice's own one with its URL buttons when set, else the general one."""
		from cs_sop.whatsapp.client import Client, WhatsAppError

		conf = settings.get()
		client = Client.from_settings()
		use_template = row.is_template or not inside_window(row.phone)
		try:
			if use_template:
				wa_id, used = send_template(client, conf, row)
			else:
				wa_id = client.send_text(row.phone, row.body or "")
		except WhatsAppError as e:
			if not (e.re_engagement and not use_template):
				raise
			use_template = True  # Meta refused the text (window closed): the template may still go
			wa_id, used = send_template(client, conf, row)
		note = None
		if use_template and not row.is_template:
			note = _(
				"WhatsApp: the customer's last message is older than 24 hours, so the approved template "
				"{0} was sent instead of the message. The conversation continues when the customer answers."
			).format(used)
		return Delivered(
			id=wa_id,
			values={
				"is_template": 1 if use_template else 0,
				"message_type": "template" if use_template else "text",
			},
			note=note,
		)


def channel_of(platform: str | None):
	"""The platform's sending side: is_ready, not_ready_text, deliver, error_text."""
	if platform and platform != WHATSAPP:
		from cs_sop.meta import outbound as meta_outbound

		return meta_outbound.channel(platform)
	return _WhatsApp


def claim(log_name: str):
	"""Lock the message; when it is Queued and due, mark it Sending and commit (the row, as a dict).
	Otherwise its status (None when unknown), or Failed when WhatsApp is not set up."""
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
		return _done(fail(row, channel.not_ready_text()))
	frappe.db.set_value(
		LOG,
		row.name,
		{"status": "Sending", "status_rank": rules.STATUS_RANK["Sending"], "status_at": now_datetime()},
		update_modified=False,
	)
	frappe.db.commit()  # durable before the HTTP call (see above)
	return row


def _done(status: str) -> str:
	frappe.db.commit()  # the job's outcome (see above)
	return status


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


class TemplateMissing(Undeliverable):
	pass


def send_template(client, conf, row) -> tuple[str, str]:
	"""(message id, template name). A confirmation request or survey invitation goes as its own
	template, the links as the suffixes of its URL buttons; anything else as the general template."""
	own = conf.get(f"{(row.template_kind or '').lower()}_template") if row.template_kind else None
	suffixes = json.loads(row.url_suffixes or "[]") if own else []
	if own:
		parameters = [str(row.ticket)] if row.ticket else []
		name, language = (
			own,
			conf.get(f"{row.template_kind.lower()}_template_language") or conf.template_language,
		)
		return client.send_template(row.phone, name, language, parameters, suffixes), name
	if not conf.template_name:
		raise TemplateMissing(
			_(
				"The customer's last WhatsApp message is older than 24 hours and no template is set in "
				"SOP WhatsApp Settings, so WhatsApp does not allow this message."
			)
		)
	parameters = []
	if conf.template_parameter == "Ticket Number" and row.ticket:
		parameters = [str(row.ticket)]
	elif conf.template_parameter == "Message":
		# template parameters may not contain line breaks or long runs of spaces
		parameters = [" ".join((row.body or "").split())[:1000] or "-"]
	name = conf.template_name
	return client.send_template(row.phone, name, conf.template_language, parameters), name


def later(row, error) -> str:
	"""Meta refused for now (rate limit, server error): Queued again, due after a backoff (or Meta's
	Retry-After when longer); the sweep sends it then."""
	retries = (row.retry_count or 0) + 1
	seconds = max(rules.retry_delay_minutes(retries) * 60, min(error.retry_after or 0, 3600))
	frappe.db.set_value(
		LOG,
		row.name,
		{
			"status": "Queued",
			"status_rank": rules.STATUS_RANK["Queued"],
			"status_at": now_datetime(),
			"retry_count": retries,
			"error": str(error)[:1000],
			"error_code": str(error.code or error.http_status or ""),
			"next_attempt_at": add_to_date(now_datetime(), seconds=seconds),
		},
		update_modified=False,
	)
	return "Queued"


def fail(row, error: str, code=None) -> str:
	frappe.db.set_value(
		LOG,
		row.name,
		{
			"status": "Failed",
			"status_rank": rules.STATUS_RANK["Failed"],
			"status_at": now_datetime(),
			"error": error[:1000],
			"error_code": str(code or ""),
			"next_attempt_at": None,
		},
		update_modified=False,
	)
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
			"content": f"<p>{rules.escape_html(text)}</p>",
		}
	).insert(ignore_permissions=True)  # written by the system job, not by a user


# status webhooks ------------------------------------------------------------------------------
def apply_status(status: dict) -> bool:
	"""One entry of `statuses`: move the message forward only. False when its id is not known yet."""
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
	values = {"status": new, "status_rank": rules.STATUS_RANK[new], "status_at": now_datetime()}
	error = ""
	if new == "Failed":
		errors = status.get("errors") or [{}]
		first = errors[0]
		details = (first.get("error_data") or {}).get("details") or first.get("message") or ""
		title = first.get("title") or first.get("message") or _("Delivery failed")
		error = f"{title} ({first.get('code')}) {details}".strip()
		values.update(error=error[:1000], error_code=str(first.get("code") or ""))
	frappe.db.set_value(LOG, row.name, values, update_modified=False)
	set_badge(row.communication, new)
	if new == "Failed" and row.ticket:
		comment(row.ticket, failure_text(row, error))
	return True


def retry(log_name: str) -> None:
	"""Queue a failed message again (a new WhatsApp message id; the old one stays failed at Meta)."""
	frappe.db.set_value(
		LOG,
		log_name,
		{
			"status": "Queued",
			"status_rank": rules.STATUS_RANK["Queued"],
			"status_at": now_datetime(),
			"wa_message_id": None,
			"retry_count": (frappe.db.get_value(LOG, log_name, "retry_count") or 0) + 1,
			"next_attempt_at": None,
			"is_template": 0,
		},
		update_modified=False,
	)
	set_badge(frappe.db.get_value(LOG, log_name, "communication"), "Queued")
	enqueue_send(log_name)


__all__ = ["EMAIL_DOMAIN", "reply", "send", "send_notice", "apply_status", "retry"]
