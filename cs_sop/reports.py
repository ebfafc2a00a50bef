"""What the SOP reports share: filters, the ticket conditions they give, grouping, formatting.

Every report filters tickets by period (Helpdesk's `opening_date`, indexed by cs_sop), team,
agent (`sop_agent`, the first assignee), channel, category, priority and request type, and
groups by one of the dimensions below. Queries are `frappe.qb` aggregates; durations come from
the operating-time seconds stored on the ticket (`cs_sop.report_facts`).
"""

from datetime import datetime, time

import frappe
from frappe import _
from frappe.query_builder import Case
from frappe.query_builder.functions import GroupConcat
from frappe.utils import add_days, get_first_day, getdate, nowdate

from cs_sop import users
from cs_sop.core.report_stats import percentile

TICKET = "HD Ticket"
SURVEY = "SOP Survey"
SOLUTION = "SOP Solution"

# filter name -> HD Ticket column
TICKET_FILTERS = {
	"team": "agent_group",
	"agent": "sop_agent",
	"channel": "sop_channel",
	"category": "ticket_type",
	"priority": "priority",
	"request_type": "sop_request_type",
}
# "group by" option -> HD Ticket column
GROUPS = {
	"Team": "agent_group",
	"Agent": "sop_agent",
	"Channel": "sop_channel",
	"Priority": "priority",
	"Category": "ticket_type",
	"Request Type": "sop_request_type",
}
# values shown translated (Select options and Helpdesk's priority names); others are names
TRANSLATED_GROUPS = ("Channel", "Priority", "Request Type")


def parse_filters(filters) -> frappe._dict:
	"""Filters with defaults (this month) and a clear error for a reversed period."""
	f = frappe._dict(filters or {})
	f.from_date = getdate(f.get("from_date") or get_first_day(nowdate()))
	f.to_date = getdate(f.get("to_date") or nowdate())
	if f.from_date > f.to_date:
		frappe.throw(_("The period must start on or before its last day."), title=_("Invalid period"))
	return f


def day_bounds(f) -> tuple[datetime, datetime]:
	"""The period as datetimes: from 00:00 of the first day to before 00:00 after the last."""
	return datetime.combine(f.from_date, time()), datetime.combine(add_days(f.to_date, 1), time())


def ticket_conditions(t, f, skip: tuple[str, ...] = ()):
	"""The qb criterion of the period and the set filters on HD Ticket `t`."""
	criterion = (t.opening_date >= f.from_date) & (t.opening_date <= f.to_date)
	for key, column in TICKET_FILTERS.items():
		if key not in skip and f.get(key):
			criterion &= t[column] == f.get(key)
	return criterion


def has_ticket_filters(f) -> bool:
	return any(f.get(key) for key in TICKET_FILTERS)


def group_column(f, default: str = "Team") -> tuple[str, str]:
	group = f.get("group_by") or default
	if group not in GROUPS:
		frappe.throw(_("Cannot group by {0}.").format(group))
	return group, GROUPS[group]


def group_label(group: str, value) -> str:
	if value in (None, ""):
		return _("Not Set")
	return _(value) if group in TRANSLATED_GROUPS else str(value)


GROUP_CONCAT_MAX_LEN = 64 * 1024 * 1024


def allow_long_concat() -> None:
	"""Let one GROUP_CONCAT hold every value of a group (a year of tickets is ~1.5 MB)."""
	frappe.db.sql("SET SESSION group_concat_max_len = %s", (GROUP_CONCAT_MAX_LEN,))


def concat_values(value, criterion):
	"""GROUP_CONCAT of the integer column `value` over the rows of `criterion` (NULLs skipped).

	Selected beside the counts of the same grouped query, so one scan gives both: a string per
	group, not a row per ticket. `percentiles_of` turns the strings into percentiles.
	"""
	return GroupConcat(Case().when(criterion & value.isnotnull(), value))


def percentiles_of(rows, field: str, key: str = "grp", ps: tuple[float, ...] = (50, 90)) -> tuple[dict, dict]:
	"""From grouped rows holding a `concat_values` string in `field`: per group and overall.

	Python splits, sorts and interpolates (`report_stats.percentile`).
	Returns ({group value: {p: value}}, {p: value}).
	"""
	by_group, everything = {}, []
	for row in rows:
		joined = row.get(field)
		values = sorted(int(v) for v in joined.split(",")) if joined else []
		everything.extend(values)
		by_group[row.get(key)] = {p: percentile(values, p) for p in ps}
	return by_group, {p: percentile(everything, p) for p in ps}


def percentiles_of_lists(values: dict, ps: tuple[float, ...] = (50, 90)) -> tuple[dict, dict]:
	"""As `percentiles_of`, from {group value: sorted list of values} (the per-day summary)."""
	everything = sorted(v for group in values.values() for v in group)
	by_group = {key: {p: percentile(group, p) for p in ps} for key, group in values.items()}
	return by_group, {p: percentile(everything, p) for p in ps}


def minutes(seconds) -> float | None:
	return None if seconds is None else round(seconds / 60.0, 1)


def hours(seconds) -> float | None:
	return None if seconds is None else round(seconds / 3600.0, 2)


def column(label: str, fieldname: str, fieldtype: str = "Data", width: int = 120, options: str = "") -> dict:
	col = {"label": label, "fieldname": fieldname, "fieldtype": fieldtype, "width": width}
	if options:
		col["options"] = options
	return col


def summary_item(label: str, value, datatype: str = "Int", indicator: str = "Blue") -> dict:
	return {
		"label": label,
		"value": value if value is not None else "-",
		"datatype": datatype,
		"indicator": indicator,
	}


def check_report_access() -> None:
	"""For methods outside Frappe's report runner (which checks the Report's roles itself)."""
	if not users.is_manager():
		frappe.throw(_("Only managers and supervisors can see the SOP reports."), frappe.PermissionError)
