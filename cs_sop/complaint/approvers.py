"""Who approves a category's solutions (the department head), and the checks on that configuration.

HD Ticket Type `sop_approver` / `sop_approver_role`, else SOP Settings' default role; only an SOP
Operations Manager or a System Manager sets them, and only staff approve. cs_sop grants no role
itself: `access_gaps` tells the admin who still lacks one.
"""

import frappe
from frappe import _
from frappe.permissions import AUTOMATIC_ROLES

from cs_sop import settings as sop_settings
from cs_sop.users import DEPARTMENT_HEAD, OPS_MANAGER, is_admin, role_users, roles_of

SOLUTION = "SOP Solution"
APPROVER_FIELDS = ("sop_approver", "sop_approver_role")


def approvers_of(category: str | None) -> tuple[str | None, str | None]:
	"""(user, role) who approve solutions of a category: the department head."""
	user = role = None
	if category:
		user, role = frappe.get_cached_value(
			"HD Ticket Type", category, ["sop_approver", "sop_approver_role"]
		)
	if not user and not role:
		role = sop_settings.value("default_approver_role") or OPS_MANAGER
	return user, role


def approver_users(sol) -> list[str]:
	users = set(role_users(sol.approver_role))
	if sol.approver_user:
		users.add(sol.approver_user)
	return sorted(users)


def approver_problems(user: str | None, role: str | None) -> list[str]:
	"""Why a user or role cannot be a category's approver: approvers are staff, never everyone,
	guests or customers (a portal customer would need a desk role to decide)."""
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
	if user and user != "Administrator" and not (roles_of(user) & readers):
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
			lacking = [u for u in holders if not (roles_of(u) & readers)]
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
	if not is_admin(frappe.session.user):
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
	if not is_admin(frappe.session.user):
		frappe.throw(
			_("Only an SOP Operations Manager or a System Manager changes who approves solutions."),
			frappe.PermissionError,
		)
	if "default_approver_role" in changed:
		problems = approver_problems(None, doc.default_approver_role)
		if problems:
			frappe.throw("<br>".join(problems), title=_("Approver not valid"))


def approver_check() -> list[dict]:
	"""Approvers that cannot be used or cannot open solutions (SOP Settings shows them)."""
	T = frappe.qb.DocType("HD Ticket Type")
	rows = (
		frappe.qb.from_(T)
		.select(T.name, T.sop_approver, T.sop_approver_role)
		.where(T.sop_approver.isnotnull() | T.sop_approver_role.isnotnull())
		.orderby(T.name)
		.run(as_dict=True)
	)
	default = sop_settings.value("default_approver_role")
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
