"""HD Ticket steps: channel default, priority matrix, category routing, SOP stage, trust guard.

Thin: the rules live in `cs_sop.core`; this module reads the ticket, calls them and writes the
result. The ticket's lifecycle (which step runs when, in which order) is the class
`cs_sop.overrides.hd_ticket.CSSOPHDTicket`: the functions here are its steps.

Trust boundary (`guard_sop_fields`): only SOP staff (`cs_sop.permissions.is_sop_staff`) set or
change `sop_*` fields. A ticket created by anyone else (a portal customer, a guest web request)
starts with channel Web Portal, level 0, stage Received and no classification; a change of a
`sop_*` field by anyone else is refused with a translated message and nothing is written. Server
code that must set `sop_*` fields on a customer's behalf (after its own permission check) sets
`doc.flags.cs_sop_trusted = True`. System-owned fields (`cs_sop.core.gates.SYSTEM_FIELDS`: what
happened — the sweep's counters, the confirmation, closing, notices, report facts) cannot be set by
anyone on insert or save: they start empty and a save keeps the stored values, unless cs_sop's own
code set them (`set_system_fields`, or its steps later in the same save). The channel, the matrix
priority and the routing run before Helpdesk's HDTicket.before_validate, whose `set_sla` then
chooses the SLA once with the final values; Helpdesk's before_save applies it.
"""

import frappe
from frappe import _

from cs_sop.core import gates
from cs_sop.core import stage as stage_rules
from cs_sop.core.matrix import lookup


def _reasons() -> dict[str, str]:
	return {
		"escalation": _("an escalation (use the Escalate action)"),
		"status_resolved": _("a status in the Resolved category"),
		"status_closed": _("the status Closed"),
		"status_open": _("an open status"),
	}


def _trusted(doc) -> bool:
	from cs_sop.permissions import is_sop_staff

	if doc.flags.cs_sop_trusted or frappe.flags.in_install or frappe.flags.in_migrate:
		return True
	if frappe.session.user == "Guest" and not getattr(frappe.local, "request", None):
		return True  # a background job or an email pull, not a person's request
	return is_sop_staff()


def _sop_fields(doc) -> list:
	return [f for f in doc.meta.fields if f.fieldname.startswith("sop_") and f.fieldtype not in NO_VALUE]


NO_VALUE = ("Section Break", "Column Break", "Tab Break", "HTML", "Button", "Heading")


def _same(fieldtype: str, a, b) -> bool:
	if not a and not b:
		return True
	if fieldtype in ("Datetime", "Date") and a and b:
		return frappe.utils.get_datetime(a) == frappe.utils.get_datetime(b)
	if fieldtype in ("Int", "Check", "Float", "Percent", "Currency"):
		return frappe.utils.flt(a) == frappe.utils.flt(b)
	return str(a or "").strip() == str(b or "").strip()


def guard_sop_fields(doc):
	"""Only SOP staff set or change `sop_*` fields (see the module docstring)."""
	if doc.is_new():
		if doc.flags.cs_sop_guarded:
			return
		doc.flags.cs_sop_guarded = True
		set_by_code = doc.flags.cs_sop_system_set or ()
		for f in _sop_fields(doc):
			if f.fieldname in gates.SYSTEM_FIELDS and f.fieldname not in set_by_code:
				doc.set(f.fieldname, _empty(f.fieldtype))
		if _trusted(doc):
			return
		for f in _sop_fields(doc):
			if f.fieldname not in gates.SYSTEM_FIELDS:
				doc.set(f.fieldname, f.default if f.fieldname == "sop_stage" else None)
		doc.sop_channel = "Web Portal"
		return
	if _trusted(doc):
		return
	before = doc.get_doc_before_save()
	if not before:
		return
	# kept (below) or recomputed on every save: a stale copy of them is no change of the caller's
	owned = (
		*gates.SWEEP_FIELDS,
		*gates.LADDER_FIELDS,
		*gates.MESSAGE_CLOCK_FIELDS,
		*gates.DERIVED_FIELDS,
	)
	changed = [
		f
		for f in _sop_fields(doc)
		if f.fieldname not in owned and not _same(f.fieldtype, before.get(f.fieldname), doc.get(f.fieldname))
	]
	if changed:
		frappe.throw(
			_("Only agents can change these fields of a ticket: {0}.").format(
				", ".join(_(f.label or f.fieldname) for f in changed)
			),
			frappe.PermissionError,
			title=_("Not permitted"),
		)


