"""Bahasa Indonesia for Helpdesk: serve cs_sop's gettext catalogue and translate the labels that
Helpdesk's agent UI and portal take from its APIs untranslated.

- `cs_sop/locale/id.po` holds the Indonesian of Helpdesk's strings (its `main.pot`) and of the
  Frappe and telephony strings the Helpdesk UI shows. Frappe v15 reads only compiled catalogues
  (`sites/assets/locale/<lang>/LC_MESSAGES/<app>.mo`, `frappe.gettext.translate.get_translations_from_mo`),
  which `bench build` / `bench compile-po-to-mo` write. `install_translations` writes them on
  `after_install` and `after_migrate`, so a fresh `install-app` serves them at once.
- Frappe merges apps in install order, later apps overriding earlier ones, and within an app the
  `.mo` overrides `translations/<lang>.csv`; cs_sop is installed after Helpdesk, so its catalogue
  wins over Helpdesk's own `id.po`.
- The overrides below (registered in `override_whitelisted_methods`) call Helpdesk's / Frappe's
  original method and translate the labels of its result in the user's language; values are never
  changed, so saving and filtering keep working.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import frappe
from frappe import _

APP = "cs_sop"
TICKET = "HD Ticket"
# Helpdesk's single-page app (agent UI and customer portal) lives under these paths
HELPDESK_PATHS = ("/helpdesk",)


# ---------------------------------------------------------------------------
# Compiled catalogue
# ---------------------------------------------------------------------------


def po_files() -> list[Path]:
	return sorted((Path(frappe.get_app_path(APP)) / "locale").glob("*.po"))


def install_translations() -> None:
	"""Compile every `cs_sop/locale/<lang>.po` into the bench's `.mo` and drop cached translations.

	Idempotent and cheap (one catalogue of ~1,300 messages): runs on every install and migrate, so a
	new or changed `.po` is served without `bench build`.
	"""
	from babel.messages.pofile import read_po
	from frappe.gettext.translate import write_binary
	from frappe.translate import clear_cache

	for po in po_files():
		with open(po, "rb") as f:
			catalog = read_po(f)
		write_binary(APP, catalog, po.stem)
	clear_cache()


# ---------------------------------------------------------------------------
# Labels of Helpdesk's API results
# ---------------------------------------------------------------------------


def _label(text: Any) -> Any:
	return _(text) if isinstance(text, str) and text else text


def translate_labels(rows: list | None, key: str = "label") -> list | None:
	"""Translate `row[key]` in place for each dict of `rows`; other keys are left alone."""
	for row in rows or []:
		if isinstance(row, dict) and row.get(key):
			row[key] = _label(row[key])
	return rows


def _from_helpdesk_ui() -> bool:
	"""True when the request comes from Helpdesk's SPA (not from the desk at /app)."""
	request = getattr(frappe.local, "request", None)
	referer = request.headers.get("Referer") if request else None
	path = urlparse(referer or "").path
	return any(path == p or path.startswith(p + "/") for p in HELPDESK_PATHS)


def _original(method: str, kwargs: dict) -> Any:
	"""The original whitelisted method (Helpdesk's or Frappe's), given the request's own arguments.

	The overrides below take `**kwargs` instead of re-declaring the original's signature: Frappe
	validates a whitelisted method's annotated arguments against the request, and Helpdesk widens its
	signatures between releases (1.28 sends `get_list_data`'s `filters` as a list where 1.25 sent a
	dict), so a copied signature would refuse what the installed release accepts. `frappe.call`
	keeps only the arguments the original declares, and the original checks its own types and
	permissions.
	"""
	return frappe.call(frappe.get_attr(method), **kwargs)


@frappe.whitelist()
def getdoctype(**kwargs: Any):
	"""`frappe.desk.form.load.getdoctype` with HD Ticket's labels translated for Helpdesk's UI.

	Helpdesk's side panel (`TicketDetailsTab.vue`) shows `field.label` of this meta without `__()`;
	the desk translates labels itself, so only requests from `/helpdesk` get translated copies.
	"""
	result = _original("frappe.desk.form.load.getdoctype", kwargs)
	if kwargs.get("doctype") != TICKET or not _from_helpdesk_ui() or not frappe.response.get("docs"):
		return result
	docs = []
	for meta in frappe.response.docs:
		# a copy: the meta object is cached, its labels must stay English
		d = meta.as_dict() if hasattr(meta, "as_dict") else dict(meta)
		if d.get("name") == TICKET:
			for df in d.get("fields") or []:
				if df.get("label"):
					df["label"] = _label(df["label"])
		docs.append(d)
	frappe.response.docs = docs
	return result


