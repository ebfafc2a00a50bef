"""The live chat visitor's endpoints (`/api/method/cs_sop.livechat.api.<name>`).

Guests call these on purpose: a website visitor has no login. Every call is rate-limited per IP
address and endpoint (429 past the limit) and size-limited; every call but `status` and `start`
needs the conversation's signed token (cs_sop.core.livechat), which names one ticket only; a
browser request from a website not in SOP Settings' allowed origins is refused. Writes are made by
the chat on the visitor's behalf (a guest has no right on tickets) and recorded in the visitor's
name: the ticket, their Communications and files are owned by their address, never by Guest.
"""

from contextlib import contextmanager

import frappe
from frappe import _
from frappe.rate_limiter import rate_limit
from frappe.utils import cint

from cs_sop.chat import attach_to_message
from cs_sop.livechat import access, hours, service

WINDOW = 60
LIMITS = {"status": 60, "start": 10, "send": 30, "messages": 120, "upload": 10, "file": 60}


def _limit(name: str):
	"""Per minute and IP address; site config `cs_sop_livechat_rate_limits` ({"send": 60, ...}) changes them."""

	def limit() -> int:
		return cint((frappe.conf.get("cs_sop_livechat_rate_limits") or {}).get(name)) or LIMITS[name]

	return rate_limit(limit=limit, seconds=WINDOW)


@contextmanager
def on_behalf_of(email: str):
	"""Writes by the chat for the visitor. HD Ticket has no guest permission, and Helpdesk saves
	the ticket when a Communication arrives (reopen, last response) with the caller's rights, so the
	writes run as Administrator; what they create is then named after the visitor (`own`). The
	caller has checked the token: the visitor can only ever write to their own conversation."""
	previous = frappe.session.user
	frappe.session.user = "Administrator"
	try:
		yield
	finally:
		frappe.session.user = previous


def own(email: str, *docs: tuple[str, str]) -> None:
	"""The visitor owns what they wrote (as a portal customer owns their tickets and replies)."""
	for doctype, name in docs:
		frappe.db.set_value(doctype, name, {"owner": email, "modified_by": email}, update_modified=False)


def _lang(lang: str | None) -> str:
	if lang in ("id", "en"):
		frappe.local.lang = lang
		return lang
	return frappe.local.lang if frappe.local.lang in ("id", "en") else "id"


def _guard() -> None:
	access.check_origin()
	if not access.enabled():
		frappe.throw(_("The live chat is not available at the moment."))


@frappe.whitelist(allow_guest=True, methods=["GET", "POST"])
@_limit("status")
def status(lang: str | None = None) -> dict:
	"""Whether the desk is open (else when it opens), the logged-in customer, the limits."""
	lang = _lang(lang)
	access.check_origin()
	return {
		"enabled": access.enabled(),
		**hours.opening_state(lang),
		"visitor": access.session_visitor(),
		"max_file_size": access.max_file_size(),
		"max_text": service.MAX_TEXT,
	}


@frappe.whitelist(allow_guest=True, methods=["POST"])
@_limit("start")
def start(
	message: str,
	name: str | None = None,
	email: str | None = None,
	phone: str | None = None,
	client_id: str | None = None,
	lang: str | None = None,
) -> dict:
	"""A new conversation: the visitor's details (a logged-in customer's own), their first message."""
	lang = _lang(lang)
	_guard()
	text = service.check_text(message)
	client_id = _client_id(client_id)
	visitor = access.session_visitor() or access.clean_visitor(name, email, phone)
	with on_behalf_of(visitor["email"]):
		contact = access.find_or_create_contact(visitor)
		ticket = access.new_ticket(visitor, _("Live chat: {0}").format(text.splitlines()[0][:100]))
		conv = frappe._dict(name=ticket, raised_by=visitor["email"], contact=contact)
		message_name = service.add_visitor_message(conv, text, client_id, visitor["name"])
	own(visitor["email"], ("HD Ticket", ticket), ("Communication", message_name))
	return _answer(ticket, visitor["email"], lang, message_name)


@frappe.whitelist(allow_guest=True, methods=["POST"])
@_limit("send")
def send(token: str, message: str, client_id: str | None = None, lang: str | None = None) -> dict:
	"""The visitor's next message. On a closed conversation it starts a new ticket (new token)."""
	lang = _lang(lang)
	_guard()
	conv = access.conversation(token)
	text = service.check_text(message)
	client_id = _client_id(client_id)
	with on_behalf_of(conv.raised_by):
		conv = _reopen_or_new(conv, text)
		message_name = service.add_visitor_message(conv, text, client_id)
	own(conv.raised_by, ("Communication", message_name))
	return _answer(conv.name, conv.raised_by, lang, message_name, reissue=conv.get("is_new"), token=token)


