# Copyright (c) 2026, cs_sop developers
# For license information, please see license.txt

"""The SOP escalation form (SOP stage 4).

Escalations change only through `escalate` (the Escalate action, `cs_sop.api.escalate`),
`SOPEscalation.acknowledge` (`cs_sop.api.acknowledge`) and the SLA sweep; a System Manager may
correct one by hand. Both functions lock the ticket row first, in the sweep's lock order.
"""

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import now_datetime

from cs_sop import messaging
from cs_sop.core.stage import ESCALATED, MONITORING

TICKET = "HD Ticket"
TRANSITIONS = {
	"Open": {"Open", "Acknowledged", "Resolved", "Cancelled"},
	"Acknowledged": {"Acknowledged", "Resolved", "Cancelled"},
	"Resolved": {"Resolved"},
	"Cancelled": {"Cancelled"},
}
MANAGER_ROLES = ("System Manager", "Agent Manager", "SOP Operations Manager")
CORRECTOR_ROLE = "System Manager"
MAX_SUMMARY = 2000
CLOSED_CATEGORIES = ("Resolved", "Closed")


class SOPEscalation(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		ack_due: DF.Datetime | None
		acknowledged_by: DF.Link | None
		acknowledged_on: DF.Datetime | None
		attachment: DF.Attach | None
		case_summary: DF.SmallText
		escalated_by: DF.Link | None
		escalated_to_role: DF.Link | None
		escalated_to_team: DF.Link | None
		escalated_to_user: DF.Link | None
		escalation_round: DF.Int
		is_automatic: DF.Check
		level: DF.Int
		level_name: DF.Data | None
		reason: DF.Literal[
			"SLA Breach", "Chat Response Breach", "Complexity", "Customer Request", "Recurring Complaint"
		]
		status: DF.Literal["Open", "Acknowledged", "Resolved", "Cancelled"]
		subject: DF.Data | None
		sweep_run: DF.Data | None
		target_resolution: DF.Datetime | None
		ticket: DF.Link
	# end: auto-generated types

	def autoname(self):
		from cs_sop.escalation import escalation_name

		self.name = escalation_name(self.ticket, self.level, self.escalation_round)

	def validate(self):
		if not (self.flags.via_cs_sop or CORRECTOR_ROLE in frappe.get_roles()):
			frappe.throw(
				_("SOP Escalations change only through the Escalate and Acknowledge actions."),
				frappe.PermissionError,
			)
		if not (self.case_summary or "").strip():
			frappe.throw(_("A case summary is required."))
		if len(self.case_summary) > MAX_SUMMARY:
			frappe.throw(
				_("The case summary may have at most {0} characters (it has {1}).").format(
					MAX_SUMMARY, len(self.case_summary)
				)
			)
		before = self.get_doc_before_save()
		if before and self.status not in TRANSITIONS.get(before.status, set()):
			frappe.throw(
				_("An escalation cannot go from {0} to {1}.").format(_(before.status), _(self.status))
			)
		if self.status == "Acknowledged" and not self.acknowledged_by:
			frappe.throw(_("Use Acknowledge to acknowledge an escalation."))

	def can_acknowledge(self, user: str) -> bool:
		roles = set(frappe.get_roles(user))
		if roles & set(MANAGER_ROLES):
			return True
		if self.escalated_to_user == user:
			return True
		if self.escalated_to_role and self.escalated_to_role in roles:
			return True
		if self.escalated_to_team:
			return bool(frappe.db.exists("HD Team Member", {"parent": self.escalated_to_team, "user": user}))
		return False

	def acknowledge(self, user: str | None = None) -> None:
		"""The receiver (or a manager) takes the escalation over. Call on a row read after
		`lock_ticket` (see `acknowledge`)."""
		from cs_sop.escalation import TICKET_COLUMNS, Context
		from cs_sop.escalation.context import parse
		from cs_sop.escalation.sweep import log_activity

		user = user or frappe.session.user
		if not self.can_acknowledge(user):
			frappe.throw(
				_("Only the receiver of this escalation or a manager can acknowledge it."),
				frappe.PermissionError,
			)
		if self.status != "Open":
			frappe.throw(_("This escalation is already {0}.").format(_(self.status)))
		self.status = "Acknowledged"
		self.acknowledged_by = user
		self.acknowledged_on = now_datetime()
		self.flags.via_cs_sop = True
		self.save(ignore_permissions=True)  # the receiver may lack write access; checked above
		ticket = frappe.db.get_value(TICKET, self.ticket, list(TICKET_COLUMNS), as_dict=True)
		if ticket.sop_escalation_level == self.level and (ticket.sop_escalation_round or 1) == (
			self.escalation_round or 1
		):
			esc = {"creation": self.creation, "status": "Acknowledged"}
			p = Context().plan(parse(ticket), esc, _never())
			values = {"sop_stage": MONITORING, "sop_next_check": p.updates["sop_next_check"]}
			frappe.db.set_value(TICKET, self.ticket, values, update_modified=False)
		lang = messaging.site_language()
		log_activity(
			[(self.ticket, _("escalation level {0} acknowledged by {1}", lang=lang).format(self.level, user))]
		)


def _never():
	from datetime import datetime

	return datetime.min  # plan moments only, decide nothing


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
	from cs_sop.core.escalation import next_level
	from cs_sop.escalation import TICKET_COLUMNS, Context, escalation_name
	from cs_sop.escalation.context import parse
	from cs_sop.escalation.notify import Notifications
	from cs_sop.escalation.sweep import log_activity, routing

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
		# the caller's rights were checked by cs_sop.api.escalate; agents have no create right on
		# SOP Escalation so that they cannot write one outside this path
		esc.insert(ignore_permissions=True)
	except frappe.DuplicateEntryError:
		frappe.throw(_("Ticket {0} was already escalated to level {1}.").format(ticket, level))
	row["sop_escalation_level"] = level
	p = ctx.plan(row, {"creation": now, "status": "Open"}, _never())
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
	log_activity(
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
