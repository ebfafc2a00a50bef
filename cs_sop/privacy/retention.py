"""Data protection (UU PDP 27/2022): personal data of closed tickets is kept for the retention
period of their category (SOP Settings; default 2 years after closure), then anonymised.

`anonymise_due` (daily_long scheduler) takes the due tickets with one indexed, locking query on
`sop_retention_until` and, per batch (one transaction), with a few set-based statements per table:
- rewrites the customer's emails, names (3+ letters) and every phone form (08…, +62…, 62…, with
  separators) in the ticket's own text, its communications, comments (Helpdesk's and Frappe's),
  versions, activities, escalation summaries and solution texts; rows the customer created are
  handed to the anonymous owner;
- clears the ticket's personal fields, Helpdesk's free-text feedback, the survey's contact, email,
  comment and low-score reason, the WhatsApp log's phone and text;
- deletes the Notification Logs and queued emails about the ticket and its cs_sop documents, and
  the files attached to them (File docs and files on disk);
- removes the contact once no ticket still kept links to it, and the portal user once nothing is
  left of them (disabled and renamed to an anonymous address when Frappe refuses to delete it).
Scores, dates, category, team, agent and SLA figures stay, so the statistics do not change.
A ticket is done once (`sop_anonymised_on` set, `sop_retention_until` cleared), so a second run
finds nothing; a crashed batch rolls back and is found again; a second run started at the same
time waits on the first one's row locks. Each run writes an SOP Anonymisation Log.
`preview` shows what a run would do.
"""

import time

import frappe
from frappe import _
from frappe.query_builder.functions import Coalesce, Count
from frappe.utils import getdate, now_datetime, today

from cs_sop import background
from cs_sop import settings as sop_settings
from cs_sop.core import confirmation as rules
from cs_sop.privacy import people, scrub
from cs_sop.privacy.scrub import ANON_EMAIL, ANON_EMAIL_TEXT, ANON_NAME, ANON_PHONE_TEXT, TICKET  # noqa: F401
from cs_sop.users import ADMIN_ROLES, has_any_role

BATCH = 2000
MAX_PER_RUN = 50000
MANAGER_ROLES = ADMIN_ROLES  # retention and data-subject requests: the SOP admins
# what a run counts (the SOP Anonymisation Log has one field each)
COUNTS = ("tickets", "communications", "surveys", "contacts", "users", "files", "notifications", "emails")


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
	totals = dict.fromkeys(COUNTS, 0)
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
	years = sop_settings.int_value("retention_years")
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


def _ticket_text_columns() -> list[str]:
	"""The ticket's own free text: subject, description, closure notes, cs_sop's fields."""
	skip = {"raised_by", "contact", "customer", "key", "status_category", "content_type", "sop_channel"}
	return [f for f in scrub.text_fields(TICKET) if f not in skip]


