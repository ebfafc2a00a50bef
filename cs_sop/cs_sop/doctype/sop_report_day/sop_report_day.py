# Copyright (c) 2026, cs_sop developers
# For license information, please see license.txt
"""SOP Report Day: the period reports' per-day summary of tickets, so their cost follows days x groups.

One row per day (`opening_date`) and value of each group dimension of `cs_sop.reports.GROUPS`
(team, agent, channel, priority, category, request type): the counts SLA Compliance and Agent
Performance add up, every stored duration (exact percentiles) and the deadlines still pending
(a target is decided once its deadline passes: the report counts those before its `now`). One
more row per day (dimension `Day`) holds the day's **stamp**: the number of its tickets and the
sum of a CRC32 over each ticket's name, `modified`, `sop_agent` and `sop_update_misses` (the two
report columns other code writes without touching `modified`: the ToDo hook and the sweep).

Nothing is written when a ticket is saved. `refresh` (cron, every 10 minutes) compares the stamps
of every day with the tickets' (one pass over `sop_report_stamp_index`) and rebuilds the days that
differ, a month per transaction, with `INSERT ... SELECT` grouped by day and value. It runs alone
(a MariaDB named lock) and a crash leaves either the old or the new rows of a month.

A report reads the stored rows of the days whose stamp still matches and aggregates the other
days (today, a day whose tickets changed since the last run, every day before the first run)
from the tickets with the very same expressions, so its figures are those of the tickets now.
Filters other than the period and the grouped dimension read the tickets (`figures` gives None).
"""

from datetime import date

import frappe
from frappe.model.document import Document
from frappe.query_builder import Case, CustomFunction
from frappe.query_builder.functions import Concat, Count, GroupConcat, IfNull, Sum
from frappe.utils import getdate, now_datetime
from pypika.terms import LiteralValue, ValueWrapper

from cs_sop import bulk
from cs_sop import reports as r
from cs_sop.core import report_days as core

SUMMARY = "SOP Report Day"
DAY = "Day"
COUNTS = (
	"tickets",
	"fr_done",
	"fr_met",
	"res_done",
	"res_met",
	"resolved",
	"cadence_kept",
	"ever_resolved",
	"reopened",
	"exceptions",
)
LISTS = ("fr_values", "res_values", "fr_pending", "res_pending")
LOCK = "cs_sop.report_days"
CHUNK_DAYS = 31

Md5 = CustomFunction("MD5", ["text"])
Crc32 = CustomFunction("CRC32", ["text"])
TimestampDiff = CustomFunction("TIMESTAMPDIFF", ["unit", "start", "end"])


class SOPReportDay(Document):
	pass


def _one(criterion):
	return Sum(Case().when(criterion, 1).else_(0))


def _key(column):
	"""A deadline as `core.time_key` computes it."""
	return TimestampDiff(LiteralValue("MICROSECOND"), ValueWrapper(str(core.EPOCH)), column)


def aggregates(t) -> dict:
	"""The summary's columns as aggregates over HD Ticket `t` (the build and the live days)."""
	return {
		"tickets": Count("*"),
		"fr_done": _one(t.response_by.isnotnull() & t.first_responded_on.isnotnull()),
		"fr_met": _one(t.response_by.isnotnull() & (t.first_responded_on <= t.response_by)),
		"res_done": _one(t.resolution_by.isnotnull() & t.resolution_date.isnotnull()),
		"res_met": _one(t.resolution_by.isnotnull() & (t.resolution_date <= t.resolution_by)),
		"resolved": _one(t.resolution_date.isnotnull()),
		"cadence_kept": _one(IfNull(t.sop_update_misses, 0) == 0),
		"ever_resolved": _one(t.resolution_date.isnotnull() | (t.sop_reopen_count > 0)),
		"reopened": _one(t.sop_reopen_count > 0),
		"exceptions": _one(t.sop_close_exception_on.isnotnull()),
		"fr_values": r.concat_values(t.sop_first_response_seconds, t.first_responded_on.isnotnull()),
		"res_values": r.concat_values(t.sop_resolution_seconds, t.resolution_date.isnotnull()),
		"fr_pending": GroupConcat(
			Case().when(t.response_by.isnotnull() & t.first_responded_on.isnull(), _key(t.response_by))
		),
		"res_pending": GroupConcat(
			Case().when(t.resolution_by.isnotnull() & t.resolution_date.isnull(), _key(t.resolution_by))
		),
	}


def stamp(t):
	"""'count:crc sum' of a day's tickets; changes with any insert, delete, save or fact write."""
	row = Concat(
		t.name,
		"|",
		t.modified,
		"|",
		IfNull(t.sop_agent, ""),
		"|",
		t.sop_agent.isnull(),
		"|",
		IfNull(t.sop_update_misses, -1),
	)
	return Concat(Count("*"), ":", IfNull(Sum(Crc32(row)), 0))


def _live_stamps(start: date | None = None, end: date | None = None) -> dict:
	t = frappe.qb.DocType(r.TICKET)
	query = frappe.qb.from_(t).select(t.opening_date, stamp(t)).groupby(t.opening_date)
	if start:
		query = query.where((t.opening_date >= start) & (t.opening_date <= end))
	else:
		query = query.where(t.opening_date.isnotnull())
	return {getdate(day): value for day, value in query.run()}


