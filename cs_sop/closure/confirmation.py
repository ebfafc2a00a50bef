"""The customer's confirmation of a resolution: the request (summary and Yes / No links) and the
answers, by link (no login), portal, or an agent recording a phone call or visit.

The links carry an HMAC token of the ticket and the moment the confirmation was asked: nothing is
stored, a new resolution makes older links invalid, and an answered ticket refuses them. Yes
closes the ticket (`auto_close.close_resolved`), No reopens it with the customer's reason as a reply.
"""

import frappe
from frappe import _
from frappe.utils import escape_html, get_url, now_datetime
from frappe.utils.password import get_encryption_key
from helpdesk.helpdesk.doctype.hd_ticket.hd_ticket import has_permission as may_read_ticket

from cs_sop import activity, messaging, settings
from cs_sop.closure.auto_close import close_resolved
from cs_sop.closure.survey import send_due
from cs_sop.core import confirmation as rules
from cs_sop.core import survey as survey_rules
from cs_sop.field_guard import set_system_fields
from cs_sop.guest import as_customer, as_email_intake
from cs_sop.users import is_agent

TICKET = "HD Ticket"
MAX_REASON = 2000


def confirmation_token(ticket: str, requested_on) -> str:
	return survey_rules.make_token(get_encryption_key(), "confirm", f"{ticket}:{requested_on}")


def confirmation_url(ticket: str, requested_on, answer: str | None = None) -> str:
	url = get_url(f"/sop-confirm/{ticket}/{confirmation_token(ticket, requested_on)}")
	return f"{url}?answer={answer}" if answer else url


def send_confirmation_request(ticket: str) -> bool:
	"""The solution summary and the Yes / No links, in the customer's language."""
	row = frappe.db.get_value(
		TICKET,
		ticket,
		["name", "subject", "resolution_details", "sop_confirmation_requested_on"],
		as_dict=True,
	)
	lang = messaging.customer_of(ticket).language
	yes = confirmation_url(ticket, row.sop_confirmation_requested_on, "yes")
	no = confirmation_url(ticket, row.sop_confirmation_requested_on, "no")
	subject = _("Is your issue resolved? Ticket #{0}", lang=lang).format(ticket)
	days = settings.int_value("confirmation_days")
	html = frappe.render_template(
		"cs_sop/templates/emails/sop_confirmation_request.html",
		{
			"greeting": _("Dear Customer,", lang=lang),
			"intro": _("We have resolved your ticket #{0}: {1}", lang=lang).format(
				ticket, escape_html(row.subject or "")
			),
			"summary_label": _("Solution", lang=lang),
			"summary": frappe.utils.sanitize_html(row.resolution_details or ""),
			"question": _("Is your issue resolved?", lang=lang),
			"yes_label": _("Yes, it is resolved", lang=lang),
			"no_label": _("No, not yet", lang=lang),
			"yes_url": yes,
			"no_url": no,
			"note": (
				_(
					"If we do not hear from you within {0} working days, we will close the ticket.",
					lang=lang,
				).format(days)
				if days
				else ""
			),
			"thanks": _("Thank you,", lang=lang),
			"team": _("Customer Service", lang=lang),
		},
	)
	# WhatsApp after 24 hours: the approved template's two URL buttons (Yes, No) carry the links
	path = f"{ticket}/{confirmation_token(ticket, row.sop_confirmation_requested_on)}"
	buttons = {"kind": "Confirmation", "suffixes": [f"{path}?answer=yes", f"{path}?answer=no"]}
	return messaging.send_to_customer(ticket, subject, html, what=_("Confirmation requests"), buttons=buttons)


def ticket_for_token(ticket: str, token: str, lock: bool = False):
	"""The ticket a confirmation link is for, or None when the link is not (or no longer) valid."""
	if not survey_rules.is_well_formed(token) or not ticket or len(ticket) > 140:
		return None
	row = frappe.db.get_value(
		TICKET,
		ticket,
		[
			"name",
			"subject",
			"status",
			"status_category",
			"resolution_details",
			"raised_by",
			"ticket_type",
			"sop_resolution_confirmed",
			"sop_confirmation_requested_on",
		],
		as_dict=True,
		for_update=lock,
	)
	if not row or not row.sop_confirmation_requested_on:
		return None
	expected = confirmation_token(row.name, row.sop_confirmation_requested_on)
	return row if survey_rules.tokens_match(expected, token) else None


def confirm_by_token(ticket: str, token: str, resolved: bool, reason: str | None = None) -> str:
	"""The customer's answer from the link (no login). Returns the new confirmation state."""
	row = ticket_for_token(ticket, token, lock=True)
	if not row:
		frappe.throw(_("This confirmation link is not valid."), frappe.PermissionError)
	with as_customer(row.raised_by):  # written in the customer's name, not Guest's
		return _answer(row, resolved, reason, rules.VIA_LINK, by=row.raised_by)


