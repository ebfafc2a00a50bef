"""Who may do what with the SOP's data (the trust boundary).

- `sop_*` fields of HD Ticket: set or changed only by SOP staff (Helpdesk agents, Agent Manager,
  the SOP roles, System Manager) — see `cs_sop.field_guard.guard_sop_fields`.
- SOP Escalation: read by those who may read its ticket (a team-limited agent sees the
  escalations of his teams' tickets only), and by managers; written only through `cs_sop.api`
  and the sweep (the doctype gives no write right but to System Manager, who may correct).
- Every SOP record of customer data that belongs to a ticket (SOP Escalation, SOP Survey, SOP
  WhatsApp Message, SOP WhatsApp Event) is read with its ticket: `ticket_rows_query` (lists,
  reports, counts) and `ticket_row_has_permission` (one document). A row without a ticket (a raw
  WhatsApp event, a message not matched to a ticket yet) is for managers only.
"""

import frappe
from frappe import _

from cs_sop import users


def is_sop_staff(user: str | None = None) -> bool:
	user = user or frappe.session.user
	if user == "Administrator":
		return True
	if users.has_any_role(users.STAFF_ROLES, user):
		return True
	return bool(frappe.db.exists("HD Agent", {"user": user, "is_active": 1}))


def _reads_all(user: str) -> bool:
	# every escalation: the SOP's supervisors and managers
	return user == "Administrator" or users.is_manager(user)


# what reading a row covers; anything else (write, delete, share, export ...) is the managers'
READ_PTYPES = ("read", "select", "print", "report", "email")


def ticket_condition(user: str) -> str | None:
	"""SQL condition on `tabHD Ticket` for the tickets the user may read (Helpdesk's rule, with its
	team restriction, and any other app's); None when he may read every ticket."""
	conditions = []
	for method in frappe.get_hooks("permission_query_conditions", {}).get("HD Ticket", []):
		condition = frappe.call(frappe.get_attr(method), user=user)
		if condition:
			conditions.append(f"({condition})")
	return " and ".join(conditions) or None


def ticket_rows_query(
	doctype: str, user: str | None = None, ticket_field: str = "ticket", extra: str | None = None
) -> str | None:
	"""List condition for a SOP doctype whose rows belong to a ticket: managers see every row, SOP
	staff the rows of tickets they may read, anybody else none; `extra` adds rows the user may see
	for another reason. A doctype or a row without a ticket is for managers only."""
	user = user or frappe.session.user
	if _reads_all(user):
		return None
	has_ticket = frappe.get_meta(doctype).has_field(ticket_field)
	mine = None
	if has_ticket and is_sop_staff(user):
		column = f"`tab{doctype}`.`{ticket_field}`"
		tickets = ticket_condition(user)
		mine = (
			f"{column} in (select `tabHD Ticket`.name from `tabHD Ticket` where {tickets})"
			if tickets
			else f"ifnull({column}, '') != ''"
		)
	conditions = [c for c in (mine, extra) if c]
	if not conditions:
		return "1=0"
	return "(" + " or ".join(f"({c})" for c in conditions) + ")"


def ticket_row_has_permission(
	doc, ptype: str = "read", user: str | None = None, ticket_field: str = "ticket"
) -> bool | None:
	"""One document of such a doctype: managers as their role permissions say; SOP staff read it
	when they may read its ticket; nobody else, and nobody but managers for a row without ticket."""
	user = user or frappe.session.user
	if _reads_all(user):
		return None  # the doctype's role permissions decide
	if ptype not in READ_PTYPES or not is_sop_staff(user):
		return False
	ticket = doc.get(ticket_field)
	if not ticket:
		return False
	return frappe.has_permission("HD Ticket", "read", doc=ticket, user=user)


def escalation_query(user: str | None = None) -> str | None:
	"""List condition for SOP Escalation: the escalations of tickets the user may read, or that
	are addressed to the user (as user, role or team member)."""
	user = user or frappe.session.user
	escaped = frappe.db.escape(user)
	addressed = (
		f"(`tabSOP Escalation`.escalated_to_user = {escaped}"
		" or `tabSOP Escalation`.escalated_to_team in"
		f" (select parent from `tabHD Team Member` where user = {escaped}))"
	)
	return ticket_rows_query("SOP Escalation", user, extra=addressed)


def escalation_has_permission(doc, ptype: str = "read", user: str | None = None) -> bool | None:
	user = user or frappe.session.user
	if _reads_all(user):
		return None  # the doctype's role permissions decide
	if ptype not in READ_PTYPES:
		return False
	if doc.escalated_to_user == user:
		return True
	if doc.escalated_to_team and frappe.db.exists(
		"HD Team Member", {"parent": doc.escalated_to_team, "user": user}
	):
		return True
	return ticket_row_has_permission(doc, ptype, user)


# SOP Survey, SOP WhatsApp Message, SOP WhatsApp Event: phone numbers, texts, answers of customers
def survey_query(user: str | None = None) -> str | None:
	return ticket_rows_query("SOP Survey", user)


def whatsapp_message_query(user: str | None = None) -> str | None:
	return ticket_rows_query("SOP WhatsApp Message", user)


def whatsapp_event_query(user: str | None = None) -> str | None:
	return ticket_rows_query("SOP WhatsApp Event", user)


# Deleting a ticket (spam): the SOP's records of it would block Frappe's delete (links); a System
# Manager's delete takes them along, anybody else is refused while they exist.
def on_ticket_trash(doc, method=None) -> None:
	linked = sop_records_of_ticket(doc.name)
	if not any(linked.values()):
		return
	user = frappe.session.user
	if user != "Administrator" and "System Manager" not in frappe.get_roles(user):
		frappe.throw(
			_("Only a System Manager can delete ticket {0}: it has SOP records ({1}).").format(
				doc.name, ", ".join(f"{_(dt)}: {len(names)}" for dt, names in linked.items() if names)
			),
			frappe.PermissionError,
		)
	for doctype, names in linked.items():
		for name in names:
			# the ticket's own records go with it (each kept in Deleted Documents, as the ticket is);
			# the caller's right to delete the ticket was checked by Frappe, his role just above
			frappe.delete_doc(doctype, name, ignore_permissions=True)


# the ticket's own SOP records, deleted with it; a record of any other doctype that links the ticket
# (an audit record, say) still blocks the delete with Frappe's link check: nothing goes unnoticed
TICKET_RECORDS = {
	"SOP Escalation": "ticket",
	"SOP Survey": "ticket",
	"SOP WhatsApp Message": "ticket",
	"SOP Solution": "ticket",
	"SOP Message Response": "ticket",
}


def sop_records_of_ticket(ticket: str) -> dict[str, list[str]]:
	"""Names of the ticket's own SOP records, by doctype."""
	return {
		doctype: frappe.get_all(
			doctype, filters={fieldname: ticket}, pluck="name", ignore_permissions=True
		)  # to decide and delete, not to show
		for doctype, fieldname in TICKET_RECORDS.items()
	}


# Knowledge-base drafts (the complaint procedure turns approved solutions into HD Article drafts):
# Helpdesk gives read on HD Article to All and Guest (1.25) or to its customer roles HD Customer and
# HD Customer Manager (1.28): on both, a draft or archived article stays internal to SOP staff.
def article_has_permission(doc, ptype: str = "read", user: str | None = None) -> bool | None:
	if doc.get("status") == "Published" or is_sop_staff(user):
		return None  # Helpdesk's role permissions decide
	return False


def article_query(user: str | None = None) -> str | None:
	if is_sop_staff(user):
		return None
	return "`tabHD Article`.status = 'Published'"
