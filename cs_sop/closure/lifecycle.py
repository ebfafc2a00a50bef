"""The closure's HD Ticket handlers: resolution asks the customer to confirm, reopening clears the
confirmation, closing (by any path, also Helpdesk's own inactivity job) stamps `sop_closed_on` and
schedules the survey (`sop_survey_due`) and the anonymisation date (`sop_retention_until`)."""

import frappe
from frappe import _
from frappe.utils import now_datetime

from cs_sop import settings
from cs_sop.closure.confirmation import send_confirmation_request
from cs_sop.closure.gates import check_close, check_complaint_gates, merged_into_other, person_at_work
from cs_sop.closure.survey import send_due
from cs_sop.core import confirmation as rules
from cs_sop.core import gates
from cs_sop.core.status import OPEN_CATEGORIES
from cs_sop.privacy.retention import retention_until
from cs_sop.sla.calendar import cached_calendar
from cs_sop.users import is_agent, is_portal_customer


def before_validate(doc, method=None):
	"""Bookkeeping of resolution, reopening and closing. Runs also when Helpdesk closes a ticket
	itself (its inactivity job saves with ignore_validate, which skips `validate`)."""
	before = doc.get_doc_before_save()
	if doc.is_new() or not before or before.status == doc.status:
		return
	now = now_datetime()
	was_open = before.status_category in OPEN_CATEGORIES
	if doc.status == "Closed":
		_on_close(doc, now)
	elif doc.status_category == "Resolved" and was_open:
		_on_resolve(doc, now)
	elif doc.status_category in OPEN_CATEGORIES and not was_open:
		_on_reopen(doc)


def validate(doc, method=None):
	"""What a ticket needs before a person resolves or closes it: closing needs the customer's
	confirmation or a supervisor's exception; resolving needs the closure form and, for a
	complaint, its classification and (if its category says so) an approved solution sent.

	Helpdesk's own inactivity close saves with `ignore_validate` (Frappe skips `validate`); the
	customer's confirmation and the automatic close write in bulk (`close_resolved`)."""
	before = doc.get_doc_before_save()
	if doc.is_new() or not before:
		return  # Helpdesk opens every new ticket with its default open status
	if before.status == doc.status:
		return  # not a resolution: a re-save (e.g. Helpdesk re-applying SLAs after a holiday change)
	if doc.status == gates.CLOSED:
		if merged_into_other(doc):
			return  # a duplicate: its conversation goes on in the ticket it was merged into
		check_close(doc)
	if doc.status_category != "Resolved" or before.status_category not in OPEN_CATEGORIES:
		return  # Resolved -> Closed: checked when it was resolved
	if not settings.int_value("require_closure_form"):
		return
	if (is_agent() or frappe.session.user == "Administrator") and not is_portal_customer():
		missing = rules.closure_missing(
			doc.get("sop_request_type"), doc.resolution_details, doc.get("sop_root_cause")
		)
		if missing:
			labels = {"resolution_details": _("Resolution Summary"), "sop_root_cause": _("Root Cause")}
			frappe.throw(
				_("Before resolving ticket {0}, fill in: {1}.").format(
					doc.name, ", ".join(labels[m] for m in missing)
				),
				title=_("Closure form incomplete"),
			)
	if person_at_work() and not is_portal_customer():
		check_complaint_gates(doc)


def on_update(doc, method=None):
	if doc.flags.get("sop_confirmation_requested"):
		doc.flags.sop_confirmation_requested = False
		send_confirmation_request(doc.name)
	if doc.flags.get("sop_send_survey_now"):
		doc.flags.sop_send_survey_now = False
		send_due(only=[doc.name])


def _on_resolve(doc, now):
	days = settings.int_value("confirmation_days")
	doc.sop_resolution_confirmed = rules.AWAITING
	doc.sop_confirmation_via = None
	doc.sop_confirmation_requested_on = now
	doc.sop_confirmation_due = _confirmation_due(now, days) if days else None
	doc.flags.sop_confirmation_requested = True


def _confirmation_due(now, days: int):
	return rules.add_working_days(cached_calendar(), now, days)


def _on_reopen(doc):
	if doc.get("sop_resolution_confirmed") == rules.AWAITING:
		doc.sop_resolution_confirmed = None  # the customer wrote back instead of answering
	doc.sop_confirmation_due = None
	doc.sop_survey_due = None
	doc.sop_retention_until = None


def _on_close(doc, now):
	if doc.get("sop_resolution_confirmed") == rules.AWAITING:
		if frappe.session.user not in ("Guest", "Administrator") and not is_agent():
			# the customer pressed Helpdesk's own Close in the portal: that is their Yes
			doc.sop_resolution_confirmed = rules.CONFIRMED
			doc.sop_confirmation_via = rules.VIA_PORTAL
		else:
			# closed by an agent or by Helpdesk while the confirmation was open: nobody answered
			doc.sop_resolution_confirmed = rules.NO_ANSWER
	doc.sop_confirmation_due = None
	doc.sop_closed_on = now
	doc.sop_retention_until = retention_until(doc.ticket_type, now)
	if survey_wanted(doc.name, doc.raised_by):
		delay = settings.int_value("survey_delay_minutes")
		doc.sop_survey_due = rules.survey_due(now, delay)
		doc.flags.sop_send_survey_now = not delay


def survey_wanted(ticket: str, email: str | None) -> bool:
	return bool(
		settings.int_value("survey_enabled")
		and email
		and not frappe.db.exists("SOP Survey", {"ticket": ticket})
	)
