"""What an inbound message of any Meta platform does the same way: one message row per Meta message
id, one sender at a time, the received Communication and its files, the customer owning their
records. (The received Communication sets off the out-of-hours reply by itself, as an email does:
`cs_sop.complaint.notices.on_communication`.)

Idempotent on the message id: the row (unique `wa_message_id`) is written first, so a re-delivered
webhook, or two workers with the same message, make one Communication. Messages of one sender are
handled one at a time (a database lock per sender, `sender_lock`), so two first messages of a new
customer make one ticket.
"""

import json

import frappe
from frappe import _
from frappe.utils import escape_html

from cs_sop.chat import attach_to_message
from cs_sop.graph.outbox import LOG, latest

TICKET = "HD Ticket"


class sender_lock:
	"""MariaDB named lock per sender (a phone number, a platform's sender id). Held until the job's
	commit or rollback (the job calls `release_locks`), so a second worker with the same sender sees
	the first one's ticket; the jobs read with READ COMMITTED for the same reason."""

	def __init__(self, sender: str, timeout: int = 30):
		self.key = f"cs_sop_wa:{frappe.local.site}:{sender}"[:64]
		self.timeout = timeout

	def __enter__(self):
		got = frappe.db.sql("select get_lock(%s, %s)", (self.key, self.timeout))[0][0]
		if not got:
			raise frappe.QueryTimeoutError(
				f"Meta channel: lock for a sender not free within {self.timeout} s"
			)

	def __exit__(self, *exc):
		return False


def release_locks() -> None:
	frappe.db.sql("select release_all_locks()")


def is_recorded(message_id: str) -> bool:
	return bool(frappe.db.exists(LOG, {"wa_message_id": message_id}))


def record(platform: str, message_id: str, sender: str, message_type: str, received_at, raw: dict) -> str:
	"""The message's row (status Received); its name."""
	log = frappe.get_doc(
		{
			"doctype": LOG,
			"platform": platform,
			"wa_message_id": message_id,
			"direction": "Inbound",
			"phone": sender,
			"message_type": message_type,
			"status": "Received",
			"status_at": received_at,
			"raw_event": json.dumps(raw, ensure_ascii=False),
		}
	)
	log.insert(ignore_permissions=True)  # system record written by the webhook job
	return log.name


def link(log: str, ticket: str, communication: str) -> None:
	frappe.db.set_value(LOG, log, {"ticket": ticket, "communication": communication}, update_modified=False)


def open_ticket_for(sender: str, platform: str) -> str | None:
	"""The ticket of this sender's latest message on the platform, unless that ticket is closed."""
	ticket = latest("ticket", phone=sender, platform=platform)
	if not ticket:
		return None
	status = frappe.db.get_value(TICKET, ticket, "status")
	if not status or status == "Closed":
		return None
	return ticket


def name_customer(contact: str | None, log: str, communication: str, address: str) -> None:
	"""The customer, not the job's system user, owns their message's records (as a portal
	customer owns what they write): their contact's email, else their address on the platform."""
	email = (contact and frappe.db.get_value("Contact", contact, "email_id")) or address
	for doctype, name in ((LOG, log), ("Communication", communication)):
		frappe.db.set_value(doctype, name, "owner", email, update_modified=False)


def store_file(ticket: str, communication: str, filename: str, content: bytes, platform: str) -> None:
	"""A private File on the Communication and the ticket; a file Frappe refuses is said on the
	message instead (never dropped silently)."""
	frappe.db.savepoint("cs_sop_wa_file")
	try:
		attach_to_message(ticket, communication, filename, content)  # a system job; private file
	except Exception as e:
		# e.g. a damaged PDF Frappe refuses: the message stays, and says why its file is missing
		frappe.db.rollback(save_point="cs_sop_wa_file")
		if platform == "WhatsApp":
			text = _("The file of this WhatsApp message could not be stored: {0}").format(str(e)[:200])
		else:
			text = _("The file of this {0} message could not be stored: {1}").format(platform, str(e)[:200])
		note(communication, text)


def note(communication: str, text: str) -> None:
	"""A line in italics after the message's text (e.g. why its file is missing)."""
	current = frappe.db.get_value("Communication", communication, "content") or ""
	frappe.db.set_value(
		"Communication",
		communication,
		"content",
		current + f"<p><em>{escape_html(text)}</em></p>",
		update_modified=False,
	)
