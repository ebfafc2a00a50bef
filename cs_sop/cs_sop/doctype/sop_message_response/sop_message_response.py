# Copyright (c) 2026, cs_sop developers
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document

# the reports' covering index (SLA Compliance, Agent Performance): the period, the filters and groups
# (all but request type, which would pass InnoDB's key length) and every column their aggregates read
REPORT_INDEX = (
	"received_on",
	"team",
	"agent",
	"channel",
	"category",
	"priority",
	"due_on",
	"answered_on",
	"closed_on",
	"response_operating_seconds",
	"met",
)


class SOPMessageResponse(Document):
	"""One response clock of a chat ticket (cs_sop.intake.message_clock). Written set-based by the
	Communication hooks only: no person creates or changes one, over the desk or REST (the roles have
	no create/write permission, and this refuses even a System Manager's or Administrator's save)."""

	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		agent: DF.Link | None
		answered_by: DF.Link | None
		answered_on: DF.Datetime | None
		category: DF.Link | None
		channel: DF.Data | None
		closed_on: DF.Datetime | None
		customer_message: DF.Link | None
		due_on: DF.Datetime | None
		met: DF.Check
		messages: DF.Int
		priority: DF.Link | None
		received_on: DF.Datetime | None
		reply: DF.Link | None
		request_type: DF.Data | None
		response_operating_seconds: DF.Int
		team: DF.Link | None
		ticket: DF.Link
	# end: auto-generated types

	def before_validate(self):
		frappe.throw(
			_("Chat message response times are recorded by the system and cannot be entered or changed."),
			frappe.PermissionError,
			title=_("Not permitted"),
		)


def on_doctype_update():
	frappe.db.add_index("SOP Message Response", list(REPORT_INDEX), index_name="sop_message_report_index")
