"""SOP Escalation Register: the chat SOP's escalation forms as a list, with acknowledgement times.

One row per SOP Escalation raised in the period (its `creation`), the latest `MAX_ROWS` of them:
the list is read newest first over `sop_escalation_register_index` and stops there, so a year of
escalations costs no more than a page (a message says when rows were left out; narrow the period
or filter). The summary and the chart count every escalation of the period: one grouped query over
the same covering index (the ticket is joined only when a ticket filter is set). Times are
elapsed minutes, as the acknowledgement deadline (`ack_due`) is set in elapsed minutes:
- time to acknowledge: creation -> acknowledged_on;
- time at the level: creation -> the next level's escalation, else the ticket's resolution, else now;
- not acknowledged in time: acknowledged after `ack_due`, or still not acknowledged past it.
"""

import frappe
from frappe import _
from frappe.query_builder import Case, CustomFunction
from frappe.query_builder.functions import Coalesce, Count, GroupConcat, Sum
from frappe.query_builder.terms import ValueWrapper
from frappe.utils import now_datetime
from pypika.terms import LiteralValue

from cs_sop import reports as r
from cs_sop.core.report_stats import median, rate

ESCALATION = "SOP Escalation"
TimestampDiff = CustomFunction("TIMESTAMPDIFF", ["unit", "start", "end"])


MAX_ROWS = 2000


@frappe.read_only()
def execute(filters=None):
	f = r.parse_filters(filters)
	rows = compute(f)
	figures = totals(f)
	message = None
	if figures.count > len(rows):
		message = _(
			"The latest {0} of {1} escalations are listed; narrow the period or filter to see the others."
		).format(len(rows), figures.count)
	return columns(), rows, message, chart(figures), summary(figures)


def _filtered(query, e, t, f, joined: bool):
	"""The register's filters on a query of SOP Escalation `e` (joined to the ticket `t` or not)."""
	if joined:
		for key, col in r.TICKET_FILTERS.items():
			if f.get(key):
				query = query.where(t[col] == f.get(key))
	if f.get("level"):
		query = query.where(e.level == int(f.level))
	if f.get("reason"):
		query = query.where(e.reason == f.reason)
	if f.get("status"):
		query = query.where(e.status == f.status)
	return query


def _late(e, now):
	return (e.ack_due.isnotnull()) & (
		(e.acknowledged_on > e.ack_due) | (e.acknowledged_on.isnull() & (e.ack_due < now))
	)


def totals(f) -> frappe._dict:
	"""Every escalation of the period: count, acknowledged, late, acknowledgement seconds, per
	level and per (level, reason). One grouped query, from the covering index alone unless a
	ticket filter needs the ticket."""
	e = frappe.qb.DocType(ESCALATION)
	t = frappe.qb.DocType(r.TICKET)
	start, end = r.day_bounds(f)
	joined = r.has_ticket_filters(f)
	query = frappe.qb.from_(e)
	if joined:
		query = query.join(t).on(t.name == e.ticket)
	ack = TimestampDiff(LiteralValue("SECOND"), e.creation, e.acknowledged_on)
	r.allow_long_concat()
	query = query.select(
		e.level,
		e.reason,
		Count("*").as_("n"),
		Sum(Case().when(_late(e, now_datetime()), 1).else_(0)).as_("late"),
		GroupConcat(ack).as_("ack_seconds"),
	).where((e.creation >= start) & (e.creation < end))
	groups = _filtered(query, e, t, f, joined).groupby(e.level, e.reason).run(as_dict=True)
	acked = sorted(int(v) for g in groups if g.ack_seconds for v in g.ack_seconds.split(","))
	levels, by_reason = {}, {}
	for g in groups:
		levels[g.level] = levels.get(g.level, 0) + int(g.n)
		by_reason[(g.level, g.reason)] = int(g.n)
	return frappe._dict(
		count=sum(levels.values()),
		acked=acked,
		late=sum(int(g.late or 0) for g in groups),
		levels=levels,
		by_reason=by_reason,
	)


