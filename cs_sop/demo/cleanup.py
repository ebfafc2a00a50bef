"""`cs_sop.demo.remove`: delete exactly what the demo made.

The roots are the records tagged `cs_sop-demo` (tickets, contacts, users) and the users under the
demo domain; everything else is found through them: the tickets' communications, escalations,
solutions, surveys, activity, comments, ToDos, notifications, versions, WhatsApp messages, emails
and files. Rows are deleted set-based (a few statements per table), users through Frappe so that
their roles, settings and passwords go with them. Nothing else is touched.
"""

import frappe

from cs_sop import bulk
from cs_sop.demo.people import DOMAIN, TAG

TICKET = "HD Ticket"
# (doctype, column naming the ticket)
BY_TICKET = (
	("SOP Escalation", "ticket"),
	("SOP Solution", "ticket"),
	("SOP Survey", "ticket"),
	("HD Ticket Activity", "ticket"),
	("HD Ticket Comment", "reference_ticket"),
	("HD Notification", "reference_ticket"),
	("SOP WhatsApp Message", "ticket"),
)
# (doctype, column naming the doctype, column naming the record)
BY_REFERENCE = (
	("Communication", "reference_doctype", "reference_name"),
	("Communication Link", "link_doctype", "link_name"),
	("ToDo", "reference_type", "reference_name"),
	("Comment", "reference_doctype", "reference_name"),
	("Version", "ref_doctype", "docname"),
	("Notification Log", "document_type", "document_name"),
	("Email Queue", "reference_doctype", "reference_name"),
	("File", "attached_to_doctype", "attached_to_name"),
	("Tag Link", "document_type", "document_name"),
	("View Log", "reference_doctype", "reference_name"),
	("Activity Log", "reference_doctype", "reference_name"),
	("Document Follow", "ref_doctype", "ref_docname"),
	("Dynamic Link", "link_doctype", "link_name"),
)
# (doctype, column naming a user)
BY_USER = (
	("Notification Log", "for_user"),
	("ToDo", "allocated_to"),
	("HD Notification", "user_to"),
	("Activity Log", "user"),
	("Assignment Rule User", "user"),
	("HD Team Member", "user"),
)


def tagged(doctype: str) -> list[str]:
	return frappe.get_all("Tag Link", filters={"tag": TAG, "document_type": doctype}, pluck="document_name")


def demo_users() -> list[str]:
	users = set(tagged("User"))
	users |= set(frappe.get_all("User", filters={"name": ("like", f"%@{DOMAIN}")}, pluck="name"))
	return sorted(users)


def is_loaded() -> bool:
	return bool(demo_users() or tagged(TICKET))


def remove() -> dict:
	tickets = tagged(TICKET)
	users = demo_users()
	contacts = sorted(set(tagged("Contact")) | set(_names("Contact", "user", users)))
	records = {
		TICKET: tickets,
		"Contact": contacts,
		"User": users,
		"SOP Escalation": _names("SOP Escalation", "ticket", tickets),
		"SOP Solution": _names("SOP Solution", "ticket", tickets),
		"SOP Survey": _names("SOP Survey", "ticket", tickets),
		"Communication": _names("Communication", "reference_name", tickets, reference_doctype=TICKET),
		"Email Queue": _names("Email Queue", "reference_name", tickets, reference_doctype=TICKET),
	}
	counts: dict[str, int] = {}
	for doctype, column, dt_column in _reference_rows():
		for ref_doctype, names in records.items():
			_delete(doctype, {column: names, dt_column: [ref_doctype]}, counts)
	for doctype, column in _ticket_links():
		_delete(doctype, {column: tickets}, counts)
	_delete("Email Queue Recipient", {"parent": records["Email Queue"]}, counts)
	for doctype in (TICKET, "Contact", "SOP Escalation", "SOP Solution", "SOP Survey", "Communication"):
		_delete_with_children(doctype, records[doctype], counts)
	_remove_users(users, counts)
	if not frappe.db.exists("Tag Link", {"tag": TAG}):
		frappe.db.delete("Tag", {"name": TAG})
	frappe.clear_cache()
	return {k: v for k, v in counts.items() if v}


