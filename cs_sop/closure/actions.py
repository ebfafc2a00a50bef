"""The agent's and the supervisor's closure actions: the closure form (Resolve) and the close with
exception (without the customer's confirmation, a reason required)."""

import frappe
from frappe import _
from frappe.utils import now_datetime

from cs_sop import activity
from cs_sop.core import gates
from cs_sop.field_guard import set_system_fields
from cs_sop.users import is_agent

TICKET = "HD Ticket"


def resolve(ticket: str, resolution: str, root_cause: str | None = None, status: str | None = None) -> str:
	"""Fill the closure form and resolve the ticket (the agent UI's Resolve dialog)."""
	if not frappe.db.exists(TICKET, ticket):
		frappe.throw(_("Ticket {0} does not exist.").format(ticket), frappe.DoesNotExistError)
	if not is_agent() or not frappe.has_permission(TICKET, "write", doc=ticket):
		frappe.throw(_("You cannot resolve ticket {0}.").format(ticket), frappe.PermissionError)
	status = status or "Resolved"
	if status == "Closed" or frappe.db.get_value("HD Ticket Status", status, "category") != "Resolved":
		frappe.throw(_("{0} is not a resolved status.").format(status))
	doc = frappe.get_doc(TICKET, ticket)  # the agent's own permissions apply to the save
	doc.resolution_details = frappe.utils.sanitize_html(resolution or "")
	if root_cause is not None:
		doc.sop_root_cause = root_cause.strip()
	doc.status = status
	doc.save()
	return doc.status


def close_with_exception(ticket: str, reason: str) -> str:
	"""A supervisor closes a ticket without the customer's confirmation. The reason, who and when
	stay on the ticket (system-owned fields, in the reports) and in its activity log."""
	if not ticket or not frappe.db.exists(TICKET, ticket):
		frappe.throw(_("Ticket {0} does not exist.").format(ticket), frappe.DoesNotExistError)
	user = frappe.session.user
	roles = set(frappe.get_roles(user)) if user != "Guest" else set()
	if not roles & set(gates.EXCEPTION_ROLES):
		frappe.throw(
			_(
				"Only an SOP Supervisor, an SOP Operations Manager or a System Manager can close a "
				"ticket without the customer's confirmation."
			),
			frappe.PermissionError,
		)
	if not frappe.has_permission(TICKET, "write", doc=ticket, user=user):
		frappe.throw(_("You cannot close ticket {0}.").format(ticket), frappe.PermissionError)
	status = frappe.db.get_value(TICKET, ticket, "status", for_update=True)
	problem = gates.exception_problem(roles, reason, status)
	if problem == "closed":
		frappe.throw(_("Ticket {0} is already closed.").format(ticket))
	if problem == "reason":
		frappe.throw(
			_("A reason is required to close ticket {0} without the customer's confirmation.").format(ticket)
		)
	if problem == "too_long":
		frappe.throw(_("The reason is too long (at most {0} characters).").format(gates.MAX_EXCEPTION_REASON))
	reason = reason.strip()
	doc = frappe.get_doc(TICKET, ticket)  # the supervisor's own permissions apply to the save
	# the exception fields are system-owned: written here, after the checks above
	doc.flags.cs_sop_trusted = True
	set_system_fields(
		doc,
		{
			"sop_close_exception_by": user,
			"sop_close_exception_on": now_datetime(),
			"sop_close_exception_reason": reason,
		},
	)
	doc.flags.cs_sop_close_exception = reason  # what check_close accepts (flags are not REST input)
	doc.status = gates.CLOSED
	doc.save()
	activity.log(
		ticket,
		_("closed the ticket without the customer's confirmation (supervisor's exception): {0}").format(
			reason
		),
	)
	return doc.status
