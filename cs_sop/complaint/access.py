"""Who may do what with SOP Solutions, and their row-level permission hooks (hooks.py).

Read: managers all; approvers what they must decide; agents the solutions on tickets they may read;
customers nothing. Write: only the proposal's content, by its proposer or an SOP Operations Manager /
System Manager, while it is Proposed; everything else changes through the actions
(`cs_sop.complaint.solution`), which save with their own checks.
"""

import frappe
from frappe import _
from frappe.permissions import push_perm_check_log
from helpdesk.helpdesk.doctype.hd_ticket.hd_ticket import permission_query as ticket_query

from cs_sop.core import notices as rules
from cs_sop.escalation.notify import category_team
from cs_sop.users import OPS_MANAGER, is_admin, is_agent, is_manager, roles_of

SOLUTION = "SOP Solution"
TICKET = "HD Ticket"


def check_ticket(ticket: str, ptype: str = "read", user: str | None = None) -> None:
	user = user or frappe.session.user
	if not ticket or not frappe.db.exists(TICKET, ticket):
		frappe.throw(_("Ticket {0} does not exist.").format(ticket), frappe.DoesNotExistError)
	if not frappe.has_permission(TICKET, ptype, doc=ticket, user=user):
		frappe.throw(_("You cannot work on ticket {0}.").format(ticket), frappe.PermissionError)


def check_can_propose(ticket: str, user: str) -> None:
	"""The related team proposes: the category's default team, or anyone with an SOP role.

	When the category has no default team, any agent who may work on the ticket proposes.
	"""
	check_ticket(ticket, "read", user)
	if is_manager(user):
		return
	team = category_team(frappe.db.get_value(TICKET, ticket, "ticket_type"))
	if team:
		if frappe.db.exists("HD Team Member", {"parent": team, "user": user}):
			return
		frappe.throw(
			_("Only the related team ({0}) or a supervisor proposes solutions for this category.").format(
				team
			),
			frappe.PermissionError,
		)
	if not is_agent(user):
		frappe.throw(_("Only agents propose solutions."), frappe.PermissionError)
	check_ticket(ticket, "write", user)


def check_can_handle(ticket: str, user: str) -> None:
	"""CS handles the ticket: submits a proposal, sends the approved solution to the customer."""
	check_ticket(ticket, "write", user)
	if not (is_agent(user) or is_manager(user)):
		frappe.throw(_("Only agents handle the customer's ticket."), frappe.PermissionError)


def may_edit_proposal(proposed_by: str | None, user: str) -> bool:
	"""The proposal's content (while Proposed): its proposer, an SOP Operations Manager, a System Manager."""
	return user == proposed_by or is_admin(user)


def separate_duties() -> bool:
	"""SOP Settings: whoever decides is neither the proposer nor the submitter (on unless switched off)."""
	value = frappe.db.get_singles_dict("SOP Settings").get("separate_approver")  # not cached: read fresh
	return value is None or bool(int(value or 0))


def can_decide(sol, user: str) -> bool:
	if user in (sol.get("proposed_by"), sol.get("submitted_by")) and separate_duties():
		return False
	roles = roles_of(user)
	if sol.approver_user and sol.approver_user == user:
		return True
	if sol.approver_role and sol.approver_role in roles:
		return True
	# not decided in time: the SOP Operations Manager took it over
	return (sol.approval_stage or 0) >= rules.ESCALATED and OPS_MANAGER in roles


def has_permission(doc, ptype=None, user=None):
	"""Row level. Read: managers all; approvers what they must decide; staff what is on tickets they
	read. Write (the desk form, PUT /api/resource, frappe.client.*): only the proposal's content, by
	its proposer or an SOP Operations Manager / System Manager, while it is Proposed; everything
	else changes through the actions, which save with their own checks."""
	user = user or frappe.session.user
	ptype = ptype or "read"
	if user == "Administrator":
		return True
	if ptype == "create":
		return not doc.get("ticket") or bool(frappe.has_permission(TICKET, "read", doc=doc.ticket, user=user))
	if ptype in ("write", "share", "submit", "cancel", "amend"):
		# the stored row: a PUT checks the document it is about to save, with the caller's values
		stored = frappe.db.get_value(SOLUTION, doc.name, ["status", "proposed_by"], as_dict=True) or doc
		if stored.status != "Proposed":
			push_perm_check_log(
				_(
					"Solution {0} is {1}: it changes only through its actions (submit, approve, reject, send)."
				).format(doc.name, _(stored.status))
			)
			return False
		if not may_edit_proposal(stored.proposed_by, user):
			push_perm_check_log(
				_("Only the proposer ({0}) or an SOP Operations Manager edits solution {1}.").format(
					stored.proposed_by, doc.name
				)
			)
			return False
		return True
	if ptype == "delete":
		return is_manager(user)
	if is_manager(user):
		return True
	if doc.get("approver_user") == user or doc.get("approver_role") in roles_of(user):
		return True
	if doc.get("proposed_by") == user or doc.get("owner") == user:
		return True
	# a customer reads their ticket, never its solutions (cost notes, internal names)
	if not doc.get("ticket") or not is_agent(user):
		return False
	return bool(frappe.has_permission(TICKET, "read", doc=doc.ticket, user=user))


def permission_query(user=None):
	user = user or frappe.session.user
	if user == "Administrator" or is_manager(user):
		return ""
	esc = frappe.db.escape
	roles = ", ".join(esc(r) for r in roles_of(user)) or "''"
	mine = (
		f"`tabSOP Solution`.approver_user = {esc(user)} OR `tabSOP Solution`.approver_role IN ({roles})"
		f" OR `tabSOP Solution`.proposed_by = {esc(user)}"
	)
	tickets = ticket_query(user)
	if not tickets:  # Helpdesk does not restrict this user's tickets
		if is_agent(user):
			return ""
		return f"({mine})"
	return f"({mine} OR `tabSOP Solution`.ticket IN (SELECT `tabHD Ticket`.name FROM `tabHD Ticket` WHERE {tickets}))"