def _ticket_links() -> list[tuple[str, str]]:
	"""BY_TICKET and every other Link field to HD Ticket (a doctype added later is covered too)."""
	found = set(BY_TICKET)
	for meta_doctype, parent in (("DocField", "parent"), ("Custom Field", "dt")):
		for row in frappe.get_all(
			meta_doctype, filters={"fieldtype": "Link", "options": TICKET}, fields=[parent, "fieldname"]
		):
			doctype = row.get(parent)
			if doctype != TICKET and not frappe.get_meta(doctype).issingle:
				found.add((doctype, row.fieldname))
	return sorted(found)


def _reference_rows():
	for doctype, dt_column, column in BY_REFERENCE:
		if frappe.db.table_exists(doctype):
			yield doctype, column, dt_column


def _names(doctype: str, column: str, values: list[str], **filters) -> list[str]:
	found = []
	for chunk in bulk.chunks(values, 500):
		found += frappe.get_all(doctype, filters={column: ("in", chunk), **filters}, pluck="name")
	return found


def _delete(doctype: str, where: dict[str, list[str]], counts: dict) -> None:
	"""DELETE FROM doctype WHERE col IN values AND ... (chunked on the first column)."""
	if not frappe.db.table_exists(doctype):
		return
	(column, values), *rest = where.items()
	if not values or any(not v for _c, v in rest):
		return
	table = frappe.qb.DocType(doctype)
	for chunk in bulk.chunks(values, 500):
		query = frappe.qb.from_(table).delete().where(table[column].isin(chunk))
		for col, vals in rest:
			query = query.where(table[col].isin(vals))
		query.run()
		counts[doctype] = counts.get(doctype, 0) + (frappe.db._cursor.rowcount or 0)


def _delete_with_children(doctype: str, names: list[str], counts: dict) -> None:
	for df in frappe.get_meta(doctype).get_table_fields():
		_delete(df.options, {"parent": names, "parenttype": [doctype]}, counts)
	_delete(doctype, {"name": names}, counts)


def _remove_users(users: list[str], counts: dict) -> None:
	if not users:
		return
	started = frappe.utils.now_datetime().replace(microsecond=0)
	# their rows in the teams and the teams' assignment rules go with the BY_USER rows below (a
	# team may have had only them, and HD Team does not save without members)
	rules = frappe.get_all(
		"Assignment Rule User", filters={"user": ("in", users)}, pluck="parent", distinct=True
	)
	rule = frappe.qb.DocType("Assignment Rule")
	frappe.qb.update(rule).set(rule.last_user, None).where(rule.last_user.isin(users)).run()
	for agent in frappe.get_all("HD Agent", filters={"user": ("in", users)}, pluck="name"):
		frappe.delete_doc("HD Agent", agent, ignore_permissions=True, force=True, delete_permanently=True)
		counts["HD Agent"] = counts.get("HD Agent", 0) + 1
	for doctype, column in BY_USER:
		_delete(doctype, {column: users}, counts)
	for rule_name in rules:
		frappe.clear_document_cache("Assignment Rule", rule_name)
	for user in users:
		frappe.delete_doc("User", user, ignore_permissions=True, force=True, delete_permanently=True)
		counts["User"] = counts.get("User", 0) + 1
	# the "deleted" feed lines Frappe wrote just now for these users, their settings and agents
	comment = frappe.qb.DocType("Comment")
	for user in users:
		frappe.qb.from_(comment).delete().where(comment.comment_type == "Deleted").where(
			comment.reference_doctype.isin(("User", "Notification Settings", "HD Agent"))
		).where(comment.subject.like(f"% {user}")).where(comment.creation >= started).run()
