# Copyright (c) 2026, cs_sop developers
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document

from cs_sop.core import escalation as rules

CACHE_KEY = "cs_sop:escalation_levels"


class SOPEscalationLevel(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		ack_minutes: DF.Int
		enabled: DF.Check
		level: DF.Int
		level_name: DF.Data
		notify_category_team: DF.Check
		notify_role: DF.Link | None
		notify_user: DF.Link | None
		trigger: DF.Literal[
			"First Response Breach", "Resolution Breach", "Share of Resolution Time", "Hours After Breach"
		]
		trigger_hours: DF.Float
		trigger_share: DF.Percent
	# end: auto-generated types

	def validate(self):
		if self.level < 1:
			frappe.throw(_("Level must be 1 or more."))
		if self.trigger == rules.RESOLUTION_SHARE and not (0 < (self.trigger_share or 0) <= 100):
			frappe.throw(_("Share of resolution time must be between 1 and 100 percent."))
		if self.trigger == rules.HOURS_AFTER_BREACH and (self.trigger_hours or 0) < 0:
			frappe.throw(_("Hours after breach cannot be negative."))
		if not (self.notify_role or self.notify_user or self.notify_category_team):
			frappe.throw(
				_("Choose who receives escalations of this level: a role, a user or the category's team.")
			)

	def on_update(self):
		frappe.cache.delete_value(CACHE_KEY)

	def on_trash(self):
		frappe.cache.delete_value(CACHE_KEY)


def get_levels() -> list[dict]:
	"""Enabled levels, lowest first, cached until one changes."""
	return frappe.cache.get_value(CACHE_KEY, generator=_load) or []


def _load() -> list[dict]:
	return frappe.get_all(
		"SOP Escalation Level",
		filters={"enabled": 1},
		fields=[
			"level",
			"level_name",
			"trigger",
			"trigger_share",
			"trigger_hours",
			"ack_minutes",
			"notify_role",
			"notify_user",
			"notify_category_team",
		],
		order_by="level asc",
	)


def as_rules(levels: list[dict]) -> list[rules.Level]:
	return [
		rules.Level(
			level=lv["level"],
			trigger=lv["trigger"],
			share=(lv.get("trigger_share") or 0) / 100,
			hours=lv.get("trigger_hours") or 0,
			ack_minutes=lv.get("ack_minutes") or 0,
		)
		for lv in levels
	]
