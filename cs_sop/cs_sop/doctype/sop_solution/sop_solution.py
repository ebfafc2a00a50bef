# Copyright (c) 2026, cs_sop developers
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import strip_html

# the proposal itself: editable while Proposed, frozen once submitted for approval
CONTENT_FIELDS = ("description", "action_owner", "cost_impact", "attachment")


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
		from cs_sop.solution import check_can_propose

		check_can_propose(self.ticket, frappe.session.user)
		self.status = "Proposed"
		self.proposed_by = frappe.session.user

	def validate(self):
		if not strip_html(self.description or "").strip():
			frappe.throw(_("Describe the proposed solution."))
		before = self.get_doc_before_save()
		if not before:
			return
		if before.status != self.status and not self.flags.sop_action:
			frappe.throw(_("Use the solution actions to submit, approve, reject or send a solution."))
		if before.status != "Proposed" and any(before.get(f) != self.get(f) for f in CONTENT_FIELDS):
			frappe.throw(
				_("Solution {0} is {1}: its proposal can no longer be changed.").format(
					self.name, _(before.status)
				)
			)
