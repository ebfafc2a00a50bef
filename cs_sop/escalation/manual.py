"""Manual escalation and acknowledgement (the agent UI's Escalate action, `cs_sop.api.escalation`).

Both lock the ticket row first, then the escalation row: the sweep's lock order.
"""

from datetime import datetime

import frappe
from frappe import _
from frappe.utils import now_datetime

from cs_sop import activity, messaging
from cs_sop.core.escalation import next_level
from cs_sop.core.stage import ESCALATED
from cs_sop.core.status import CLOSED_CATEGORIES
from cs_sop.escalation.context import TICKET_COLUMNS, Context, escalation_name, parse
from cs_sop.escalation.notify import Notifications
from cs_sop.escalation.sweep import routing

TICKET = "HD Ticket"
MAX_SUMMARY = 2000


def never():
	"""A `now` before every moment: the ladder plans the next check and decides nothing."""
	return datetime.min


def lock_ticket(ticket: str) -> dict:
	"""Lock the ticket row (SELECT ... FOR UPDATE) before any escalation row: the sweep's order."""
	row = frappe.db.get_value(
		TICKET,
		ticket,
		["name", "status_category", "sop_escalation_level", "sop_escalation_round"],
		as_dict=True,
		for_update=True,
	)
	if not row:
		frappe.throw(_("Ticket {0} does not exist.").format(ticket), frappe.DoesNotExistError)
	return row


def escalate(ticket: str, reason: str, summary: str, attachment: str | None = None) -> str:
	"""Escalate a ticket one level up by hand (to the next enabled level). Returns the name."""
	locked = lock_ticket(ticket)
	if locked.status_category in CLOSED_CATEGORIES:
		frappe.throw(_("Ticket {0} is resolved or closed and cannot be escalated.").format(ticket))
	ctx = Context()
	current = locked.sop_escalation_level or 0
	level = next_level(ctx.config.levels, current)
	if not level:
		frappe.throw(_("Ticket {0} is already at the highest escalation level.").format(ticket))
	round_ = locked.sop_escalation_round or 1
	if frappe.db.exists("SOP Escalation", escalation_name(ticket, level, round_)):
		frappe.throw(_("Ticket {0} was already escalated to level {1}.").format(ticket, level))
	row = parse(frappe.db.get_value(TICKET, ticket, list(TICKET_COLUMNS), as_dict=True))
	lv = ctx.by_level[level]
	now = now_datetime()
	esc = frappe.get_doc(
		{
			"doctype": "SOP Escalation",
			"ticket": ticket,
			"subject": (row.subject or "")[:140],
			"level": level,
			"escalation_round": round_,
			"level_name": lv["level_name"],
			"reason": reason,
			"case_summary": summary,
			"attachment": attachment,
			"escalated_by": frappe.session.user,
			"target_resolution": row.resolution_by,
			**routing(ctx, level, row.ticket_type, now),
		}
	)
	esc.flags.via_cs_sop = True
	try:
		# the caller's rights were checked by cs_sop.api.escalation.escalate; agents have no create right on
		# SOP Escalation so that they cannot write one outside this path
		esc.insert(ignore_permissions=True)
	except frappe.DuplicateEntryError:
		frappe.throw(_("Ticket {0} was already escalated to level {1}.").format(ticket, level))
	row["sop_escalation_level"] = level
	p = ctx.plan(row, {"creation": now, "status": "Open"}, never())
	frappe.db.set_value(
		TICKET,
		ticket,
		{
			"sop_escalation_level": level,
			"sop_stage": ESCALATED,
			"sop_next_check": p.updates["sop_next_check"],
		},
		update_modified=False,
	)
	lang = messaging.site_language()
	activity.log_lines(
		[
			(
				ticket,
				_("escalated to level {0} ({1}): {2}", lang=lang).format(
					level, lv["level_name"], _(reason, lang=lang)
				),
			)
		]
	)
	notes = Notifications(ctx)
	notes.escalation(row, lv, esc.escalated_to_team)
	notes.send()
	return esc.name


def acknowledge(name: str) -> None:
	"""Lock the ticket, then the escalation, then acknowledge (the sweep's lock order)."""
	ticket = frappe.db.get_value("SOP Escalation", name, "ticket")
	if not ticket:
		frappe.throw(_("Escalation {0} does not exist.").format(name), frappe.DoesNotExistError)
	lock_ticket(ticket)
	frappe.get_doc("SOP Escalation", name, for_update=True).acknowledge()
