"""Resolved -> Closed without a person's save: the customer's Yes, and the automatic close of
resolutions nobody answered within the confirmation window (set-based, every 5 minutes)."""

import frappe
from frappe import _
from frappe.utils import now_datetime

from cs_sop import activity, bulk, settings
from cs_sop.core import confirmation as rules
from cs_sop.privacy.retention import retention_until, retention_years_by_category

TICKET = "HD Ticket"
BATCH = 10000


def auto_close_unconfirmed(now=None, limit: int = BATCH, only: list[str] | None = None) -> int:
	"""Close resolved tickets whose customer did not answer within the confirmation window.

	One indexed, locking query on `sop_confirmation_due` takes the due tickets; the close is one
	UPDATE per group of equal values guarded by `sop_resolution_confirmed = 'Awaiting'` (a second
	run at the same time waits for the lock, then finds nothing due); activity lines are one insert.
	Helpdesk does nothing more on Resolved -> Closed (its SLA ignores that move).
	"""
	now = now or now_datetime()
	T = frappe.qb.DocType(TICKET)
	query = (
		frappe.qb.from_(T)
		.select(T.name, T.ticket_type, T.raised_by)
		.where(T.sop_confirmation_due <= now)
		.where(T.sop_resolution_confirmed == rules.AWAITING)
		.where(T.status_category == "Resolved")
		.where(T.status != "Closed")
	)
	rows = bulk.locked_due(query, T.sop_confirmation_due, T.name, limit, only)
	if not rows:
		return 0
	days = settings.int_value("confirmation_days")
	note = _("closed automatically: the customer did not answer the confirmation within {0} working days")
	close_resolved(rows, now, rules.NO_ANSWER, rules.VIA_AUTO, note.format(days))
	return len(rows)


def close_resolved(rows: list, now, state: str, via: str, note: str) -> list[str]:
	"""Resolved -> Closed for these tickets (dicts with name, ticket_type, raised_by), set-based.

	Helpdesk does nothing on this move (its SLA ignores Resolved -> Closed, the resolution was
	recorded on Resolved), so a direct update is what a save would store, without Helpdesk's
	"feedback is mandatory" check that would refuse the customer's own confirmation: the survey
	brings the feedback. Returns the tickets whose survey is due at once.
	"""
	per_category = retention_years_by_category()
	default_years = settings.int_value("retention_years")
	delay = settings.int_value("survey_delay_minutes")
	survey_due = rules.survey_due(now, delay) if settings.int_value("survey_enabled") else None
	has_survey = _tickets_with_survey([r.name for r in rows])
	updates = {}
	due_now = []
	for r in rows:
		wants_survey = bool(survey_due and r.raised_by and r.name not in has_survey)
		updates[r.name] = {
			"status": "Closed",
			"sop_stage": "Closed",
			"sop_resolution_confirmed": state,
			"sop_confirmation_via": via,
			"sop_confirmation_due": None,
			"sop_closed_on": now,
			"sop_retention_until": retention_until(r.ticket_type, now, per_category, default_years),
			"sop_survey_due": survey_due if wants_survey else None,
			"modified": now,
			"modified_by": frappe.session.user,
		}
		if wants_survey and not delay:
			due_now.append(r.name)
	bulk.update(TICKET, updates)
	activity.log_lines([(r.name, note) for r in rows], now)
	return due_now


def _tickets_with_survey(tickets: list[str]) -> set[str]:
	if not tickets:
		return set()
	S = frappe.qb.DocType("SOP Survey")
	found = set()
	for chunk in bulk.chunks(tickets):
		found |= set(frappe.qb.from_(S).select(S.ticket).where(S.ticket.isin(chunk)).run(pluck=True))
	return found
