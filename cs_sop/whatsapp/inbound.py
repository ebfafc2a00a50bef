"""A customer's WhatsApp message → a received Communication on their open WhatsApp ticket (or a new
ticket with channel WhatsApp), shown in the agent UI's activity like an email. What every Meta
platform does alike (one row per message id, one sender at a time, files, ownership) is
`cs_sop.graph.inbox`.
"""

import mimetypes
from datetime import datetime, timezone

import frappe
from frappe import _
from frappe.utils import convert_utc_to_system_timezone, escape_html, now_datetime

from cs_sop.chat import add_received
from cs_sop.core import whatsapp as rules
from cs_sop.core.text import text_to_html
from cs_sop.core.whatsapp import pseudo_email
from cs_sop.graph import inbox
from cs_sop.whatsapp import client

TICKET = "HD Ticket"
WHATSAPP = "WhatsApp"
MEDIA_TYPES = ("image", "video", "audio", "document", "sticker")


def receive(message: dict, profile_name: str | None = None) -> str | None:
	"""Record one inbound message; the ticket it went to (None when it was already recorded)."""
	wa_id = message.get("id")
	phone = rules.normalize_phone(message.get("from"))
	if not wa_id or not phone or inbox.is_recorded(wa_id):
		return None
	with inbox.sender_lock(phone):
		if inbox.is_recorded(wa_id):
			return None
		received_at = _timestamp(message.get("timestamp"))
		log = inbox.record(WHATSAPP, wa_id, phone, message.get("type"), received_at, message)
		contact = find_or_create_contact(phone, profile_name)
		ticket = inbox.open_ticket_for(phone, WHATSAPP) or new_ticket(phone, contact, profile_name)
		html, files = render(message)
		communication = add_received(
			ticket,
			pseudo_email(phone),
			(profile_name or "").strip() or f"+{phone}",
			html,
			_("WhatsApp message"),
			received_at,
			phone_no=f"+{phone}",
		)
		for file in files:
			attach(ticket, communication, file)
		inbox.link(log, ticket, communication)
		inbox.name_customer(contact, log, communication, pseudo_email(phone))
	return ticket


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


def new_ticket(phone: str, contact: str, profile_name: str | None) -> str:
	who = (profile_name or "").strip() or f"+{phone}"
	ticket = frappe.get_doc(
		{
			"doctype": TICKET,
			"subject": _("WhatsApp from {0}").format(who)[:140],
			"raised_by": pseudo_email(phone),
			"contact": contact,
			"sop_channel": WHATSAPP,
		}
	)
	ticket.insert(
		ignore_permissions=True
	)  # created for a guest (the customer), as Helpdesk's email pull does
	return ticket.name


def render(message: dict) -> tuple[str, list[dict]]:
	"""HTML for the Communication and the media to attach, for every message type."""
	kind = message.get("type") or "unknown"
	part = message.get(kind) if isinstance(message.get(kind), dict) else {}
	esc = escape_html
	if kind == "text":
		return text_to_html(part.get("body") or ""), []
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
		return text_to_html(part.get("text") or ""), []
	if kind == "interactive":
		reply = part.get("button_reply") or part.get("list_reply") or {}
		return text_to_html(reply.get("title") or ""), []
	if kind == "reaction":
		label = _("Reaction")
		return f"<p><em>[{esc(label)}]</em> {esc(part.get('emoji') or '')}</p>", []
	errors = "; ".join(e.get("title") or e.get("message") or "" for e in message.get("errors") or [])
	text = _("Unsupported WhatsApp message type: {0}").format(kind)
	return f"<p><em>[{esc(text)}]</em> {esc(errors)}</p>", []


def attach(ticket: str, communication: str, media: dict) -> None:
	"""Download a media message into a private File on the Communication (and the ticket, as
	Helpdesk does for email attachments). A failed download is said on the ticket, never dropped."""
	media_id = media.get("id")
	try:
		api = client.Client.from_settings()
		info = api.media_info(media_id)
		content = api.download(info["url"])
	except (client.WhatsAppError, KeyError, TypeError) as e:
		if isinstance(e, client.WhatsAppError) and e.retryable and not frappe.flags.cs_sop_wa_last_try:
			raise  # the whole event is tried again by the next sweep (jobs.process_event)
		inbox.note(
			communication, _("The file of this WhatsApp message could not be downloaded: {0}").format(str(e))
		)
		return
	mime = info.get("mime_type") or media.get("mime_type") or ""
	filename = media.get("filename") or f"whatsapp-{media['kind']}-{media_id}{_extension(mime)}"
	inbox.store_file(ticket, communication, filename, content, WHATSAPP)


def _extension(mime: str) -> str:
	base = (mime or "").split(";")[0].strip()
	return {"audio/ogg": ".ogg", "image/jpeg": ".jpg"}.get(base) or mimetypes.guess_extension(base) or ""