def _stored_stamps(start: date | None = None, end: date | None = None) -> dict:
	s = frappe.qb.DocType(SUMMARY)
	query = frappe.qb.from_(s).select(s.day, s.stamp).where(s.dimension == DAY)
	if start:
		query = query.where((s.day >= start) & (s.day <= end))
	return {getdate(day): value for day, value in query.run()}


# ---------- building ----------


def refresh() -> int:
	"""Scheduler job: rebuild the days whose stamp changed. Returns how many days it rebuilt."""
	if not _lock():
		return 0  # another run is at it
	try:
		days = sorted(core.stale_days(_live_stamps(), _stored_stamps()))
		for chunk in bulk.chunks(days, CHUNK_DAYS):
			rebuild(chunk)
			frappe.db.commit()  # a month per transaction: a crash keeps what is done
		return len(days)
	finally:
		frappe.db.sql("SELECT RELEASE_LOCK(%s)", (LOCK,))


def _lock() -> bool:
	"""A MariaDB named lock: held by one connection, released when it ends (a crash included)."""
	return bool(frappe.db.sql("SELECT GET_LOCK(%s, 0)", (LOCK,))[0][0])


def rebuild(days: list[date]) -> None:
	"""Replace the summary rows of `days` with the tickets' figures (in the caller's transaction).

	The day's stamp is taken first: a ticket that changes during the build makes the day stale
	again, so the reports aggregate it from the tickets until the next run.
	"""
	if not days:
		return
	r.allow_long_concat()
	s = frappe.qb.DocType(SUMMARY)
	t = frappe.qb.DocType(r.TICKET)
	frappe.qb.from_(s).delete().where(s.day.isin(days)).run()
	now = ValueWrapper(now_datetime())
	standard = ("name", "creation", "modified", "owner", "modified_by")
	who = (ValueWrapper("Administrator"), ValueWrapper("Administrator"))
	(
		frappe.qb.into(s)
		.columns(*standard, "day", "dimension", "stamp", "tickets")
		.from_(t)
		.select(
			Md5(Concat(t.opening_date, "|", DAY)),
			now,
			now,
			*who,
			t.opening_date,
			ValueWrapper(DAY),
			stamp(t),
			Count("*"),
		)
		.where(t.opening_date.isin(days))
		.groupby(t.opening_date)
		.run()
	)
	columns = aggregates(t)
	for dimension, column in r.GROUPS.items():
		value = t[column]
		name = Md5(Concat(t.opening_date, "|", dimension, "|", IfNull(value, ""), "|", value.isnull()))
		(
			frappe.qb.into(s)
			.columns(*standard, "day", "dimension", "value", *columns)
			.from_(t)
			.select(name, now, now, *who, t.opening_date, ValueWrapper(dimension), value, *columns.values())
			.where(t.opening_date.isin(days))
			.groupby(t.opening_date, value)
			.run()
		)


def backfill() -> int:
	"""Build every day (a new site, a patch): the job's own work, run now."""
	return refresh()


# ---------- reading ----------


def figures(f, group: str, lists: tuple[str, ...] = LISTS) -> dict | None:
	"""Per value of `group` for the tickets opened in the period of `f`: counts and lists.

	None when a filter other than the period and the grouped dimension is set (the caller reads
	the tickets). Each value maps to the `COUNTS` (ints), `fr_decided` / `res_decided` (targets
	met, missed, or past their deadline at this moment) and `fr_values` / `res_values` (every
	stored duration, sorted).
	"""
	column = r.GROUPS[group]
	own = None
	for key, col in r.TICKET_FILTERS.items():
		if f.get(key):
			if col != column:
				return None
			own = f.get(key)
	start, end = getdate(f.from_date), getdate(f.to_date)
	r.allow_long_concat()
	stale = core.stale_days(_live_stamps(start, end), _stored_stamps(start, end))

	s = frappe.qb.DocType(SUMMARY)
	stored = (
		frappe.qb.from_(s)
		.select(
			s.value,
			*(Sum(s[c]).as_(c) for c in COUNTS),
			*(GroupConcat(s[name]).as_(name) for name in lists),
		)
		.where((s.dimension == group) & (s.day >= start) & (s.day <= end))
		.groupby(s.value)
	)
	if stale:
		stored = stored.where(s.day.notin(sorted(stale)))
	if own is not None:
		stored = stored.where(s.value == own)
	rows = stored.run(as_dict=True)
	if stale:
		t = frappe.qb.DocType(r.TICKET)
		live = (
			frappe.qb.from_(t)
			.select(
				t[column].as_("value"),
				*(a.as_(c) for c, a in aggregates(t).items() if c in COUNTS or c in lists),
			)
			.where(t.opening_date.isin(sorted(stale)))
			.groupby(t[column])
		)
		if own is not None:
			live = live.where(t[column] == own)
		rows += live.run(as_dict=True)

	now_key = core.time_key(now_datetime())
	out = {}
	for value, g in core.merge(rows, COUNTS, lists).items():
		if not g["tickets"]:
			continue
		for target in ("fr", "res"):
			if f"{target}_pending" in lists:
				pending = core.count_pending_before(g[f"{target}_pending"], now_key)
				g[f"{target}_decided"] = g[f"{target}_done"] + pending
			if f"{target}_values" in lists:
				g[f"{target}_values"] = core.joined_values(g[f"{target}_values"])
		out[value] = g
	return out
