"""Complaint procedure steps 6-10 and 12: solution proposals, department-head approval, delivery.

1. The related team (the category's default team, or anyone with an SOP role) proposes one or
   more **SOP Solution** records on a ticket (step 6).
2. CS picks one and submits it for approval (step 7). The approver is the category's department
   head (HD Ticket Type `sop_approver` user and/or `sop_approver_role`; SOP Settings' default role
   when the category names none; only an SOP Operations Manager or a System Manager sets them,
   and only staff approve). Approvers get a ToDo (their "waiting for my approval" list in
   the desk), a notification and an email.
3. The approver approves, or rejects with a reason (step 8); the action owner, the proposer and
   the ticket's agents are told (steps 8-9). Not decided in time (operating hours, SOP Settings):
   a reminder, then the SOP Operations Manager, who may then decide (`approval_sweep`).
4. Only an approved solution is sent to the customer (step 10), through `cs_sop.messaging`.
   The ticket keeps it in `sop_applied_solution` (step 12, the complaint register); it can become
   a Knowledge Base draft for its category with one action.

Whoever decides is neither the proposer nor the submitter (SOP Settings may allow it for tiny
teams). Only the proposal's content is edited by hand (by its proposer or a manager, while it is
Proposed); every other field changes through the actions below, which set `flags.sop_action`.

Every action locks the solution row (SELECT ... FOR UPDATE) before it checks the status, so a
double click or two approvers at once decide once.
"""

import frappe
from frappe import _
from frappe.utils import get_datetime, now_datetime, strip_html

from cs_sop import bulk
from cs_sop.core import notices as rules

SOLUTION = "SOP Solution"
TICKET = "HD Ticket"
OPS_MANAGER = "SOP Operations Manager"
DEPARTMENT_HEAD = "SOP Department Head"
# may act on every solution (propose on any ticket, read all)
MANAGER_ROLES = ("System Manager", "Agent Manager", "SOP Supervisor", OPS_MANAGER)
# set the approvers of a category, edit anyone's proposal while it is Proposed
APPROVER_ADMINS = ("System Manager", OPS_MANAGER)
APPROVER_FIELDS = ("sop_approver", "sop_approver_role")
BATCH = 500


# ---------- who may do what ----------


def _roles(user: str) -> set[str]:
	return set(frappe.get_roles(user))


def is_manager(user: str) -> bool:
	return bool(_roles(user) & set(MANAGER_ROLES))


def _is_agent(user: str) -> bool:
	from helpdesk.utils import is_agent

	return bool(is_agent(user))


def category_team(category: str | None) -> str | None:
	if not category:
		return None
	return frappe.get_cached_value("HD Ticket Type", category, "sop_default_team")


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
	if not _is_agent(user):
		frappe.throw(_("Only agents propose solutions."), frappe.PermissionError)
	check_ticket(ticket, "write", user)


def check_can_handle(ticket: str, user: str) -> None:
	"""CS handles the ticket: submits a proposal, sends the approved solution to the customer."""
	check_ticket(ticket, "write", user)
	if not (_is_agent(user) or is_manager(user)):
		frappe.throw(_("Only agents handle the customer's ticket."), frappe.PermissionError)


def is_approver_admin(user: str) -> bool:
	return user == "Administrator" or bool(_roles(user) & set(APPROVER_ADMINS))


def may_edit_proposal(proposed_by: str | None, user: str) -> bool:
	"""The proposal's content (while Proposed): its proposer, an SOP Operations Manager, a System Manager."""
	return user == proposed_by or is_approver_admin(user)


def separate_duties() -> bool:
	"""SOP Settings: whoever decides is neither the proposer nor the submitter (on unless switched off)."""
	value = frappe.db.get_singles_dict("SOP Settings").get("separate_approver")
	return value is None or bool(int(value or 0))


def can_decide(sol, user: str) -> bool:
	if user in (sol.get("proposed_by"), sol.get("submitted_by")) and separate_duties():
		return False
	roles = _roles(user)
	if sol.approver_user and sol.approver_user == user:
		return True
	if sol.approver_role and sol.approver_role in roles:
		return True
	# not decided in time: the SOP Operations Manager took it over
	return (sol.approval_stage or 0) >= rules.ESCALATED and OPS_MANAGER in roles


