"""HD Ticket steps: channel default, priority matrix, category routing, SOP stage, ladder restart.

Thin: the rules live in `cs_sop.core`; this module reads the ticket, calls them and writes the
result. The ticket's lifecycle (which step runs when, in which order) is the class
`cs_sop.overrides.hd_ticket.CSSOPHDTicket`: the functions here are its steps; the guard of the
`sop_*` fields is `cs_sop.field_guard`. The channel, the matrix priority and the routing run
before Helpdesk's HDTicket.before_validate, whose `set_sla` then chooses the SLA once with the
final values; Helpdesk's before_save applies it.
"""

import frappe
from frappe import _

from cs_sop import activity, settings
from cs_sop.core import stage as stage_rules
from cs_sop.core.matrix import lookup
from cs_sop.core.status import CLOSED_CATEGORIES
from cs_sop.cs_sop.doctype.sop_priority_rule.sop_priority_rule import get_matrix
from cs_sop.escalation import close_escalations, next_check_for
from cs_sop.intake.channel_owner import owner_team
from cs_sop.intake.channel_owner import route_by_channel as route
from cs_sop.messaging import site_language
from cs_sop.sla.calendar import cached_calendar


def _reasons() -> dict[str, str]:
	return {
		"escalation": _("an escalation (use the Escalate action)"),
		"status_resolved": _("a status in the Resolved category"),
		"status_closed": _("the status Closed"),
		"status_open": _("an open status"),
	}


def restart_ladder_on_reopen(doc):
	"""A resolved or closed ticket that opens again starts a new round of the escalation ladder:
	level 0, from now, against a fresh resolution target (the priority's resolution time in
	operating time), so an old breach does not re-escalate it at once."""
	before = doc.get_doc_before_save()
	if not before or before.status_category not in CLOSED_CATEGORIES:
		return
	if doc.status_category in CLOSED_CATEGORIES or not doc.status_category:
		return
	from frappe.utils import add_to_date, now_datetime

	now = now_datetime()
	seconds = 0
	if doc.sla and doc.priority:
		seconds = (
			frappe.db.get_value(
				"HD Service Level Priority",
				{"parent": doc.sla, "priority": doc.priority},
				"resolution_time",
			)
			or 0
		)
	calendar = cached_calendar()
	target = None
	if seconds:
		target = calendar.add(now, seconds) if calendar.hours else add_to_date(now, seconds=seconds)
	doc.sop_escalation_round = (before.get("sop_escalation_round") or 1) + 1
	doc.sop_ladder_start = now
	doc.sop_ladder_resolution_by = target
	for field in (
		"sop_escalation_level",
		"sop_response_warned",
		"sop_resolution_warned",
		"sop_update_misses",
	):
		doc.set(field, 0)


def before_save(doc, method=None):
	"""After Helpdesk applied the SLA (its before_save): when must the sweep look again; a moved
	target may be warned about again."""
	before = doc.get_doc_before_save()
	if before:
		if str(before.response_by or "") != str(doc.response_by or ""):
			doc.sop_response_warned = 0
		if str(before.resolution_by or "") != str(doc.resolution_by or ""):
			doc.sop_resolution_warned = 0
	doc.sop_next_check = next_check_for(doc)


def derive_complaint_type(doc):
	"""The category's complaint type (a system-owned copy for the complaint register's filters)."""
	if not doc.meta.has_field("sop_complaint_type"):
		return
	doc.sop_complaint_type = (
		frappe.get_cached_value("HD Ticket Type", doc.ticket_type, "sop_complaint_type")
		if doc.ticket_type
		else None
	)


def close_escalations_on_close(doc):
	"""Resolved or closed (a change of category): the ticket's open escalations are closed."""
	if doc.status_category not in CLOSED_CATEGORIES or not doc.sop_escalation_level:
		return
	before = doc.get_doc_before_save()
	if not before or before.status_category != doc.status_category:
		close_escalations(doc.name)


def log_stage_change(doc):
	"""A new SOP stage in the ticket's activity log (in the site's language)."""
	before = doc.get_doc_before_save()
	if before and before.get("sop_stage") != doc.sop_stage:
		lang = site_language()
		activity.log(doc.name, _("set SOP stage to {0}", lang=lang).format(_(doc.sop_stage, lang=lang)))


def set_default_channel(doc) -> bool:
	if doc.sop_channel or not doc.is_new():
		return False
	if doc.via_customer_portal:
		doc.sop_channel = "Web Portal"
	elif doc.email_account:
		doc.sop_channel = "Email"
	return bool(doc.sop_channel)


