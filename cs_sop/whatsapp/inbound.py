"""A customer's WhatsApp message → a received Communication on their open WhatsApp ticket (or a new
ticket with channel WhatsApp), shown in the agent UI's activity like an email.

Idempotent on the WhatsApp message id: the log row (unique `wa_message_id`) is written first, so a
re-delivered webhook, or two workers with the same message, make one Communication. Messages of one
phone number are handled one at a time (a database lock per number), so two first messages of a
new customer make one ticket.
"""

import json
from datetime import datetime, timezone

import frappe
from frappe import _
from frappe.utils import convert_utc_to_system_timezone, now_datetime

from cs_sop.core import whatsapp as rules
from cs_sop.messaging import attach_to_message

LOG = "SOP WhatsApp Message"
TICKET = "HD Ticket"
EMAIL_DOMAIN = "whatsapp.invalid"  # RFC 2606: never deliverable; Helpdesk needs an address per ticket
MEDIA_TYPES = ("image", "video", "audio", "document", "sticker")


def pseudo_email(phone: str) -> str:
	return f"{phone}@{EMAIL_DOMAIN}"


def is_pseudo_email(email: str | None) -> bool:
	return bool(email) and email.lower().endswith("@" + EMAIL_DOMAIN)


def receive(message: dict, profile_name: str | None = None) -> str | None:
	"""Record one inbound message; the ticket it went to (None when it was already recorded)."""
	wa_id = message.get("id")
	phone = rules.normalize_phone(message.get("from"))
	if not wa_id or not phone:
		return None
	if frappe.db.exists(LOG, {"wa_message_id": wa_id}):
		return None
	with phone_lock(phone):
		if frappe.db.exists(LOG, {"wa_message_id": wa_id}):
			return None
		received_at = _timestamp(message.get("timestamp"))
		log = frappe.get_doc(
			{
				"doctype": LOG,
				"wa_message_id": wa_id,
				"direction": "Inbound",
				"phone": phone,
				"message_type": message.get("type"),
				"status": "Received",
				"status_at": received_at,
				"raw_event": json.dumps(message, ensure_ascii=False),
			}
		)
		log.insert(ignore_permissions=True)  # system record written by the webhook job
		contact = find_or_create_contact(phone, profile_name)
		ticket = open_ticket_for(phone, contact) or new_ticket(phone, contact, profile_name, message)
		html, files = render(message)
		communication = add_communication(ticket, phone, profile_name, html, received_at)
		for file in files:
			attach(ticket, communication, file)
		frappe.db.set_value(
			LOG, log.name, {"ticket": ticket, "communication": communication}, update_modified=False
		)
		name_customer(phone, contact, log.name, communication)
	notify_notices(ticket, received_at)
	return ticket


def name_customer(
	phone: str, contact: str | None, log: str, communication: str, address: str | None = None
) -> None:
	"""The customer, not the job's system user, owns their message's records (as a portal
	customer owns what they write): their contact's email, else their address on the platform
	(`address`; WhatsApp's by default)."""
	email = (
		(contact and frappe.db.get_value("Contact", contact, "email_id")) or address or pseudo_email(phone)
	)
	for doctype, name in ((LOG, log), ("Communication", communication)):
		frappe.db.set_value(doctype, name, "owner", email, update_modified=False)


class phone_lock:
	"""MariaDB named lock per phone number. Held until the job's commit or rollback (the job calls
	`release_locks`), so a second worker with the same number sees the first one's ticket; the jobs
	read with READ COMMITTED for the same reason."""

	def __init__(self, phone: str, timeout: int = 30):
		self.key = f"cs_sop_wa:{frappe.local.site}:{phone}"[:64]
		self.timeout = timeout

	def __enter__(self):
		got = frappe.db.sql("select get_lock(%s, %s)", (self.key, self.timeout))[0][0]
		if not got:
			raise frappe.QueryTimeoutError(
				f"WhatsApp: lock for a phone number not free within {self.timeout} s"
			)

	def __exit__(self, *exc):
		return False


def release_locks() -> None:
	frappe.db.sql("select release_all_locks()")


def _timestamp(value) -> datetime:
	try:
		utc = datetime.fromtimestamp(int(value), tz=timezone.utc).replace(tzinfo=None)
	except (TypeError, ValueError):
		return now_datetime()
	return convert_utc_to_system_timezone(utc).replace(tzinfo=None)


