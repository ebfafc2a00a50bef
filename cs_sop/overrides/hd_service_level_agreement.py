"""HD Service Level Agreement as Helpdesk ships it, with the holiday list and the SLA choice cached.

Helpdesk computes every SLA target (`calc_time`: response_by, resolution_by) and every elapsed
time (`calc_elapsed_time`: first response time, hold time, resolution time) by calling
`get_holidays`, which loads the whole HD Service Holiday List document: two queries and one row
object per holiday, for each target. An HD Ticket insert computes four targets (twice two: the
insert, then the save Helpdesk does for the ticket's first Communication), every later save two.
With the SOP's Indonesian holiday list (about 41 days, this year and next) that was the largest
part of what cs_sop added to a ticket's insert and save.

Here the holiday dates of a list are kept in Redis (one hash, one field per holiday list, with
Frappe's per-request copy in front of it), so a target costs no query once the list is cached.
The cache is dropped when a holiday list changes (hooks.py `doc_events`), when SOP Settings change
(its controller) and when an SLA changes (this class's own `on_update` / `on_trash` /
`after_rename`), both at once and after the transaction commits or rolls back (as Frappe does for
its document cache), so a rolled-back edit is never served.

Working hours need no cache: they are rows of the SLA document Helpdesk has already loaded
(`get_workdays` builds a dict of 5-7 rows in memory, no query: 0.04 ms a call when profiled).

Only `get_holidays` is replaced; everything else is Helpdesk's code. The class is the same in
Helpdesk 1.25.1 and 1.28.1; should a later Helpdesk stop calling `get_holidays`, this override is
simply never called.

The SLA choice (`select_sla`, `cached_sla`; used by `CSSOPHDTicket.set_sla` / `apply_sla`).
Helpdesk's `utils.get_sla` runs one query per ticket save and, for a ticket no conditional SLA
takes (most tickets), `get_default()` = `frappe.get_last_doc`, a full load of the default SLA;
`apply_sla` loads the chosen SLA again. Here the candidates of each priority (Helpdesk's own query
without its date window, in the order the database returns them) and the default SLA's name are
kept in Redis, and the SLA documents in Frappe's document cache; the choice is Helpdesk's: the
first enabled non-default SLA of the ticket's priority whose date window holds now and whose
condition `frappe.safe_eval`s true on `helpdesk.utils.get_context(ticket)`, else the default.
Helpdesk 1.28 skips an SLA with a blank condition, 1.25 applies it to every ticket
(`compat.blank_sla_condition_applies`). `HDServiceLevelAgreement.apply` keeps nothing of a ticket
on the SLA object (it reads its rows, writes the ticket), so one cached document serves every
ticket. Any SLA change (this class's on_update, on_trash, after_rename) drops the cache, now and
after the transaction ends, as for the holidays.
"""

import datetime
import functools

import frappe
from helpdesk.helpdesk.doctype.hd_service_level_agreement.hd_service_level_agreement import (
	HDServiceLevelAgreement,
)
from helpdesk.utils import get_context

from cs_sop import compat
from cs_sop.escalation import enqueue_replan

SLA = "HD Service Level Agreement"
HOLIDAYS_KEY = "cs_sop:sla_holidays"
SELECTION_KEY = "cs_sop:sla_selection"
# the selection hash's fields besides the priorities' names (Frappe's hget refuses an empty one)
_DEFAULT, _NO_PRIORITY = "__default_sla__", "__no_priority__"


class SOPServiceLevelAgreement(HDServiceLevelAgreement):
	def on_update(self):
		_run_parent(super(), "on_update")
		clear_sla_cache()

	def on_change(self):
		_run_parent(super(), "on_change")
		# the open tickets' next check follows the new targets (one deduplicated job)
		enqueue_replan(self)

	def on_trash(self):
		super().on_trash()  # Helpdesk refuses to delete the last default SLA
		clear_sla_cache()

	def after_rename(self, old, new, merge=False):
		_run_parent(super(), "after_rename", old, new, merge)
		clear_sla_cache()

	def get_holidays(self):
		"""Helpdesk's list of holiday dates of this SLA's holiday list, cached per list."""
		if not self.holiday_list:
			return []
		load = super().get_holidays
		dates = frappe.cache.hget(HOLIDAYS_KEY, self.holiday_list, generator=lambda: tuple(load()))
		return list(dates)  # a new list each call, as Helpdesk's: callers may change it


