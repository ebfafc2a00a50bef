"""SOP Meta Settings as the rest of the package needs them (secrets decrypted on demand only)."""

import frappe
from frappe.utils.password import get_decrypted_password

from cs_sop.core import meta as rules

DOCTYPE = "SOP Meta Settings"


def get() -> frappe._dict:
	doc = frappe.get_cached_doc(DOCTYPE)
	return frappe._dict(
		enabled={
			rules.MESSENGER: bool(doc.messenger_enabled),
			rules.INSTAGRAM: bool(doc.instagram_enabled),
		},
		page_id=(doc.page_id or "").strip(),
		instagram_account_id=(doc.instagram_account_id or "").strip(),
		base_url=(doc.api_base_url or "https://graph.facebook.com").rstrip("/"),
		version=(doc.api_version or "v21.0").strip("/"),
		timeout=int(doc.timeout or 10),
	)


def secret(fieldname: str) -> str:
	"""page_access_token, app_secret or verify_token; never logged, never returned by an API."""
	return get_decrypted_password(DOCTYPE, DOCTYPE, fieldname, raise_exception=False) or ""


def is_ready(platform: str | None = None) -> bool:
	"""The platform (else any of the two) is on and has what it needs to send."""
	conf = get()
	on = conf.enabled.get(platform) if platform else any(conf.enabled.values())
	return bool(on) and bool(conf.page_id) and bool(secret("page_access_token"))


def clear_cache() -> None:
	frappe.clear_document_cache(DOCTYPE, DOCTYPE)