def approvers_of(category: str | None) -> tuple[str | None, str | None]:
	"""(user, role) who approve solutions of a category: the department head."""
	user = role = None
	if category:
		user, role = frappe.get_cached_value(
			"HD Ticket Type", category, ["sop_approver", "sop_approver_role"]
		)
	if not user and not role:
		role = frappe.db.get_single_value("SOP Settings", "default_approver_role") or OPS_MANAGER
	return user, role


def role_users(role: str | None) -> list[str]:
	if not role:
		return []
	U, R = frappe.qb.DocType("User"), frappe.qb.DocType("Has Role")
	return (
		frappe.qb.from_(R)
		.join(U)
		.on(U.name == R.parent)
		.select(U.name)
		.distinct()
		.where(R.role == role)
		.where(R.parenttype == "User")
		.where(U.enabled == 1)
		.where(U.name.notin(["Administrator", "Guest"]))
		.run(pluck=True)
	)


def approver_users(sol) -> list[str]:
	users = set(role_users(sol.approver_role))
	if sol.approver_user:
		users.add(sol.approver_user)
	return sorted(users)


# ---------- permission hooks (hooks.py) ----------


def has_permission(doc, ptype=None, user=None):
	"""Row level. Read: managers all; approvers what they must decide; staff what is on tickets they
	read. Write (the desk form, PUT /api/resource, frappe.client.*): only the proposal's content, by
	its proposer or an SOP Operations Manager / System Manager, while it is Proposed; everything
	else changes through the actions, which save with their own checks."""
	from frappe.permissions import push_perm_check_log

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
	if doc.get("approver_user") == user or doc.get("approver_role") in _roles(user):
		return True
	if doc.get("proposed_by") == user or doc.get("owner") == user:
		return True
	# a customer reads their ticket, never its solutions (cost notes, internal names)
	if not doc.get("ticket") or not _is_agent(user):
		return False
	return bool(frappe.has_permission(TICKET, "read", doc=doc.ticket, user=user))


def permission_query(user=None):
	user = user or frappe.session.user
	if user == "Administrator" or is_manager(user):
		return ""
	from helpdesk.helpdesk.doctype.hd_ticket.hd_ticket import permission_query as ticket_query

	esc = frappe.db.escape
	roles = ", ".join(esc(r) for r in _roles(user)) or "''"
	mine = (
		f"`tabSOP Solution`.approver_user = {esc(user)} OR `tabSOP Solution`.approver_role IN ({roles})"
		f" OR `tabSOP Solution`.proposed_by = {esc(user)}"
	)
	tickets = ticket_query(user)
	if not tickets:  # Helpdesk does not restrict this user's tickets
		if _is_agent(user):
			return ""
		return f"({mine})"
	return f"({mine} OR `tabSOP Solution`.ticket IN (SELECT `tabHD Ticket`.name FROM `tabHD Ticket` WHERE {tickets}))"


# ---------- actions ----------


def _lock(solution: str):
	if not solution or not frappe.db.exists(SOLUTION, solution):
		frappe.throw(_("Solution {0} does not exist.").format(solution), frappe.DoesNotExistError)
	frappe.db.get_value(SOLUTION, solution, "name", for_update=True)
	return frappe.get_doc(SOLUTION, solution)


def _save(sol):
	sol.flags.sop_action = True
	# the acting user was checked by the action itself (approvers may have read access only)
	sol.save(ignore_permissions=True)


def _activity(ticket: str, action: str) -> None:
	from helpdesk.helpdesk.doctype.hd_ticket_activity.hd_ticket_activity import log_ticket_activity

	log_ticket_activity(ticket, action)


def _calendar_add():
	from cs_sop.sla import cached_calendar

	calendar = cached_calendar()
	return (calendar.add, calendar) if calendar.hours else (None, None)


def _timeouts() -> tuple[float, float]:
	s = frappe.db.get_singles_dict("SOP Settings")
	return float(s.get("approval_reminder_hours") or 0), float(s.get("approval_escalation_hours") or 0)


@frappe.whitelist(methods=["POST"])
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
	_activity(ticket, _("proposed solution {0}").format(sol.name))
	return sol.name


