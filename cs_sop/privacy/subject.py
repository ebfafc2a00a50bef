"""A data subject's request (UU PDP 27/2022, articles 5-9 and 16: access and erasure).

A System Manager or SOP Operations Manager types an email address or an Indonesian phone number:
`find_data` lists everything held about it (tickets, communications, contacts, users, WhatsApp
messages, surveys, files ...), with counts and links; `erase_data` anonymises all of it as the
retention job does (open tickets only after confirmation). Each call is logged in an
**SOP Data Subject Request** (who, when, the key masked and keyed-hashed, the counts), never the key
in clear. Everything else may not call them: the check is here, not in the UI.
"""

import json

import frappe
from frappe import _
from frappe.query_builder import CustomFunction, Field
from frappe.utils import now_datetime

from cs_sop.core import privacy as rules
from cs_sop.privacy import people, scrub
from cs_sop.privacy.retention import MANAGER_ROLES, anonymise
from cs_sop.privacy.scrub import ANON_EMAIL, ANON_EMAIL_TEXT, ANON_PHONE_TEXT, TICKET

LOG = "SOP Data Subject Request"
SAMPLE = 20
RegexpReplace = CustomFunction("REGEXP_REPLACE", ["text", "pattern", "replacement"])

# Where a subject can be mentioned: (doctype, label, how it refers to a ticket, text columns,
# email columns, phone columns). Rows are found by their ticket or by a mention of the key.
SOURCES = (
	(
		"Communication",
		"Communications",
		"reference",
		("subject", "content", "sender", "recipients", "cc", "bcc"),
		(),
		("phone_no",),
	),
	("HD Ticket Comment", "Ticket Comments", "reference_ticket", ("content",), (), ()),
	("Comment", "Comments", "reference", ("subject", "content", "comment_by"), ("comment_email",), ()),
	("HD Ticket Activity", "Ticket Activities", "ticket", ("action",), (), ()),
	("ToDo", "Assignments", "todo", ("description",), (), ()),
	("Version", "Versions", "version", ("data",), (), ()),
	("SOP Escalation", "Escalations", "ticket", ("subject", "case_summary"), (), ()),
	(
		"SOP Solution",
		"Solutions",
		"ticket",
		("subject", "description", "cost_impact", "rejection_reason"),
		(),
		(),
	),
	("SOP Survey", "Surveys", "ticket", ("comment", "low_score_reason"), ("customer_email",), ()),
	("SOP WhatsApp Message", "WhatsApp Messages", "ticket", ("subject", "body", "raw_event"), (), ("phone",)),
	("SOP WhatsApp Event", "WhatsApp Events", None, ("payload",), (), ()),
	("Notification Log", "Notifications", "document", ("subject", "email_content"), (), ()),
	("Email Queue", "Queued Emails", "reference", ("message", "show_as_cc"), ("sender",), ()),
	("Deleted Document", "Deleted Documents", None, ("deleted_name", "data"), (), ()),
)
# rows of these only exist to notify, to send or to undo a deletion: erasure deletes them
DELETED = ("SOP WhatsApp Event", "Notification Log", "Email Queue", "Deleted Document")
OWNED = scrub.OWNED


def _check_manager():
	if not set(frappe.get_roles()) & set(MANAGER_ROLES):
		frappe.throw(
			_("Only a System Manager or an SOP Operations Manager can do this."), frappe.PermissionError
		)


def _key(value: str) -> rules.SubjectKey:
	key = rules.subject_key(value)
	if not key:
		frappe.throw(_("Enter an email address or an Indonesian phone number (08…, +62…, 62…)."))
	return key


# ---------------------------------------------------------------------------
# Finding
# ---------------------------------------------------------------------------


