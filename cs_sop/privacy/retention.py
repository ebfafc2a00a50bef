"""Data protection (UU PDP 27/2022): personal data of closed tickets is kept for the retention
period of their category (SOP Settings; default 2 years after closure), then anonymised.

`anonymise_due` (daily_long scheduler) takes the due tickets with one indexed, locking query on
`sop_retention_until` and, per batch, rewrites with a few set-based UPDATE ... JOIN statements:
- the contact's email, name (3+ letters) and phones inside the ticket's subject and description,
  its communications (sender, recipients, subject, content), its internal comments and its
  version history, replaced by placeholders;
- the ticket's own personal fields (`raised_by`, `contact`, any Email/Phone field) and
  Helpdesk's free-text feedback;
- the survey's contact, email, comment and low-score reason.
Scores, dates, category, team, agent and SLA figures stay, so the statistics do not change.
A ticket is done once (`sop_anonymised_on` set, `sop_retention_until` cleared), so a second run
finds nothing; each run writes an SOP Anonymisation Log. `preview` shows what a run would do.
"""

import time

import frappe
from frappe import _
from frappe.query_builder.functions import Coalesce, Count
from frappe.utils import getdate, now_datetime, today

from cs_sop.core import closure as rules

TICKET = "HD Ticket"
BATCH = 2000
MAX_PER_RUN = 50000
ANON_EMAIL = "anonymised@anonymised.invalid"
ANON_NAME = "[anonymised]"
ANON_EMAIL_TEXT = "[email]"
ANON_PHONE_TEXT = "[phone]"
MANAGER_ROLES = ("System Manager", "SOP Operations Manager")

# (table alias, column) pairs each text rewrite covers; names are code constants, never input
_COMMUNICATION_TEXT = ("subject", "content", "sender", "recipients", "cc", "bcc")


def _due_query(cutoff, limit: int, lock: bool):
	T = frappe.qb.DocType(TICKET)
	q = (
		frappe.qb.from_(T)
		.select(T.name)
		.where(T.sop_retention_until <= cutoff)
		.where(T.status == "Closed")
		.orderby(T.sop_retention_until)
		.limit(limit)
	)
	return q.for_update() if lock else q


def anonymise_due(on=None, max_tickets: int = MAX_PER_RUN, batch: int = BATCH, commit: bool = True) -> dict:
	"""Anonymise the tickets whose retention has ended; log the run. Returns the counts."""
	started = time.monotonic()
	cutoff = getdate(on or today())
	totals = {"tickets": 0, "communications": 0, "surveys": 0}
	more = False
	while totals["tickets"] < max_tickets:
		names = _due_query(cutoff, min(batch, max_tickets - totals["tickets"]), lock=True).run(pluck=True)
		if not names:
			break
		counts = anonymise(names)
		for key in totals:
			totals[key] += counts[key]
		if commit:
			frappe.db.commit()  # a long job: each batch is its own transaction (nosemgrep)
	else:
		more = bool(_due_query(cutoff, 1, lock=False).run())
	years = frappe.db.get_single_value("SOP Settings", "retention_years") or 2
	purge_processed_whatsapp_events(frappe.utils.add_years(cutoff, -int(years)))
	log = frappe.get_doc(
		{
			"doctype": "SOP Anonymisation Log",
			"run_on": now_datetime(),
			"cutoff": cutoff,
			"duration": round(time.monotonic() - started, 3),
			"more_due": int(more),
			**totals,
		}
	).insert(ignore_permissions=True)  # the job's own record, written as the system
	return {**totals, "log": log.name, "more_due": more}


def _personal_ticket_fields() -> list[str]:
	"""HD Ticket fields holding the customer's email or phone (Helpdesk's and other apps')."""
	meta = frappe.get_meta(TICKET)
	return [
		f.fieldname
		for f in meta.fields
		if f.fieldname != "raised_by"
		and (f.fieldtype == "Phone" or (f.fieldtype == "Data" and f.options in ("Email", "Phone")))
	]


def _replace_terms(column: str, ticket: str = "t") -> str:
	"""SQL: the column with the ticket's email, contact name and phones replaced (placeholders).

	`ticket` is the ticket's alias, `ct` its contact. An empty search string leaves the text as it is.
	"""
	expr = column
	terms = (
		(f"IFNULL({ticket}.raised_by, '')", "%(email)s"),
		("IF(CHAR_LENGTH(IFNULL(ct.full_name, '')) >= 3, ct.full_name, '')", "%(name)s"),
		("IFNULL(ct.phone, '')", "%(phone)s"),
		("IFNULL(ct.mobile_no, '')", "%(phone)s"),
	)
	for term, placeholder in terms:
		expr = f"REPLACE({expr}, {term}, {placeholder})"
	return expr