@frappe.whitelist(methods=["POST"])
def submit_for_approval(solution: str) -> dict:
	"""CS picks this proposal and sends it to the department head (step 7)."""
	user = frappe.session.user
	sol = _lock(solution)
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
	add, _calendar = _calendar_add()
	step = rules.approval_next_step(now, rules.WAITING, *_timeouts(), add)
	sol.approval_next_check = step[1] if step else None
	_save(sol)
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
	_assign(sol, approvers)
	_notify(approvers, sol, "waiting", email=True)
	_activity(sol.ticket, _("submitted solution {0} for approval").format(sol.name))
	return _summary(sol)


@frappe.whitelist(methods=["POST"])
def approve(solution: str) -> dict:
	"""The department head approves (step 8)."""
	return _decide(solution, "Approved")


@frappe.whitelist(methods=["POST"])
def reject(solution: str, reason: str) -> dict:
	"""The department head rejects, with a reason (step 8)."""
	if not strip_html(reason or "").strip():
		frappe.throw(_("A rejection needs a reason."))
	return _decide(solution, "Rejected", reason.strip())


def _decide(solution: str, status: str, reason: str | None = None) -> dict:
	user = frappe.session.user
	sol = _lock(solution)
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
	_add, calendar = _calendar_add()
	sol.status = status
	sol.decided_by = user
	sol.decided_on = now
	sol.rejection_reason = reason
	sol.approval_wait_seconds = int((now - submitted).total_seconds())
	sol.approval_wait_operating_seconds = (
		int(calendar.elapsed(submitted, now)) if calendar else sol.approval_wait_seconds
	)
	sol.approval_next_check = None
	_save(sol)
	from frappe.desk.form.assign_to import close_all_assignments

	close_all_assignments(SOLUTION, sol.name, ignore_permissions=True)  # the system closes the approval ToDos
	told = {sol.proposed_by, sol.submitted_by, *_ticket_agents(sol.ticket)} - {user, None}
	if status == "Approved":
		if sol.action_owner and sol.action_owner != user:
			_notify([sol.action_owner], sol, "owner", email=True)
			told.discard(sol.action_owner)
		_notify(told, sol, "approved")
		_activity(sol.ticket, _("approved solution {0}").format(sol.name))
	else:
		_notify(told, sol, "rejected", reason)
		_activity(sol.ticket, _("rejected solution {0}: {1}").format(sol.name, reason))
	return _summary(sol)


@frappe.whitelist(methods=["POST"])
def send_solution(solution: str) -> dict:
	"""Send the approved solution to the customer (step 10); the ticket records it (step 12)."""
	from cs_sop import notices

	user = frappe.session.user
	sol = _lock(solution)
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
	_save(sol)
	frappe.db.set_value(TICKET, sol.ticket, "sop_applied_solution", sol.name, update_modified=False)
	notices.reset_update_cadence(sol.ticket, now)
	_activity(sol.ticket, _("sent solution {0} to the customer").format(sol.name))
	return _summary(sol)


@frappe.whitelist(methods=["POST"])
def create_kb_draft(solution: str) -> str:
	"""Turn an approved solution into a Knowledge Base draft for its category (step 12)."""
	user = frappe.session.user
	sol = _lock(solution)
	if not sol.has_permission("read"):
		frappe.throw(_("You cannot read solution {0}.").format(sol.name), frappe.PermissionError)
	if not (_is_agent(user) or is_manager(user)) or not frappe.has_permission(
		"HD Article", "create", user=user
	):
		frappe.throw(_("Only agents write Knowledge Base articles."), frappe.PermissionError)
	if sol.status not in ("Approved", "Sent"):
		frappe.throw(
			_("Solution {0} is {1}: only an approved solution becomes an article.").format(
				sol.name, _(sol.status)
			)
		)
	if sol.kb_article:
		frappe.throw(
			_("Solution {0} already has the Knowledge Base draft {1}.").format(sol.name, sol.kb_article)
		)
	category = sol.category or frappe.db.get_value(TICKET, sol.ticket, "ticket_type")
	article = frappe.get_doc(
		{
			"doctype": "HD Article",
			"title": _("Solution: {0}").format(sol.subject or sol.ticket)[:140],
			"category": _article_category(category),
			"status": "Draft",
			"author": user,
			# the customer-facing part only: no cost/impact note, no customer data
			"content": sol.description,
		}
	)
	article.insert()
	sol.kb_article = article.name
	_save(sol)
	_activity(sol.ticket, _("made Knowledge Base draft {0} from solution {1}").format(article.name, sol.name))
	return article.name


