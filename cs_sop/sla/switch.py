"""SOP Settings → *Use the SOP SLAs*: which SLA Helpdesk falls back to.

On (the default): *SOP Standar* is Helpdesk's default SLA and *SOP Chat & WhatsApp* is enabled;
Helpdesk's previous default SLA is remembered (SOP Settings → previous_default_sla) and disabled,
because Helpdesk tries every enabled non-default SLA before the default one and, on 1.25, its old
default (no condition) would catch every ticket (1.28 skips an SLA without a condition; disabled,
it is out of the choice on both).

Off: the previous default SLA is the default again (enabled) and both SOP SLAs are disabled:
Helpdesk chooses SLAs as it does without cs_sop. The SOP fields, the priority matrix and the
escalation ladder keep working. Uninstalling cs_sop does the same.

Both directions are idempotent. They change what Helpdesk chooses for new tickets and on a
ticket's next SLA choice; the targets of tickets already open stay as they are.
"""

import frappe
from frappe import _

SLA = "HD Service Level Agreement"


def managed_slas(settings) -> list[str]:
	"""The SOP SLAs that exist on the site (standard first)."""
	return [
		name for name in (settings.standard_sla, settings.chat_sla) if name and frappe.db.exists(SLA, name)
	]


def apply(settings) -> None:
	"""Make Helpdesk's SLAs follow `settings.use_sop_slas`."""
	if settings.get("use_sop_slas", 1):
		use_sop_slas(settings)
	else:
		use_helpdesk_slas(settings)


def use_sop_slas(settings) -> None:
	managed = managed_slas(settings)
	if not settings.standard_sla or settings.standard_sla not in managed:
		frappe.throw(_("The standard SLA of SOP Settings is missing: choose one before using the SOP SLAs."))
	current = _current_default()
	if current and current not in managed:
		settings.previous_default_sla = current
		frappe.db.set_single_value("SOP Settings", "previous_default_sla", current)
	_set(settings.standard_sla, enabled=1, default_sla=1)  # Helpdesk takes the default from the old one
	for name in managed[1:]:
		_set(name, enabled=1)
	previous = settings.previous_default_sla
	if previous and previous not in managed and frappe.db.exists(SLA, previous):
		_set(previous, enabled=0, default_sla=0)


def use_helpdesk_slas(settings, strict: bool = True) -> None:
	"""Helpdesk's previous default SLA back; the SOP SLAs disabled.

	strict: refuse (translated error) when there is no previous default SLA to go back to; with
	strict=False (uninstall) the SOP standard SLA then stays the default, since Helpdesk needs one.
	"""
	managed = managed_slas(settings)
	previous = settings.previous_default_sla
	if not previous or previous in managed or not frappe.db.exists(SLA, previous):
		previous = None
	current = _current_default()
	if current in managed or not current:
		if previous:
			_set(previous, enabled=1, default_sla=1)
			current = previous
		elif strict:
			frappe.throw(
				_(
					"There is no previous default SLA to go back to. Make another SLA the default in "
					"Helpdesk first, then switch off the SOP SLAs."
				)
			)
	for name in managed:
		if name != current:
			_set(name, enabled=0, default_sla=0)


def _current_default() -> str | None:
	return frappe.db.get_value(SLA, {"default_sla": 1, "enabled": 1}, "name") or frappe.db.get_value(
		SLA, {"default_sla": 1}, "name"
	)


def _set(name: str, **values) -> None:
	"""Save through the document (its validation and hooks run) only when something changes."""
	doc = frappe.get_doc(SLA, name)
	if all(doc.get(k) == v for k, v in values.items()):
		return
	doc.update(values)
	# The gate is SOP Settings (System Manager, Agent Manager, SOP Operations Manager); the
	# SLA itself is Helpdesk's, which SOP Operations Managers may not write directly.
	doc.save(ignore_permissions=True)


def set_use_sop_slas(on: int) -> None:
	"""Switch through SOP Settings (as its form does); for scripts, e.g. `scripts/run-helpdesk-suite`:
	`bench --site X execute cs_sop.sla.switch.set_use_sop_slas --args '[0]'`."""
	settings = frappe.get_single("SOP Settings")
	settings.use_sop_slas = 1 if int(on) else 0
	settings.save()
	apply(settings)  # also when the value did not change: the SLAs follow it either way