def anonymise(names: list[str]) -> dict:
	"""Anonymise these tickets (already chosen and locked by the caller). Set-based."""
	if not names:
		return {"tickets": 0, "communications": 0, "surveys": 0}
	params = {
		"names": tuple(names),
		"email": ANON_EMAIL_TEXT,
		"name": ANON_NAME,
		"phone": ANON_PHONE_TEXT,
		"anon_email": ANON_EMAIL,
		"now": now_datetime(),
	}
	join = "JOIN `tabHD Ticket` t ON t.name = x.{ref} LEFT JOIN `tabContact` ct ON ct.name = t.contact"
	# communications of the tickets
	sets = ", ".join(f"x.`{c}` = {_replace_terms(f'x.`{c}`')}" for c in _COMMUNICATION_TEXT)
	frappe.db.sql(
		f"UPDATE `tabCommunication` x {join.format(ref='reference_name')} "  # nosemgrep
		f"SET {sets}, x.sender_full_name = NULL, x.phone_no = NULL "
		"WHERE x.reference_doctype = 'HD Ticket' AND x.reference_name IN %(names)s",
		params,
	)
	communications = frappe.db._cursor.rowcount or 0
	# internal comments and the version history of the tickets
	frappe.db.sql(
		f"UPDATE `tabHD Ticket Comment` x {join.format(ref='reference_ticket')} "  # nosemgrep
		f"SET x.content = {_replace_terms('x.content')} WHERE x.reference_ticket IN %(names)s",
		params,
	)
	frappe.db.sql(
		f"UPDATE `tabVersion` x {join.format(ref='docname')} "  # nosemgrep
		f"SET x.data = {_replace_terms('x.data')} "
		"WHERE x.ref_doctype = 'HD Ticket' AND x.docname IN %(names)s",
		params,
	)
	# the tickets themselves: text first (it needs the contact), then the personal fields
	frappe.db.sql(
		"UPDATE `tabHD Ticket` x LEFT JOIN `tabContact` ct ON ct.name = x.contact "  # nosemgrep
		f"SET x.subject = {_replace_terms('x.subject', 'x')}, "
		f"x.description = {_replace_terms('x.description', 'x')} "
		"WHERE x.name IN %(names)s",
		params,
	)
	T = frappe.qb.DocType(TICKET)
	update = (
		frappe.qb.update(T)
		.set(T.raised_by, ANON_EMAIL)
		.set(T.contact, None)
		.set(T.feedback_extra, None)
		.set(T.sop_anonymised_on, params["now"])
		.set(T.sop_retention_until, None)
		.where(T.name.isin(names))
	)
	for field in _personal_ticket_fields():
		update = update.set(T[field], None)
	update.run()
	# the surveys: who answered and what they wrote; the scores stay
	S = frappe.qb.DocType("SOP Survey")
	(
		frappe.qb.update(S)
		.set(S.contact, None)
		.set(S.customer_email, None)
		.set(S.comment, None)
		.set(S.low_score_reason, None)
		.where(S.ticket.isin(names))
		.run()
	)
	surveys = frappe.db._cursor.rowcount or 0
	_anonymise_whatsapp(names)
	return {"tickets": len(names), "communications": communications, "surveys": surveys}


def _anonymise_whatsapp(names: list[str]) -> None:
	"""The WhatsApp message log of these tickets: phone, text and raw event go; states stay."""
	if not frappe.db.table_exists("SOP WhatsApp Message"):
		return
	W = frappe.qb.DocType("SOP WhatsApp Message")
	(
		frappe.qb.update(W)
		.set(W.phone, None)
		.set(W.subject, None)
		.set(W.body, None)
		.set(W.raw_event, None)
		.where(W.ticket.isin(names))
		.run()
	)


def purge_processed_whatsapp_events(cutoff) -> int:
	"""Raw webhook events (phone numbers, message text) are kept only until processed and the
	retention cutoff has passed; the messages live on in the tickets' Communications."""
	if not frappe.db.table_exists("SOP WhatsApp Event"):
		return 0
	E = frappe.qb.DocType("SOP WhatsApp Event")
	frappe.qb.from_(E).delete().where(E.status == "Processed").where(E.received_at < cutoff).run()
	return frappe.db._cursor.rowcount or 0


