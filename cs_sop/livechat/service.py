"""Live chat conversations: the ticket, the visitor's messages, the agent's replies, delivery.

A conversation is an HD Ticket with channel Live Chat. Each visitor message is a received
Communication (medium Chat) in the visitor's name, as an email reply is, so Helpdesk's agent UI
shows it, reopens the ticket and counts the customer's response. The agent's ordinary Reply on such
a ticket makes a sent Communication and no email (`reply`, called by cs_sop.overrides.hd_ticket).
Every Communication of a Live Chat ticket is published to the conversation's realtime room after
the commit (`on_communication`), and `messages_since` serves the same messages to polling, with a
(creation, name) cursor, so a visitor sees each message once whichever way it arrives.
"""

import hashlib
import re
import time
from datetime import timedelta

import frappe
from frappe import _
from frappe.utils import cint, get_datetime, now_datetime, validate_email_address

from cs_sop.core import livechat as rules

TICKET = "HD Ticket"
CHANNEL = "Live Chat"
EMAIL_DOMAIN = "livechat.invalid"  # RFC 2606: never deliverable; a phone-only visitor's address
MESSAGE_PREFIX = "livechat-"  # Communication.message_id of a visitor message: its client id
MAX_TEXT = 4000
MAX_NAME = 140
MAX_FILE = 5 * 1024 * 1024
TOKEN_DAYS = 30
PAGE = 200
# A poll re-reads this much before its cursor: a message committed late with an earlier creation time
# (a visitor and an agent writing at the same moment) is not skipped; the widget shows each id once.
OVERLAP_SECONDS = 5
FILE_TYPES = (
	".png",
	".jpg",
	".jpeg",
	".gif",
	".webp",
	".pdf",
	".txt",
	".doc",
	".docx",
	".xls",
	".xlsx",
	".csv",
	".zip",
)


# settings ---------------------------------------------------------------------------------------
def secret() -> bytes:
	"""The HMAC key: derived from the site's encryption key (site config, never in the database), so
	it is per site and survives restarts; rotating the encryption key invalidates every token."""
	from frappe.utils.password import get_encryption_key

	return hashlib.sha256(("cs_sop livechat:" + get_encryption_key()).encode()).digest()


def max_file_size() -> int:
	return min(cint(frappe.conf.get("cs_sop_livechat_max_file_size")) or MAX_FILE, _frappe_max_file())


def _frappe_max_file() -> int:
	from frappe.utils.file_manager import get_max_file_size

	return get_max_file_size()


def token_max_age() -> int:
	return (cint(frappe.conf.get("cs_sop_livechat_token_days")) or TOKEN_DAYS) * 86400


def enabled() -> bool:
	value = frappe.get_cached_doc("SOP Settings").get("livechat_enabled")
	return value is None or bool(cint(value))


def allowed_origins() -> list[str]:
	"""The configured origins plus the site's own (the chat page calls the API from there)."""
	own = rules.origin_of(frappe.utils.get_url())
	configured = rules.parse_origins(frappe.get_cached_doc("SOP Settings").get("livechat_allowed_origins"))
	request = getattr(frappe.local, "request", None)
	request_host = rules.origin_of(request.host_url) if request else None
	return [o for o in dict.fromkeys([own, request_host, *configured]) if o]


def check_origin() -> None:
	"""Refuse a browser request made from a page on a website that is not allowed to embed the chat."""
	request = getattr(frappe.local, "request", None)
	origin = request.headers.get("Origin") if request else None  # no request: a job or the console
	if not rules.origin_allowed(origin, allowed_origins()):
		frappe.throw(_("This website is not allowed to use the live chat."), frappe.PermissionError)


# operating hours --------------------------------------------------------------------------------
def opening_state(lang: str) -> dict:
	"""Open now, or when the desk opens next (the SOP's operating hours and holidays)."""
	from cs_sop.core.notices import closed_period
	from cs_sop.sla import cached_calendar

	nxt = closed_period(cached_calendar(), now_datetime())
	if nxt is None:
		return {"open": True, "next_opening": None, "next_opening_text": None}
	return {"open": False, "next_opening": str(nxt), "next_opening_text": format_when(nxt, lang)}


