"""The public satisfaction-survey page: /sop-survey/<token> (no login; the token is the permission)."""

import frappe
from frappe import _

from cs_sop.closure.answers import find, page_messages, state_of
from cs_sop.core import survey as rules

no_cache = 1


def get_context(context):
	token = frappe.form_dict.get("token") or ""
	row = find(token)
	lang = frappe.form_dict.get("lang")
	if lang not in ("id", "en"):
		lang = (row.language if row else None) or "id"
	frappe.local.lang = lang
	context.lang = lang
	context.no_cache = 1
	context.no_breadcrumbs = 1
	context.show_sidebar = 0
	context.title = _("Customer Satisfaction Survey")
	context.token = token if rules.is_well_formed(token) else ""
	context.state = state_of(row)
	if context.state == "answered" and frappe.form_dict.get("done"):
		context.state = "done"
	context.error = page_message(frappe.form_dict.get("error"))
	context.ticket = row.ticket if row else None
	context.low_csat = rules.LOW_CSAT
	context.csat_labels = [
		(1, _("Very dissatisfied")),
		(2, _("Dissatisfied")),
		(3, _("Neutral")),
		(4, _("Satisfied")),
		(5, _("Very satisfied")),
	]
	context.other_lang = "en" if lang == "id" else "id"
	context.other_lang_label = "English" if lang == "id" else "Bahasa Indonesia"
	return context


def page_message(code: str | None) -> str:
	"""The fixed, translated text for an error code in the URL; never the URL's own text."""
	if not code:
		return ""
	messages = page_messages()
	return messages.get(code) or messages["failed"]
