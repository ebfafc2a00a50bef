"""Messages to a WhatsApp customer: agents' replies from the Helpdesk UI and automatic notices.

Nothing is sent inside a web request: each message is a SOP WhatsApp Message row (status Queued)
and a queue job sends it after the commit (`jobs.send`). Status webhooks move the row forward only
(sent → delivered → read, or failed), and the reply's Communication shows the state as its delivery
badge in the agent UI. Outside the 24-hour customer-service window the configured template goes
instead and the agent is told on the ticket. A failed message says so on the ticket and can be
retried (`cs_sop.whatsapp.api.retry`).
"""

import frappe
from frappe import _
from frappe.utils import add_to_date, now_datetime

from cs_sop.core import whatsapp as rules
from cs_sop.whatsapp import settings
from cs_sop.whatsapp.inbound import EMAIL_DOMAIN, is_pseudo_email, pseudo_email

LOG = "SOP WhatsApp Message"
TICKET = "HD Ticket"
MAX_RETRIES = 6
# the badge of a reply in the agent UI (Communication.delivery_status has no "Delivered")
DELIVERY_BADGE = {"Queued": "Sending", "Sent": "Sent", "Delivered": "Sent", "Read": "Read", "Failed": "Error"}


# which number -------------------------------------------------------------------------------------
def phone_of(ticket: str) -> str | None:
	"""The number the customer wrote from; else the contact's mobile; else the pseudo address."""
	log = frappe.qb.DocType(LOG)
	last = (
		frappe.qb.from_(log)
		.select(log.phone)
		.where(log.ticket == ticket)
		.where(log.direction == "Inbound")
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


def last_inbound_at(phone: str):
	log = frappe.qb.DocType(LOG)
	found = (
		frappe.qb.from_(log)
		.select(log.status_at)
		.where(log.phone == phone)
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
	ticket: str | None, phone: str, body: str, communication: str | None = None, subject: str = ""
) -> str:
	log = frappe.get_doc(
		{
			"doctype": LOG,
			"direction": "Outbound",
			"ticket": ticket,
			"phone": phone,
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
	frappe.enqueue(
		"cs_sop.whatsapp.jobs.send",
		queue="short",
		log_name=log_name,
		enqueue_after_commit=True,
		now=bool(frappe.flags.in_test),
		job_id=None if frappe.flags.in_test else f"cs_sop_wa_send:{log_name}",
		deduplicate=not frappe.flags.in_test,
	)


def reply(ticket, message: str, attachments: list[str] | None = None) -> str:
	"""An agent's reply on a WhatsApp ticket: the Communication Helpdesk would make, sent to WhatsApp."""
	from helpdesk.utils import is_agent

	if not is_agent():
		frappe.throw(_("You are not permitted to reply as an agent"), frappe.PermissionError)
	phone = phone_of(ticket.name)
	if not phone:
		frappe.throw(_("This WhatsApp ticket has no phone number to reply to."))
	text = rules.html_to_text(message)
	names = [a.get("name") if isinstance(a, dict) else a for a in attachments or []]
	urls = [frappe.db.get_value("File", n, "file_url") for n in names if n]
	if not text and not urls:
		frappe.throw(_("The reply is empty."))
	communication = frappe.get_doc(
		{
			"doctype": "Communication",
			"communication_type": "Communication",
			"communication_medium": "Chat",
			"content": message,
			"delivery_status": "Sending",
			"phone_no": f"+{phone}",
			"recipients": ticket.raised_by or pseudo_email(phone),
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
	for name in names:
		file = frappe.get_doc("File", name)
		file.attached_to_doctype = "Communication"
		file.attached_to_name = communication.name
		file.save(ignore_permissions=True)
	if urls:
		# WhatsApp text carries links, not files: private files are on the ticket for the agent only
		text = (text + "\n\n" if text else "") + _("Attachments are on your ticket {0}.").format(ticket.name)
	log = queue(ticket.name, phone, text, communication=communication.name)
	if not inside_window(phone):
		frappe.msgprint(
			_(
				"The customer's last WhatsApp message is older than 24 hours. WhatsApp only allows an "
				"approved template now, so the template is sent instead of your text."
			),
			alert=True,
		)
	return log


def send_notice(ticket: str, subject: str, message_html: str) -> bool:
	"""cs_sop.messaging's sender for WhatsApp tickets (acknowledgement, confirmation, survey …).
	Not a Communication (a notice must not count as the agent's first response)."""
	phone = phone_of(ticket)
	if not phone:
		return False
	body = rules.html_to_text(message_html)
	if subject and subject.strip() and subject.strip() not in body:
		body = f"*{subject.strip()}*\n\n{body}"
	queue(ticket, phone, body[: rules.MAX_TEXT], subject=subject)
	return True


send_notice.is_ready = settings.is_ready


def is_whatsapp_ticket(ticket) -> bool:
	return ticket.get("sop_channel") == "WhatsApp"


# sending (the queue job) ----------------------------------------------------------------------
def send(log_name: str) -> str | None:
	"""Send one queued message; its new status. Safe to run twice at once (row lock, status check)."""
	from cs_sop.whatsapp.client import Client, WhatsAppError

	log = frappe.qb.DocType(LOG)
	rows = (
		frappe.qb.from_(log)
		.select("*")
		.where(log.name == log_name)
		.where(log.direction == "Outbound")
		.for_update()
		.run(as_dict=True)
	)
	if not rows or rows[0].status != "Queued":
		return rows[0].status if rows else None
	row = rows[0]
	conf = settings.get()
	if not settings.is_ready():
		return fail(row, _("WhatsApp is not enabled or not configured (SOP WhatsApp Settings)."))
	client = Client.from_settings()
	use_template = row.is_template or not inside_window(row.phone)
	try:
		try:
			if use_template:
				wa_id = send_template(client, conf, row)
			else:
				wa_id = client.send_text(row.phone, row.body or "")
		except WhatsAppError as e:
			if not (e.re_engagement and not use_template):
				raise
			use_template = True  # Meta says the window closed: the template may still go
			wa_id = send_template(client, conf, row)
	except TemplateMissing as e:
		return fail(row, str(e))
	except WhatsAppError as e:
		if e.retryable and (row.retry_count or 0) < MAX_RETRIES:
			return later(row, e)
		return fail(row, str(e), code=e.code)
	frappe.db.set_value(
		LOG,
		row.name,
		{
			"wa_message_id": wa_id,
			"status": "Sent",
			"status_rank": rules.STATUS_RANK["Sent"],
			"status_at": now_datetime(),
			"is_template": 1 if use_template else 0,
			"message_type": "template" if use_template else "text",
			"error": None,
			"error_code": None,
			"next_attempt_at": None,
		},
		update_modified=False,
	)
	set_badge(row.communication, "Sent")
	if use_template and row.ticket and not row.is_template:
		comment(
			row.ticket,
			_(
				"WhatsApp: the customer's last message is older than 24 hours, so the approved template "
				"{0} was sent instead of the message. The conversation continues when the customer answers."
			).format(conf.template_name),
		)
	return "Sent"


class TemplateMissing(Exception):
	pass


def send_template(client, conf, row) -> str:
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
	return client.send_template(row.phone, conf.template_name, conf.template_language, parameters)


def later(row, error) -> str:
	retries = (row.retry_count or 0) + 1
	frappe.db.set_value(
		LOG,
		row.name,
		{
			"retry_count": retries,
			"error": str(error)[:1000],
			"error_code": str(error.code or error.http_status or ""),
			"next_attempt_at": add_to_date(now_datetime(), minutes=rules.retry_delay_minutes(retries)),
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
		.select(log.name, log.status, log.status_rank, log.ticket, log.communication, log.phone)
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
