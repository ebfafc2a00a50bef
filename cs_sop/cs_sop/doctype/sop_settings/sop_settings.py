# Copyright (c) 2026, cs_sop developers
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document

from cs_sop.complaint.approvers import on_settings_validate
from cs_sop.core.business_time import Calendar
from cs_sop.escalation import enqueue_replan
from cs_sop.intake.channel_owner import validate_settings as validate_channel_owners
from cs_sop.overrides.hd_service_level_agreement import clear_holidays
from cs_sop.privacy.retention import on_settings_update as on_retention_update
from cs_sop.sla import switch as sla_switch
from cs_sop.sla.agreements import sync_slas
from cs_sop.sla.calendar import clear_calendar
from cs_sop.sla.holidays import sync_holiday_list


class SOPSettings(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF
		from helpdesk.helpdesk.doctype.hd_service_day.hd_service_day import HDServiceDay

		chat_first_response_minutes: DF.Int
		chat_message_response_minutes: DF.Int
		chat_sla: DF.Link | None
		enable_escalation: DF.Check
		enforce_priority_matrix: DF.Check
		holiday_list: DF.Link
		include_cuti_bersama: DF.Check
		operating_hours: DF.Table[HDServiceDay]
		previous_default_sla: DF.Link | None
		standard_sla: DF.Link | None
		use_sop_slas: DF.Check
		warning_share_left: DF.Percent
	# end: auto-generated types

	def validate(self):
		if (self.chat_first_response_minutes or 0) < 1:
			frappe.throw(_("Chat and WhatsApp first response must be at least 1 minute."))
		if (self.chat_message_response_minutes or 0) < 1:
			frappe.throw(_("The reply to a chat message must be due at least 1 minute after it."))
		try:
			Calendar.from_rows((r.workday, r.start_time, r.end_time) for r in self.operating_hours)
		except ValueError as e:
			frappe.throw(_("Operating hours are not valid: {0}").format(str(e)))
		if not 0 <= (self.warning_share_left or 0) <= 100:
			frappe.throw(_("The warning share must be between 0 and 100 percent."))
		if self.standard_sla and self.standard_sla == self.chat_sla:
			frappe.throw(_("The standard SLA and the chat and WhatsApp SLA must be different."))
		on_settings_validate(self)
		# the channel owners: SOP Operations Manager / System Manager only, one row per channel
		validate_channel_owners(self)

	def on_update(self):
		clear_calendar()
		if not self.flags.skip_sla_sync:
			self._sync_slas()
		# retention changed: the closed tickets' anonymisation dates follow
		on_retention_update(self)
		# the holiday dates cached for Helpdesk's SLA engine
		clear_holidays()

	def on_change(self):
		# the ladder's configuration: the open tickets' next check is planned again (one job), after
		# Frappe cleared the document cache of the saved settings
		enqueue_replan(self)

	def _sync_slas(self):
		# during install (Frappe saves every new Single first) after_install applies the switch
		if self.has_value_changed("use_sop_slas") and not frappe.flags.in_install:
			sla_switch.apply(self)
		if self.has_value_changed("include_cuti_bersama") or self.has_value_changed("holiday_list"):
			sync_holiday_list(self)
		sync_slas(self)
