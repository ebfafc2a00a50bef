"""Messages cs_sop sends to people: to a ticket's customer (on the ticket's channel) and to staff.

Every automatic message goes through here, so that three rules hold everywhere:
- it is queued (Frappe's Email Queue, or a queue job for other channels), never sent inside a request;
- a site without outgoing email yet does not fail the job or the request: the message is skipped and
  one Error Log entry per job run says why (`outgoing_email_ready`);
- it is written in the receiver's language (`language_of`), defaulting to the site's language.

Automatic customer notices are not Communications on purpose: Helpdesk counts a sent Communication
as the agent's first response, and a notice must not stop the SLA clock.
"""

import frappe
from frappe import _

from cs_sop.channels import SENDERS

TICKET = "HD Ticket"


def site_language() -> str:
	return frappe.db.get_single_value("System Settings", "language") or frappe.db.get_default("lang") or "en"


def language_of(user_or_email: str | None) -> str:
	"""The language of a user (by name or email), else the site's."""
	if user_or_email:
		lang = frappe.db.get_value("User", {"name": user_or_email}, "language") or frappe.db.get_value(
			"User", {"email": user_or_email}, "language"
		)
		if lang:
			return lang
	return site_language()


def outgoing_email_ready() -> bool:
	"""True when the site has an enabled default outgoing email account (or mail is muted in tests)."""
	if frappe.flags.mute_emails or frappe.conf.get("mute_emails"):
		return True
	return bool(
		frappe.db.exists("Email Account", {"enable_outgoing": 1, "default_outgoing": 1})
		or frappe.conf.get("mail_server")
	)


def note_email_skipped(what: str) -> None:
	"""One clear Error Log entry per job run (not per message) when outgoing email is not set up."""
	flag = f"cs_sop_email_skipped:{what}"
	if frappe.flags.get(flag):
		return
	frappe.flags[flag] = True
	frappe.log_error(
		title=_("cs_sop: outgoing email not configured"),
		message=_(
			"{0} were not emailed because the site has no default outgoing Email Account. They are still "
			"in the Notification Log / on the ticket. Set one up under Email Account."
		).format(what),
	)


def email(
	recipients: list[str],
	subject: str,
	message: str,
	ticket: str | None = None,
	what: str = "",
	attachments: list[dict] | None = None,
) -> bool:
	"""Queue an email (Email Queue); False, with one Error Log entry per run, without outgoing mail.

	`attachments`: as frappe.sendmail takes them, e.g. [{"fname": "x.pdf", "fcontent": b"..."}]."""
	recipients = [r for r in recipients if r]
	if not recipients:
		return False
	if not outgoing_email_ready():
		note_email_skipped(what or subject)
		return False
	frappe.sendmail(
		recipients=recipients,
		subject=subject,
		message=message,
		reference_doctype=TICKET if ticket else None,
		reference_name=ticket,
		attachments=attachments,
		delayed=True,
	)
	return True


def customer_of(ticket: str) -> dict:
	"""Who and where the ticket's customer is: email, contact, channel, language."""
	row = frappe.db.get_value(TICKET, ticket, ["raised_by", "contact", "sop_channel"], as_dict=True) or {}
	return frappe._dict(
		email=row.get("raised_by"),
		contact=row.get("contact"),
		channel=row.get("sop_channel"),
		language=language_of(row.get("raised_by")),
	)


def send_to_customer(
	ticket: str, subject: str, message: str, what: str = "", buttons: dict | None = None
) -> bool:
	"""Queue a message to the ticket's customer on the ticket's channel (email by default).

	`message` is HTML for email. The chat channels' senders are in `cs_sop.channels`.
	`buttons`: the message's links for a channel that sends them as buttons of an approved
	template (WhatsApp after 24 hours): {"kind": "Confirmation" | "Survey", "suffixes": [...]}.
	Returns True when the message was queued.
	"""
	customer = customer_of(ticket)
	sender = channel_sender(customer.channel)
	if sender:
		if buttons and getattr(sender, "takes_buttons", False):
			sent = sender(ticket, subject, message, buttons=buttons)
		else:
			sent = sender(ticket, subject, message)
		if sent is not None:
			return bool(sent)
	return email([customer.email], subject, message, ticket=ticket, what=what)


def channel_sender(channel: str | None):
	"""The function that sends on a non-email channel, if that channel is set up (else email)."""
	sender = SENDERS.get(channel or "")
	if sender and getattr(sender, "is_ready", lambda: True)():
		return sender
	return None