class Found:
	"""What is held about one key: the subject's contacts and portal users, and through them every
	email address and phone number of the subject; their tickets; every row mentioning any of them."""

	def __init__(self, key: rules.SubjectKey):
		self.key = key
		self.emails = {key.value} if key.kind == "Email" else set()
		self.names = set()  # full names of the subject's contacts and users
		self.phones = {key.phone.national: key.phone} if key.phone else {}
		self.contacts = self._contacts()
		self.users, self.staff = self._users()
		self._collect_identifiers()
		self.tickets = self._tickets()
		self.mentioned_tickets = self._mentions(TICKET, ("subject", "description"))
		self.rows = {
			doctype: self._rows(doctype, ref, text, emails, phones)
			for doctype, _label, ref, text, emails, phones in SOURCES
			if frappe.db.table_exists(doctype)
		}
		self.files = self._files()

	# -- matching -----------------------------------------------------------

	def _mention(self, column):
		"""Criterion: the column mentions one of the subject's emails or phones (any form)."""
		crit = None
		for term in (*self.emails, *(f for p in self.phones.values() for f in p.forms)):
			c = column.like(f"%{rules.like_escape(term)}%")
			crit = c if crit is None else crit | c
		for phone in self.phones.values():
			crit = crit | column.regexp(rules.phone_pattern(phone))
		return crit

	def _is_phone(self, column):
		"""Criterion: the column holds one of the subject's phone numbers, however written."""
		crit = None
		for phone in self.phones.values():
			c = column.regexp("^" + rules.phone_pattern(phone) + "$")
			crit = c if crit is None else crit | c
		return crit

	def _is_email(self, column):
		return column.isin(sorted(self.emails)) if self.emails else None

	def _either(self, *crits):
		crits = [c for c in crits if c is not None]
		if not crits:
			return None
		crit = crits[0]
		for c in crits[1:]:
			crit = crit | c
		return crit

	def _contacts(self) -> list[str]:
		Ct = frappe.qb.DocType("Contact")
		if self.key.phone:
			P = frappe.qb.DocType("Contact Phone")
			crit = self._either(self._is_phone(Ct.phone), self._is_phone(Ct.mobile_no))
			child = (
				frappe.qb.from_(P)
				.select(P.parent)
				.where(P.parenttype == "Contact")
				.where(self._is_phone(P.phone))
			)
		else:
			E = frappe.qb.DocType("Contact Email")
			crit = (Ct.email_id == self.key.value) | (Ct.user == self.key.value)
			child = (
				frappe.qb.from_(E)
				.select(E.parent)
				.where(E.parenttype == "Contact")
				.where(E.email_id == self.key.value)
			)
		found = set(frappe.qb.from_(Ct).select(Ct.name).where(crit).run(pluck=True))
		found.update(child.run(pluck=True))
		return sorted(found)

	def _users(self) -> tuple[list[str], list[str]]:
		U = frappe.qb.DocType("User")
		if self.key.phone:
			crit = self._either(self._is_phone(U.mobile_no), self._is_phone(U.phone))
		else:
			crit = (U.name == self.key.value) | (U.email == self.key.value)
		if self.contacts:
			Ct = frappe.qb.DocType("Contact")
			linked = (
				frappe.qb.from_(Ct)
				.select(Ct.user)
				.where(Ct.name.isin(self.contacts))
				.where(Ct.user.isnotnull())
			)
			crit = crit | U.name.isin(linked)
		rows = (
			frappe.qb.from_(U)
			.select(U.name, U.user_type)
			.where(crit)
			.where(U.name.notin(people.STAFF_USERS))
			.run()
		)
		return sorted(n for n, t in rows if t == "Website User"), sorted(
			n for n, t in rows if t != "Website User"
		)

	def _collect_identifiers(self) -> None:
		"""The other emails and phones of the subject, from their contacts and portal users."""
		values = []
		if self.contacts:
			Ct = frappe.qb.DocType("Contact")
			E = frappe.qb.DocType("Contact Email")
			P = frappe.qb.DocType("Contact Phone")
			self.names.update(
				frappe.qb.from_(Ct).select(Ct.full_name).where(Ct.name.isin(self.contacts)).run(pluck=True)
			)
			for row in (
				frappe.qb.from_(Ct)
				.select(Ct.email_id, Ct.phone, Ct.mobile_no)
				.where(Ct.name.isin(self.contacts))
				.run()
			):
				values.extend(row)
			values += (
				frappe.qb.from_(E)
				.select(E.email_id)
				.where(E.parent.isin(self.contacts))
				.where(E.parenttype == "Contact")
				.run(pluck=True)
			)
			values += (
				frappe.qb.from_(P)
				.select(P.phone)
				.where(P.parent.isin(self.contacts))
				.where(P.parenttype == "Contact")
				.run(pluck=True)
			)
		if self.users:
			U = frappe.qb.DocType("User")
			self.names.update(
				frappe.qb.from_(U).select(U.full_name).where(U.name.isin(self.users)).run(pluck=True)
			)
			for row in (
				frappe.qb.from_(U)
				.select(U.name, U.email, U.phone, U.mobile_no)
				.where(U.name.isin(self.users))
				.run()
			):
				values.extend(row)
		# a full name (two words or more) is specific enough to delete a sent notification quoting it
		self.names = {n.strip() for n in self.names if n and " " in n.strip() and len(n.strip()) >= 6}
		for value in values:
			key = rules.subject_key(value)
			if key and key.phone:
				self.phones.setdefault(key.phone.national, key.phone)
			elif key:
				self.emails.add(key.value)

	def _tickets(self) -> list[str]:
		T = frappe.qb.DocType(TICKET)
		crit = self._either(
			self._is_email(T.raised_by),
			self._is_email(T.owner),
			T.contact.isin(self.contacts) if self.contacts else None,
			*(T.raised_by.like(f"{p.digits}@%") for p in self.phones.values()),
		)
		return frappe.qb.from_(T).select(T.name).where(crit).run(pluck=True)

	def _mentions(self, doctype: str, columns) -> list[str]:
		D = frappe.qb.DocType(doctype)
		crit = self._either(*(self._mention(D[column]) for column in columns))
		return frappe.qb.from_(D).select(D.name).where(crit).run(pluck=True)

	def _by_ticket(self, D, ref):
		if not self.tickets or not ref:
			return None
		if ref == "reference":
			return (D.reference_doctype == TICKET) & D.reference_name.isin(self.tickets)
		if ref == "version":
			return (D.ref_doctype == TICKET) & D.docname.isin(self.tickets)
		if ref == "document":
			return (D.document_type == TICKET) & D.document_name.isin(self.tickets)
		if ref == "todo":
			return (D.reference_type == TICKET) & D.reference_name.isin(self.tickets)
		return D[ref].isin(self.tickets)

	def criterion(self, doctype, ref, text, emails, phones, by_ticket: bool = True):
		D = frappe.qb.DocType(doctype)
		crits = [self._by_ticket(D, ref) if by_ticket else None]
		crits += [self._mention(D[column]) for column in text]
		crits += [self._either(self._is_email(D[column]), self._mention(D[column])) for column in emails]
		crits += [self._either(self._is_phone(D[column]), self._mention(D[column])) for column in phones]
		if doctype == "Email Queue" and self.emails:
			R = frappe.qb.DocType("Email Queue Recipient")
			crits.append(
				D.name.isin(frappe.qb.from_(R).select(R.parent).where(R.recipient.isin(sorted(self.emails))))
			)
		if doctype == "SOP Survey" and self.contacts:
			crits.append(D.contact.isin(self.contacts))
		crits.append(self._is_email(D.owner))
		if doctype == "Email Queue" and self.names:
			# the copies of notification emails already sent to agents name the customer but do not
			# refer to the ticket; a pending email is never matched by name (it may be someone
			# else's of the same name)
			by_name = self._either(*(D.message.like(f"%{rules.like_escape(n)}%") for n in sorted(self.names)))
			crits.append(by_name & D.reference_doctype.isnull() & (D.status != "Not Sent"))
		return D, self._either(*crits)

	def _rows(self, doctype, ref, text, emails, phones) -> list[str]:
		D, crit = self.criterion(doctype, ref, text, emails, phones)
		return frappe.qb.from_(D).select(D.name).where(crit).run(pluck=True)

	def _files(self) -> list[str]:
		F = frappe.qb.DocType("File")
		attached = [
			(TICKET, self.tickets),
			("Communication", self.rows.get("Communication", [])),
			("SOP Escalation", self.rows.get("SOP Escalation", [])),
			("SOP Solution", self.rows.get("SOP Solution", [])),
			("Contact", self.contacts),
			("User", self.users),
		]
		crits = [
			(F.attached_to_doctype == doctype) & F.attached_to_name.isin(names)
			for doctype, names in attached
			if names
		]
		crits.append(self._is_email(F.owner))
		crit = self._either(*crits)
		if crit is None:
			return []
		return frappe.qb.from_(F).select(F.name).where(crit).where(F.is_folder == 0).run(pluck=True)

	# -- the answer ---------------------------------------------------------

	def open_tickets(self) -> list[str]:
		if not self.tickets:
			return []
		T = frappe.qb.DocType(TICKET)
		return (
			frappe.qb.from_(T)
			.select(T.name)
			.where(T.name.isin(self.tickets))
			.where(T.status != "Closed")
			.run(pluck=True)
		)

	def sections(self) -> list[dict]:
		rows = [
			(TICKET, _("Tickets"), self.tickets),
			(
				TICKET,
				_("Other Tickets Mentioning It"),
				sorted(set(self.mentioned_tickets) - set(self.tickets)),
			),
			("Contact", _("Contacts"), self.contacts),
			("User", _("Portal Users"), self.users),
			("User", _("Staff Users"), self.staff),
		]
		rows += [(doctype, _(label), self.rows.get(doctype, [])) for doctype, label, *_rest in SOURCES]
		rows.append(("File", _("Files"), self.files))
		return [
			{"doctype": doctype, "label": label, "count": len(names), "names": names[:SAMPLE]}
			for doctype, label, names in rows
		]

	def counts(self) -> dict:
		return {s["label"]: s["count"] for s in self.sections() if s["count"]}

	def patterns(self) -> list[tuple[str, str]]:
		"""(pattern, placeholder) of every email and phone of the subject, for the text rewrite."""
		return [(rules.literal_pattern(e), ANON_EMAIL_TEXT) for e in sorted(self.emails)] + [
			(rules.phone_pattern(p), ANON_PHONE_TEXT) for p in self.phones.values()
		]


