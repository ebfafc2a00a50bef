"""A data subject's request (UU PDP 27/2022, articles 5-9 and 16: access and erasure).

A System Manager or SOP Operations Manager types an email address or an Indonesian phone number:
`find` lists everything held about it (tickets, communications, contacts, users, WhatsApp
messages, surveys, files ...), with counts and links; `erase_key` anonymises all of it as the
retention job does (open tickets only after confirmation). Each call is logged in an
**SOP Data Subject Request** (who, when, the key masked and keyed-hashed, the counts), never the key
in clear. Their API (`cs_sop.api.privacy.find_data`, `erase_data`) lets only the SOP admins call
them: the check is on the server, not in the UI.
"""

import json

import frappe
from frappe import _
from frappe.query_builder import CustomFunction, Field
from frappe.utils import now_datetime
from frappe.utils.password import get_encryption_key

from cs_sop.core import privacy as rules
from cs_sop.privacy import people, scrub
from cs_sop.privacy.holdings import DELETED, SOURCES, Found
from cs_sop.privacy.retention import anonymise
from cs_sop.privacy.scrub import ANON_EMAIL, TICKET

LOG = "SOP Data Subject Request"
RegexpReplace = CustomFunction("REGEXP_REPLACE", ["text", "pattern", "replacement"])


def _key(value: str) -> rules.SubjectKey:
	key = rules.subject_key(value)
	if not key:
		frappe.throw(_("Enter an email address or an Indonesian phone number (08…, +62…, 62…)."))
	return key


def _log(key: rules.SubjectKey, action: str, counts: dict, include_open: bool = False) -> str:
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


def find(key: str) -> dict:
	"""Everything held about an email address or phone number: counts and links (logged)."""
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


def erase_key(key: str, include_open_tickets: bool = False) -> dict:
	"""Anonymise everything held about an email address or phone number (logged)."""
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
			D = frappe.qb.DocType(doctype)
			for column in scrub.OWNED:
				if frappe.db.has_column(doctype, column):  # reference_owner: on some doctypes only
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
