"""Who may write a ticket's `sop_*` fields: the steps of the HD Ticket lifecycle that guard them.

Trust boundary (`guard_sop_fields`): only SOP staff (`cs_sop.permissions.is_sop_staff`) set or
change `sop_*` fields. A ticket created by anyone else (a portal customer, a guest web request)
starts with channel Web Portal, level 0, stage Received and no classification; a change of a
`sop_*` field by anyone else is refused with a translated message and nothing is written. Server
code that must set `sop_*` fields on a customer's behalf (after its own permission check) sets
`doc.flags.cs_sop_trusted = True`. System-owned fields (`cs_sop.core.gates.SYSTEM_FIELDS`: what
happened — the sweep's counters, the confirmation, closing, notices, report facts) cannot be set by
anyone on insert or save: they start empty and a save keeps the stored values, unless cs_sop's own
code set them (`set_system_fields`, or its steps later in the same save).
"""

import frappe
from frappe import _

from cs_sop.core import gates
from cs_sop.permissions import is_sop_staff


def _trusted(doc) -> bool:
	if doc.flags.cs_sop_trusted or frappe.flags.in_install or frappe.flags.in_migrate:
		return True
	if frappe.session.user == "Guest" and not getattr(frappe.local, "request", None):
		return True  # a background job or an email pull, not a person's request
	return is_sop_staff()


def _sop_fields(doc) -> list:
	return [f for f in doc.meta.fields if f.fieldname.startswith("sop_") and f.fieldtype not in NO_VALUE]


NO_VALUE = ("Section Break", "Column Break", "Tab Break", "HTML", "Button", "Heading")


def _same(fieldtype: str, a, b) -> bool:
	if not a and not b:
		return True
	if fieldtype in ("Datetime", "Date") and a and b:
		return frappe.utils.get_datetime(a) == frappe.utils.get_datetime(b)
	if fieldtype in ("Int", "Check", "Float", "Percent", "Currency"):
		return frappe.utils.flt(a) == frappe.utils.flt(b)
	return str(a or "").strip() == str(b or "").strip()


def guard_sop_fields(doc):
	"""Only SOP staff set or change `sop_*` fields (see the module docstring)."""
	if doc.is_new():
		if doc.flags.cs_sop_guarded:
			return
		doc.flags.cs_sop_guarded = True
		set_by_code = doc.flags.cs_sop_system_set or ()
		for f in _sop_fields(doc):
			if f.fieldname in gates.SYSTEM_FIELDS and f.fieldname not in set_by_code:
				doc.set(f.fieldname, _empty(f.fieldtype))
		if _trusted(doc):
			return
		for f in _sop_fields(doc):
			if f.fieldname not in gates.SYSTEM_FIELDS:
				doc.set(f.fieldname, f.default if f.fieldname == "sop_stage" else None)
		doc.sop_channel = "Web Portal"
		return
	if _trusted(doc):
		return
	before = doc.get_doc_before_save()
	if not before:
		return
	# kept (below) or recomputed on every save: a stale copy of them is no change of the caller's
	owned = (
		*gates.SWEEP_FIELDS,
		*gates.LADDER_FIELDS,
		*gates.MESSAGE_CLOCK_FIELDS,
		*gates.DERIVED_FIELDS,
	)
	changed = [
		f
		for f in _sop_fields(doc)
		if f.fieldname not in owned and not _same(f.fieldtype, before.get(f.fieldname), doc.get(f.fieldname))
	]
	if changed:
		frappe.throw(
			_("Only agents can change these fields of a ticket: {0}.").format(
				", ".join(_(f.label or f.fieldname) for f in changed)
			),
			frappe.PermissionError,
			title=_("Not permitted"),
		)


def _empty(fieldtype: str):
	return 0 if fieldtype in ("Int", "Check", "Float", "Percent", "Currency") else None


def set_system_fields(doc, values: dict) -> None:
	"""cs_sop's own code writes system-owned fields of a ticket it is about to save (after its own
	permission check): only these pass `keep_system_fields`."""
	doc.update(values)
	doc.flags.cs_sop_system_set = {*(doc.flags.cs_sop_system_set or ()), *values}


def keep_system_fields(doc):
	"""System-owned fields record what happened (the sweep's counters, the confirmation, closing,
	notices, report facts): whatever a save sends for them — a user's value over REST or the desk,
	or an older copy saved after a job wrote them without touching `modified` — the stored values
	stay. cs_sop's own code sets them after this (its hooks) or through `set_system_fields`. A new
	agent reply starts the update cadence again."""
	before = doc.get_doc_before_save()
	if not before:
		return
	set_by_code = doc.flags.cs_sop_system_set or ()
	for field in gates.SYSTEM_FIELDS:
		if field not in set_by_code and doc.meta.has_field(field):
			doc.set(field, before.get(field))
	if str(before.last_agent_response or "") != str(doc.last_agent_response or ""):
		doc.sop_update_misses = 0