def confirm(ticket: str, resolved: bool, reason: str | None = None, via: str | None = None) -> str:
	"""The portal customer's answer, or the agent recording the customer's answer by phone or in
	person. Permission is checked here; the ticket is then written as the system (portal customers
	may not set sop_* fields themselves)."""
	if not ticket or not frappe.db.exists(TICKET, ticket):
		frappe.throw(_("Ticket {0} does not exist.").format(ticket), frappe.DoesNotExistError)
	user = frappe.session.user
	if user == "Guest":
		frappe.throw(_("Please log in to confirm the resolution."), frappe.PermissionError)
	if is_agent(user):
		if not frappe.has_permission(TICKET, "write", doc=ticket, user=user):
			frappe.throw(_("You cannot update ticket {0}.").format(ticket), frappe.PermissionError)
		if via not in rules.AGENT_CHANNELS:
			frappe.throw(
				_("Say how the customer confirmed: {0}.").format(
					", ".join(_(c) for c in rules.AGENT_CHANNELS)
				)
			)
	else:
		doc = frappe.get_doc(TICKET, ticket)
		if not _is_customer_of(doc, user):
			frappe.throw(_("You cannot confirm ticket {0}.").format(ticket), frappe.PermissionError)
		via = rules.VIA_PORTAL
	row = frappe.db.get_value(
		TICKET,
		ticket,
		["name", "status", "status_category", "raised_by", "ticket_type", "sop_resolution_confirmed"],
		as_dict=True,
		for_update=True,
	)
	return _answer(row, resolved, reason, via, by=user)


def _is_customer_of(doc, user: str) -> bool:
	"""The portal customer the ticket belongs to (Helpdesk's own rule for customers)."""
	return bool(may_read_ticket(doc, user))


def _answer(row, resolved: bool, reason: str | None, via: str, by: str | None) -> str:
	if row.status == "Closed" or row.status_category != "Resolved":
		frappe.throw(
			_("Ticket {0} is not waiting for a confirmation: it is {1}.").format(row.name, _(row.status))
		)
	if row.sop_resolution_confirmed not in (rules.AWAITING, None, ""):
		frappe.throw(_("The resolution of ticket {0} was already answered.").format(row.name))
	reason = (reason or "").strip()
	if len(reason) > MAX_REASON:
		frappe.throw(_("The reason is too long (at most {0} characters).").format(MAX_REASON))
	if not resolved and not reason:
		frappe.throw(_("Please tell us what is not resolved yet."))
	if resolved:
		note = _("the customer confirmed the resolution ({0})").format(_(via))
		due_now = close_resolved([row], now_datetime(), rules.CONFIRMED, via, note)
		frappe.get_doc(TICKET, row.name).publish_update()  # the agent UI shows the new status
		if due_now:
			send_due(only=due_now)
		return rules.CONFIRMED
	doc = frappe.get_doc(TICKET, row.name)
	doc.flags.ignore_permissions = True  # the caller's right to answer was checked above
	doc.flags.cs_sop_trusted = True  # sop_* fields written by the system, not by the caller
	set_system_fields(doc, {"sop_confirmation_via": via, "sop_resolution_confirmed": rules.NOT_RESOLVED})
	doc.status = doc.ticket_reopen_status or "Open"
	doc.save()
	activity.log(row.name, _("the customer says the issue is not resolved ({0})").format(_(via)))
	_reply_as_customer(row.name, by or row.raised_by, reason)
	return rules.NOT_RESOLVED


def _reply_as_customer(ticket: str, sender: str, reason: str):
	"""The customer's reason as their reply on the ticket (Helpdesk then notifies the agents)."""
	content = "<p><b>{}</b></p><p>{}</p>".format(
		escape_html(_("Not resolved yet")), escape_html(reason).replace("\n", "<br>")
	)
	with as_email_intake():
		frappe.get_doc(
			{
				"doctype": "Communication",
				"communication_type": "Communication",
				"communication_medium": "Email",
				"sent_or_received": "Received",
				"status": "Linked",
				"subject": _("Re: ticket #{0}").format(ticket),
				"content": content,
				"sender": sender,
				"reference_doctype": TICKET,
				"reference_name": ticket,
			}
		).insert(ignore_permissions=True)  # the customer's answer, checked by the caller


def truthy(value) -> bool:
	if isinstance(value, str):
		if value.strip().lower() in ("1", "true", "yes"):
			return True
		if value.strip().lower() in ("0", "false", "no"):
			return False
		frappe.throw(_("Answer Yes or No."))
	return bool(value)


def page_messages() -> dict[str, str]:
	"""What the page may say after a refused answer: fixed, translated texts by code (see
	`cs_sop.api.closure.confirm_form`); the page never shows text taken from its URL."""
	return {
		"invalid": _("This confirmation link is not valid."),
		"answered": _("This resolution was already answered. Thank you!"),
		"not_waiting": _("This ticket is no longer waiting for your confirmation."),
		"reason_required": _("Please tell us what is not resolved yet."),
		"reason_too_long": _("The reason is too long (at most {0} characters).").format(MAX_REASON),
		"failed": _("Your answer could not be saved. Please check it and try again."),
	}


def error_code(ticket: str, token: str, resolved, reason: str | None) -> str:
	"""Why an answer from the page's form was refused, as a code of `page_messages`."""
	row = ticket_for_token(ticket, token)
	if not row:
		return "invalid"
	if row.sop_resolution_confirmed not in (rules.AWAITING, None, ""):
		return "answered"
	if row.status == "Closed" or row.status_category != "Resolved":
		return "not_waiting"
	reason = (reason or "").strip() if isinstance(reason, str) else ""
	if len(reason) > MAX_REASON:
		return "reason_too_long"
	if str(resolved).strip().lower() in ("0", "false", "no") and not reason:
		return "reason_required"
	return "failed"
