# Copyright (c) 2026, cs_sop developers
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document

TRANSITIONS = {
	"Open": {"Open", "Acknowledged", "Resolved", "Cancelled"},
	"Acknowledged": {"Acknowledged", "Resolved", "Cancelled"},
	"Resolved": {"Resolved"},
	"Cancelled": {"Cancelled"},
}


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
		is_automatic: DF.Check
		level: DF.Int
		level_name: DF.Data | None
		reason: DF.Literal["SLA Breach", "Complexity", "Customer Request", "Recurring Complaint"]
		status: DF.Literal["Open", "Acknowledged", "Resolved", "Cancelled"]
		subject: DF.Data | None
		sweep_run: DF.Data | None
		target_resolution: DF.Datetime | None
		ticket: DF.Link
	# end: auto-generated types

	def validate(self):
		if not (self.case_summary or "").strip():
			frappe.throw(_("A case summary is required."))
		before = self.get_doc_before_save()
		if before and self.status not in TRANSITIONS.get(before.status, set()):
			frappe.throw(
				_("An escalation cannot go from {0} to {1}.").format(_(before.status), _(self.status))
			)
		if self.status == "Acknowledged" and not self.acknowledged_by:
			frappe.throw(_("Use Acknowledge to acknowledge an escalation."))
