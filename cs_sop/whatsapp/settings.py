"""SOP WhatsApp Settings as the rest of the package needs them (secrets decrypted on demand only)."""

import frappe
from frappe.utils.password import get_decrypted_password

DOCTYPE = "SOP WhatsApp Settings"


def get() -> frappe._dict:
	doc = frappe.get_cached_doc(DOCTYPE)
	return frappe._dict(
		enabled=bool(doc.enabled),
		phone_number_id=(doc.phone_number_id or "").strip(),
		base_url=(doc.api_base_url or "https://graph.facebook.com").rstrip("/"),
		version=(doc.api_version or "v21.0").strip("/"),
		timeout=int(doc.timeout or 10),
		template_name=(doc.template_name or "").strip(),
		template_language=(doc.template_language or "id").strip(),
		template_parameter=doc.template_parameter or "None",
		# the confirmation request and the survey invitation after 24 h: their own templates, the
		# links as the {{1}} of their URL buttons
		confirmation_template=(doc.get("confirmation_template") or "").strip(),
		confirmation_template_language=(doc.get("confirmation_template_language") or "").strip(),
		survey_template=(doc.get("survey_template") or "").strip(),
		survey_template_language=(doc.get("survey_template_language") or "").strip(),
	)


def secret(fieldname: str) -> str:
	"""access_token, app_secret or verify_token; never logged, never returned by an API."""
	return get_decrypted_password(DOCTYPE, DOCTYPE, fieldname, raise_exception=False) or ""


def is_ready() -> bool:
	"""WhatsApp is on and has what it needs to send."""
	conf = get()
	return conf.enabled and bool(conf.phone_number_id) and bool(secret("access_token"))


def clear_cache() -> None:
	frappe.clear_document_cache(DOCTYPE, DOCTYPE)
