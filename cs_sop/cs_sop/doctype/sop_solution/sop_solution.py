# Copyright (c) 2026, cs_sop developers
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import cint, get_datetime, strip_html

from cs_sop.complaint.access import check_can_propose, may_edit_proposal

# the proposal itself: editable while Proposed (by its proposer or a manager), frozen once submitted
CONTENT_FIELDS = ("description", "action_owner", "cost_impact", "attachment")
# what happened to the proposal: written only by cs_sop.complaint.solution's actions (flags.sop_action)
SYSTEM_FIELDS = (
	"status",
	"proposed_by",
	"approver_user",
	"approver_role",
	"submitted_by",
	"submitted_on",
	"decided_by",
	"decided_on",
	"rejection_reason",
	"approval_wait_seconds",
	"approval_wait_operating_seconds",
	"sent_by",
	"sent_on",
	"kb_article",
)
# written in bulk by the approval sweep, which leaves `modified` alone: an open form may hold older
# values, so a save keeps the stored ones
SWEEP_FIELDS = ("approval_stage", "approval_next_check")


class SOPSolution(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		action_owner: DF.Link | None
		approval_next_check: DF.Datetime | None
		approval_stage: DF.Int
		approval_wait_operating_seconds: DF.Int
		approval_wait_seconds: DF.Int
		approver_role: DF.Link | None
		approver_user: DF.Link | None
		attachment: DF.Attach | None
		category: DF.Link | None
		cost_impact: DF.SmallText | None
		decided_by: DF.Link | None
		decided_on: DF.Datetime | None
		description: DF.TextEditor
		kb_article: DF.Link | None
		proposed_by: DF.Link | None
		rejection_reason: DF.SmallText | None
		sent_by: DF.Link | None
		sent_on: DF.Datetime | None
		status: DF.Literal["Proposed", "Pending Approval", "Approved", "Rejected", "Sent"]
		subject: DF.Data | None
		submitted_by: DF.Link | None
		submitted_on: DF.Datetime | None
		ticket: DF.Link
	# end: auto-generated types

	def before_insert(self):
		check_can_propose(self.ticket, frappe.session.user)
		if not self.flags.sop_action:
			given = [f for f in (*SYSTEM_FIELDS, *SWEEP_FIELDS) if f != "status" and self.get(f)]
			if self.status not in (None, "", "Proposed"):
				given.insert(0, "status")
			if given:
				self._refuse_system_fields(given)
		self.status = "Proposed"
		self.proposed_by = frappe.session.user

	def validate(self):
		if not strip_html(self.description or "").strip():
			frappe.throw(_("Describe the proposed solution."))
		before = self.get_doc_before_save()
		if not before:
			return
		if self.ticket != before.ticket:
			frappe.throw(
				_("Solution {0} belongs to ticket {1}: its ticket cannot be changed.").format(
					self.name, before.ticket
				),
				frappe.CannotChangeConstantError,
			)
		if self.flags.sop_action:
			return
		for field in SWEEP_FIELDS:
			self.set(field, before.get(field))
		changed = [f for f in SYSTEM_FIELDS if self._differs(before, f)]
		if changed:
			self._refuse_system_fields(changed)
		if not any(self._differs(before, f) for f in CONTENT_FIELDS):
			return
		if before.status != "Proposed":
			frappe.throw(
				_("Solution {0} is {1}: its proposal can no longer be changed.").format(
					self.name, _(before.status)
				)
			)
		user = frappe.session.user
		if not self.flags.ignore_permissions and not may_edit_proposal(before.proposed_by, user):
			frappe.throw(
				_("Only the proposer ({0}) or an SOP Operations Manager edits solution {1}.").format(
					before.proposed_by, self.name
				),
				frappe.PermissionError,
			)

	def _differs(self, before, field: str) -> bool:
		old, new = before.get(field), self.get(field)
		fieldtype = self.meta.get_field(field).fieldtype
		if fieldtype == "Datetime":
			return (get_datetime(old) if old else None) != (get_datetime(new) if new else None)
		if fieldtype == "Int":
			return cint(old) != cint(new)
		return (old or None) != (new or None)

	def _refuse_system_fields(self, fields: list[str]) -> None:
		labels = ", ".join(_(self.meta.get_label(f)) for f in fields)
		frappe.throw(
			_(
				"These fields of a solution change only through its actions (submit, approve, reject, send): {0}."
			).format(labels)
		)
