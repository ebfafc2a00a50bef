"""SOP Agent Performance: the chat SOP's CS performance report, one row per agent.

Per agent (`sop_agent`, the ticket's first assignee) for the tickets of the period: tickets
handled and resolved, first response met % and median (operating minutes), the chat reply clock's
met %, median and 90th percentile (the chat messages the agent answered in the period, and those
still waiting on the agent's tickets; `cs_sop.intake.message_clock`), the customer-update
cadence kept (no missed update on the ticket), the reopen rate; the escalations the agent raised
by hand and received (addressed to or acknowledged by them) in the period; the CSAT of the
SOP Satisfaction report.
"""

import frappe
from frappe import _
from frappe.query_builder import Case
from frappe.query_builder.functions import Count, IfNull, Sum
from frappe.utils import now_datetime

from cs_sop import reports as r
from cs_sop.core.report_stats import rate
from cs_sop.cs_sop.doctype.sop_report_day import sop_report_day as report_day
from cs_sop.cs_sop.report.sop_satisfaction import sop_satisfaction
from cs_sop.intake import message_clock

ESCALATION = "SOP Escalation"
MESSAGE_FIGURES = ("msg_met_pct", "msg_median", "msg_p90")


@frappe.read_only()
def execute(filters=None):
	f = r.parse_filters(filters)
	rows = compute(f)
	return columns(), rows, None, chart(rows), summary(rows)


def _count(criterion):
	return Sum(Case().when(criterion, 1).else_(0))


def compute(f) -> list[dict]:
	summary = report_day.figures(f, "Agent", lists=("fr_values", "fr_pending"))
	if summary is None:
		tickets = _from_tickets(f)
		first, _all = r.percentiles_of(tickets, "fr_values", key="agent")
	else:
		# the per-day summary by agent (tickets without an agent are not an agent's)
		tickets = [
			frappe._dict(figures, agent=agent, handled=figures["tickets"], fr_values=None)
			for agent, figures in summary.items()
			if agent is not None
		]
		first, _all = r.percentiles_of_lists(
			{agent: summary[agent]["fr_values"] for agent in summary if agent}
		)
	# the chat replies of the period by who answered them (waiting ones: the ticket's agent)
	messages, _messages_all = message_clock.report_figures(f, "Agent")
	messages.pop(None, None)

	raised, received = _escalations(f)
	_group, sat_rows, _total, _dist = sop_satisfaction.compute(frappe._dict(f, group_by="Agent"))
	csat = {row["group_value"]: row for row in sat_rows if row["group_value"]}

	by_agent = {row.agent: row for row in tickets}
	agents = set(by_agent) | set(raised) | set(received) | set(csat) | set(messages)
	if f.get("agent"):
		agents &= {f.agent}
	names = dict(
		frappe.get_all(
			"User", filters={"name": ("in", list(agents))}, fields=["name", "full_name"], as_list=1
		)
	)
	rows = []
	for agent in agents:
		c = by_agent.get(agent) or frappe._dict()
		sat = csat.get(agent) or {}
		rows.append(
			{
				"agent": agent,
				"agent_name": names.get(agent) or agent,
				"handled": int(c.handled or 0),
				"resolved": int(c.resolved or 0),
				"fr_met_pct": rate(c.fr_met, int(c.fr_decided or 0)),
				"fr_median": r.minutes(first.get(agent, {}).get(50)),
				**{k: v for k, v in messages.get(agent, message_clock.EMPTY).items() if k in MESSAGE_FIGURES},
				"cadence_pct": rate(c.cadence_kept, int(c.handled or 0)),
				"reopen_pct": rate(c.reopened, int(c.ever_resolved or 0)),
				"raised": int(raised.get(agent, 0)),
				"received": int(received.get(agent, 0)),
				"csat_avg": sat.get("csat_avg"),
				"csat_answers": sat.get("answered", 0),
			}
		)
	rows.sort(key=lambda row: (-row["handled"], row["agent"]))
	return rows


