"""Anonymising the people themselves: the Contact once no ticket still kept needs it, and the
portal user once nothing is left of them. Shared by the retention job and data-subject erasure.
"""

import frappe
from frappe.query_builder import Field

from cs_sop.core import privacy as rules
from cs_sop.privacy.scrub import ANON_NAME, TICKET, delete_files

STAFF_USERS = ("Administrator", "Guest")


def contacts_still_needed(contacts: list[str]) -> set[str]:
	"""Those of `contacts` that a ticket not yet anonymised links to (by link or by email)."""
	if not contacts:
		return set()
	T = frappe.qb.DocType(TICKET)
	Ct = frappe.qb.DocType("Contact")
	E = frappe.qb.DocType("Contact Email")
	open_ = T.sop_anonymised_on.isnull()
	linked = set(
		frappe.qb.from_(T).select(T.contact).where(T.contact.isin(contacts)).where(open_).run(pluck=True)
	)
	linked.update(
		frappe.qb.from_(E)
		.join(T)
		.on(T.raised_by == E.email_id)
		.select(E.parent)
		.where(E.parenttype == "Contact")
		.where(E.parent.isin(contacts))
		.where(open_)
		.run(pluck=True)
	)
	linked.update(
		frappe.qb.from_(Ct)
		.join(T)
		.on(T.raised_by == Ct.email_id)
		.select(Ct.name)
		.where(Ct.name.isin(contacts))
		.where(open_)
		.run(pluck=True)
	)
	return linked


def delete_contacts(contacts: list[str]) -> int:
	"""Remove these contacts: the Contact is named after the person (its name is personal data), so
	anonymising it means removing it with its emails, phones, links, versions and comments; links
	to it elsewhere are cleared. Returns the number of contacts removed."""
	if not contacts:
		return 0
	from frappe.model.rename_doc import get_link_fields

	for link in get_link_fields("Contact"):
		if link.get("issingle") or not frappe.db.table_exists(link["parent"]):
			continue
		D = frappe.qb.DocType(link["parent"])
		field = Field(link["fieldname"])
		frappe.qb.update(D).set(field, None).where(field.isin(contacts)).run()
	for child in ("Contact Email", "Contact Phone", "Dynamic Link"):
		D = frappe.qb.DocType(child)
		frappe.qb.from_(D).delete().where(D.parenttype == "Contact").where(D.parent.isin(contacts)).run()
	for child in ("Dynamic Link", "Communication Link"):
		D = frappe.qb.DocType(child)
		frappe.qb.from_(D).delete().where(D.link_doctype == "Contact").where(D.link_name.isin(contacts)).run()
	_delete_history("Contact", contacts)
	Ct = frappe.qb.DocType("Contact")
	frappe.qb.from_(Ct).delete().where(Ct.name.isin(contacts)).run()
	return frappe.db._cursor.rowcount or 0


def _delete_history(doctype: str, names: list[str]) -> None:
	"""Versions, comments and files of these documents (old values, images)."""
	V = frappe.qb.DocType("Version")
	frappe.qb.from_(V).delete().where(V.ref_doctype == doctype).where(V.docname.isin(names)).run()
	Cm = frappe.qb.DocType("Comment")
	frappe.qb.from_(Cm).delete().where(Cm.reference_doctype == doctype).where(
		Cm.reference_name.isin(names)
	).run()
	F = frappe.qb.DocType("File")
	delete_files(
		frappe.qb.from_(F)
		.select(F.name)
		.where(F.attached_to_doctype == doctype)
		.where(F.attached_to_name.isin(names))
		.where(F.is_folder == 0)
		.run(pluck=True)
	)