@frappe.whitelist()
def get_ticket_customizations(**kwargs: Any) -> dict:
	"""Helpdesk's `get_ticket_customizations` with translated choices for the SOP's Select fields.

	The side panel shows a Select field's raw options, but a field with a `url_method` gets its
	options from that method as `{label, value}`: pointing it at `select_options` shows Indonesian
	labels while the stored value stays the English option.
	"""
	result = _original("helpdesk.helpdesk.doctype.hd_ticket.api.get_ticket_customizations", kwargs)
	meta = frappe.get_meta(TICKET)
	for row in result.get("custom_fields") or []:
		df = meta.get_field(row.get("fieldname"))
		if df and df.fieldtype == "Select" and not row.get("url_method"):
			row["url_method"] = f"cs_sop.i18n.select_options?fieldname={df.fieldname}"
	return result


@frappe.whitelist()
def select_options(fieldname: str | None = None) -> list[dict]:
	"""Options of a Select field of HD Ticket as `[{label, value}]`, labels in the user's language."""
	request = getattr(frappe.local, "request", None)
	fieldname = fieldname or (request.args.get("fieldname") if request else None)
	# a field's choices are no secret (the desk and the portal form show them), but not for guests
	if frappe.session.user == "Guest":
		frappe.throw(_("Not permitted"), frappe.PermissionError)
	df = frappe.get_meta(TICKET).get_field(fieldname or "")
	if not df or df.fieldtype != "Select":
		frappe.throw(_("{0} is not a choice field of the ticket.").format(fieldname or ""))
	return [{"label": _(o), "value": o} for o in (df.options or "").split("\n") if o]


@frappe.whitelist()
def get_template(**kwargs: Any) -> dict:
	"""`hd_ticket_template.api.get_one` (new-ticket form, agents and customers) with labels translated."""
	result = _original("helpdesk.helpdesk.doctype.hd_ticket_template.api.get_one", kwargs)
	for field in result.get("fields") or []:
		for key in ("label", "description", "placeholder"):
			if field.get(key):
				field[key] = _label(field[key])
		if field.get("fieldtype") == "Select" and not field.get("url_method"):
			field["url_method"] = f"cs_sop.i18n.select_options?fieldname={field.get('fieldname')}"
	return result


@frappe.whitelist()
def get_ticket(**kwargs: Any) -> dict:
	"""`hd_ticket.api.get_one` (agent and portal ticket page) with the template's labels translated."""
	result = _original("helpdesk.helpdesk.doctype.hd_ticket.api.get_one", kwargs)
	template = result.get("template") if isinstance(result, dict) else None
	for field in (template or {}).get("fields") or []:
		if field.get("label"):
			field["label"] = _label(field["label"])
	return result


@frappe.whitelist()
def get_list_data(**kwargs: Any) -> dict:
	"""`helpdesk.api.doc.get_list_data` with column and field labels translated (list views)."""
	result = _original("helpdesk.api.doc.get_list_data", kwargs)
	translate_labels(result.get("columns"))
	translate_labels(result.get("fields"))
	group_by = result.get("group_by_field")
	if isinstance(group_by, dict):
		group_by["label"] = _label(group_by.get("label"))
	return result


@frappe.whitelist()
def get_filterable_fields(**kwargs: Any) -> list:
	"""`helpdesk.api.doc.get_filterable_fields` with labels translated (filter menu)."""
	# a deep copy: Helpdesk caches this result (redis_cache), its labels must stay English
	fields = _original("helpdesk.api.doc.get_filterable_fields", kwargs)
	return translate_labels(copy.deepcopy(fields))


@frappe.whitelist()
def sort_options(**kwargs: Any) -> list:
	"""`helpdesk.api.doc.sort_options` with labels translated (sort menu)."""
	return translate_labels(_original("helpdesk.api.doc.sort_options", kwargs))
