"""SOP Solutions (complaint procedure steps 6-10 and 12): propose, submit, decide, send.

1. The related team (the category's default team, or anyone with an SOP role) proposes one or
   more solutions on a ticket (step 6).
2. CS picks one and submits it to the category's department head (step 7, `approvers`); approvers
   get a ToDo, a notification and an email (`approval`).
3. The approver approves, or rejects with a reason (step 8); the action owner, the proposer and
   the ticket's agents are told (steps 8-9).
4. Only an approved solution is sent to the customer (step 10), through `cs_sop.messaging`; the
   ticket keeps it in `sop_applied_solution` (step 12). `knowledge` makes a Knowledge Base draft.

Whoever decides is neither the proposer nor the submitter (SOP Settings may allow it for tiny
teams). Every action locks the solution row (SELECT ... FOR UPDATE) before it checks the status,
so a double click or two approvers at once decide once. The whitelisted entry points are
`cs_sop.api.complaint`.
"""

import frappe
from frappe import _
from frappe.desk.form.assign_to import close_all_assignments
from frappe.utils import get_datetime, now_datetime, strip_html

from cs_sop import activity
from cs_sop.complaint import notices
from cs_sop.complaint.access import (
	can_decide,
	check_can_handle,
	check_can_propose,
	check_ticket,
	separate_duties,
)
from cs_sop.complaint.approval import assign, calendar_add, notify, ticket_agents, timeouts
from cs_sop.complaint.approvers import approver_problems, approver_users, approvers_of
from cs_sop.core import notices as rules

SOLUTION = "SOP Solution"
TICKET = "HD Ticket"


def lock_solution(solution: str):
	if not solution or not frappe.db.exists(SOLUTION, solution):
		frappe.throw(_("Solution {0} does not exist.").format(solution), frappe.DoesNotExistError)
	frappe.db.get_value(SOLUTION, solution, "name", for_update=True)
	return frappe.get_doc(SOLUTION, solution)


def save_solution(sol):
	sol.flags.sop_action = True
	# the acting user was checked by the action itself (approvers may have read access only)
	sol.save(ignore_permissions=True)


def propose(
	ticket: str,
	description: str,
	action_owner: str | None = None,
	cost_impact: str | None = None,
	attachment: str | None = None,
) -> str:
	"""Add a solution proposal to a ticket (step 6). Returns its name."""
	check_can_propose(ticket, frappe.session.user)
	if action_owner and not frappe.db.exists("User", {"name": action_owner, "enabled": 1}):
		frappe.throw(_("Action owner {0} is not an active user.").format(action_owner))
	sol = frappe.get_doc(
		{
			"doctype": SOLUTION,
			"ticket": ticket,
			"description": description,
			"action_owner": action_owner or None,
			"cost_impact": cost_impact,
			"attachment": attachment,
		}
	)
	# checked above by check_can_propose (the related team), which is finer than the role table
	sol.insert(ignore_permissions=True)
	activity.log(ticket, _("proposed solution {0}").format(sol.name))
	return sol.name


def submit_for_approval(solution: str) -> dict:
	"""CS picks this proposal and sends it to the department head (step 7)."""
	user = frappe.session.user
	sol = lock_solution(solution)
	check_can_handle(sol.ticket, user)
	frappe.db.get_value(TICKET, sol.ticket, "name", for_update=True)  # one submission per ticket at a time
	if sol.status != "Proposed":
		frappe.throw(
			_("Solution {0} is {1}: only a proposed solution can be submitted.").format(
				sol.name, _(sol.status)
			)
		)
	busy = frappe.get_all(
		SOLUTION,
		filters={
			"ticket": sol.ticket,
			"status": ("in", ["Pending Approval", "Approved"]),
			"name": ("!=", sol.name),
		},
		fields=["name", "status"],
		limit=1,
	)
	if busy:
		frappe.throw(
			_("Ticket {0} already has solution {1} ({2}): decide or send that one first.").format(
				sol.ticket, busy[0].name, _(busy[0].status)
			)
		)
	category = frappe.db.get_value(TICKET, sol.ticket, "ticket_type")
	sol.approver_user, sol.approver_role = approvers_of(category)
	problems = approver_problems(sol.approver_user, sol.approver_role)
	if problems:
		frappe.throw(
			_(
				"The approver of category {0} cannot be used: {1} An SOP Operations Manager must set another."
			).format(category or "-", " ".join(problems))
		)
	now = now_datetime()
	sol.status = "Pending Approval"
	sol.submitted_on = now
	sol.submitted_by = user
	sol.approval_stage = rules.WAITING
	add, _calendar = calendar_add()
	step = rules.approval_next_step(now, rules.WAITING, *timeouts(), add)
	sol.approval_next_check = step[1] if step else None
	save_solution(sol)
	approvers = approver_users(sol)
	if not approvers:
		frappe.throw(
			_("Nobody can approve solutions of category {0}: set its Approver or Approver Role.").format(
				category or "-"
			)
		)
	if separate_duties():
		approvers = [u for u in approvers if u not in (sol.proposed_by, user)]
		if not approvers:
			frappe.throw(
				_(
					"Only the proposer or you could approve solution {0}: someone else must decide. Ask an SOP Operations Manager to set another approver for category {1}."
				).format(sol.name, category or "-"),
				frappe.PermissionError,
			)
	assign(sol, approvers)
	notify(approvers, sol, "waiting", email=True)
	activity.log(sol.ticket, _("submitted solution {0} for approval").format(sol.name))
	return _summary(sol)


