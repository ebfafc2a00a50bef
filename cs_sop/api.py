"""Whitelisted API of cs_sop. Each method checks permissions itself."""

import frappe
from frappe import _

REASONS = ("SLA Breach", "Complexity", "Customer Request", "Recurring Complaint")


@frappe.whitelist()
def escalate(ticket: str, reason: str, summary: str, attachment: str | None = None) -> str:
	"""Escalate a ticket one level up by hand (the SOP's escalation form). Returns its name."""
	from cs_sop.escalation import escalate_manually

	if not frappe.db.exists("HD Ticket", ticket):
		frappe.throw(_("Ticket {0} does not exist.").format(ticket), frappe.DoesNotExistError)
	if not frappe.has_permission("HD Ticket", "write", doc=ticket):
		frappe.throw(_("You cannot escalate ticket {0}.").format(ticket), frappe.PermissionError)
	if not frappe.has_permission("SOP Escalation", "create"):
		frappe.throw(_("You cannot create escalations."), frappe.PermissionError)
	if reason not in REASONS:
		frappe.throw(_("Reason must be one of: {0}.").format(", ".join(_(r) for r in REASONS)))
	if not (summary or "").strip():
		frappe.throw(_("A case summary is required."))
	return escalate_manually(ticket, reason, summary.strip(), attachment)


@frappe.whitelist()
def acknowledge(escalation: str) -> None:
	"""The receiver (or a manager) confirms they took the escalation over."""
	from cs_sop.escalation import acknowledge as do_acknowledge

	if not frappe.db.exists("SOP Escalation", escalation):
		frappe.throw(_("Escalation {0} does not exist.").format(escalation), frappe.DoesNotExistError)
	do_acknowledge(escalation)
