"""HD Service Level Agreement as Helpdesk ships it, with the holiday list cached (issue 9).

Helpdesk computes every SLA target (`calc_time`: response_by, resolution_by) and every elapsed
time (`calc_elapsed_time`: first response time, hold time, resolution time) by calling
`get_holidays`, which loads the whole HD Service Holiday List document: two queries and one row
object per holiday, for each target. An HD Ticket insert computes four targets (twice two: the
insert, then the save Helpdesk does for the ticket's first Communication), every later save two.
With the SOP's Indonesian holiday list (about 41 days, this year and next) that was the largest
part of what cs_sop added to a ticket's insert and save.

Here the holiday dates of a list are kept in Redis (one hash, one field per holiday list, with
Frappe's per-request copy in front of it), so a target costs no query once the list is cached.
The cache is dropped when a holiday list, an SLA or SOP Settings change (hooks.py
`doc_events`), both at once and after the transaction commits or rolls back (as Frappe does for
its document cache), so a rolled-back edit is never served.

Working hours need no cache: they are rows of the SLA document Helpdesk has already loaded
(`get_workdays` builds a dict of 5-7 rows in memory, no query: 0.04 ms a call when profiled).

Only `get_holidays` is replaced; everything else is Helpdesk's code. The class is the same in
Helpdesk 1.25.1 and 1.28.1 (1.28 changed only `utils.get_sla`, which now skips an enabled SLA
with a blank condition instead of applying it to every ticket; cs_sop's SLAs are the default
one and one with a condition, so they are chosen alike); should a later Helpdesk stop calling
`get_holidays`, this override is simply never called.
"""

import frappe
from helpdesk.helpdesk.doctype.hd_service_level_agreement.hd_service_level_agreement import (
	HDServiceLevelAgreement,
)

HOLIDAYS_KEY = "cs_sop:sla_holidays"


class SOPServiceLevelAgreement(HDServiceLevelAgreement):
	def get_holidays(self):
		"""Helpdesk's list of holiday dates of this SLA's holiday list, cached per list."""
		if not self.holiday_list:
			return []
		load = super().get_holidays
		dates = frappe.cache.hget(HOLIDAYS_KEY, self.holiday_list, generator=lambda: tuple(load()))
		return list(dates)  # a new list each call, as Helpdesk's: callers may change it


def clear_holidays(doc=None, method=None):
	"""doc_events handler (holiday list, SLA, SOP Settings): forget every cached holiday list,
	now and again when the transaction ends (a value cached from an edit that is then rolled
	back must not stay)."""
	frappe.cache.delete_value(HOLIDAYS_KEY)
	db = getattr(frappe.local, "db", None)
	if db is not None and hasattr(db, "after_commit"):
		db.after_commit.add(_forget)
		db.after_rollback.add(_forget)


def _forget():
	frappe.cache.delete_value(HOLIDAYS_KEY)