def approve(solution: str) -> dict:
	"""The department head approves (step 8)."""
	return _decide(solution, "Approved")


def reject(solution: str, reason: str) -> dict:
	"""The department head rejects, with a reason (step 8)."""
	if not strip_html(reason or "").strip():
		frappe.throw(_("A rejection needs a reason."))
	return _decide(solution, "Rejected", reason.strip())


def _decide(solution: str, status: str, reason: str | None = None) -> dict:
	user = frappe.session.user
	sol = lock_solution(solution)
	if sol.status != "Pending Approval":
		frappe.throw(_("Solution {0} is {1}: there is nothing to decide.").format(sol.name, _(sol.status)))
	if not can_decide(sol, user):
		who = sol.approver_user or sol.approver_role
		if user in (sol.proposed_by, sol.submitted_by) and user != sol.approver_user:
			msg = _("You cannot decide on a solution you proposed or submitted: the approver is {0}.")
		elif user in (sol.proposed_by, sol.submitted_by):
			msg = _("You proposed or submitted this solution: someone else must decide on it ({0}).")
		else:
			msg = _("Only the approver ({0}) decides on this solution.")
		frappe.throw(msg.format(who), frappe.PermissionError)
	now = now_datetime()
	submitted = get_datetime(sol.submitted_on)
	_add, calendar = calendar_add()
	sol.status = status
	sol.decided_by = user
	sol.decided_on = now
	sol.rejection_reason = reason
	sol.approval_wait_seconds = int((now - submitted).total_seconds())
	sol.approval_wait_operating_seconds = (
		int(calendar.elapsed(submitted, now)) if calendar else sol.approval_wait_seconds
	)
	sol.approval_next_check = None
	save_solution(sol)
	close_all_assignments(SOLUTION, sol.name, ignore_permissions=True)  # the system closes the approval ToDos
	told = {sol.proposed_by, sol.submitted_by, *ticket_agents(sol.ticket)} - {user, None}
	if status == "Approved":
		if sol.action_owner and sol.action_owner != user:
			notify([sol.action_owner], sol, "owner", email=True)
			told.discard(sol.action_owner)
		notify(told, sol, "approved")
		activity.log(sol.ticket, _("approved solution {0}").format(sol.name))
	else:
		notify(told, sol, "rejected", reason)
		activity.log(sol.ticket, _("rejected solution {0}: {1}").format(sol.name, reason))
	return _summary(sol)


def send_solution(solution: str) -> dict:
	"""Send the approved solution to the customer (step 10); the ticket records it (step 12)."""
	user = frappe.session.user
	sol = lock_solution(solution)
	check_can_handle(sol.ticket, user)
	refusals = {
		"Proposed": _(
			"Solution {0} has not been submitted for approval. Only an approved solution can be sent to the customer."
		),
		"Pending Approval": _(
			"Solution {0} is still waiting for approval. Only an approved solution can be sent to the customer."
		),
		"Rejected": _("Solution {0} was rejected. Only an approved solution can be sent to the customer."),
		"Sent": _("Solution {0} was already sent to the customer."),
	}
	if sol.status != "Approved":
		frappe.throw(refusals[sol.status].format(sol.name), title=_("Solution not approved"))
	if not notices.send_solution_notice(sol):
		frappe.throw(
			_("The solution could not be sent: the customer's channel or outgoing email is not set up.")
		)
	now = now_datetime()
	sol.status = "Sent"
	sol.sent_on = now
	sol.sent_by = user
	save_solution(sol)
	frappe.db.set_value(TICKET, sol.ticket, "sop_applied_solution", sol.name, update_modified=False)
	notices.reset_update_cadence(sol.ticket, now)
	activity.log(sol.ticket, _("sent solution {0} to the customer").format(sol.name))
	return _summary(sol)


def solutions_for_ticket(ticket: str) -> list[dict]:
	"""The ticket's solutions the user may read, newest first, with the actions they may take."""
	check_ticket(ticket, "read")
	user = frappe.session.user
	rows = frappe.get_list(
		SOLUTION,
		filters={"ticket": ticket},
		fields=[
			"name",
			"status",
			"description",
			"action_owner",
			"cost_impact",
			"proposed_by",
			"approver_user",
			"approver_role",
			"approval_stage",
			"submitted_by",
			"rejection_reason",
			"kb_article",
		],
		order_by="creation desc",
	)
	for row in rows:
		row["can_decide"] = row.status == "Pending Approval" and can_decide(row, user)
	return rows


def _summary(sol) -> dict:
	return {
		"name": sol.name,
		"status": sol.status,
		"approver_user": sol.approver_user,
		"approver_role": sol.approver_role,
	}