def find_or_create_contact(phone: str, profile_name: str | None) -> str:
	contact = find_contact(phone)
	if contact:
		return contact
	doc = frappe.new_doc("Contact")
	doc.first_name = (profile_name or "").strip()[:100] or f"+{phone}"
	doc.append("phone_nos", {"phone": f"+{phone}", "is_primary_mobile_no": 1})
	doc.append("email_ids", {"email_id": pseudo_email(phone), "is_primary": 1})
	doc.insert(ignore_permissions=True)  # the customer writes as a guest; the job records them
	return doc.name


def find_contact(phone: str) -> str | None:
	row = frappe.qb.DocType("Contact Phone")
	found = (
		frappe.qb.from_(row)
		.select(row.parent)
		.where(row.parenttype == "Contact")
		.where(row.phone.isin([f"+{phone}", phone]))
		.orderby(row.creation)
		.limit(1)
		.run()
	)
	if found:
		return found[0][0]
	return frappe.db.get_value("Contact", {"email_id": pseudo_email(phone)})


def open_ticket_for(phone: str, contact: str | None, platform: str = "WhatsApp") -> str | None:
	"""The ticket of this number's (or Messenger / Instagram sender's) latest message on the
	platform, unless that ticket is closed."""
	log = frappe.qb.DocType(LOG)
	last = (
		frappe.qb.from_(log)
		.select(log.ticket)
		.where(log.phone == phone)
		.where(log.platform == platform)
		.where(log.ticket.isnotnull())
		.orderby(log.creation, order=frappe.qb.desc)
		.limit(1)
		.run()
	)
	if not last:
		return None
	status = frappe.db.get_value(TICKET, last[0][0], "status")
	if not status or status == "Closed":
		return None
	return last[0][0]


def new_ticket(phone: str, contact: str, profile_name: str | None, message: dict) -> str:
	who = (profile_name or "").strip() or f"+{phone}"
	ticket = frappe.get_doc(
		{
			"doctype": TICKET,
			"subject": _("WhatsApp from {0}").format(who)[:140],
			"raised_by": pseudo_email(phone),
			"contact": contact,
			"sop_channel": "WhatsApp",
		}
	)
	ticket.insert(
		ignore_permissions=True
	)  # created for a guest (the customer), as Helpdesk's email pull does
	return ticket.name


def add_communication(
	ticket: str,
	phone: str,
	profile_name: str | None,
	html: str,
	received_at,
	address: str | None = None,
	subject: str | None = None,
) -> str:
	"""A received Communication; `address` / `subject` for Messenger and Instagram (no phone)."""
	c = frappe.new_doc("Communication")
	c.communication_type = "Communication"
	c.communication_medium = "Chat"
	c.sent_or_received = "Received"
	c.email_status = "Open"
	c.subject = subject or _("WhatsApp message")
	c.sender = address or pseudo_email(phone)
	c.sender_full_name = (profile_name or "").strip() or (phone if address else f"+{phone}")
	if not address:
		c.phone_no = f"+{phone}"
	c.content = html
	c.communication_date = received_at
	c.status = "Linked"
	c.reference_doctype = TICKET
	c.reference_name = ticket
	# on_update calls HDTicket.on_communication_update: reopen, last_customer_response, as for email
	c.insert(ignore_permissions=True)
	return c.name


