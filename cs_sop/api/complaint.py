"""The complaint procedure's agent actions: solutions (propose, submit, approve, reject, send,
Knowledge Base draft, lists), the approvers' check, and the customer's progress update.

Each action locks its solution row before it checks the caller against the row's current state
(`cs_sop.complaint.access`), so those checks run in the service, under the lock.
"""

import frappe
from frappe import _

from cs_sop.complaint import access, approval, approvers, knowledge, notices
from cs_sop.complaint import solution as solutions
from cs_sop.users import is_admin, is_manager


@frappe.whitelist(methods=["POST"])
def propose(
	ticket: str,
	description: str,
	action_owner: str | None = None,
	cost_impact: str | None = None,
	attachment: str | None = None,
) -> str:
	"""Add a solution proposal to a ticket (step 6): the related team. Returns its name."""
	return solutions.propose(ticket, description, action_owner, cost_impact, attachment)


@frappe.whitelist(methods=["POST"])
def submit_for_approval(solution: str) -> dict:
	"""CS picks this proposal and sends it to the department head (step 7)."""
	return solutions.submit_for_approval(solution)


@frappe.whitelist(methods=["POST"])
def approve(solution: str) -> dict:
	"""The department head approves (step 8)."""
	return solutions.approve(solution)


@frappe.whitelist(methods=["POST"])
def reject(solution: str, reason: str) -> dict:
	"""The department head rejects, with a reason (step 8)."""
	return solutions.reject(solution, reason)


@frappe.whitelist(methods=["POST"])
def send_solution(solution: str) -> dict:
	"""Send the approved solution to the customer (step 10); CS handling the ticket."""
	return solutions.send_solution(solution)


@frappe.whitelist(methods=["POST"])
def create_kb_draft(solution: str) -> str:
	"""An approved solution as a Knowledge Base draft for its category (step 12): agents."""
	return knowledge.create_kb_draft(solution)


@frappe.whitelist(methods=["GET", "POST"])  # read only; the agent UI calls with POST
def solutions_for_ticket(ticket: str) -> list[dict]:
	"""The ticket's solutions the user may read, newest first, with the actions they may take."""
	return solutions.solutions_for_ticket(ticket)  # checks the ticket's read permission


@frappe.whitelist(methods=["GET", "POST"])  # read only; the agent UI calls with POST
def waiting_for_my_approval() -> list[dict]:
	"""Solutions waiting for the current user's decision, oldest first."""
	return approval.waiting_for_my_approval()


@frappe.whitelist(methods=["GET"])
def approver_check() -> list[dict]:
	"""Approvers that cannot be used or cannot open solutions (SOP Settings shows them): managers."""
	if not (is_admin() or is_manager()):
		frappe.throw(_("Only managers see the approvers' check."), frappe.PermissionError)
	return approvers.approver_check()


@frappe.whitelist(methods=["GET", "POST"])  # read only; the agent UI calls with POST
def progress_update_preview(ticket: str) -> dict:
	"""The progress update prefilled with the ticket's state, for the agent to edit."""
	access.check_can_handle(ticket, frappe.session.user)
	return notices.progress_update_preview(ticket)


@frappe.whitelist(methods=["POST"])
def send_progress_update(ticket: str, message: str | None = None) -> dict:
	"""Send a progress update (the agent's text, or the prefilled one); resets the update cadence."""
	access.check_can_handle(ticket, frappe.session.user)
	return notices.send_progress_update(ticket, message)