def restart_ladder_on_reopen(doc):
	"""A resolved or closed ticket that opens again starts a new round of the escalation ladder:
	level 0, from now, against a fresh resolution target (the priority's resolution time in
	operating time), so an old breach does not re-escalate it at once."""
	before = doc.get_doc_before_save()
	if not before or before.status_category not in ("Resolved", "Closed"):
		return
	if doc.status_category in ("Resolved", "Closed") or not doc.status_category:
		return
	from frappe.utils import add_to_date, now_datetime

	from cs_sop.sla.calendar import cached_calendar

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
	from cs_sop.escalation import next_check_for

	before = doc.get_doc_before_save()
	if before:
		if str(before.response_by or "") != str(doc.response_by or ""):
			doc.sop_response_warned = 0
		if str(before.resolution_by or "") != str(doc.resolution_by or ""):
			doc.sop_resolution_warned = 0
	doc.sop_next_check = next_check_for(doc)


def _empty(fieldtype: str):
	return 0 if fieldtype in ("Int", "Check", "Float", "Percent", "Currency") else None


def set_system_fields(doc, values: dict) -> None:
	"""cs_sop's own code writes system-owned fields of a ticket it is about to save (after its own
	permission check): only these pass `keep_system_fields`."""
	doc.update(values)
	doc.flags.cs_sop_system_set = {*(doc.flags.cs_sop_system_set or ()), *values}


def keep_system_fields(doc):
	"""System-owned fields record what happened (the sweep's counters, the confirmation, closing,
	notices, report facts): whatever a save sends for them — a user's value over REST or the desk,
	or an older copy saved after a job wrote them without touching `modified` — the stored values
	stay. cs_sop's own code sets them after this (its hooks) or through `set_system_fields`. A new
	agent reply starts the update cadence again."""
	before = doc.get_doc_before_save()
	if not before:
		return
	set_by_code = doc.flags.cs_sop_system_set or ()
	for field in gates.SYSTEM_FIELDS:
		if field not in set_by_code and doc.meta.has_field(field):
			doc.set(field, before.get(field))
	if str(before.last_agent_response or "") != str(doc.last_agent_response or ""):
		doc.sop_update_misses = 0


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
	if doc.status_category not in ("Resolved", "Closed") or not doc.sop_escalation_level:
		return
	before = doc.get_doc_before_save()
	if not before or before.status_category != doc.status_category:
		from cs_sop.escalation import close_escalations

		close_escalations(doc.name)


def log_stage_change(doc):
	"""A new SOP stage in the ticket's activity log (in the site's language)."""
	before = doc.get_doc_before_save()
	if before and before.get("sop_stage") != doc.sop_stage:
		from helpdesk.helpdesk.doctype.hd_ticket_activity.hd_ticket_activity import log_ticket_activity

		from cs_sop.messaging import site_language

		lang = site_language()
		log_ticket_activity(
			doc.name, _("set SOP stage to {0}", lang=lang).format(_(doc.sop_stage, lang=lang))
		)


def set_default_channel(doc) -> bool:
	if doc.sop_channel or not doc.is_new():
		return False
	if doc.via_customer_portal:
		doc.sop_channel = "Web Portal"
	elif doc.email_account:
		doc.sop_channel = "Email"
	return bool(doc.sop_channel)


def _settings():
	return frappe.get_cached_doc("SOP Settings")


def apply_priority_matrix(doc) -> bool:
	"""Set the priority from the SOP Priority Rule of (impact, urgency). True if it changed."""
	if not _settings().enforce_priority_matrix or not (doc.sop_impact and doc.sop_urgency):
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
	from cs_sop.cs_sop.doctype.sop_priority_rule.sop_priority_rule import get_matrix

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
	from cs_sop.intake.channel_owner import owner_team

	return doc.agent_group == owner_team(doc.get("sop_channel"))


def route_by_channel(doc):
	"""A new ticket still without a team goes to its channel's owner team (cs_sop.intake.channel_owner)."""
	from cs_sop.intake.channel_owner import route_by_channel as route

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
