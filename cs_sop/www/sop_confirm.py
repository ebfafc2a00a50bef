"""The customer's confirmation page: /sop-confirm/<ticket>/<token> (no login; the token is the
permission). Opening it changes nothing (mail scanners open links): the customer presses a button."""

import frappe
from frappe import _

from cs_sop.closure import MAX_REASON, ticket_for_token
from cs_sop.core import closure as rules

no_cache = 1


def get_context(context):
	ticket = frappe.form_dict.get("ticket") or ""
	token = frappe.form_dict.get("token") or ""
	row = ticket_for_token(ticket, token)
	lang = frappe.form_dict.get("lang")
	if lang not in ("id", "en"):
		from cs_sop.messaging import language_of

		lang = language_of(row.raised_by) if row else "id"
		lang = lang if lang in ("id", "en") else "id"
	frappe.local.lang = lang
	context.lang = lang
	context.no_cache = 1
	context.no_breadcrumbs = 1
	context.show_sidebar = 0
	context.title = _("Is your issue resolved?")
	context.error = page_message(frappe.form_dict.get("error"))
	context.answer = frappe.form_dict.get("answer")
	context.other_lang = "en" if lang == "id" else "id"
	context.other_lang_label = "English" if lang == "id" else "Bahasa Indonesia"
	if not row:
		context.state = "invalid"
		return context
	context.ticket = row.name
	context.token = token
	context.subject = row.subject
	context.summary = frappe.utils.sanitize_html(row.resolution_details or "")
	if row.sop_resolution_confirmed == rules.CONFIRMED:
		context.state = "confirmed"
	elif row.sop_resolution_confirmed == rules.NOT_RESOLVED:
		context.state = "reopened"
	elif (
		row.sop_resolution_confirmed == rules.AWAITING
		and row.status_category == "Resolved"
		and row.status != "Closed"
	):
		context.state = "open"
	else:
		context.state = "closed"
	return context


def page_messages() -> dict[str, str]:
	"""What the page may say after a refused answer: fixed, translated texts by code (see
	`cs_sop.closure.confirm_form`); the page never shows text taken from its URL."""
	return {
		"invalid": _("This confirmation link is not valid."),
		"answered": _("This resolution was already answered. Thank you!"),
		"not_waiting": _("This ticket is no longer waiting for your confirmation."),
		"reason_required": _("Please tell us what is not resolved yet."),
		"reason_too_long": _("The reason is too long (at most {0} characters).").format(MAX_REASON),
		"failed": _("Your answer could not be saved. Please check it and try again."),
	}


def page_message(code: str | None) -> str:
	if not code:
		return ""
	messages = page_messages()
	return messages.get(code) or messages["failed"]


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