def portal_users_without_data(candidates: list[str]) -> list[str]:
	"""Those of `candidates` that are portal customers (Website User) with nothing left: no ticket
	not yet anonymised raised or created by them, no contact."""
	candidates = [c for c in set(candidates) if c and c not in STAFF_USERS]
	if not candidates:
		return []
	U = frappe.qb.DocType("User")
	T = frappe.qb.DocType(TICKET)
	Ct = frappe.qb.DocType("Contact")
	users = set(
		frappe.qb.from_(U)
		.select(U.name)
		.where(U.name.isin(candidates))
		.where(U.user_type == "Website User")
		.run(pluck=True)
	)
	if not users:
		return []
	open_ = T.sop_anonymised_on.isnull()
	busy = set(
		frappe.qb.from_(T)
		.select(T.raised_by)
		.where(T.raised_by.isin(list(users)))
		.where(open_)
		.run(pluck=True)
	)
	busy.update(
		frappe.qb.from_(T).select(T.owner).where(T.owner.isin(list(users))).where(open_).run(pluck=True)
	)
	busy.update(frappe.qb.from_(Ct).select(Ct.user).where(Ct.user.isin(list(users))).run(pluck=True))
	return sorted(users - busy)


def erase_users(users: list[str]) -> dict:
	"""Delete these portal users (no Deleted Document copy); when another document links to the
	user, so Frappe would refuse, disable the user and rename it to an anonymous address instead
	(Frappe then rewrites every owner / modified_by). Their login history and sessions go too.

	The link check runs first, instead of trying and rolling back to a savepoint: MariaDB 10.11
	aborts (InnoDB FTS assertion) when full-text indexed columns of rows changed earlier in the
	transaction are changed again after a savepoint, and HD Ticket has such indexes."""
	from frappe.model.delete_doc import check_if_doc_is_dynamically_linked, check_if_doc_is_linked
	from frappe.sessions import clear_sessions

	counts = {"users_deleted": 0, "users_anonymised": 0}
	for user in users:
		clear_sessions(user=user, force=True)
		_delete_login_history(user)
		doc = frappe.get_doc("User", user)
		try:
			check_if_doc_is_linked(doc)
			check_if_doc_is_dynamically_linked(doc)
		except frappe.LinkExistsError:
			frappe.clear_messages()
			_anonymise_user(user)
			counts["users_anonymised"] += 1
			continue
		frappe.delete_doc("User", user, ignore_permissions=True, delete_permanently=True)
		_delete_history("User", [user])
		_delete_deletion_trail(user)
		counts["users_deleted"] += 1
	return counts


def _delete_deletion_trail(user: str) -> None:
	"""Frappe's own trail of deleting the user: the "Deleted" comments naming the user and the
	Deleted Document copies of the documents deleted with it (Notification Settings)."""
	D = frappe.qb.DocType("Deleted Document")
	frappe.qb.from_(D).delete().where(D.deleted_name == user).run()
	Cm = frappe.qb.DocType("Comment")
	(
		frappe.qb.from_(Cm)
		.delete()
		.where(Cm.comment_type == "Deleted")
		.where(Cm.reference_doctype.isin(["User", "Notification Settings"]))
		.where(Cm.subject.like(f"% {rules.like_escape(user)}"))
		.run()
	)


def _anonymise_user(user: str) -> None:
	from frappe.model.rename_doc import rename_doc

	U = frappe.qb.DocType("User")
	update = frappe.qb.update(U).set(U.enabled, 0).set(U.first_name, ANON_NAME).set(U.full_name, ANON_NAME)
	for field in (
		"middle_name",
		"last_name",
		"username",
		"phone",
		"mobile_no",
		"location",
		"bio",
		"birth_date",
		"user_image",
		"interest",
		"gender",
	):
		if frappe.db.has_column("User", field):
			update = update.set(U[field], None)
	update.where(U.name == user).run()
	_delete_history("User", [user])
	new = f"anonymised-{frappe.generate_hash(length=12)}@anonymised.invalid"
	# the job (Administrator) or a manager without write on User: the caller checked the right
	rename_doc(
		doctype="User",
		old=user,
		new=new,
		force=True,
		ignore_permissions=True,
		show_alert=False,
		rebuild_search=False,
	)
	frappe.db.set_value("User", new, "email", new, update_modified=False)
	# Frappe notes "renamed from <old address>" on the user and its notification settings
	_delete_history("User", [new])
	_delete_history("Notification Settings", [new])


def _delete_login_history(user: str) -> None:
	for doctype, field in (("Activity Log", "user"), ("Access Log", "user"), ("Route History", "user")):
		if frappe.db.table_exists(doctype):
			D = frappe.qb.DocType(doctype)
			frappe.qb.from_(D).delete().where((D[field] == user) | (D.owner == user)).run()