def format_when(dt, lang: str) -> str:
	from frappe.utils import format_datetime, get_system_timezone
	from frappe.utils.data import get_datetime as to_dt

	if lang == "id":
		from cs_sop.notices import when

		return when(dt)
	return format_datetime(to_dt(dt), "EEEE, d MMMM yyyy HH:mm") + " (" + get_system_timezone() + ")"


# visitors and tokens ----------------------------------------------------------------------------
def pseudo_email(phone: str) -> str:
	return f"{phone}@{EMAIL_DOMAIN}"


def is_pseudo_email(email: str | None) -> bool:
	return bool(email) and email.lower().endswith("@" + EMAIL_DOMAIN)


def normalize_phone(phone: str | None) -> str | None:
	digits = re.sub(r"[^0-9]", "", phone or "")
	if digits.startswith("0"):
		digits = "62" + digits[1:]
	return digits if 8 <= len(digits) <= 15 else None


def issue_token(ticket: str, email: str) -> str:
	return rules.sign(secret(), ticket, email, int(time.time()))


def conversation(token: str | None) -> frappe._dict:
	"""The conversation a token is for; 403 (nothing said about any ticket) when it is not genuine,
	expired, or its ticket is gone or no longer the visitor's."""
	claims = rules.verify(secret(), token, int(time.time()), token_max_age())
	row = None
	if claims:
		row = frappe.db.get_value(
			TICKET,
			claims["ticket"],
			["name", "raised_by", "contact", "status", "status_category", "sop_channel", "subject"],
			as_dict=True,
		)
	if not row or (row.raised_by or "").lower() != claims["email"].lower():
		frappe.throw(
			_("This chat link is not valid or has expired. Please start a new chat."), frappe.PermissionError
		)
	return row


def room(ticket: str) -> str:
	return rules.room(secret(), ticket)


def session_visitor() -> dict | None:
	"""A logged-in customer is recognised: their name and address, not asked again."""
	user = frappe.session.user
	if user in ("Guest", None):
		return None
	row = frappe.db.get_value("User", user, ["email", "full_name", "mobile_no"], as_dict=True)
	if not row or not row.email:
		return None
	return {"name": row.full_name or row.email, "email": row.email.lower(), "phone": row.mobile_no}


def clean_visitor(name: str | None, email: str | None, phone: str | None) -> dict:
	"""The visitor's details as typed, checked: a name and an email address or a phone number."""
	name = re.sub(r"\s+", " ", (name or "")).strip()
	email = (email or "").strip().lower()
	if not name:
		frappe.throw(_("Please enter your name."))
	if len(name) > MAX_NAME or len(email) > 140 or len(phone or "") > 40:
		frappe.throw(_("Your name, email or phone number is too long."))
	if email and not validate_email_address(email):
		frappe.throw(_("Please enter a valid email address."))
	number = normalize_phone(phone) if phone else None
	if phone and not number:
		frappe.throw(_("Please enter a valid phone number."))
	if not email and not number:
		frappe.throw(_("Please enter your email address or phone number."))
	if email and frappe.db.get_value("User", email, "user_type") == "System User":
		# a staff address typed by a guest would make the chat speak in the staff member's name
		frappe.throw(_("Please use your own email address."), frappe.PermissionError)
	return {"name": name, "email": email or pseudo_email(number), "phone": number}


def find_or_create_contact(visitor: dict) -> str:
	contact = frappe.db.get_value("Contact", {"email_id": visitor["email"]})
	if contact:
		return contact
	frappe.db.savepoint("cs_sop_livechat_contact")
	try:
		return _new_contact(visitor).insert(ignore_permissions=True).name  # the chat records the guest
	except frappe.DuplicateEntryError:
		# Frappe names a contact after the person and numbers namesakes; two visitors of the same name
		# starting at once race for the same number: the second gets a random suffix instead
		frappe.db.rollback(save_point="cs_sop_livechat_contact")
		doc = _new_contact(visitor)
		return doc.insert(
			ignore_permissions=True, set_name=f"{visitor['name'][:100]}-{frappe.generate_hash(length=6)}"
		).name


def _new_contact(visitor: dict):
	first, _sep, last = visitor["name"].partition(" ")
	doc = frappe.new_doc("Contact")
	doc.first_name = first[:100]
	doc.last_name = last[:100] or None
	doc.append("email_ids", {"email_id": visitor["email"], "is_primary": 1})
	if visitor.get("phone"):
		doc.append("phone_nos", {"phone": f"+{visitor['phone']}", "is_primary_mobile_no": 1})
	return doc


