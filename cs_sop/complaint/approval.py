"""Waiting for a decision: the approvers' ToDos and notifications, and the approval timeout.

A solution not decided in time (operating hours, SOP Settings) brings its approver a reminder, then
passes to the SOP Operations Manager (`approval_sweep`, every 5 minutes, set-based).
"""

import frappe
from frappe import _
from frappe.utils import get_datetime, get_url, now_datetime

from cs_sop import activity, bulk, messaging
from cs_sop import settings as sop_settings
from cs_sop.complaint.access import separate_duties
from cs_sop.complaint.approvers import approver_users
from cs_sop.core import notices as rules
from cs_sop.sla.calendar import cached_calendar
from cs_sop.users import OPS_MANAGER, assignees, role_users, roles_of

SOLUTION = "SOP Solution"
TICKET = "HD Ticket"
BATCH = 500


def calendar_add():
	"""(add, calendar) of the operating-time calendar, or (None, None) when no hours are set."""
	calendar = cached_calendar()
	return (calendar.add, calendar) if calendar.hours else (None, None)


def timeouts() -> tuple[float, float]:
	"""(remind after, pass to the SOP Operations Manager after) in operating hours."""
	return (
		float(sop_settings.value("approval_reminder_hours") or 0),
		float(sop_settings.value("approval_escalation_hours") or 0),
	)


def ticket_agents(ticket: str) -> list[str]:
	"""The ticket's assignees (told when a solution is decided)."""
	return assignees(frappe.db.get_value(TICKET, ticket, "_assign"))


def assign(sol, users: list[str]) -> None:
	"""An open ToDo per approver: their "waiting for my approval" list in the desk."""
	for user in users:
		if frappe.db.exists(
			"ToDo",
			{"reference_type": SOLUTION, "reference_name": sol.name, "allocated_to": user, "status": "Open"},
		):
			continue
		frappe.get_doc(
			{
				"doctype": "ToDo",
				"allocated_to": user,
				"reference_type": SOLUTION,
				"reference_name": sol.name,
				"description": _("Approve or reject solution {0} for ticket #{1}").format(
					sol.name, sol.ticket
				),
				"assigned_by": frappe.session.user,
				"priority": "High",
			}
		).insert(ignore_permissions=True)  # a system task for the approver


def _message(kind: str, lang: str) -> str:
	if kind == "waiting":
		return _("Solution {0} for ticket #{1} is waiting for your approval.", lang=lang)
	if kind == "owner":
		return _("Solution {0} for ticket #{1} is approved: you carry it out.", lang=lang)
	if kind == "approved":
		return _("Solution {0} for ticket #{1} is approved: send it to the customer.", lang=lang)
	if kind == "rejected":
		return _("Solution {0} for ticket #{1} was rejected: {2}", lang=lang)
	if kind == "reminder":
		return _("Reminder: solution {0} for ticket #{1} is still waiting for your approval.", lang=lang)
	return _(
		"Solution {0} for ticket #{1} was not decided in time: the SOP Operations Manager may now decide.",
		lang=lang,
	)


def notify(users, sol, kind: str, *args, email: bool = False) -> None:
	"""A notification (bell) for each user, and an email when asked, in the user's language."""
	for user in sorted(u for u in users if u):
		lang = messaging.language_of(user)
		text = _message(kind, lang).format(sol.name, sol.ticket, *args)
		frappe.get_doc(
			{
				"doctype": "Notification Log",
				"for_user": user,
				"type": "Alert",
				"document_type": SOLUTION,
				"document_name": sol.name,
				"subject": text,
			}
		).insert(ignore_permissions=True)  # a system notification to the user
		if email:
			link = get_url(f"/app/sop-solution/{sol.name}")
			body = f'<p>{text}</p><p><a href="{link}">{sol.name}</a></p>'
			address = frappe.db.get_value("User", user, "email")
			messaging.email([address], text, body, ticket=sol.ticket, what=_("Solution approval messages"))


def approval_sweep(now=None, only: list[str] | None = None) -> dict:
	"""Every 5 minutes: remind approvers, then pass undecided solutions to the SOP Operations Manager.

	One indexed, locking query finds the due solutions (status + approval_next_check); the new
	stage and next check are written in bulk; a second run at the same time waits on the lock and
	then finds nothing due. `now` and `only` are for tests.
	"""
	now = now or now_datetime()
	S = frappe.qb.DocType(SOLUTION)
	query = (
		frappe.qb.from_(S)
		.select(
			S.name, S.ticket, S.subject, S.submitted_on, S.approval_stage, S.approver_user, S.approver_role
		)
		.where(S.status == "Pending Approval")
		.where(S.approval_next_check <= now)
	)
	rows = bulk.locked_due(query, S.approval_next_check, S.name, BATCH, only)
	stats = {"due": len(rows), "reminded": 0, "escalated": 0}
	if not rows:
		return stats
	add, _calendar = calendar_add()
	remind, escalate = timeouts()
	updates, reminders, escalations = {}, [], []
	for row in rows:
		stage, next_check = rules.due_steps(
			get_datetime(row.submitted_on), row.approval_stage or 0, now, remind, escalate, add
		)
		updates[row.name] = {"approval_stage": stage, "approval_next_check": next_check}
		if stage == rules.REMINDED and stage != row.approval_stage:
			reminders.append(row)
		elif stage == rules.ESCALATED and stage != row.approval_stage:
			escalations.append(row)
	bulk.update(SOLUTION, updates)
	managers = role_users(OPS_MANAGER)
	for row in reminders:
		notify(approver_users(row), row, "reminder", email=True)
		stats["reminded"] += 1
	for row in escalations:
		row.approval_stage = rules.ESCALATED
		notify(set(managers) | set(approver_users(row)), row, "escalated", email=True)
		assign(row, managers)
		activity.log(
			row.ticket,
			_("solution {0} passed to the SOP Operations Manager: no decision in time").format(row.name),
		)
		stats["escalated"] += 1
	return stats


def waiting_for_my_approval() -> list[dict]:
	"""Solutions waiting for the current user's decision, oldest first."""
	user = frappe.session.user
	S = frappe.qb.DocType(SOLUTION)
	roles = list(roles_of(user))
	cond = (S.approver_user == user) | S.approver_role.isin(roles or [""])
	if OPS_MANAGER in roles:
		cond = cond | (S.approval_stage >= rules.ESCALATED)
	query = (
		frappe.qb.from_(S)
		.select(S.name, S.ticket, S.subject, S.category, S.submitted_on, S.submitted_by, S.approval_stage)
		.where(S.status == "Pending Approval")
		.where(cond)
		.orderby(S.submitted_on)
	)
	if separate_duties():  # not theirs to decide
		query = query.where(S.proposed_by != user).where(S.submitted_by != user)
	return query.run(as_dict=True)
