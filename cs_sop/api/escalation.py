"""Manual escalation and acknowledgement (the agent UI's Escalate action, the escalation form)."""

import frappe
from frappe import _

from cs_sop.closure.gates import check_classified
from cs_sop.escalation import manual
from cs_sop.permissions import is_sop_staff

REASONS = ("SLA Breach", "Complexity", "Customer Request", "Recurring Complaint")


@frappe.whitelist(methods=["POST"])
def escalate(ticket: str, reason: str, summary: str, attachment: str | None = None) -> str:
	"""Escalate a ticket one level up by hand (the SOP's escalation form). Returns its name."""
	if not frappe.db.exists("HD Ticket", ticket):
		frappe.throw(_("Ticket {0} does not exist.").format(ticket), frappe.DoesNotExistError)
	if not is_sop_staff() or not frappe.has_permission("HD Ticket", "write", doc=ticket):
		frappe.throw(_("You cannot escalate ticket {0}.").format(ticket), frappe.PermissionError)
	# a complaint is escalated only once classified (the sweep's automatic escalation is not held)
	check_classified(
		frappe.db.get_value(
			"HD Ticket",
			ticket,
			["name", "sop_request_type", "ticket_type", "sop_impact", "sop_urgency"],
			as_dict=True,
		),
		_("Before escalating complaint {0}, classify it: {1}."),
	)
	if reason not in REASONS:
		frappe.throw(_("Reason must be one of: {0}.").format(", ".join(_(r) for r in REASONS)))
	summary = (summary or "").strip()
	if not summary:
		frappe.throw(_("A case summary is required."))
	if len(summary) > manual.MAX_SUMMARY:
		frappe.throw(
			_("The case summary may have at most {0} characters (it has {1}).").format(
				manual.MAX_SUMMARY, len(summary)
			)
		)
	if attachment:
		_check_attachment(ticket, attachment)
	return manual.escalate(ticket, reason, summary, attachment or None)


def _check_attachment(ticket: str, attachment: str) -> None:
	"""An attachment must be a File attached to this ticket that the caller may read."""
	file_name = frappe.db.get_value(
		"File",
		{"file_url": attachment, "attached_to_doctype": "HD Ticket", "attached_to_name": str(ticket)},
		"name",
	)
	if not file_name or not frappe.has_permission("File", "read", doc=file_name):
		frappe.throw(
			_("The attachment must be a file attached to ticket {0} that you can open.").format(ticket),
			frappe.PermissionError,
		)


@frappe.whitelist(methods=["POST"])
def acknowledge(escalation: str) -> None:
	"""The receiver (or a manager) confirms they took the escalation over (checked by
	`SOPEscalation.can_acknowledge` under the ticket's lock)."""
	if not frappe.db.exists("SOP Escalation", escalation):
		frappe.throw(_("Escalation {0} does not exist.").format(escalation), frappe.DoesNotExistError)
	manual.acknowledge(escalation)
