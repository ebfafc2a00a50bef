"""Who someone is to the SOP: their roles, whether they are an agent, who holds a role, a ticket's
assignees. One copy of each, for every package."""

import json

import frappe
from helpdesk.utils import is_agent as helpdesk_is_agent

OPS_MANAGER = "SOP Operations Manager"
SUPERVISOR = "SOP Supervisor"
DEPARTMENT_HEAD = "SOP Department Head"
# see every ticket's SOP records (solutions, escalations) and act on any of them
MANAGER_ROLES = ("System Manager", "Agent Manager", SUPERVISOR, OPS_MANAGER)
# configure the SOP's people: approvers, channel owners, retention and data-subject requests
ADMIN_ROLES = ("System Manager", OPS_MANAGER)
# acknowledge any escalation, whoever it was sent to (the supervisor acknowledges only their own)
ESCALATION_MANAGER_ROLES = ("System Manager", "Agent Manager", OPS_MANAGER)
# set and change `sop_*` fields of a ticket (with an active HD Agent record: `permissions.is_sop_staff`)
STAFF_ROLES = ("Agent", *MANAGER_ROLES)


def roles_of(user: str | None = None) -> set[str]:
	return set(frappe.get_roles(user or frappe.session.user))


def has_any_role(roles, user: str | None = None) -> bool:
	return bool(roles_of(user) & set(roles))


def is_manager(user: str | None = None) -> bool:
	return has_any_role(MANAGER_ROLES, user)


def is_admin(user: str | None = None) -> bool:
	"""Administrator, a System Manager or an SOP Operations Manager."""
	user = user or frappe.session.user
	return user == "Administrator" or has_any_role(ADMIN_ROLES, user)


def is_agent(user: str | None = None) -> bool:
	"""Helpdesk's own rule (an active HD Agent, or an admin)."""
	return bool(helpdesk_is_agent(user or frappe.session.user))


def is_portal_customer(user: str | None = None) -> bool:
	"""A portal customer (a Website User): Helpdesk lets them write only their own tickets."""
	user = user or frappe.session.user
	if user in ("Administrator", "Guest"):
		return False
	return frappe.get_cached_value("User", user, "user_type") == "Website User"


def role_users(role: str | None) -> list[str]:
	"""The enabled users (never Administrator or Guest) who have the role."""
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


def assignees(assign: str | None) -> list[str]:
	"""The users of a document's `_assign` JSON, first assignee first."""
	try:
		users = json.loads(assign or "[]")
	except ValueError:
		return []
	return users if isinstance(users, list) else []


def first_assignee(assign: str | None) -> str | None:
	users = assignees(assign)
	return users[0] if users else None
