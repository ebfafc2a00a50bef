"""Set-based building blocks of anonymisation, shared by the retention job and data-subject erasure.

Every function takes a list of names found by the caller (one indexed query) and changes them with
a few UPDATE/DELETE statements; running one twice changes nothing more (what it looks for is gone).
Table and column names come from code constants or Frappe's metadata, never from input.
"""

import os

import frappe

from cs_sop.core import privacy as rules

TICKET = "HD Ticket"
ANON_EMAIL = "anonymised@anonymised.invalid"
ANON_NAME = "[anonymised]"
ANON_EMAIL_TEXT = "[email]"
ANON_PHONE_TEXT = "[phone]"
NEVER = "(*FAIL)"  # a PCRE pattern that never matches: REGEXP_REPLACE leaves the text as it is
# who made or last changed a row, and whose document a communication or comment belongs to
OWNED = ("owner", "modified_by", "reference_owner")

# Personal text linked to a ticket, rewritten with the ticket's terms: (doctype, columns, how the row
# refers to the ticket). HD Ticket itself is handled by the caller (its own columns).
TICKET_TEXT = (
	("Communication", ("subject", "content", "sender", "recipients", "cc", "bcc"), "reference"),
	("HD Ticket Comment", ("content",), "reference_ticket"),
	("Comment", ("subject", "content", "comment_email", "comment_by"), "reference"),
	("Version", ("data",), "version"),
	("HD Ticket Activity", ("action",), "ticket"),
	("SOP Escalation", ("subject", "case_summary"), "ticket"),
	("SOP Solution", ("subject", "description", "cost_impact", "rejection_reason"), "ticket"),
	("ToDo", ("description",), "todo"),
)
_REFERENCE = {
	"reference": "x.reference_doctype = 'HD Ticket' AND x.reference_name",
	"version": "x.ref_doctype = 'HD Ticket' AND x.docname",
	"reference_ticket": "x.reference_ticket",
	"ticket": "x.ticket",
	"todo": "x.reference_type = 'HD Ticket' AND x.reference_name",
}


def sql_params(**extra) -> dict:
	return {
		"email": ANON_EMAIL_TEXT,
		"name": ANON_NAME,
		"phone": ANON_PHONE_TEXT,
		"anon_email": ANON_EMAIL,
		"never": NEVER,
		"lit": "(?i)\\Q",
		"lit_end": "\\E",
		"prefix": rules.PHONE_PREFIX,
		"sep": rules.SEPARATORS,
		"sep_ref": "\\1" + rules.SEPARATORS,
		"between_digits": "([0-9])(?=[0-9])",
		"suffix": rules.PHONE_SUFFIX,
		"not_digit": "[^0-9]",
		"trunk": "^(00)?(62|0)?",
		**extra,
	}


def _literal(term: str) -> str:
	"""SQL: a case-insensitive literal pattern for `term` (3+ characters), else NEVER."""
	return f"IF(CHAR_LENGTH(IFNULL({term}, '')) >= 3, " f"CONCAT(%(lit)s, {term}, %(lit_end)s), %(never)s)"


def _phone(term: str) -> str:
	"""SQL: the pattern of `rules.phone_pattern` for a stored phone number, else NEVER.

	The same steps as the pure function: digits only, without 00 / 62 / the trunk 0, 7-13 digits,
	separators allowed between them (tested against the Python pattern)."""
	national = f"REGEXP_REPLACE(REGEXP_REPLACE(IFNULL({term}, ''), %(not_digit)s, ''), %(trunk)s, '')"
	return (
		f"IF(CHAR_LENGTH({national}) BETWEEN {rules.MIN_NATIONAL} AND {rules.MAX_NATIONAL} "
		f"AND LEFT({national}, 1) <> '0', "
		f"CONCAT(%(prefix)s, %(sep)s, REGEXP_REPLACE({national}, %(between_digits)s, %(sep_ref)s), %(suffix)s), "
		"%(never)s)"
	)