def _log(key: rules.SubjectKey, action: str, counts: dict, include_open: bool = False) -> str:
	from frappe.utils.password import get_encryption_key

	doc = frappe.get_doc(
		{
			"doctype": LOG,
			"action": action,
			"subject_kind": key.kind,
			"subject_masked": rules.mask(key),
			"subject_hash": rules.digest(key, get_encryption_key()),
			"requested_by": frappe.session.user,
			"requested_on": now_datetime(),
			"include_open_tickets": int(include_open),
			"total": sum(counts.values()),
			"counts": json.dumps(counts, indent=1, ensure_ascii=False),
		}
	)
	# the request's own record, written by the system after the role check above; nobody may
	# create or edit one directly (the doctype grants no create/write)
	doc.insert(ignore_permissions=True)
	return doc.name


@frappe.whitelist(methods=["POST"])
def find_data(key: str) -> dict:
	"""Everything held about an email address or phone number: counts and links (logged)."""
	_check_manager()
	subject = _key(key)
	found = Found(subject)
	sections = found.sections()
	log = _log(subject, "Find", found.counts())
	return {
		"subject": rules.mask(subject),
		"kind": subject.kind,
		"sections": sections,
		"open_tickets": len(found.open_tickets()),
		"staff": found.staff,
		"log": log,
	}