def new_ticket(visitor: dict, subject: str) -> str:
	ticket = frappe.new_doc(TICKET)
	ticket.subject = subject[:140]
	ticket.raised_by = visitor["email"]
	ticket.sop_channel = CHANNEL
	ticket.flags.cs_sop_trusted = True  # the channel is set by this code, not by the guest
	# a guest has no right on HD Ticket; the chat creates the visitor's ticket as the email pull does
	ticket.insert(ignore_permissions=True)
	return ticket.name


# messages ---------------------------------------------------------------------------------------
def text_to_html(text: str) -> str:
	import html

	paragraphs = [p for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
	return "".join("<p>" + html.escape(p.strip()).replace("\n", "<br>") + "</p>" for p in paragraphs)


def check_text(text: str | None, allow_empty: bool = False) -> str:
	text = (text or "").strip()
	if len(text) > MAX_TEXT:
		frappe.throw(_("The message is too long (at most {0} characters).").format(MAX_TEXT))
	if not text and not allow_empty:
		frappe.throw(_("The message is empty."))
	return text


def existing_message(ticket: str, client_id: str | None) -> str | None:
	if not client_id:
		return None
	return frappe.db.get_value(
		"Communication",
		{"reference_doctype": TICKET, "reference_name": ticket, "message_id": MESSAGE_PREFIX + client_id},
	)


def add_visitor_message(conv, text: str, client_id: str | None, sender_name: str | None = None) -> str:
	"""A received Communication on the ticket in the visitor's name; the same client id twice (a
	retried request) records the message once."""
	found = existing_message(conv.name, client_id)
	if found:
		return found
	c = frappe.new_doc("Communication")
	c.communication_type = "Communication"
	c.communication_medium = "Chat"
	c.sent_or_received = "Received"
	c.email_status = "Open"
	c.subject = _("Live chat message")
	c.sender = conv.raised_by
	c.sender_full_name = sender_name or contact_name(conv.contact) or conv.raised_by
	c.content = text_to_html(text) if text else ""
	c.communication_date = now_datetime()
	c.status = "Linked"
	c.reference_doctype = TICKET
	c.reference_name = conv.name
	if client_id:
		c.message_id = MESSAGE_PREFIX + client_id
	# HDTicket.on_communication_update: reopen, last_customer_response, as for an email reply
	c.insert(ignore_permissions=True)
	return c.name


def contact_name(contact: str | None) -> str | None:
	return frappe.db.get_value("Contact", contact, "full_name") if contact else None


def check_file(filename: str, content: bytes) -> str:
	import os

	filename = os.path.basename((filename or "").replace("\\", "/")).strip()[:140]
	if not filename or not content:
		frappe.throw(_("The file is empty."))
	limit = max_file_size()
	if len(content) > limit:
		frappe.throw(
			_("The file is too large: at most {0} MB.").format(round(limit / 1048576, 1)),
			frappe.ValidationError,
		)
	if not filename.lower().endswith(FILE_TYPES):
		frappe.throw(_("This file type cannot be sent in the chat: {0}").format(filename))
	return filename


def visible_messages(ticket: str, cursor: str | None = None, limit: int = PAGE) -> list[dict]:
	"""The conversation's messages after the cursor, oldest first: what the visitor may see (the
	Communications of the ticket, never its internal comments)."""
	comm = frappe.qb.DocType("Communication")
	query = (
		frappe.qb.from_(comm)
		.select(
			comm.name,
			comm.creation,
			comm.content,
			comm.sent_or_received,
			comm.sender,
			comm.sender_full_name,
		)
		.where(comm.reference_doctype == TICKET)
		.where(comm.reference_name == ticket)
		.where(comm.communication_type == "Communication")
		.orderby(comm.creation)
		.orderby(comm.name)
		.limit(limit)
	)
	after = rules.parse_cursor(cursor)
	if after:
		try:
			at = get_datetime(after[0])
		except Exception:
			frappe.throw(_("Invalid message id."))
		query = query.where(comm.creation > at - timedelta(seconds=OVERLAP_SECONDS))
	rows = query.run(as_dict=True)
	files = files_of([r.name for r in rows])
	return [as_message(r, files.get(r.name, [])) for r in rows]


def files_of(communications: list[str]) -> dict:
	if not communications:
		return {}
	out: dict = {}
	for f in frappe.get_all(
		"File",
		filters={"attached_to_doctype": "Communication", "attached_to_name": ("in", communications)},
		fields=["name", "file_name", "attached_to_name", "file_size"],
		order_by="creation asc",
	):
		out.setdefault(f.attached_to_name, []).append(
			{"id": f.name, "file_name": f.file_name, "size": f.file_size}
		)
	return out


def as_message(row, files: list) -> dict:
	from frappe.utils.html_utils import sanitize_html

	visitor = row.sent_or_received == "Received"
	name = row.sender_full_name
	if not visitor:
		name = frappe.db.get_value("User", row.sender, "first_name") or _("Customer Service")
	return {
		"id": row.name,
		"cursor": rules.cursor_key(get_datetime(row.creation).strftime("%Y-%m-%d %H:%M:%S.%f"), row.name),
		"at": str(row.creation),
		"from": "visitor" if visitor else "agent",
		"name": name,
		"html": sanitize_html(row.content or "", always_sanitize=True),
		"files": files,
	}


def message_by_name(name: str) -> dict | None:
	row = frappe.db.get_value(
		"Communication",
		name,
		["name", "creation", "content", "sent_or_received", "sender", "sender_full_name"],
		as_dict=True,
	)
	return as_message(row, files_of([name]).get(name, [])) if row else None


# the agent's reply and delivery -----------------------------------------------------------------
def is_livechat_ticket(ticket) -> bool:
	return ticket.get("sop_channel") == CHANNEL


def reply(ticket, message: str, attachments: list | None = None) -> str:
	"""The agent UI's Reply on a Live Chat ticket: the Communication Helpdesk would make, delivered
	to the visitor's chat (realtime and polling) instead of by email."""
	from helpdesk.utils import is_agent

	from cs_sop.whatsapp.outbound import attach_copy, reply_file_url

	if not is_agent():
		frappe.throw(_("You are not permitted to reply as an agent"), frappe.PermissionError)
	names = [a.get("name") if isinstance(a, dict) else a for a in attachments or []]
	urls = [reply_file_url(ticket.name, n) for n in names if n]
	if not frappe.utils.strip_html(message or "").strip() and not urls:
		frappe.throw(_("The reply is empty."))
	communication = frappe.get_doc(
		{
			"doctype": "Communication",
			"communication_type": "Communication",
			"communication_medium": "Chat",
			"content": message,
			"recipients": ticket.raised_by,
			"reference_doctype": TICKET,
			"reference_name": ticket.name,
			"sender": frappe.session.user,
			"sent_or_received": "Sent",
			"status": "Linked",
			"subject": f"Re: {ticket.subject}",
			"delivery_status": "Sent",
		}
	)
	# the caller is an agent (checked above) with access to the ticket (Helpdesk's run_doc_method)
	communication.insert(ignore_permissions=True)
	for url in dict.fromkeys(urls):
		attach_copy("Communication", communication.name, url)
		attach_copy(TICKET, ticket.name, url)
	return communication.name


def on_communication(doc, method=None):
	"""Communication after_insert: a message of a Live Chat conversation goes to the visitor's
	realtime room once it is committed (the visitor's other tabs get their own messages too)."""
	if doc.reference_doctype != TICKET or not doc.reference_name or doc.communication_type != "Communication":
		return
	if frappe.db.get_value(TICKET, doc.reference_name, "sop_channel") != CHANNEL:
		return
	frappe.db.after_commit.add(lambda: publish(doc.reference_name, doc.name))


def publish(ticket: str, communication: str) -> None:
	message = message_by_name(communication)
	if message:
		frappe.publish_realtime("cs_sop_livechat_message", message, task_id=room(ticket))


def send_notice(ticket: str, subject: str, message_html: str) -> bool:
	"""cs_sop.messaging's sender for Live Chat tickets: automatic notices go by email when the
	visitor gave an address; a phone-only visitor has none (the widget shows the opening hours)."""
	from cs_sop.messaging import email

	address = frappe.db.get_value(TICKET, ticket, "raised_by")
	if not address or is_pseudo_email(address):
		return False
	return email([address], subject, message_html, ticket=ticket, what=_("Live chat notices"))
