"""Messages to a WhatsApp customer: agents' replies from the Helpdesk UI and automatic notices.

Both are queued (`cs_sop.graph.outbox`: Sending before the HTTP call, retries, failures said on the
ticket) and delivered by the send job (`cs_sop.whatsapp.delivery`). Outside the 24-hour
customer-service window the configured template goes instead and the agent is told on the ticket.
"""

import frappe
from frappe import _
from frappe.utils import now_datetime

from cs_sop import chat
from cs_sop.core import whatsapp as rules
from cs_sop.core.whatsapp import is_pseudo_email, pseudo_email
from cs_sop.graph import outbox
from cs_sop.whatsapp import settings

TICKET = "HD Ticket"
WHATSAPP = "WhatsApp"


def phone_of(ticket: str) -> str | None:
	"""The number the customer wrote from; else the contact's mobile; else the pseudo address."""
	last = outbox.latest("phone", ticket=ticket, direction="Inbound", platform=WHATSAPP)
	if last:
		return last
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


def inside_window(phone: str) -> bool:
	return rules.inside_window(outbox.last_inbound_at(phone), now_datetime())


def is_whatsapp_ticket(ticket) -> bool:
	return ticket.get("sop_channel") == WHATSAPP


def reply(ticket, message: str, attachments: list[str] | None = None) -> str:
	"""An agent's reply on a WhatsApp ticket: the Communication Helpdesk would make, sent to WhatsApp."""
	chat.require_agent()
	phone = phone_of(ticket.name)
	if not phone:
		frappe.throw(_("This WhatsApp ticket has no phone number to reply to."))
	text = rules.html_to_text(message)
	communication, urls = chat.record_reply(
		ticket,
		message,
		attachments,
		recipient=ticket.raised_by or pseudo_email(phone),
		delivery_status="Sending",
		phone_no=f"+{phone}",
		empty=not text,
	)
	log = outbox.queue(
		ticket.name, phone, chat.attachments_note(text, ticket.name, urls), communication=communication
	)
	if not inside_window(phone):
		frappe.msgprint(
			_(
				"The customer's last WhatsApp message is older than 24 hours. WhatsApp only allows an "
				"approved template now, so the template is sent instead of your text."
			),
			alert=True,
		)
	return log


def send_notice(ticket: str, subject: str, message_html: str, buttons: dict | None = None) -> bool:
	"""The WhatsApp ticket's sender of customer notices (`cs_sop.channels`): acknowledgement,
	confirmation, survey … Not a Communication (a notice must not count as the agent's first
	response). `buttons`: {"kind": "Confirmation" | "Survey", "suffixes": [...]}, the links of the
	notice as the {{1}} of its template's URL buttons, used when the 24-hour window is closed."""
	phone = phone_of(ticket)
	if not phone:
		return False
	body = rules.html_to_text(message_html)
	if subject and subject.strip() and subject.strip() not in body:
		body = f"*{subject.strip()}*\n\n{body}"
	buttons = buttons or {}
	outbox.queue(
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
