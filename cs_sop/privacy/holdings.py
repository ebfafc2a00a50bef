"""What is held about one data subject (an email address or a phone number): where a subject can
be mentioned (`SOURCES`) and, for one key, the subject's contacts, portal users, every email and
phone of theirs, their tickets and every row mentioning any of them (`Found`). Read only: the
request and the erasure are `cs_sop.privacy.subject`.
"""

import frappe
from frappe import _

from cs_sop.core import privacy as rules
from cs_sop.privacy import people
from cs_sop.privacy.scrub import ANON_EMAIL_TEXT, ANON_PHONE_TEXT, TICKET

SAMPLE = 20

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
		}
		self.files = self._files()

	# -- matching -----------------------------------------------------------

	def _mention(self, column):
		"""Criterion: the column mentions one of the subject's emails or phones (any form)."""
		terms = (*self.emails, *(f for p in self.phones.values() for f in p.forms))
		return self._either(
			*(column.like(f"%{rules.like_escape(term)}%") for term in terms),
			*(column.regexp(rules.phone_pattern(phone)) for phone in self.phones.values()),
		)

	def _is_phone(self, column):
		"""Criterion: the column holds one of the subject's phone numbers, however written."""
		return self._either(
			*(column.regexp("^" + rules.phone_pattern(phone) + "$") for phone in self.phones.values())
		)

	def _is_email(self, column):
		return column.isin(sorted(self.emails)) if self.emails else None

	@staticmethod
	def _either(*crits):
		"""The OR of the criteria given (None ones left out); None when there is none."""
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
			for child, column in ((E, E.email_id), (P, P.phone)):
				values += (
					frappe.qb.from_(child)
					.select(column)
					.where(child.parent.isin(self.contacts))
					.where(child.parenttype == "Contact")
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