def ticket_terms(ticket: str = "t", contact: str = "ct") -> tuple[tuple[str, str], ...]:
	"""(SQL pattern, placeholder) pairs of a ticket's customer: emails, names, every phone form."""
	return (
		(_literal(f"{ticket}.raised_by"), "%(email)s"),
		(_literal(f"{contact}.email_id"), "%(email)s"),
		(_literal(f"{contact}.full_name"), "%(name)s"),
		(_literal(f"{contact}.first_name"), "%(name)s"),
		(_literal(f"{contact}.last_name"), "%(name)s"),
		(_phone(f"{contact}.mobile_no"), "%(phone)s"),
		(_phone(f"{contact}.phone"), "%(phone)s"),
		# WhatsApp tickets are raised by "<62…>@<pseudo domain>"
		(_phone(f"SUBSTRING_INDEX({ticket}.raised_by, '@', 1)"), "%(phone)s"),
	)


def rewrite(column: str, terms) -> str:
	"""SQL: `column` with every (pattern, placeholder) of `terms` replaced."""
	expr = column
	for pattern, placeholder in terms:
		expr = f"REGEXP_REPLACE({expr}, {pattern}, {placeholder})"
	return expr


def scrub_ticket_texts(names: list[str], params: dict) -> dict:
	"""Rewrite the personal text linked to these tickets (see TICKET_TEXT) with each ticket's own
	customer terms, and hand rows the customer created over to the anonymous owner. Returns the
	number of rows changed per doctype."""
	counts = {}
	terms = ticket_terms()
	join = "JOIN `tabHD Ticket` t ON t.name = {ref} LEFT JOIN `tabContact` ct ON ct.name = t.contact"
	for doctype, columns, how in TICKET_TEXT:
		if not frappe.db.table_exists(doctype):
			continue
		ref = _REFERENCE[how]
		ref_column = ref.rsplit(" ", 1)[-1]
		# `_comments` is Frappe's cache of the latest comments of a document
		texts = [*columns, *(["_comments"] if frappe.db.has_column(doctype, "_comments") else [])]
		sets = [f"x.`{c}` = {rewrite(f'x.`{c}`', terms)}" for c in texts]
		sets += [
			f"x.`{c}` = IF(x.`{c}` = t.raised_by, %(anon_email)s, x.`{c}`)"
			for c in OWNED
			if frappe.db.has_column(doctype, c)
		]
		if doctype == "Communication":
			sets += ["x.sender_full_name = NULL", "x.phone_no = NULL"]
		frappe.db.sql(
			f"UPDATE `tab{doctype}` x {join.format(ref=ref_column)} "  # nosemgrep
			f"SET {', '.join(sets)} WHERE {ref} IN %(names)s",
			params,
		)
		counts[doctype] = frappe.db._cursor.rowcount or 0
	return counts


def text_fields(doctype: str) -> list[str]:
	"""Columns of `doctype` holding free text (where a customer's details can be written)."""
	kinds = ("Data", "Small Text", "Text", "Long Text", "Text Editor", "HTML Editor", "Markdown Editor")
	return [
		f.fieldname
		for f in frappe.get_meta(doctype).fields
		if f.fieldtype in kinds and not f.is_virtual and f.options not in ("Email", "Phone")
	]


# ---------------------------------------------------------------------------
# Rows that only exist to notify or to send: deleted
# ---------------------------------------------------------------------------


def ticket_documents(names: list[str]) -> list[tuple[str, list[str]]]:
	"""(doctype, names) of the tickets and the cs_sop documents made for them."""
	docs = [(TICKET, list(names))]
	for doctype in ("SOP Escalation", "SOP Solution", "SOP Survey"):
		if frappe.db.table_exists(doctype):
			D = frappe.qb.DocType(doctype)
			found = frappe.qb.from_(D).select(D.name).where(D.ticket.isin(names)).run(pluck=True)
			if found:
				docs.append((doctype, found))
	return docs