def compute(f) -> list[dict]:
	e = frappe.qb.DocType(ESCALATION)
	nxt = frappe.qb.DocType(ESCALATION).as_("nxt")
	t = frappe.qb.DocType(r.TICKET)
	now = now_datetime()
	start, end = r.day_bounds(f)
	second = LiteralValue("SECOND")
	left_level_at = Coalesce(nxt.creation, t.resolution_date, ValueWrapper(now))
	late = _late(e, now)
	query = (
		frappe.qb.from_(e)
		# MariaDB would rather start from the ticket index and sort the whole period
		.force_index("sop_escalation_register_index")
		.join(t)
		.on(t.name == e.ticket)
		.left_join(nxt)
		.on((nxt.ticket == e.ticket) & (nxt.level == e.level + 1))
		.select(
			e.name.as_("escalation"),
			e.ticket,
			t.subject,
			e.level,
			e.level_name,
			e.reason,
			e.is_automatic,
			e.escalated_by,
			Coalesce(e.escalated_to_user, e.escalated_to_team, e.escalated_to_role).as_("escalated_to"),
			e.creation.as_("escalated_on"),
			e.ack_due,
			e.acknowledged_by,
			e.acknowledged_on,
			TimestampDiff(second, e.creation, e.acknowledged_on).as_("ack_seconds"),
			TimestampDiff(second, e.creation, left_level_at).as_("level_seconds"),
			Case().when(late, 1).else_(0).as_("late"),
			e.status,
			nxt.name.as_("next_escalation"),
			t.status.as_("ticket_status"),
			t.agent_group.as_("team"),
			e.case_summary,
		)
		.where((e.creation >= start) & (e.creation < end))
		# newest first in index order, so a long period stops after a page; listed oldest first below
		.orderby(e.creation, order=frappe.qb.desc)
		.limit(MAX_ROWS)
	)
	# the ticket filters apply to the escalated ticket; its period is the escalation's
	query = _filtered(query, e, t, f, True)
	rows = query.run(as_dict=True)
	rows.reverse()
	for row in rows:
		row.ack_minutes = r.minutes(row.ack_seconds)
		row.level_minutes = r.minutes(row.level_seconds)
		row.outcome = _outcome(row)
		row.reason_label = _(row.reason) if row.reason else ""
		row.status_label = _(row.status) if row.status else ""
	return rows


def _outcome(row) -> str:
	if row.next_escalation:
		return _("Escalated to the next level")
	if row.status in ("Resolved", "Cancelled"):
		return _("Ticket resolved") if row.status == "Resolved" else _("Cancelled")
	if row.status == "Acknowledged":
		return _("Being handled")
	return _("Waiting for acknowledgement")


def columns() -> list[dict]:
	return [
		r.column(_("Escalation"), "escalation", "Link", 130, "SOP Escalation"),
		r.column(_("Ticket"), "ticket", "Link", 90, "HD Ticket"),
		r.column(_("Subject"), "subject", "Data", 200),
		r.column(_("Level"), "level", "Int", 60),
		r.column(_("Level Name"), "level_name", "Data", 140),
		r.column(_("Reason"), "reason_label", "Data", 130),
		r.column(_("Automatic"), "is_automatic", "Check", 80),
		r.column(_("Escalated By"), "escalated_by", "Link", 150, "User"),
		r.column(_("Escalated To"), "escalated_to", "Data", 150),
		r.column(_("Escalated On"), "escalated_on", "Datetime", 150),
		r.column(_("Acknowledge By"), "ack_due", "Datetime", 150),
		r.column(_("Acknowledged By"), "acknowledged_by", "Link", 150, "User"),
		r.column(_("Acknowledged On"), "acknowledged_on", "Datetime", 150),
		r.column(_("Time to Acknowledge (min)"), "ack_minutes", "Float", 140),
		r.column(_("Time at Level (min)"), "level_minutes", "Float", 130),
		r.column(_("Not Acknowledged in Time"), "late", "Check", 130),
		r.column(_("Status"), "status_label", "Data", 110),
		r.column(_("Outcome"), "outcome", "Data", 190),
		r.column(_("Case Summary"), "case_summary", "Small Text", 250),
	]


def chart(figures) -> dict | None:
	if not figures.count:
		return None
	levels = sorted(figures.levels)
	reasons = sorted({reason for _level, reason in figures.by_reason if reason})
	return {
		"data": {
			"labels": [_("Level {0}").format(level) for level in levels],
			"datasets": [
				{
					"name": _(reason),
					"values": [figures.by_reason.get((level, reason), 0) for level in levels],
				}
				for reason in reasons
			],
		},
		"type": "bar",
		"barOptions": {"stacked": 1},
	}


def summary(figures) -> list[dict]:
	"""From `totals(f)`: every escalation of the period, not only the listed ones."""
	items = [
		r.summary_item(_("Escalations"), figures.count),
		r.summary_item(_("Acknowledged %"), rate(len(figures.acked), figures.count), "Percent", "Green"),
		r.summary_item(_("Median Time to Acknowledge (min)"), r.minutes(median(figures.acked)), "Float"),
		r.summary_item(
			_("Not Acknowledged in Time"), figures.late, "Int", "Red" if figures.late else "Green"
		),
	]
	for level in sorted(figures.levels):
		items.append(r.summary_item(_("Level {0}").format(level), figures.levels[level]))
	return items