def anonymise(names: list[str]) -> dict:
	"""Anonymise these tickets (already chosen and locked by the caller). Set-based: a few
	statements per table for the whole list, whatever its length."""
	counts = dict.fromkeys(COUNTS, 0)
	if not names:
		return counts
	now = now_datetime()
	params = scrub.sql_params(names=tuple(names))
	T = frappe.qb.DocType(TICKET)
	# who the customers are, read before the ticket forgets them
	customers = frappe.qb.from_(T).select(T.raised_by, T.contact, T.owner).where(T.name.isin(names)).run()
	contacts = {c for _, c, _ in customers if c}
	emails = {e for e, _, _ in customers if e and e != ANON_EMAIL}
	if emails:
		Ct = frappe.qb.DocType("Contact")
		E = frappe.qb.DocType("Contact Email")
		contacts.update(
			frappe.qb.from_(Ct).select(Ct.name).where(Ct.email_id.isin(list(emails))).run(pluck=True)
		)
		contacts.update(
			frappe.qb.from_(E)
			.select(E.parent)
			.where(E.parenttype == "Contact")
			.where(E.email_id.isin(list(emails)))
			.run(pluck=True)
		)
	users = set(emails) | {o for _, _, o in customers if o}
	if contacts:
		Ct = frappe.qb.DocType("Contact")
		users.update(
			u
			for u in frappe.qb.from_(Ct).select(Ct.user).where(Ct.name.isin(list(contacts))).run(pluck=True)
			if u
		)
	# the text linked to the tickets, each with its own customer's terms
	changed = scrub.scrub_ticket_texts(names, params)
	counts["communications"] = changed.get("Communication", 0)
	# what was only made to notify or send
	docs = scrub.ticket_documents(names)
	counts["notifications"] = scrub.delete_notifications(docs)
	counts["emails"] = scrub.delete_email_queue(scrub.ticket_email_queue(docs, names))
	files = scrub.ticket_files(docs, names)
	for doctype in ("SOP Escalation", "SOP Solution"):
		if frappe.db.table_exists(doctype):
			D = frappe.qb.DocType(doctype)
			frappe.qb.update(D).set(D.attachment, None).where(D.ticket.isin(names)).run()
	# the tickets themselves: text first (it needs the contact), then the personal fields
	terms = scrub.ticket_terms("x", "ct")
	texts = [*_ticket_text_columns(), "_comments"]
	sets = ", ".join(f"x.`{c}` = {scrub.rewrite(f'x.`{c}`', terms)}" for c in texts)
	frappe.db.sql(
		"UPDATE `tabHD Ticket` x LEFT JOIN `tabContact` ct ON ct.name = x.contact "  # nosemgrep
		f"SET {sets}, x.owner = IF(x.owner = x.raised_by, %(anon_email)s, x.owner), "
		"x.modified_by = IF(x.modified_by = x.raised_by, %(anon_email)s, x.modified_by) "
		"WHERE x.name IN %(names)s",
		params,
	)
	update = (
		frappe.qb.update(T)
		.set(T.raised_by, ANON_EMAIL)
		.set(T.contact, None)
		.set(T.feedback_extra, None)
		.set(T.sop_anonymised_on, now)
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
	counts["surveys"] = frappe.db._cursor.rowcount or 0
	_anonymise_whatsapp(names)
	# the people, once no ticket still being kept needs them
	gone = sorted(contacts - people.contacts_still_needed(sorted(contacts)))
	counts["contacts"] = people.delete_contacts(gone)
	user_counts = people.erase_users(people.portal_users_without_data(sorted(users)))
	counts["users"] = sum(user_counts.values())
	# files last: the disk cannot roll back, a rerun finds the rows of a rolled-back batch again
	counts["files"] = scrub.delete_files(files)
	counts["tickets"] = len(names)
	return counts


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
		.set(W.error, None)
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
	# read fresh: SOP Settings' on_update runs this (in tests inline) before Frappe clears its cache
	settings = frappe.get_single("SOP Settings")
	stored = settings.get("retention_years")
	default = sop_settings.int_value("retention_years") if stored is None else int(stored)
	per_category = retention_years_by_category(settings)
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
		background.after_commit(
			"cs_sop.privacy.retention.recompute_retention",
			queue="long",
			job_id="cs_sop_recompute_retention",
			deduplicate=True,
		)


def check_admin():
	if not has_any_role(MANAGER_ROLES):
		frappe.throw(
			_("Only a System Manager or an SOP Operations Manager can do this."), frappe.PermissionError
		)


def retention_years_by_category(settings=None) -> dict[str, int]:
	"""SOP Settings' retention rules: years per ticket category."""
	rules_ = (settings or sop_settings.get()).get("retention_rules") or []
	return {r.category: int(r.years) for r in rules_ if r.years}


def retention_until(category: str | None, closed_on, per_category: dict | None = None, default=None):
	"""The date a ticket closed on `closed_on` keeps its personal data until: its category's years,
	else SOP Settings' default (`per_category` / `default` given by a caller doing many)."""
	if per_category is None:
		per_category = retention_years_by_category()
	if default is None:
		default = sop_settings.int_value("retention_years")
	return rules.retention_until(closed_on, rules.retention_years(category, per_category, default))