def apply_priority_matrix(doc) -> bool:
	"""Set the priority from the SOP Priority Rule of (impact, urgency). True if it changed."""
	if not settings.get().enforce_priority_matrix or not (doc.sop_impact and doc.sop_urgency):
		return False
	before = doc.get_doc_before_save()
	if (
		before
		and not _priority_set_by_hand(doc)
		and (before.get("sop_impact") == doc.sop_impact and before.get("sop_urgency") == doc.sop_urgency)
	):
		# impact and urgency as they were: a customer's email or any other save of the ticket is
		# never blocked by the matrix (a rule missing now blocks only the save that changes them)
		return False
	_validate_level_options(doc)
	try:
		priority = lookup(get_matrix(), doc.sop_impact, doc.sop_urgency)
	except KeyError:
		frappe.throw(
			_(
				"No SOP Priority Rule for impact {0} and urgency {1}. Ask an administrator to add it "
				"under SOP Priority Rule."
			).format(_(doc.sop_impact), _(doc.sop_urgency)),
			title=_("Priority matrix incomplete"),
		)
	if priority == doc.priority:
		return False
	if _priority_set_by_hand(doc):
		frappe.throw(
			_(
				"Priority follows the impact × urgency matrix: impact {0} and urgency {1} give {2}. "
				"Change Impact or Urgency instead."
			).format(_(doc.sop_impact), _(doc.sop_urgency), _(priority)),
			title=_("Priority is set by the SOP"),
		)
	doc.priority = priority
	return True


def _validate_level_options(doc):
	"""Frappe's own "not a valid option" check, before the matrix lookup."""
	for fieldname in ("sop_impact", "sop_urgency"):
		df = doc.meta.get_field(fieldname)
		options = [o for o in (df.options or "").split("\n") if o]
		value = doc.get(fieldname)
		if value and value not in options:
			frappe.throw(
				_("{0} cannot be {1}. It should be one of {2}").format(
					frappe.bold(_(df.label)),
					frappe.bold(value),
					", ".join(frappe.bold(_(o)) for o in options),
				),
				title=_("Invalid value"),
			)


def _priority_set_by_hand(doc) -> bool:
	"""The user changed the priority in this save and left impact and urgency as they were."""
	before = doc.get_doc_before_save()
	if not before:
		return False
	return (
		before.priority != doc.priority
		and before.get("sop_impact") == doc.sop_impact
		and before.get("sop_urgency") == doc.sop_urgency
	)


def route_by_category(doc):
	"""A category's default team takes the ticket when no team is set, or when the ticket still
	has the team its channel's owner gave it on arrival (the classification wins)."""
	if not doc.ticket_type:
		return
	if not (doc.is_new() or doc.has_value_changed("ticket_type")):
		return
	if doc.agent_group and not _team_from_channel(doc):
		return
	team = frappe.get_cached_value("HD Ticket Type", doc.ticket_type, "sop_default_team")
	if team:
		doc.agent_group = team


def _team_from_channel(doc) -> bool:
	"""The ticket's team is its channel owner's, and this save did not choose it."""
	if doc.is_new() or doc.has_value_changed("agent_group"):
		return False
	return doc.agent_group == owner_team(doc.get("sop_channel"))


def route_by_channel(doc):
	"""A new ticket still without a team goes to its channel's owner team (cs_sop.intake.channel_owner)."""
	route(doc)


def facts_of(doc) -> stage_rules.Facts:
	return stage_rules.Facts(
		impact=doc.sop_impact,
		urgency=doc.sop_urgency,
		request_type=doc.sop_request_type,
		category=doc.ticket_type,
		first_responded=bool(doc.first_responded_on),
		escalation_level=doc.sop_escalation_level or 0,
		status_category=doc.status_category,
		status=doc.status,
	)


def update_stage(doc):
	facts = facts_of(doc)
	before = doc.get_doc_before_save()
	previous = before.get("sop_stage") if before else None
	requested = doc.sop_stage
	set_by_hand = requested and requested != (previous or stage_rules.RECEIVED)
	if set_by_hand:
		_check_requested_stage(doc, requested, facts)
		previous = requested
	# a stage behind what the facts give (a move back, or an older copy of the ticket saved
	# after the sweep escalated it) is corrected to the facts' stage, never lost
	doc.sop_stage = stage_rules.derive(previous, facts)


def _check_requested_stage(doc, requested: str, facts: stage_rules.Facts):
	if requested not in stage_rules.STAGES:
		frappe.throw(_("{0} is not an SOP stage.").format(requested))
	missing = stage_rules.requirements_missing(requested, facts)
	if missing:
		reasons = _reasons()
		needs = ", ".join(reasons.get(m) or _(doc.meta.get_label(m)) for m in missing)
		frappe.throw(
			_("The ticket cannot move to stage {0} yet. It needs: {1}.").format(_(requested), needs),
			title=_("SOP stage"),
		)
