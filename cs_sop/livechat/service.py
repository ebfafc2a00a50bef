"""Live chat conversations: the visitor's messages, the agent's replies, delivery.

A conversation is an HD Ticket with channel Live Chat (`cs_sop.livechat.access`). Each visitor
message is a received Communication (medium Chat) in the visitor's name, as an email reply is, so
Helpdesk's agent UI shows it, reopens the ticket and counts the customer's response. The agent's
ordinary Reply on such a ticket makes a sent Communication and no email (`reply`, called by
cs_sop.overrides.hd_ticket). Every Communication of a Live Chat ticket is published to the
conversation's realtime room after the commit (`on_communication`), and `visible_messages` serves
the same messages to polling, with a (creation, name) cursor, so a visitor sees each message once
whichever way it arrives.
"""

import os
from datetime import timedelta

import frappe
from frappe import _
from frappe.utils import get_datetime, now_datetime, strip_html
from frappe.utils.html_utils import sanitize_html

from cs_sop import chat
from cs_sop.core import livechat as rules
from cs_sop.core.livechat import is_pseudo_email
from cs_sop.core.text import text_to_html
from cs_sop.livechat.access import CHANNEL, TICKET, max_file_size, room

MESSAGE_PREFIX = "livechat-"  # Communication.message_id of a visitor message: its client id
MAX_TEXT = 4000
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


# the visitor's messages -------------------------------------------------------------------------
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
	return chat.add_received(
		conv.name,
		conv.raised_by,
		sender_name or contact_name(conv.contact) or conv.raised_by,
		text_to_html(text) if text else "",
		_("Live chat message"),
		now_datetime(),
		message_id=MESSAGE_PREFIX + client_id if client_id else None,
	)


def contact_name(contact: str | None) -> str | None:
	return frappe.db.get_value("Contact", contact, "full_name") if contact else None


def check_file(filename: str, content: bytes) -> str:
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


# what the visitor sees --------------------------------------------------------------------------
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
	chat.require_agent()
	communication, _urls = chat.record_reply(
		ticket,
		message,
		attachments,
		recipient=ticket.raised_by,
		delivery_status="Sent",
		empty=not strip_html(message or "").strip(),
	)
	return communication


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


def send_notice(ticket: str, subject: str, message_html: str) -> bool | None:
	"""The Live Chat ticket's sender of customer notices (`cs_sop.channels`): None (emailed as any
	ticket) when the visitor gave an address; a phone-only visitor has none (False: the widget shows
	the opening hours)."""
	address = frappe.db.get_value(TICKET, ticket, "raised_by")
	return False if not address or is_pseudo_email(address) else None
