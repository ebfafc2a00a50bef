"""A receipt for every contact (SOP stage 1): every new ticket's customer gets its number at once.

- On arrival (HD Ticket after_insert) a short job is queued for when the insert commits, like the
  complaint notices: it builds the text (Email Template *SOP - Tanda Terima Tiket*, Indonesian,
  editable) and sends it on the customer's channel through `cs_sop.messaging` (email for email and
  portal tickets, the channel's sender for WhatsApp and the other chat channels, `cs_sop.channels`).
- Idempotent: the ticket row is locked and the marker `sop_receipt_sent_on` (system-owned, see
  `cs_sop.core.gates`) is set with the send in one transaction; a site without outgoing email
  sets no marker and sends nothing. The rule (`cs_sop.core.receipt`): once, when SOP Settings has it
  on, for request types not switched off there, never for an agent's internal ticket without a
  customer contact, and not beside the complaint acknowledgement (which carries the number).
- Phone and walk-in complainants get it on paper: the Print Format *Tanda Terima Pengaduan*
  (standard, in this app) that the agent prints from the desk or the agent UI's *Print Receipt*.
  `cs_sop_receipt_details` gives the print format its Indonesian values.
"""

import frappe
from frappe import _
from frappe.utils import get_system_timezone, get_url, now_datetime

from cs_sop import activity, background, messaging, users
from cs_sop import settings as sop_settings
from cs_sop.complaint import templates
from cs_sop.core import gates
from cs_sop.core.id_dates import format_datetime
from cs_sop.core.receipt import receipt_due, switched_off_types
from cs_sop.core.whatsapp import is_pseudo_email

TICKET = "HD Ticket"
PRINT_FORMAT = "Tanda Terima Pengaduan"
MARKER = "sop_receipt_sent_on"


def after_insert(doc, method=None):
	"""HD Ticket after_insert: queue the receipt for when the new ticket commits."""
	if not sop_settings.value("send_receipt"):
		return
	background.after_commit(
		"cs_sop.intake.receipt.send_receipt",
		ticket=doc.name,
	)


def _is_staff(user_or_email: str | None) -> bool:
	if not user_or_email:
		return False
	if user_or_email == "Guest":
		return False
	user_type = frappe.db.get_value("User", {"name": user_or_email}, "user_type") or frappe.db.get_value(
		"User", {"email": user_or_email}, "user_type"
	)
	return user_type == "System User"


def customer_email(row) -> str | None:
	"""Where an email receipt goes: the ticket's sender unless that is a staff user (an agent's own
	ticket), else the contact's email unless the contact is staff's."""
	if row.raised_by and not _is_staff(row.raised_by):
		# a WhatsApp customer's stand-in address (WhatsApp not set up any more) takes no email
		return None if is_pseudo_email(row.raised_by) else row.raised_by
	if row.contact:
		contact = frappe.db.get_value("Contact", row.contact, ["user", "email_id"], as_dict=True)
		if contact and not _is_staff(contact.user) and not _is_staff(contact.email_id):
			return contact.email_id
	return None


def has_customer(row) -> bool:
	"""The ticket names someone outside the staff to tell (an address or a contact)."""
	if row.raised_by and not _is_staff(row.raised_by):
		return True
	if row.contact:
		contact = frappe.db.get_value("Contact", row.contact, ["user", "email_id"], as_dict=True)
		return bool(contact) and not _is_staff(contact.user) and not _is_staff(contact.email_id)
	return False


def _acknowledgement_due(row) -> bool:
	"""The complaint acknowledgement goes (or went) for this ticket: it carries the number."""
	if row.sop_ack_notice_sent_on:
		return True
	return (
		row.sop_request_type == gates.COMPLAINT
		and gates.is_classified(row.ticket_type)
		and bool(sop_settings.value("send_complaint_acknowledgement"))
	)


def send_receipt(ticket: str) -> bool:
	"""Send the new ticket's receipt unless it went or is not due; True when sent now."""
	row = frappe.db.get_value(
		TICKET,
		ticket,
		[
			"name",
			MARKER,
			"sop_request_type",
			"ticket_type",
			"sop_ack_notice_sent_on",
			"raised_by",
			"contact",
			"sop_channel",
		],
		as_dict=True,
		for_update=True,
	)
	if not row:
		return False
	settings = sop_settings.get()
	due = receipt_due(
		sent=bool(row.get(MARKER)),
		enabled=bool(settings.get("send_receipt")),
		request_type=row.sop_request_type,
		switched_off=switched_off_types(
			(r.request_type, r.send_receipt) for r in settings.get("receipt_request_types") or []
		),
		has_customer=has_customer(row),
		acknowledgement_due=_acknowledgement_due(row),
	)
	if not due:
		return False
	subject, body = templates.render(templates.RECEIPT, templates.ticket_context(ticket))
	what = _("Receipts of new tickets")
	if messaging.channel_sender(row.sop_channel):
		sent = messaging.send_to_customer(ticket, subject, body, what=what)
	else:
		sent = messaging.email([customer_email(row)], subject, body, ticket=ticket, what=what)
	if not sent:
		return False
	frappe.db.set_value(TICKET, ticket, MARKER, now_datetime(), update_modified=False)
	activity.log(ticket, _("sent the receipt with the ticket number to the customer"))
	return True


# ---------- the printed receipt (phone and walk-in) ----------


def _agent_name(doc) -> str:
	"""Who served the customer: the assigned agent, else the agent who made the ticket, else the
	agent printing."""
	for user in (*users.assignees(doc.get("_assign")), doc.get("owner"), frappe.session.user):
		if user and _is_staff(user) and user != "Administrator":
			return frappe.utils.get_fullname(user)
	return frappe.utils.get_fullname(frappe.session.user)


def cs_sop_receipt_details(doc) -> dict:
	"""Jinja (hooks.py `jinja`): the values the print format *Tanda Terima Pengaduan* shows, in
	Indonesian. The print view has checked that the reader may read the ticket."""
	from frappe.utils import get_datetime

	tz = get_system_timezone()

	def when(value):
		return format_datetime(get_datetime(value), "id", tz) if value else ""

	customer = ""
	if doc.get("contact"):
		customer = frappe.db.get_value("Contact", doc.contact, "full_name") or doc.contact
	customer = customer or doc.get("customer") or doc.get("raised_by") or ""
	category = doc.get("ticket_type") if gates.is_classified(doc.get("ticket_type")) else ""
	support_email = frappe.db.get_value(
		"Email Account", {"default_outgoing": 1, "enable_outgoing": 1}, "email_id"
	) or frappe.db.get_value("Email Account", {"default_incoming": 1}, "email_id")
	opened = doc.get("creation") or now_datetime()
	return {
		"ticket": doc.name,
		"opened": when(opened),
		"customer": customer,
		"channel": _(doc.get("sop_channel") or "", lang="id"),
		"category": category,
		"request_type": _(doc.get("sop_request_type") or "", lang="id"),
		"subject": doc.get("subject") or "",
		"target": when(doc.get("resolution_by")),
		"agent": _agent_name(doc),
		"support_email": support_email or "",
		"portal_url": get_url(f"/helpdesk/my-tickets/{doc.name}"),
	}