def _article_category(category: str | None) -> str | None:
	"""The HD Article Category named like the ticket category (made once when missing)."""
	if not category:
		return None
	found = frappe.db.get_value("HD Article Category", {"category_name": category}, "name")
	if found:
		return found
	doc = frappe.get_doc({"doctype": "HD Article Category", "category_name": category})
	doc.insert(
		ignore_permissions=True
	)  # a category named after a ticket category; agents may not create categories
	return doc.name


@frappe.whitelist(methods=["GET", "POST"])  # read only; the agent UI calls with POST
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


@frappe.whitelist(methods=["GET", "POST"])  # read only; the agent UI calls with POST
def waiting_for_my_approval() -> list[dict]:
	"""Solutions waiting for the current user's decision, oldest first."""
	user = frappe.session.user
	S = frappe.qb.DocType(SOLUTION)
	roles = list(_roles(user))
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


def _summary(sol) -> dict:
	return {
		"name": sol.name,
		"status": sol.status,
		"approver_user": sol.approver_user,
		"approver_role": sol.approver_role,
	}


# ---------- notifications ----------


def _ticket_agents(ticket: str) -> list[str]:
	import json

	try:
		return json.loads(frappe.db.get_value(TICKET, ticket, "_assign") or "[]")
	except ValueError:
		return []


def _assign(sol, users: list[str]) -> None:
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


def _notify(users, sol, kind: str, *args, email: bool = False) -> None:
	"""A notification (bell) for each user, and an email when asked, in the user's language."""
	from cs_sop.messaging import email as send_email
	from cs_sop.messaging import language_of

	for user in sorted(u for u in users if u):
		lang = language_of(user)
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
			link = frappe.utils.get_url(f"/app/sop-solution/{sol.name}")
			body = f'<p>{text}</p><p><a href="{link}">{sol.name}</a></p>'
			address = frappe.db.get_value("User", user, "email")
			send_email([address], text, body, ticket=sol.ticket, what=_("Solution approval messages"))


# ---------- approval timeout (scheduler) ----------


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
		.orderby(S.approval_next_check)
		.limit(BATCH)
		.for_update()
	)
	if only is not None:
		query = query.where(S.name.isin(only or [""]))
	rows = query.run(as_dict=True)
	stats = {"due": len(rows), "reminded": 0, "escalated": 0}
	if not rows:
		return stats
	add, _calendar = _calendar_add()
	remind, escalate = _timeouts()
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
		_notify(approver_users(row), row, "reminder", email=True)
		stats["reminded"] += 1
	for row in escalations:
		row.approval_stage = rules.ESCALATED
		_notify(set(managers) | set(approver_users(row)), row, "escalated", email=True)
		_assign(row, managers)
		_activity(
			row.ticket,
			_("solution {0} passed to the SOP Operations Manager: no decision in time").format(row.name),
		)
		stats["escalated"] += 1
	return stats


# ---------- approver configuration (HD Ticket Type, SOP Settings) ----------


def approver_problems(user: str | None, role: str | None) -> list[str]:
	"""Why a user or role cannot be a category's approver: approvers are staff, never everyone,
	guests or customers (a portal customer would need a desk role to decide)."""
	from frappe.permissions import AUTOMATIC_ROLES

	problems = []
	if role:
		row = frappe.db.get_value("Role", role, ["desk_access", "disabled"], as_dict=True)
		if role in AUTOMATIC_ROLES or not row or not row.desk_access or row.disabled:
			problems.append(
				_(
					"Role {0} cannot approve solutions: it is given to everyone, to guests or to customers, or it is disabled. Choose a staff role."
				).format(role)
			)
	if user:
		row = frappe.db.get_value("User", user, ["enabled", "user_type"], as_dict=True)
		if user == "Guest" or not row or not row.enabled or row.user_type != "System User":
			problems.append(
				_(
					"{0} cannot approve solutions: only an active desk user (System User) can, never a portal customer."
				).format(user)
			)
	return problems