@frappe.whitelist(allow_guest=True, methods=["POST"])
@_limit("upload")
def upload(
	token: str, message: str | None = None, client_id: str | None = None, lang: str | None = None
) -> dict:
	"""A file from the visitor (multipart field `file`), with an optional caption."""
	_lang(lang)
	_guard()
	conv = access.conversation(token)
	text = service.check_text(message, allow_empty=True)
	sent = frappe.request.files.get("file") if frappe.request else None
	if not sent:
		frappe.throw(_("No file was sent."))
	content = sent.stream.read(access.max_file_size() + 1)
	filename = service.check_file(sent.filename, content)
	client_id = _client_id(client_id)
	with on_behalf_of(conv.raised_by):
		conv = _reopen_or_new(conv, text or filename)
		found = service.existing_message(conv.name, client_id)
		message_name = service.add_visitor_message(conv, text, client_id)
		file = None if found else attach_to_message(conv.name, message_name, filename, content)
	own(conv.raised_by, ("Communication", message_name), *((("File", file),) if file else ()))
	if not found:
		# the file arrived after the Communication's realtime message was queued: publish again
		frappe.db.after_commit.add(lambda: service.publish(conv.name, message_name))
	return _answer(conv.name, conv.raised_by, None, message_name, reissue=conv.get("is_new"), token=token)


@frappe.whitelist(allow_guest=True, methods=["GET", "POST"])
@_limit("messages")
def messages(token: str, since: str | None = None) -> dict:
	"""The polling fallback: the conversation's messages after the cursor `since` (oldest first)."""
	access.check_origin()
	conv = access.conversation(token)
	rows = service.visible_messages(conv.name, since)
	return {
		"messages": rows,
		"cursor": rows[-1]["cursor"] if rows else since,
		"closed": conv.status_category == "Closed" or conv.status == "Closed",
	}


@frappe.whitelist(allow_guest=True, methods=["GET"])
@_limit("file")
def file(token: str, file: str) -> None:
	"""A file of the conversation (the visitor's or an agent's), downloaded with the token."""
	conv = access.conversation(token)
	row = frappe.db.get_value(
		"File", file, ["name", "file_name", "attached_to_doctype", "attached_to_name"], as_dict=True
	)
	on_conversation = (
		row
		and row.attached_to_doctype == "Communication"
		and frappe.db.get_value(
			"Communication", row.attached_to_name, ["reference_doctype", "reference_name"]
		)
		== ("HD Ticket", conv.name)
	)
	if not on_conversation:
		frappe.throw(_("This file is not part of your chat."), frappe.PermissionError)
	doc = frappe.get_doc("File", row.name)
	frappe.local.response.filename = doc.file_name
	frappe.local.response.filecontent = doc.get_content()
	frappe.local.response.type = "download"


def _client_id(client_id: str | None) -> str | None:
	"""The browser's id of a message (a retried request must not record it twice)."""
	if not client_id:
		return None
	client_id = str(client_id).strip()
	if len(client_id) > 64 or not client_id.replace("-", "").isalnum():
		frappe.throw(_("Invalid message id."))
	return client_id


def _reopen_or_new(conv, text: str):
	"""A closed conversation is not reopened by a new chat message: a new ticket starts instead."""
	if conv.status_category != "Closed" and conv.status != "Closed":
		return conv
	visitor = {"email": conv.raised_by}
	ticket = access.new_ticket(visitor, _("Live chat: {0}").format((text or "").splitlines()[0][:100]))
	own(conv.raised_by, ("HD Ticket", ticket))
	return frappe._dict(
		name=ticket,
		raised_by=conv.raised_by,
		contact=frappe.db.get_value("HD Ticket", ticket, "contact"),
		is_new=True,
	)


def _answer(
	ticket: str,
	email: str,
	lang: str | None,
	message_name: str,
	reissue: bool = True,
	token: str | None = None,
) -> dict:
	return {
		"token": access.issue_token(ticket, email) if reissue or not token else token,
		"room": access.room(ticket),
		"ticket": ticket,
		"message": service.message_by_name(message_name),
		**(hours.opening_state(lang) if lang else {}),
	}