def preview(on=None, sample: int = 20) -> dict:
	"""What a run on `on` (default today) would anonymise: counts and a sample of tickets."""
	cutoff = getdate(on or today())
	T = frappe.qb.DocType(TICKET)
	C = frappe.qb.DocType("Communication")
	S = frappe.qb.DocType("SOP Survey")
	due = (T.sop_retention_until <= cutoff) & (T.status == "Closed")
	tickets = frappe.qb.from_(T).select(Count("*")).where(due).run()[0][0]
	communications = (
		frappe.qb.from_(C)
		.join(T)
		.on((C.reference_doctype == TICKET) & (C.reference_name == T.name))
		.select(Count("*"))
		.where(due)
		.run()[0][0]
	)
	surveys = frappe.qb.from_(S).join(T).on(S.ticket == T.name).select(Count("*")).where(due).run()[0][0]
	rows = (
		frappe.qb.from_(T)
		.select(T.name, T.subject, T.ticket_type, T.sop_closed_on, T.sop_retention_until)
		.where(due)
		.orderby(T.sop_retention_until)
		.limit(sample)
		.run(as_dict=True)
	)
	return {
		"cutoff": str(cutoff),
		"tickets": tickets,
		"communications": communications,
		"surveys": surveys,
		"sample": rows,
		"batch_limit": MAX_PER_RUN,
	}


def recompute_retention(backfill: bool = False) -> int:
	"""Set `sop_retention_until` of closed, not yet anonymised tickets from the current settings:
	one UPDATE per category rule and one for the rest. With `backfill`, tickets closed before cs_sop
	knew about closure get `sop_closed_on` (their resolution date, else their last change) first."""
	T = frappe.qb.DocType(TICKET)
	if backfill:
		(
			frappe.qb.update(T)
			.set(T.sop_closed_on, Coalesce(T.resolution_date, T.modified))
			.where(T.status == "Closed")
			.where(T.sop_closed_on.isnull())
			.run()
		)
	settings = frappe.get_single("SOP Settings")
	default = settings.get("retention_years")
	default = 2 if default is None else int(default)
	per_category = {r.category: int(r.years) for r in settings.get("retention_rules") or [] if r.years}
	changed = 0
	groups = [(years, [cat]) for cat, years in per_category.items()]
	groups.append((default, None))
	for years, categories in groups:
		cond = (
			"x.ticket_type IN %(cats)s"
			if categories
			else "(x.ticket_type IS NULL OR x.ticket_type NOT IN %(cats)s)"
		)
		frappe.db.sql(
			"UPDATE `tabHD Ticket` x "  # nosemgrep
			"SET x.sop_retention_until = DATE_ADD(DATE_ADD(DATE(x.sop_closed_on), INTERVAL %(years)s YEAR), INTERVAL 1 DAY) "
			f"WHERE x.status = 'Closed' AND x.sop_closed_on IS NOT NULL AND x.sop_anonymised_on IS NULL AND {cond}",
			{"years": years, "cats": tuple(categories or per_category or [""])},
		)
		changed += frappe.db._cursor.rowcount or 0
	return changed


def on_settings_update(doc, method=None):
	"""Retention changed in SOP Settings: recompute the dates of the closed tickets (one job)."""
	before = doc.get_doc_before_save()
	if not before:
		return

	def key(d):
		return (
			d.get("retention_years"),
			sorted((r.category, r.years) for r in d.get("retention_rules") or []),
		)

	if key(before) != key(doc):
		frappe.enqueue(
			"cs_sop.privacy.recompute_retention",
			queue="long",
			job_id="cs_sop_recompute_retention",
			deduplicate=True,
			enqueue_after_commit=True,
			now=frappe.flags.in_test,
		)


def _check_manager():
	if not set(frappe.get_roles()) & set(MANAGER_ROLES):
		frappe.throw(
			_("Only a System Manager or an SOP Operations Manager can do this."), frappe.PermissionError
		)


@frappe.whitelist(methods=["GET"])
def preview_anonymisation(on: str | None = None) -> dict:
	"""What the next anonymisation run would change (nothing is written)."""
	_check_manager()
	return preview(on)


# the pure rule is used by cs_sop.closure when a ticket closes; re-exported for the reports
retention_until = rules.retention_until