def _reader_roles() -> set[str]:
	return {p.role for p in frappe.get_meta(SOLUTION).permissions if p.read and not p.permlevel}


def access_gaps(user: str | None, role: str | None) -> list[str]:
	"""Who is named approver but cannot open solutions in the desk: cs_sop grants no role itself,
	it tells the admin."""
	readers = _reader_roles()
	gaps = []
	if user and user != "Administrator" and not (_roles(user) & readers):
		gaps.append(
			_("{0} cannot open solutions yet: give them the role {1} (cs_sop grants no roles).").format(
				user, _(DEPARTMENT_HEAD)
			)
		)
	if role:
		holders = role_users(role)
		if not holders:
			gaps.append(_("Nobody has the role {0} yet: nobody can approve with it.").format(role))
		elif role not in readers:
			lacking = [u for u in holders if not (_roles(u) & readers)]
			if lacking:
				gaps.append(
					_(
						"These users with the role {0} cannot open solutions yet: {1}. Give them the role {2}."
					).format(
						role,
						", ".join(lacking[:10]) + (" …" if len(lacking) > 10 else ""),
						_(DEPARTMENT_HEAD),
					)
				)
	return gaps


def on_ticket_type_validate(doc, method=None):
	"""HD Ticket Type validate (Helpdesk lets every agent write ticket types): only an SOP
	Operations Manager or a System Manager sets a category's approvers, and only staff approve."""
	new = doc.is_new()
	changed = [f for f in APPROVER_FIELDS if (doc.get(f) if new else doc.has_value_changed(f))]
	if not changed:
		return
	if not is_approver_admin(frappe.session.user):
		frappe.throw(
			_(
				"Only an SOP Operations Manager or a System Manager sets the approvers of category {0}."
			).format(doc.name),
			frappe.PermissionError,
		)
	user, role = doc.get("sop_approver"), doc.get("sop_approver_role")
	problems = approver_problems(user, role)
	if problems:
		frappe.throw("<br>".join(problems), title=_("Approver not valid"))
	gaps = access_gaps(user, role)
	if gaps:
		frappe.msgprint("<br>".join(gaps), title=_("Approver needs a role"), indicator="orange")


SETTINGS_APPROVAL_FIELDS = ("default_approver_role", "separate_approver")


def on_settings_validate(doc) -> None:
	"""SOP Settings: the default approver role and the separation of duties are approver
	configuration too (Agent Manager may write the other settings)."""
	before = doc.get_doc_before_save()
	if not before:
		return
	changed = [f for f in SETTINGS_APPROVAL_FIELDS if str(before.get(f) or 0) != str(doc.get(f) or 0)]
	if not changed:
		return
	if not is_approver_admin(frappe.session.user):
		frappe.throw(
			_("Only an SOP Operations Manager or a System Manager changes who approves solutions."),
			frappe.PermissionError,
		)
	if "default_approver_role" in changed:
		problems = approver_problems(None, doc.default_approver_role)
		if problems:
			frappe.throw("<br>".join(problems), title=_("Approver not valid"))


@frappe.whitelist(methods=["GET"])
def approver_check() -> list[dict]:
	"""Approvers that cannot be used or cannot open solutions (SOP Settings shows them)."""
	if not (is_approver_admin(frappe.session.user) or is_manager(frappe.session.user)):
		frappe.throw(_("Only managers see the approvers' check."), frappe.PermissionError)
	T = frappe.qb.DocType("HD Ticket Type")
	rows = (
		frappe.qb.from_(T)
		.select(T.name, T.sop_approver, T.sop_approver_role)
		.where(T.sop_approver.isnotnull() | T.sop_approver_role.isnotnull())
		.orderby(T.name)
		.run(as_dict=True)
	)
	default = frappe.db.get_single_value("SOP Settings", "default_approver_role")
	rows.append(frappe._dict(name=_("Default (SOP Settings)"), sop_approver=None, sop_approver_role=default))
	out = []
	for row in rows:
		if not (row.sop_approver or row.sop_approver_role):
			continue
		found = approver_problems(row.sop_approver, row.sop_approver_role)
		found += access_gaps(row.sop_approver, row.sop_approver_role)
		if found:
			out.append({"category": row.name, "messages": found})
	return out
