"""The customer's confirmation page: /sop-confirm/<ticket>/<token> (no login; the token is the
permission). Opening it changes nothing (mail scanners open links): the customer presses a button."""

import frappe
from frappe import _

from cs_sop.closure.confirmation import page_messages, ticket_for_token
from cs_sop.core import confirmation as rules
from cs_sop.messaging import language_of

no_cache = 1


def get_context(context):
	ticket = frappe.form_dict.get("ticket") or ""
	token = frappe.form_dict.get("token") or ""
	row = ticket_for_token(ticket, token)
	lang = frappe.form_dict.get("lang")
	if lang not in ("id", "en"):
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


def page_message(code: str | None) -> str:
	if not code:
		return ""
	messages = page_messages()
	return messages.get(code) or messages["failed"]
