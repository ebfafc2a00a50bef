"""Whitelisted actions on WhatsApp messages (agent UI and desk)."""

import frappe
from frappe import _

from cs_sop.graph import outbox

LOG = "SOP WhatsApp Message"


@frappe.whitelist(methods=["POST"])
def retry(message: str) -> str:
	"""Send a failed outbound message again. Who may write the ticket may retry its messages."""
	row = frappe.db.get_value(LOG, message, ["direction", "status", "ticket"], as_dict=True)
	if not row or row.direction != "Outbound":
		frappe.throw(_("WhatsApp message {0} not found").format(message), frappe.DoesNotExistError)
	if not (
		row.ticket and frappe.has_permission("HD Ticket", "write", row.ticket)
	) and not frappe.has_permission(LOG, "write"):
		frappe.throw(_("You are not permitted to retry this message"), frappe.PermissionError)
	if row.status != "Failed":
		frappe.throw(
			_("Only a failed WhatsApp message can be retried (this one is {0}).").format(_(row.status))
		)
	outbox.retry(message)
	return "Queued"


@frappe.whitelist(methods=["POST"])
def retry_ticket(ticket: str) -> int:
	"""Send every failed WhatsApp message of a ticket again; how many were queued."""
	if not frappe.has_permission("HD Ticket", "write", ticket):
		frappe.throw(_("You are not permitted to retry messages of this ticket"), frappe.PermissionError)
	failed = frappe.get_all(
		LOG, filters={"ticket": ticket, "direction": "Outbound", "status": "Failed"}, pluck="name"
	)
	for name in failed:
		outbox.retry(name)
	return len(failed)


@frappe.whitelist(methods=["GET"])
def ticket_messages(ticket: str) -> list[dict]:
	"""The WhatsApp messages of a ticket with their delivery state (for the agent UI)."""
	if not frappe.has_permission("HD Ticket", "read", ticket):
		frappe.throw(_("You are not permitted to read this ticket"), frappe.PermissionError)
	return frappe.get_all(
		LOG,
		filters={"ticket": ticket},
		fields=["name", "direction", "status", "status_at", "error", "communication", "is_template"],
		order_by="creation asc",
		ignore_permissions=True,  # read access to the ticket was checked above
	)
