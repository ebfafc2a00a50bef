# Copyright (c) 2026, cs_sop developers
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document

from cs_sop.core.matrix import rule_name

CACHE_KEY = "cs_sop:priority_matrix"


class SOPPriorityRule(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		description: DF.SmallText | None
		impact: DF.Literal["Low", "Medium", "High", "Critical"]
		priority: DF.Link
		urgency: DF.Literal["Low", "Medium", "High", "Critical"]
	# end: auto-generated types

	def before_insert(self):
		if frappe.db.exists(self.doctype, rule_name(self.impact, self.urgency)):
			frappe.throw(
				_("A rule for impact {0} and urgency {1} already exists.").format(
					_(self.impact), _(self.urgency)
				),
				frappe.DuplicateEntryError,
			)

	def on_update(self):
		clear_cache()

	def on_trash(self):
		clear_cache()


def clear_cache():
	frappe.cache.delete_value(CACHE_KEY)


def get_matrix() -> dict[tuple[str, str], str]:
	"""All rules as {(impact, urgency): priority}, cached in Redis until a rule changes."""
	return frappe.cache.get_value(CACHE_KEY, generator=_load) or {}


def _load() -> dict[tuple[str, str], str]:
	rows = frappe.get_all("SOP Priority Rule", fields=["impact", "urgency", "priority"])
	return {(r.impact, r.urgency): r.priority for r in rows}
