"""Reading SOP Settings (the single): the cached document, and a value with its shipped default
when the site never stored one (`cs_sop.setup.defaults.settings_defaults`)."""

import frappe

from cs_sop.setup.defaults import settings_defaults

SETTINGS = "SOP Settings"


def get():
	return frappe.get_cached_doc(SETTINGS)


def value(field: str):
	stored = get().get(field)
	return settings_defaults().get(field) if stored is None else stored


def int_value(field: str) -> int:
	return int(value(field) or 0)


def fill_new_settings_defaults() -> list[str]:
	"""Store the default of every SOP Settings field that has never had a value (install, and every
	migrate: Frappe gives a new field of a Single no value, and an empty number, a survey expiry of
	0 days say, would change behaviour). Values an admin saved are never touched. Returns them."""
	stored = frappe.db.get_singles_dict(SETTINGS)
	missing = {f: v for f, v in settings_defaults().items() if f not in stored}
	role = missing.get("default_approver_role")
	if role and not frappe.db.exists("Role", role):
		missing.pop("default_approver_role")  # set by the migrate after the role exists
	if missing:
		frappe.db.set_single_value(SETTINGS, missing)
		frappe.clear_document_cache(SETTINGS, SETTINGS)
	return sorted(missing)