def delete_notifications(docs: list[tuple[str, list[str]]]) -> int:
	"""Notification Logs about these documents (their subject and body quote the customer)."""
	N = frappe.qb.DocType("Notification Log")
	deleted = 0
	for doctype, names in docs:
		frappe.qb.from_(N).delete().where(N.document_type == doctype).where(N.document_name.isin(names)).run()
		deleted += frappe.db._cursor.rowcount or 0
	return deleted


def delete_email_queue(queue_names: list[str]) -> int:
	"""Queued emails and their recipients."""
	if not queue_names:
		return 0
	R = frappe.qb.DocType("Email Queue Recipient")
	Q = frappe.qb.DocType("Email Queue")
	frappe.qb.from_(R).delete().where(R.parent.isin(queue_names)).run()
	frappe.qb.from_(Q).delete().where(Q.name.isin(queue_names)).run()
	return frappe.db._cursor.rowcount or 0


def ticket_email_queue(docs: list[tuple[str, list[str]]], names: list[str]) -> list[str]:
	"""Queued emails about these documents or carrying a communication of these tickets."""
	Q = frappe.qb.DocType("Email Queue")
	C = frappe.qb.DocType("Communication")
	found = set()
	for doctype, docnames in docs:
		found.update(
			frappe.qb.from_(Q)
			.select(Q.name)
			.where(Q.reference_doctype == doctype)
			.where(Q.reference_name.isin(docnames))
			.run(pluck=True)
		)
	found.update(
		frappe.qb.from_(Q)
		.join(C)
		.on(C.name == Q.communication)
		.select(Q.name)
		.where(C.reference_doctype == TICKET)
		.where(C.reference_name.isin(names))
		.run(pluck=True)
	)
	return sorted(found)


# ---------------------------------------------------------------------------
# Files
# ---------------------------------------------------------------------------


def ticket_files(docs: list[tuple[str, list[str]]], names: list[str]) -> list[str]:
	"""File docs attached to the tickets, their communications and their cs_sop documents."""
	F = frappe.qb.DocType("File")
	C = frappe.qb.DocType("Communication")
	comms = (
		frappe.qb.from_(C)
		.select(C.name)
		.where(C.reference_doctype == TICKET)
		.where(C.reference_name.isin(names))
		.run(pluck=True)
	)
	attached = [*docs, ("Communication", comms)] if comms else docs
	found = set()
	for doctype, docnames in attached:
		found.update(
			frappe.qb.from_(F)
			.select(F.name)
			.where(F.attached_to_doctype == doctype)
			.where(F.attached_to_name.isin(docnames))
			.where(F.is_folder == 0)
			.run(pluck=True)
		)
	return sorted(found)


def delete_files(file_names: list[str]) -> int:
	"""Delete these File docs (no Deleted Document copy) and, when no other File doc shares it, the
	file on disk. Safe to repeat: a file already gone from disk is skipped."""
	if not file_names:
		return 0
	F = frappe.qb.DocType("File")
	rows = frappe.qb.from_(F).select(F.file_url, F.thumbnail_url).where(F.name.isin(file_names)).run()
	urls = {u for row in rows for u in row if u}
	frappe.qb.from_(F).delete().where(F.name.isin(file_names)).run()
	deleted = frappe.db._cursor.rowcount or 0
	if urls:
		shared = set(frappe.qb.from_(F).select(F.file_url).where(F.file_url.isin(list(urls))).run(pluck=True))
		for url in urls - shared:
			_remove_file(url)
	return deleted


def _remove_file(url: str) -> None:
	if url.startswith("/private/files/"):
		path = frappe.get_site_path("private", "files", os.path.basename(url))
	elif url.startswith("/files/"):
		path = frappe.get_site_path("public", "files", os.path.basename(url))
	else:
		return  # an external link: nothing stored here
	try:
		os.remove(path)
	except FileNotFoundError:
		pass
