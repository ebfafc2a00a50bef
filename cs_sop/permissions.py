"""Who may do what with the SOP's data (the trust boundary).

- `sop_*` fields of HD Ticket: set or changed only by SOP staff (Helpdesk agents, Agent Manager,
  the SOP roles, System Manager) — see `cs_sop.ticket.guard_sop_fields`.
- SOP Escalation: read by those who may read its ticket (a team-limited agent sees the
  escalations of his teams' tickets only), and by managers; written only through `cs_sop.api`
  and the sweep (the doctype gives no write right but to System Manager, who may correct).
"""

import frappe

STAFF_ROLES = ("Agent", "Agent Manager", "SOP Supervisor", "SOP Operations Manager", "System Manager")
# read every escalation (the SOP's supervisors and managers)
ESCALATION_READERS = ("System Manager", "Agent Manager", "SOP Supervisor", "SOP Operations Manager")


def is_sop_staff(user: str | None = None) -> bool:
	user = user or frappe.session.user
	if user == "Administrator":
		return True
	if set(frappe.get_roles(user)) & set(STAFF_ROLES):
		return True
	return bool(frappe.db.exists("HD Agent", {"user": user, "is_active": 1}))


def _reads_all(user: str) -> bool:
	return user == "Administrator" or bool(set(frappe.get_roles(user)) & set(ESCALATION_READERS))


def escalation_query(user: str | None = None) -> str | None:
	"""List condition for SOP Escalation: the escalations of tickets the user may read, or that
	are addressed to the user (as user, role or team member)."""
	user = user or frappe.session.user
	if _reads_all(user):
		return None
	ticket_condition = None
	for method in frappe.get_hooks("permission_query_conditions", {}).get("HD Ticket", []):
		ticket_condition = frappe.call(frappe.get_attr(method), user=user)
	escaped = frappe.db.escape(user)
	mine = (
		f"(`tabSOP Escalation`.escalated_to_user = {escaped}"
		" or `tabSOP Escalation`.escalated_to_team in"
		f" (select parent from `tabHD Team Member` where user = {escaped}))"
	)
	if not is_sop_staff(user):
		return mine
	if not ticket_condition:
		return None  # the agent may read every ticket
	tickets = f"`tabSOP Escalation`.ticket in (select name from `tabHD Ticket` where {ticket_condition})"
	return f"({tickets} or {mine})"


def escalation_has_permission(doc, ptype: str = "read", user: str | None = None) -> bool | None:
	user = user or frappe.session.user
	if _reads_all(user):
		return None  # the doctype's role permissions decide
	if ptype not in ("read", "print", "report", "email"):
		return False
	if doc.escalated_to_user == user:
		return True
	if doc.escalated_to_team and frappe.db.exists(
		"HD Team Member", {"parent": doc.escalated_to_team, "user": user}
	):
		return True
	if not is_sop_staff(user):
		return False
	return frappe.has_permission("HD Ticket", "read", doc=doc.ticket, user=user)


# Knowledge-base drafts (the complaint procedure turns approved solutions into HD Article drafts):
# Helpdesk 1.25 gives All and Guest read on HD Article; a draft or archived article stays internal.
def article_has_permission(doc, ptype: str = "read", user: str | None = None) -> bool | None:
	if doc.get("status") == "Published" or is_sop_staff(user):
		return None  # Helpdesk's role permissions decide
	return False


def article_query(user: str | None = None) -> str | None:
	if is_sop_staff(user):
		return None
	return "`tabHD Article`.status = 'Published'"
