# Copyright (c) 2026, cs_sop developers
# For license information, please see license.txt

"""The SOP escalation form (SOP stage 4).

Escalations change only through `cs_sop.escalation.manual` (the Escalate action and
`SOPEscalation.acknowledge`, called by `cs_sop.api.escalation`) and the SLA sweep; a System
Manager may correct one by hand.
"""

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import now_datetime

from cs_sop import activity, messaging
from cs_sop.core.stage import MONITORING
from cs_sop.escalation.context import TICKET_COLUMNS, Context, escalation_name, parse
from cs_sop.escalation.manual import MAX_SUMMARY, never
from cs_sop.users import ESCALATION_MANAGER_ROLES

TICKET = "HD Ticket"
TRANSITIONS = {
	"Open": {"Open", "Acknowledged", "Resolved", "Cancelled"},
	"Acknowledged": {"Acknowledged", "Resolved", "Cancelled"},
	"Resolved": {"Resolved"},
	"Cancelled": {"Cancelled"},
}
CORRECTOR_ROLE = "System Manager"


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
		if roles & set(ESCALATION_MANAGER_ROLES):
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
		`manual.lock_ticket` (see `manual.acknowledge`)."""
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
			p = Context().plan(parse(ticket), esc, never())
			values = {"sop_stage": MONITORING, "sop_next_check": p.updates["sop_next_check"]}
			frappe.db.set_value(TICKET, self.ticket, values, update_modified=False)
		lang = messaging.site_language()
		activity.log_lines(
			[(self.ticket, _("escalation level {0} acknowledged by {1}", lang=lang).format(self.level, user))]
		)