def render(message: dict) -> tuple[str, list[dict]]:
	"""HTML for the Communication and the media to attach, for every message type."""
	kind = message.get("type") or "unknown"
	part = message.get(kind) if isinstance(message.get(kind), dict) else {}
	esc = rules.escape_html
	if kind == "text":
		return rules.text_to_html(part.get("body") or ""), []
	if kind in MEDIA_TYPES:
		label = {
			"image": _("Image"),
			"video": _("Video"),
			"audio": _("Voice message or audio"),
			"document": _("Document"),
			"sticker": _("Sticker"),
		}[kind]
		caption = part.get("caption") or part.get("filename") or ""
		html = (
			f"<p><em>[{esc(label)}]</em> {esc(caption)}</p>" if caption else f"<p><em>[{esc(label)}]</em></p>"
		)
		return html, [dict(part, kind=kind)]
	if kind == "location":
		lat, lng = part.get("latitude"), part.get("longitude")
		where = " — ".join(esc(str(part[k])) for k in ("name", "address") if part.get(k))
		url = f"https://maps.google.com/?q={lat},{lng}"
		label = _("Location")
		return (
			f"<p><em>[{esc(label)}]</em> {where} ({esc(str(lat))}, {esc(str(lng))}) "
			f'<a href="{esc(url)}">{esc(url)}</a></p>',
			[],
		)
	if kind == "contacts":
		lines = []
		for card in message.get("contacts") or []:
			name = (card.get("name") or {}).get("formatted_name") or ""
			phones = ", ".join(p.get("phone", "") for p in card.get("phones") or [])
			lines.append(esc(f"{name} {phones}".strip()))
		label = _("Contact card")
		return f"<p><em>[{esc(label)}]</em><br>" + "<br>".join(lines) + "</p>", []
	if kind == "button":
		return rules.text_to_html(part.get("text") or ""), []
	if kind == "interactive":
		reply = part.get("button_reply") or part.get("list_reply") or {}
		return rules.text_to_html(reply.get("title") or ""), []
	if kind == "reaction":
		label = _("Reaction")
		return f"<p><em>[{esc(label)}]</em> {esc(part.get('emoji') or '')}</p>", []
	errors = "; ".join(e.get("title") or e.get("message") or "" for e in message.get("errors") or [])
	text = _("Unsupported WhatsApp message type: {0}").format(kind)
	return f"<p><em>[{esc(text)}]</em> {esc(errors)}</p>", []


def attach(ticket: str, communication: str, media: dict) -> None:
	"""Download a media message into a private File on the Communication (and the ticket, as
	Helpdesk does for email attachments). A failed download is said on the ticket, never dropped."""
	from cs_sop.whatsapp.client import Client, WhatsAppError

	media_id = media.get("id")
	try:
		client = Client.from_settings()
		info = client.media_info(media_id)
		content = client.download(info["url"])
	except (WhatsAppError, KeyError, TypeError) as e:
		if isinstance(e, WhatsAppError) and e.retryable and not frappe.flags.cs_sop_wa_last_try:
			raise  # the whole event is tried again by the next sweep (jobs.process_event)
		_note(
			communication, _("The file of this WhatsApp message could not be downloaded: {0}").format(str(e))
		)
		return
	mime = info.get("mime_type") or media.get("mime_type") or ""
	filename = media.get("filename") or f"whatsapp-{media['kind']}-{media_id}{_extension(mime)}"
	store_file(ticket, communication, filename, content)


def store_file(ticket: str, communication: str, filename: str, content: bytes, platform: str = "WhatsApp"):
	"""A private File on the Communication and the ticket; a file Frappe refuses is said on the
	message instead (never dropped silently)."""
	frappe.db.savepoint("cs_sop_wa_file")
	try:
		attach_to_message(ticket, communication, filename, content)  # a system job; private file
	except Exception as e:
		# e.g. a damaged PDF Frappe refuses: the message stays, and says why its file is missing
		frappe.db.rollback(save_point="cs_sop_wa_file")
		if platform == "WhatsApp":
			note = _("The file of this WhatsApp message could not be stored: {0}").format(str(e)[:200])
		else:
			note = _("The file of this {0} message could not be stored: {1}").format(platform, str(e)[:200])
		_note(communication, note)


def note(communication: str, text: str) -> None:
	"""A line in italics after the message's text (e.g. why its file is missing)."""
	_note(communication, text)


def _note(communication: str, note: str) -> None:
	current = frappe.db.get_value("Communication", communication, "content") or ""
	frappe.db.set_value(
		"Communication",
		communication,
		"content",
		current + f"<p><em>{rules.escape_html(note)}</em></p>",
		update_modified=False,
	)


def _extension(mime: str) -> str:
	import mimetypes

	base = (mime or "").split(";")[0].strip()
	return {"audio/ogg": ".ogg", "image/jpeg": ".jpg"}.get(base) or mimetypes.guess_extension(base) or ""


def notify_notices(ticket: str, received_at) -> None:
	"""The out-of-hours auto reply (issue 11) reacts to every customer message, if it is installed."""
	try:
		hook = frappe.get_attr("cs_sop.notices.after_customer_message")
	except (ImportError, AttributeError):
		return
	hook(ticket, received_at)