@frappe.whitelist(methods=["POST"])
def erase_data(key: str, include_open_tickets: bool = False) -> dict:
	"""Anonymise everything held about an email address or phone number (logged)."""
	_check_manager()
	subject = _key(key)
	found = Found(subject)
	if found.staff:
		frappe.throw(
			_("This key belongs to a staff user ({0}); erase is for customers only.").format(
				", ".join(found.staff)
			)
		)
	open_tickets = found.open_tickets()
	if open_tickets and not include_open_tickets:
		frappe.throw(
			_("{0} ticket(s) of this customer are not closed yet. Confirm to erase them too.").format(
				len(open_tickets)
			)
		)
	counts = found.counts()
	erase(found)
	log = _log(subject, "Erase", counts, include_open=bool(include_open_tickets))
	return {"subject": rules.mask(subject), "counts": counts, "log": log}


def erase(found: Found) -> None:
	"""Anonymise what `found` lists: the subject's tickets as the retention job does, then every
	other mention of the subject's emails and phones, their files, contacts and portal users."""
	T = frappe.qb.DocType(TICKET)
	if found.tickets:
		frappe.qb.update(T).set(T.sop_retention_until, None).where(T.name.isin(found.tickets)).run()
		anonymise(found.tickets)
	patterns = found.patterns()
	mentioned = sorted(set(found.mentioned_tickets) - set(found.tickets))
	if mentioned:
		_rewrite(TICKET, ("subject", "description", "_comments"), T.name.isin(mentioned), patterns)
	for doctype, _label, ref, text, emails, phones in SOURCES:
		if not frappe.db.table_exists(doctype):
			continue
		D, crit = found.criterion(doctype, ref, text, emails, phones, by_ticket=False)
		if doctype in DELETED:
			names = frappe.qb.from_(D).select(D.name).where(crit).run(pluck=True)
			if doctype == "Email Queue":
				scrub.delete_email_queue(names)
			elif names:
				frappe.qb.from_(D).delete().where(D.name.isin(names)).run()
			continue
		for column in phones:
			frappe.qb.update(D).set(D[column], None).where(found._is_phone(D[column])).run()
		_rewrite(doctype, (*text, *emails), crit, patterns)
	if found.emails:
		for doctype in (TICKET, *(s[0] for s in SOURCES if s[0] not in DELETED), "File"):
			if not frappe.db.table_exists(doctype):
				continue
			D = frappe.qb.DocType(doctype)
			for column in OWNED:
				if frappe.db.has_column(doctype, column):
					frappe.qb.update(D).set(D[column], ANON_EMAIL).where(found._is_email(D[column])).run()
	scrub.delete_files([f for f in found.files if frappe.db.exists("File", f)])
	people.delete_contacts([c for c in found.contacts if frappe.db.exists("Contact", c)])
	people.erase_users([u for u in found.users if frappe.db.exists("User", u)])


def _rewrite(doctype: str, columns, crit, patterns) -> None:
	if not columns or not patterns or crit is None:
		return
	D = frappe.qb.DocType(doctype)
	update = frappe.qb.update(D)
	for column in columns:
		expr = Field(column, table=D)
		for pattern, placeholder in patterns:
			expr = RegexpReplace(expr, pattern, placeholder)
		update = update.set(D[column], expr)
	update.where(crit).run()