def _from_tickets(f) -> list:
	"""Per agent, the counts and first-response durations read from the tickets."""
	t = frappe.qb.DocType(r.TICKET)
	now = now_datetime()
	where = r.ticket_conditions(t, f) & t.sop_agent.isnotnull()
	fr_decided = t.response_by.isnotnull() & (t.first_responded_on.isnotnull() | (t.response_by < now))
	fr_met = t.response_by.isnotnull() & (t.first_responded_on <= t.response_by)
	ever_resolved = t.resolution_date.isnotnull() | (t.sop_reopen_count > 0)
	r.allow_long_concat()
	return (
		frappe.qb.from_(t)
		.select(
			t.sop_agent.as_("agent"),
			Count("*").as_("handled"),
			_count(t.resolution_date.isnotnull()).as_("resolved"),
			_count(fr_decided).as_("fr_decided"),
			_count(fr_met).as_("fr_met"),
			_count(IfNull(t.sop_update_misses, 0) == 0).as_("cadence_kept"),
			_count(ever_resolved).as_("ever_resolved"),
			_count(t.sop_reopen_count > 0).as_("reopened"),
			r.concat_values(t.sop_first_response_seconds, t.first_responded_on.isnotnull()).as_("fr_values"),
		)
		.where(where)
		.groupby(t.sop_agent)
		.run(as_dict=True)
	)


def _escalations(f) -> tuple[dict, dict]:
	"""Escalations raised by hand (escalated_by) and received (addressed to / acknowledged by)."""
	e = frappe.qb.DocType(ESCALATION)
	t = frappe.qb.DocType(r.TICKET)
	start, end = r.day_bounds(f)
	base = frappe.qb.from_(e).where((e.creation >= start) & (e.creation < end))
	# the ticket only for a ticket filter: else the covering `sop_escalation_people_index` is enough
	filters = {col: f.get(key) for key, col in r.TICKET_FILTERS.items() if key != "agent" and f.get(key)}
	if filters:
		base = base.join(t).on(t.name == e.ticket)
		for col, value in filters.items():
			base = base.where(t[col] == value)
	raised = dict(
		base.select(e.escalated_by, Count("*"))
		.where((e.is_automatic == 0) & e.escalated_by.isnotnull())
		.groupby(e.escalated_by)
		.run()
	)
	receiver = IfNull(e.escalated_to_user, e.acknowledged_by)
	received = dict(base.select(receiver, Count("*")).where(receiver.isnotnull()).groupby(receiver).run())
	return raised, received


def columns() -> list[dict]:
	return [
		r.column(_("Agent"), "agent", "Link", 180, "User"),
		r.column(_("Agent Name"), "agent_name", "Data", 150),
		r.column(_("Tickets Handled"), "handled", "Int", 110),
		r.column(_("Resolved"), "resolved", "Int", 80),
		r.column(_("First Response Met %"), "fr_met_pct", "Percent", 130),
		r.column(_("Median First Response (min)"), "fr_median", "Float", 150),
		r.column(_("Chat Reply Met %"), "msg_met_pct", "Percent", 120),
		r.column(_("Median Chat Reply (min)"), "msg_median", "Float", 140),
		r.column(_("P90 Chat Reply (min)"), "msg_p90", "Float", 130),
		r.column(_("Update Cadence Kept %"), "cadence_pct", "Percent", 140),
		r.column(_("Reopen Rate %"), "reopen_pct", "Percent", 110),
		r.column(_("Escalations Raised"), "raised", "Int", 120),
		r.column(_("Escalations Received"), "received", "Int", 130),
		r.column(_("CSAT Average (1-5)"), "csat_avg", "Float", 120),
		r.column(_("CSAT Answers"), "csat_answers", "Int", 100),
	]


def chart(rows: list[dict]) -> dict | None:
	if not rows:
		return None
	top = rows[:12]
	return {
		"data": {
			"labels": [row["agent_name"] for row in top],
			"datasets": [
				{"name": _("Tickets Handled"), "values": [row["handled"] for row in top]},
				{"name": _("Resolved"), "values": [row["resolved"] for row in top]},
			],
		},
		"type": "bar",
	}


def summary(rows: list[dict]) -> list[dict]:
	handled = sum(row["handled"] for row in rows)
	answers = sum(row["csat_answers"] or 0 for row in rows)
	csat = (
		round(sum((row["csat_avg"] or 0) * (row["csat_answers"] or 0) for row in rows) / answers, 2)
		if answers
		else None
	)
	return [
		r.summary_item(_("Agents"), len(rows)),
		r.summary_item(_("Tickets Handled"), handled),
		r.summary_item(_("Resolved"), sum(row["resolved"] for row in rows)),
		r.summary_item(_("Escalations Raised"), sum(row["raised"] for row in rows)),
		r.summary_item(_("CSAT Average (1-5)"), csat, "Float", "Green"),
	]
