"""The closure: the agent's closure form, the customer's confirmation (portal, agent by phone or in
person, the public link's page), a supervisor's close with exception."""

from urllib.parse import quote

import frappe

from cs_sop.closure import actions, confirmation
from cs_sop.core import survey as survey_rules
from cs_sop.guest import limited


@frappe.whitelist(methods=["POST"])
def resolve_ticket(
	ticket: str, resolution: str, root_cause: str | None = None, status: str | None = None
) -> str:
	"""The agent UI's closure form: resolution summary (+ root cause) and a resolved status. An
	agent with write access to the ticket (checked in `actions.resolve`)."""
	return actions.resolve(ticket, resolution, root_cause, status)


@frappe.whitelist(methods=["POST"])
def confirm_resolution(
	ticket: str, resolved: bool | int | str, reason: str | None = None, via: str | None = None
) -> str:
	"""The customer's answer to "is it resolved?": the portal customer, or an agent recording an
	answer given by phone or in person (`via`). Checks are in `confirmation.confirm`."""
	return confirmation.confirm(ticket, confirmation.truthy(resolved), reason, via)


@frappe.whitelist(methods=["POST"])
def close_with_exception(ticket: str, reason: str) -> str:
	"""A supervisor (SOP Supervisor, SOP Operations Manager, System Manager) closes a ticket
	without the customer's confirmation; the reason is required. Checks are in
	`actions.close_with_exception`."""
	return actions.close_with_exception(ticket, reason)


@frappe.whitelist(allow_guest=True, methods=["POST"])
@limited
def confirm_link(ticket: str, token: str, resolved: bool | int | str, reason: str | None = None) -> str:
	"""The customer's Yes / No from the confirmation page (no login: the link's token is the permission)."""
	return confirmation.confirm_by_token(ticket, token, confirmation.truthy(resolved), reason)


@frappe.whitelist(allow_guest=True, methods=["POST"])
@limited
def confirm_form(ticket: str, token: str, resolved: str, reason: str | None = None) -> None:
	"""The confirmation page's plain HTML forms: answer, then back to the page."""
	base = f"/sop-confirm/{quote(str(ticket))}/{token if survey_rules.is_well_formed(token) else 'invalid'}"
	try:
		confirmation.confirm_by_token(ticket, token, confirmation.truthy(resolved), reason)
		location = base
	except (frappe.ValidationError, frappe.PermissionError):
		frappe.clear_messages()
		frappe.db.rollback()
		# a code, not the message: the page shows its own fixed text for it
		location = (
			base
			+ "?"
			+ frappe.utils.urlencode({"error": confirmation.error_code(ticket, token, resolved, reason)})
		)
	frappe.local.response["type"] = "redirect"
	frappe.local.response["location"] = location
