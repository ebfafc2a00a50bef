"""HD Ticket hooks: channel default, priority matrix, category routing, SOP stage.

Thin: the rules live in `cs_sop.core`; this module reads the ticket, calls them and writes the
result. Helpdesk's HDTicket.before_validate (priority from type, SLA choice) has run before
`before_validate` here, so when this changes the channel or the priority it re-selects the SLA;
Helpdesk's before_save then applies that SLA with the final priority.
"""

import frappe
from frappe import _

from cs_sop.core import stage as stage_rules
from cs_sop.core.matrix import lookup


def _reasons() -> dict[str, str]:
	return {
		"escalation": _("an escalation (use the Escalate action)"),
		"status_resolved": _("a status in the Resolved category"),
		"status_closed": _("the status Closed"),
		"status_open": _("an open status"),
	}


def before_insert(doc, method=None):
	"""A new ticket: channel and matrix priority before Helpdesk's before_validate chooses the
	SLA, so it chooses once, with the final values."""
	set_default_channel(doc)
	apply_priority_matrix(doc)


def before_validate(doc, method=None):
	keep_sweep_fields(doc)
	channel_changed = set_default_channel(doc)
	priority_changed = apply_priority_matrix(doc)
	route_by_category(doc)
	update_stage(doc)
	if channel_changed or priority_changed:
		# Helpdesk's SLA conditions may depend on either: choose again, as Helpdesk would
		doc.set_sla()


def before_save(doc, method=None):
	"""After Helpdesk applied the SLA (its before_save): when must the sweep look again."""
	from cs_sop.escalation import next_check_for

	before = doc.get_doc_before_save()
	if before:
		if str(before.response_by or "") != str(doc.response_by or ""):
			doc.sop_response_warned = 0
		if str(before.resolution_by or "") != str(doc.resolution_by or ""):
			doc.sop_resolution_warned = 0
	doc.sop_next_check = next_check_for(doc)


def keep_sweep_fields(doc):
	"""The escalation sweep writes these columns without touching `modified`; an agent's save of
	an older copy must not undo them. A new agent reply starts the update cadence again."""
	from cs_sop.escalation import SWEEP_FIELDS

	before = doc.get_doc_before_save()
	if not before:
		return
	for field in SWEEP_FIELDS:
		doc.set(field, before.get(field))
	if str(before.last_agent_response or "") != str(doc.last_agent_response or ""):
		doc.sop_update_misses = 0


def on_update(doc, method=None):
	before = doc.get_doc_before_save()
	if doc.status_category in ("Resolved", "Closed") and doc.sop_escalation_level:
		if not before or before.status_category != doc.status_category:
			from cs_sop.escalation import close_escalations

			close_escalations(doc.name)
	if before and before.get("sop_stage") != doc.sop_stage:
		from helpdesk.helpdesk.doctype.hd_ticket_activity.hd_ticket_activity import log_ticket_activity

		log_ticket_activity(doc.name, _("set SOP stage to {0}").format(_(doc.sop_stage)))


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
	"""A category's default team takes the ticket when no team is set."""
	if doc.agent_group or not doc.ticket_type:
		return
	if not (doc.is_new() or doc.has_value_changed("ticket_type")):
		return
	team = frappe.get_cached_value("HD Ticket Type", doc.ticket_type, "sop_default_team")
	if team:
		doc.agent_group = team


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