def clear_holidays(doc=None, method=None):
	"""A holiday list (doc_events) or SOP Settings (its on_update) changed: forget every cached holiday
	list."""
	_forget(HOLIDAYS_KEY)


def clear_sla_cache():
	"""An SLA changed: forget the cached choice and holidays."""
	_forget(SELECTION_KEY)
	_forget(HOLIDAYS_KEY)


def _forget(key: str) -> None:
	"""Now, and again when the transaction ends: a value cached from an edit that is then rolled
	back, or read by another request before the commit, must not stay."""
	frappe.cache.delete_value(key)
	db = getattr(frappe.local, "db", None)
	if db is not None and hasattr(db, "after_commit"):
		forget = functools.partial(frappe.cache.delete_value, key)
		db.after_commit.add(forget)
		db.after_rollback.add(forget)


def _run_parent(parent, method: str, *args):
	"""Helpdesk's own method of that name, should a release define one."""
	if fn := getattr(parent, method, None):
		fn(*args)


def select_sla(ticket) -> str | None:
	"""The name of the SLA Helpdesk's `utils.get_sla(ticket)` chooses, from the cache."""
	now = frappe.utils.now_datetime()
	context = None
	for name, condition, start, end in _candidates(ticket.priority):
		if (start and _day_start(start) > now) or (end and _day_start(end) < now):
			continue  # Helpdesk's SQL compares the DATE with now as a DATETIME (the day at 00:00)
		if not condition:
			return name  # 1.25 only: a blank condition applies to every ticket
		if context is None:
			context = get_context(ticket)
		if frappe.safe_eval(condition, None, context):
			return name
	default = frappe.cache.hget(SELECTION_KEY, _DEFAULT, generator=_default_sla)
	if not default:
		from helpdesk.helpdesk.doctype.hd_service_level_agreement.utils import get_default

		return get_default().name  # none: Helpdesk's own error
	return default[0]


def cached_sla(name: str | None):
	"""The SLA document from Frappe's document cache (cleared by Frappe on every change), or None."""
	if not name:
		return None
	try:
		return frappe.get_cached_doc(SLA, name)
	except frappe.DoesNotExistError:
		frappe.clear_last_message()
		return None


def _day_start(day) -> datetime.datetime:
	return datetime.datetime.combine(frappe.utils.getdate(day), datetime.time.min)


def _candidates(priority: str | None) -> tuple:
	return frappe.cache.hget(
		SELECTION_KEY, priority or _NO_PRIORITY, generator=lambda: _load_candidates(priority)
	)


def _load_candidates(priority: str | None) -> tuple:
	"""Helpdesk's `get_sla` query without the date window (kept per row, checked per ticket)."""
	from frappe.query_builder import Criterion, JoinType

	s = frappe.qb.DocType(SLA)
	q = (
		frappe.qb.from_(s)
		.select(s.name, s.condition, s.start_date, s.end_date)
		.where(s.enabled == True)  # noqa: E712 (SQL, as Helpdesk writes it)
		.where(s.default_sla == False)  # noqa: E712
	)
	if not compat.blank_sla_condition_applies():
		q = q.where(Criterion.all([s.condition.notnull(), s.condition != ""]))
	if priority:
		p = frappe.qb.DocType("HD Service Level Priority")
		q = q.join(p, JoinType.inner).on(p.parent == s.name).where(p.priority == priority)
	return tuple((r.name, r.condition, r.start_date, r.end_date) for r in q.run(as_dict=True))


def _default_sla() -> tuple:
	"""Helpdesk's `get_default()`: the last created enabled default SLA ((), if none)."""
	names = frappe.get_all(
		SLA, filters={"enabled": True, "default_sla": True}, order_by="creation desc", limit=1, pluck="name"
	)
	return tuple(names)
