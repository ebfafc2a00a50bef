"""What the chat channels (WhatsApp, Messenger / Instagram, website live chat) do the same way with
Communications: the customer's message and file, the agent's reply with its attachments.

Chat messages are Communications with medium Chat on the ticket, so Helpdesk's agent UI shows them,
a received one reopens the ticket and counts as the customer's response (as an email reply does),
and a sent one is the agent's reply (never emailed: the channel delivers it).
"""

import frappe
from frappe import _
from helpdesk.utils import is_agent

TICKET = "HD Ticket"


def add_received(
	ticket: str,
	sender: str,
	sender_name: str,
	html: str,
	subject: str,
	at,
	phone_no: str | None = None,
	message_id: str | None = None,
) -> str:
	"""A received Communication on the ticket in the customer's name; `message_id`: the channel's
	id of the message, when it has one to find it again."""
	c = frappe.new_doc("Communication")
	c.communication_type = "Communication"
	c.communication_medium = "Chat"
	c.sent_or_received = "Received"
	c.email_status = "Open"
	c.subject = subject
	c.sender = sender
	c.sender_full_name = sender_name
	c.phone_no = phone_no
	c.content = html
	c.communication_date = at
	c.status = "Linked"
	c.reference_doctype = TICKET
	c.reference_name = ticket
	c.message_id = message_id
	# the customer writes as a guest and the channel records them; on_update calls Helpdesk's
	# HDTicket.on_communication_update: reopen, last_customer_response, as for an email reply
	c.insert(ignore_permissions=True)
	return c.name


def attach_to_message(ticket: str, communication: str, filename: str, content: bytes) -> str:
	"""A customer's file: a private File on the message, and the same file on the ticket (as Helpdesk
	attaches email attachments), so agents find it in the ticket's attachments. Returns the
	message's File. Written as the system: the caller checked who sent it."""
	file = frappe.get_doc(
		{
			"doctype": "File",
			"file_name": filename,
			"attached_to_doctype": "Communication",
			"attached_to_name": communication,
			"is_private": 1,
			"content": content,
		}
	)
	file.insert(ignore_permissions=True)
	frappe.get_doc(
		{
			"doctype": "File",
			"file_url": file.file_url,
			"attached_to_doctype": TICKET,
			"attached_to_name": ticket,
			"is_private": 1,
		}
	).insert(ignore_permissions=True)
	return file.name


def require_agent() -> None:
	if not is_agent():
		frappe.throw(_("You are not permitted to reply as an agent"), frappe.PermissionError)


def record_reply(
	ticket,
	message: str,
	attachments: list | None,
	recipient: str,
	delivery_status: str,
	phone_no: str | None = None,
	empty: bool = False,
) -> tuple[str, list[str]]:
	"""The Sent Communication of an agent's reply on a chat ticket, with its attachments; (its name,
	the attached files' urls). `empty`: the reply has no text (refused unless a file goes with it).
	The caller has checked that the user is an agent (`require_agent`)."""
	names = [a.get("name") if isinstance(a, dict) else a for a in attachments or []]
	urls = list(dict.fromkeys(reply_file_url(ticket.name, n) for n in names if n))
	if empty and not urls:
		frappe.throw(_("The reply is empty."))
	communication = frappe.get_doc(
		{
			"doctype": "Communication",
			"communication_type": "Communication",
			"communication_medium": "Chat",
			"content": message,
			"delivery_status": delivery_status,
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
	# the caller is an agent (checked by the caller) with access to the ticket (Helpdesk's run_doc_method)
	communication.insert(ignore_permissions=True)
	# as Helpdesk's own reply (1.28; on 1.25 the same files end on the same two documents): the
	# upload stays on the ticket, where the editor put it, and the Communication gets its own row
	for url in urls:
		attach_copy("Communication", communication.name, url)
		attach_copy(TICKET, ticket.name, url)
	return communication.name, urls


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


def attachments_note(text: str, ticket: str, urls: list[str]) -> str:
	"""A text-only channel carries links, not files: private files stay on the ticket for the agent,
	and the text says so."""
	if not urls:
		return text
	return (text + "\n\n" if text else "") + _("Attachments are on your ticket {0}.").format(ticket)
