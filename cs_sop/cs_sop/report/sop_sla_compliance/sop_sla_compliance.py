"""SOP SLA Compliance: first response and resolution targets met, durations in operating time.

A ticket counts for a target once it has one (Helpdesk's `response_by` / `resolution_by`) and the
target is decided: met or missed when answered/resolved, missed when still open past it.
Durations are the operating seconds stored when the response/resolution happened.
Beside the first response, the chat reply clock (`cs_sop.intake.message_clock`): every customer message on
a WhatsApp, Live Chat or Social Media ticket received in the period, met % / median / 90th
percentile of the agent's reply in operating minutes, breaches.
"""

import frappe
from frappe import _
from frappe.query_builder import Case
from frappe.query_builder.functions import Count, Sum
from frappe.utils import now_datetime

from cs_sop import reports as r
from cs_sop.core.report_stats import rate
from cs_sop.cs_sop.doctype.sop_report_day import sop_report_day as report_day
from cs_sop.intake import message_clock


@frappe.read_only()
def execute(filters=None):
	f = r.parse_filters(filters)
	group, rows = compute(f)
	totals = rows.pop() if rows else None
	return columns(group), rows, None, chart(rows), summary(totals)


def _criteria(t, now):
	fr_decided = t.response_by.isnotnull() & (t.first_responded_on.isnotnull() | (t.response_by < now))
	fr_met = t.response_by.isnotnull() & (t.first_responded_on <= t.response_by)
	res_decided = t.resolution_by.isnotnull() & (t.resolution_date.isnotnull() | (t.resolution_by < now))
	res_met = t.resolution_by.isnotnull() & (t.resolution_date <= t.resolution_by)
	return fr_decided, fr_met, res_decided, res_met


def _count(criterion):
	return Sum(Case().when(criterion, 1).else_(0))


def compute(f) -> tuple[str, list[dict]]:
	"""Rows per group, the last one the total (None values where nothing was decided)."""
	group, col = r.group_column(f)
	summary = None if f.get("closed_by_exception") else report_day.figures(f, group)
	if summary is None:
		counts, first, first_all, resolution, resolution_all = _from_tickets(f, col)
	else:
		# the per-day summary: the same counts and every stored duration, per group
		counts = [frappe._dict(figures, grp=value) for value, figures in summary.items()]
		first, first_all = r.percentiles_of_lists({c.grp: c.fr_values for c in counts})
		resolution, resolution_all = r.percentiles_of_lists({c.grp: c.res_values for c in counts})
	# the chat messages received in the period, per group: a second scan, of their own table
	messages, messages_all = message_clock.report_figures(f, group, bool(f.get("closed_by_exception")))
	# a group whose tickets opened earlier may still have chat messages in the period
	known = {c.grp for c in counts}
	counts += [frappe._dict(grp=grp, tickets=0) for grp in messages if grp not in known]

	rows = [
		{
			**_row(group, c, first.get(c.grp, {}), resolution.get(c.grp, {})),
			**messages.get(c.grp, message_clock.EMPTY),
		}
		for c in counts
	]
	rows.sort(key=lambda row: (-row["tickets"], row["group"]))
	if rows:
		total = frappe._dict(grp=None)
		for field in ("tickets", "fr_decided", "fr_met", "res_decided", "res_met", "exceptions"):
			total[field] = sum(int(c.get(field) or 0) for c in counts)
		row = {**_row(group, total, first_all, resolution_all), **messages_all}
		row["group"] = _("Total")
		rows.append(row)
	return group, rows


def _from_tickets(f, col: str):
	"""The counts and percentiles read from the tickets (filters the summary does not keep)."""
	t = frappe.qb.DocType(r.TICKET)
	fr_decided, fr_met, res_decided, res_met = _criteria(t, now_datetime())
	where = r.ticket_conditions(t, f)
	if f.get("closed_by_exception"):
		where &= t.sop_close_exception_on.isnotnull()
	# one scan: the counts and, per group, the stored durations as one string each (percentiles)
	r.allow_long_concat()
	counts = (
		frappe.qb.from_(t)
		.select(
			t[col].as_("grp"),
			Count("*").as_("tickets"),
			_count(fr_decided).as_("fr_decided"),
			_count(fr_met).as_("fr_met"),
			_count(res_decided).as_("res_decided"),
			_count(res_met).as_("res_met"),
			r.concat_values(t.sop_first_response_seconds, t.first_responded_on.isnotnull()).as_("fr_values"),
			r.concat_values(t.sop_resolution_seconds, t.resolution_date.isnotnull()).as_("res_values"),
		)
		.where(where)
		.groupby(t[col])
		.run(as_dict=True)
	)
	exceptions = _exceptions(t, col, where)
	for c in counts:
		c.exceptions = exceptions.get(c.grp, 0)
	first, first_all = r.percentiles_of(counts, "fr_values")
	resolution, resolution_all = r.percentiles_of(counts, "res_values")
	return counts, first, first_all, resolution, resolution_all


