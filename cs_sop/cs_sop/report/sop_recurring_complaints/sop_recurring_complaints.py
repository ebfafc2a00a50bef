"""SOP Recurring Complaints: what keeps coming back, for the report to management the CS SOP asks for.

Tickets of the period grouped by category, customer (`raised_by`) or normalised subject
(`sop_subject_key`, see `cs_sop.core.report_stats.subject_key`); a key recurs when it has at least
`min_count` tickets (default 2). Each row: tickets now and in the previous period of the same
length, the change, how many customers, the root causes written on the tickets and the solutions
applied (complaint procedure).
"""

import frappe
from frappe import _
from frappe.query_builder.functions import Count
from frappe.utils import cint

from cs_sop import reports as r
from cs_sop.core.report_stats import change_percent, previous_period

DIMENSIONS = {"Category": "ticket_type", "Customer": "raised_by", "Subject": "sop_subject_key"}
MAX_TEXT = 500


@frappe.read_only()
def execute(filters=None):
	f = r.parse_filters(filters)
	dimension, rows, totals = compute(f)
	return columns(dimension), rows, None, chart(rows), summary(totals)


def compute(f):
	dimension = f.get("dimension") or "Category"
	if dimension not in DIMENSIONS:
		frappe.throw(_("Cannot look for recurring complaints by {0}.").format(dimension))
	min_count = max(cint(f.get("min_count") or 2), 1)
	col = DIMENSIONS[dimension]
	t = frappe.qb.DocType(r.TICKET)
	key = t[col]
	where = r.ticket_conditions(t, f) & key.isnotnull() & (key != "")
	current = (
		frappe.qb.from_(t)
		.select(key.as_("grp"), Count("*").as_("tickets"), Count(t.raised_by).distinct().as_("customers"))
		.where(where)
		.groupby(key)
		.having(Count("*") >= min_count)
		.orderby(Count("*"), order=frappe.qb.desc)
		.limit(500)
		.run(as_dict=True)
	)
	period_tickets = frappe.qb.from_(t).select(Count("*")).where(r.ticket_conditions(t, f)).run()[0][0]
	previous, causes, solutions = {}, {}, {}
	if current:
		keys = [c.grp for c in current]
		before = frappe._dict(f)
		before.from_date, before.to_date = previous_period(f.from_date, f.to_date)
		previous = dict(
			frappe.qb.from_(t)
			.select(key, Count("*"))
			.where(r.ticket_conditions(t, before) & key.isin(keys))
			.groupby(key)
			.run()
		)
		# the most frequent root causes and solutions of the recurring keys only
		mine = where & key.isin(keys)
		# from the index: the causes up to 140 characters (`sop_root_cause_key`); the longer ones,
		# rare, from their rows (`report_facts.VIRTUAL_COLUMNS`)
		short = (
			frappe.qb.from_(t)
			.select(key, t.sop_root_cause_key, Count("*"))
			.where(mine & t.sop_root_cause_key.isnotnull() & (t.sop_root_cause_key != ""))
			.groupby(key, t.sop_root_cause_key)
			.run()
		)
		long = (
			frappe.qb.from_(t)
			# only the long ones' rows are read (MariaDB would scan the table)
			.force_index("sop_root_cause_long_index")
			.select(key, t.sop_root_cause, Count("*"))
			.where(mine & (t.sop_root_cause_long == 1))
			.groupby(key, t.sop_root_cause)
			.run()
		)
		causes = _top([*short, *long])
		s = frappe.qb.DocType(r.SOLUTION)
		solutions = _top(
			frappe.qb.from_(t)
			.join(s)
			.on(s.name == t.sop_applied_solution)
			.select(key, s.description, Count("*"))
			.where(mine)
			.groupby(key, s.description)
			.run()
		)
	rows = []
	for c in current:
		before_count = int(previous.get(c.grp, 0))
		rows.append(
			{
				"key": _(c.grp) if dimension == "Category" else c.grp,
				"key_value": c.grp,
				"tickets": int(c.tickets),
				"previous": before_count,
				"change": change_percent(int(c.tickets), before_count),
				"customers": int(c.customers or 0),
				"root_causes": causes.get(c.grp, ""),
				"solutions": solutions.get(c.grp, ""),
			}
		)
	totals = {
		"recurring": len(rows),
		"tickets": sum(row["tickets"] for row in rows),
		"period_tickets": int(period_tickets or 0),
		"previous": sum(row["previous"] for row in rows),
	}
	return dimension, rows, totals


def _top(rows, limit: int = 3) -> dict[str, str]:
	"""(key, text, count) rows -> per key its `limit` most frequent texts, "text (count)"."""
	by_key: dict[str, list] = {}
	for key, text, count in rows:
		by_key.setdefault(key, []).append((-count, text))
	out = {}
	for key, items in by_key.items():
		items.sort()
		parts = [f"{text} ({-count})" for count, text in items[:limit]]
		out[key] = "; ".join(parts)[:MAX_TEXT]
	return out


def columns(dimension: str) -> list[dict]:
	label = {"Category": _("Category"), "Customer": _("Customer"), "Subject": _("Subject (normalised)")}
	cols = [
		r.column(label[dimension], "key", width=220),
		r.column(_("Tickets"), "tickets", "Int", 80),
		r.column(_("Previous Period"), "previous", "Int", 110),
		r.column(_("Change %"), "change", "Percent", 90),
		r.column(_("Customers"), "customers", "Int", 90),
		r.column(_("Root Causes"), "root_causes", "Small Text", 300),
		r.column(_("Applied Solutions"), "solutions", "Small Text", 300),
	]
	return cols


def chart(rows: list[dict]) -> dict | None:
	if not rows:
		return None
	top = rows[:10]
	return {
		"data": {
			"labels": [str(row["key"])[:30] for row in top],
			"datasets": [
				{"name": _("This Period"), "values": [row["tickets"] for row in top]},
				{"name": _("Previous Period"), "values": [row["previous"] for row in top]},
			],
		},
		"type": "bar",
	}


def summary(totals: dict) -> list[dict]:
	share = (
		round(100.0 * totals["tickets"] / totals["period_tickets"], 1) if totals["period_tickets"] else None
	)
	return [
		r.summary_item(_("Recurring"), totals["recurring"], "Int", "Orange"),
		r.summary_item(_("Tickets in Recurring Complaints"), totals["tickets"]),
		r.summary_item(_("Share of All Tickets %"), share, "Percent"),
		r.summary_item(_("Change %"), change_percent(totals["tickets"], totals["previous"]), "Percent"),
	]