def _exceptions(t, col: str, where) -> dict:
	"""Per group, the tickets a supervisor closed without the customer's confirmation: a second,
	small query over the indexed `sop_close_exception_on`, so the main scan stays on its covering
	index."""
	rows = (
		frappe.qb.from_(t)
		.select(t[col].as_("grp"), Count("*").as_("n"))
		.where(where & t.sop_close_exception_on.isnotnull())
		.groupby(t[col])
		.run(as_dict=True)
	)
	return {row.grp: int(row.n) for row in rows}


def _row(group: str, c, first: dict, resolution: dict) -> dict:
	"""One group's figures; `first` / `resolution` map 50 and 90 to the percentile (seconds)."""
	fr_decided, fr_met = int(c.fr_decided or 0), int(c.fr_met or 0)
	res_decided, res_met = int(c.res_decided or 0), int(c.res_met or 0)
	return {
		"group": r.group_label(group, c.grp),
		"group_value": c.grp,
		"tickets": int(c.tickets or 0),
		"fr_met_pct": rate(fr_met, fr_decided),
		"fr_median": r.minutes(first.get(50)),
		"fr_p90": r.minutes(first.get(90)),
		"fr_breaches": fr_decided - fr_met,
		"res_met_pct": rate(res_met, res_decided),
		"res_median": r.hours(resolution.get(50)),
		"res_p90": r.hours(resolution.get(90)),
		"res_breaches": res_decided - res_met,
		"breaches": fr_decided - fr_met + res_decided - res_met,
		"closed_by_exception": int(c.get("exceptions") or 0),
	}


def columns(group: str) -> list[dict]:
	return [
		r.column(_(group), "group", width=160),
		r.column(_("Tickets"), "tickets", "Int", 80),
		r.column(_("First Response Met %"), "fr_met_pct", "Percent", 130),
		r.column(_("Median First Response (min)"), "fr_median", "Float", 150),
		r.column(_("P90 First Response (min)"), "fr_p90", "Float", 140),
		r.column(_("First Response Breaches"), "fr_breaches", "Int", 130),
		r.column(_("Chat Messages"), "msg_count", "Int", 110),
		r.column(_("Chat Reply Met %"), "msg_met_pct", "Percent", 120),
		r.column(_("Median Chat Reply (min)"), "msg_median", "Float", 140),
		r.column(_("P90 Chat Reply (min)"), "msg_p90", "Float", 130),
		r.column(_("Chat Reply Breaches"), "msg_breaches", "Int", 120),
		r.column(_("Resolution Met %"), "res_met_pct", "Percent", 120),
		r.column(_("Median Resolution (h)"), "res_median", "Float", 130),
		r.column(_("P90 Resolution (h)"), "res_p90", "Float", 120),
		r.column(_("Resolution Breaches"), "res_breaches", "Int", 120),
		r.column(_("Breaches"), "breaches", "Int", 90),
		r.column(_("Closed by Exception"), "closed_by_exception", "Int", 130),
	]


def chart(rows: list[dict]) -> dict | None:
	if not rows:
		return None
	top = rows[:12]
	return {
		"data": {
			"labels": [row["group"] for row in top],
			"datasets": [
				{"name": _("First Response Met %"), "values": [row["fr_met_pct"] or 0 for row in top]},
				{"name": _("Resolution Met %"), "values": [row["res_met_pct"] or 0 for row in top]},
			],
		},
		"type": "bar",
		"colors": ["#2490ef", "#29cd42"],
	}


def summary(total: dict | None) -> list[dict]:
	total = total or {}
	return [
		r.summary_item(_("Tickets"), total.get("tickets", 0)),
		r.summary_item(_("First Response Met %"), total.get("fr_met_pct"), "Percent", "Green"),
		r.summary_item(_("Median First Response (min)"), total.get("fr_median"), "Float"),
		r.summary_item(_("P90 First Response (min)"), total.get("fr_p90"), "Float"),
		r.summary_item(_("Chat Reply Met %"), total.get("msg_met_pct"), "Percent", "Green"),
		r.summary_item(_("Median Chat Reply (min)"), total.get("msg_median"), "Float"),
		r.summary_item(_("P90 Chat Reply (min)"), total.get("msg_p90"), "Float"),
		r.summary_item(_("Resolution Met %"), total.get("res_met_pct"), "Percent", "Green"),
		r.summary_item(_("Median Resolution (h)"), total.get("res_median"), "Float"),
		r.summary_item(_("P90 Resolution (h)"), total.get("res_p90"), "Float"),
		r.summary_item(_("Breaches"), total.get("breaches", 0), "Int", "Red"),
		r.summary_item(_("Closed by Exception"), total.get("closed_by_exception", 0), "Int", "Orange"),
	]
