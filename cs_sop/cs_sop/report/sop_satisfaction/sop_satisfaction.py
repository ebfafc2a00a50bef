"""SOP Satisfaction: CSAT, response rate, NPS, CES and low-score comments by agent/channel/category.

Source: the SOP Survey, the surveys sent in the period (each also fills Helpdesk's own feedback
fields of its ticket, so Helpdesk's views agree).
"""

import frappe
from frappe import _
from frappe.query_builder import Case
from frappe.query_builder.functions import Count, Sum

from cs_sop import reports as r
from cs_sop.core.report_stats import (
	CSAT_SATISFIED,
	LOW_CSAT,
	NPS_DETRACTOR,
	NPS_PROMOTER,
	nps_from_counts,
	rate,
)

GROUPS = ("Agent", "Channel", "Category", "Team")
SCORES = (1, 2, 3, 4, 5)


@frappe.read_only()
def execute(filters=None):
	f = r.parse_filters(filters)
	if (f.get("view") or "Summary") == "Low Scores":
		rows = low_scores(f)
		return low_score_columns(), rows, None, None, None
	group, rows, total, distribution = compute(f)
	return columns(group), rows, None, chart(distribution), summary(total)


class Source:
	"""The survey's column expressions; the ticket is joined only when a filter or a list needs it."""

	def __init__(self, f):
		self.f = f
		t = self.t = frappe.qb.DocType(r.TICKET)
		s = self.s = frappe.qb.DocType(r.SURVEY)
		start, end = r.day_bounds(f)
		# the ticket only when a filter needs it (priority, request type) or a list shows its subject
		needs_ticket = bool(f.get("priority") or f.get("request_type") or f.get("view") == "Low Scores")
		self.query = frappe.qb.from_(s)
		if needs_ticket:
			self.query = self.query.left_join(t).on(t.name == s.ticket)
		self.where = (s.sent_on >= start) & (s.sent_on < end)
		own = {"team": s.team, "agent": s.agent, "channel": s.channel, "category": s.category}
		self.columns = {**own, "priority": t.priority, "request_type": t.sop_request_type}
		self.groups = {"Agent": s.agent, "Channel": s.channel, "Category": s.category, "Team": s.team}
		self.csat = Case().when((s.csat >= 1) & (s.csat <= 5), s.csat)
		self.nps = Case().when((s.nps >= 0) & (s.nps <= 10), s.nps)
		self.ces = Case().when((s.ces >= 1) & (s.ces <= 7), s.ces)
		self.solved = Case().when(s.problem_solved == "Yes", 1).when(s.problem_solved == "No", 0)
		self.comment, self.reason, self.ticket = s.comment, s.low_score_reason, s.ticket
		self.when = s.sent_on
		for key, col in self.columns.items():
			if f.get(key):
				self.where &= col == f.get(key)


def _sum(criterion):
	return Sum(Case().when(criterion, 1).else_(0))


def compute(f):
	group = f.get("group_by") or "Agent"
	if group not in GROUPS:
		frappe.throw(_("Cannot group by {0}.").format(group))
	src = Source(f)
	key = src.groups[group]
	# one scan: the groups' counts and sums; the total and the distribution are added up from them
	aggregates = [
		Count("*").as_("asked"),
		_sum(src.csat.isnotnull()).as_("answered"),
		Sum(src.csat).as_("csat_sum"),
		_sum(src.csat >= CSAT_SATISFIED).as_("satisfied"),
		_sum(src.nps.isnotnull()).as_("nps_answered"),
		_sum(src.nps >= NPS_PROMOTER).as_("promoters"),
		_sum(src.nps <= NPS_DETRACTOR).as_("detractors"),
		_sum(src.ces.isnotnull()).as_("ces_answered"),
		Sum(src.ces).as_("ces_sum"),
		_sum(src.solved.isnotnull()).as_("solved_answered"),
		Sum(src.solved).as_("solved"),
		_sum(src.csat <= LOW_CSAT).as_("low"),
		*(_sum(src.csat == score).as_(f"stars_{score}") for score in SCORES),
	]
	grouped = src.query.select(key.as_("grp"), *aggregates).where(src.where).groupby(key).run(as_dict=True)
	total = frappe._dict(grp=None)
	for field in (a.alias for a in aggregates):
		total[field] = sum(int(g[field] or 0) for g in grouped)
	distribution = {score: total[f"stars_{score}"] for score in SCORES if total[f"stars_{score}"]}
	rows = [_row(group, g) for g in grouped]
	rows.sort(key=lambda row: (-row["asked"], row["group"]))
	return group, rows, (_row(group, total) if total.asked else None), distribution


def _average(part, whole) -> float | None:
	return round(float(part) / int(whole), 2) if whole and part is not None else None


def _row(group: str, g) -> dict:
	answered = int(g.answered or 0)
	return {
		"group": r.group_label(group, g.get("grp")),
		"group_value": g.get("grp"),
		"asked": int(g.asked or 0),
		"answered": answered,
		"response_rate": rate(answered, g.asked),
		"csat_avg": _average(g.csat_sum, answered),
		"csat_pct": rate(g.satisfied, answered),
		"nps": nps_from_counts(int(g.promoters or 0), int(g.detractors or 0), int(g.nps_answered or 0)),
		"ces_avg": _average(g.ces_sum, g.ces_answered),
		"solved_pct": rate(g.solved, g.solved_answered),
		"low": int(g.low or 0),
	}


def columns(group: str) -> list[dict]:
	return [
		r.column(_(group), "group", width=180),
		r.column(_("Asked"), "asked", "Int", 80),
		r.column(_("Answered"), "answered", "Int", 90),
		r.column(_("Response Rate %"), "response_rate", "Percent", 120),
		r.column(_("CSAT Average (1-5)"), "csat_avg", "Float", 120),
		r.column(_("CSAT %"), "csat_pct", "Percent", 90),
		r.column(_("NPS"), "nps", "Float", 80),
		r.column(_("CES Average (1-7)"), "ces_avg", "Float", 120),
		r.column(_("Problem Solved %"), "solved_pct", "Percent", 120),
		r.column(_("Low Scores"), "low", "Int", 90),
	]


def chart(distribution: dict) -> dict | None:
	if not distribution:
		return None
	return {
		"data": {
			"labels": [_("{0} stars").format(s) for s in SCORES],
			"datasets": [{"name": _("Answers"), "values": [int(distribution.get(s, 0)) for s in SCORES]}],
		},
		"type": "bar",
		"colors": ["#f5a623"],
	}


def summary(total: dict | None) -> list[dict]:
	total = total or {}
	return [
		r.summary_item(_("Asked"), total.get("asked", 0)),
		r.summary_item(_("Response Rate %"), total.get("response_rate"), "Percent"),
		r.summary_item(_("CSAT %"), total.get("csat_pct"), "Percent", "Green"),
		r.summary_item(_("CSAT Average (1-5)"), total.get("csat_avg"), "Float", "Green"),
		r.summary_item(_("NPS"), total.get("nps"), "Float"),
		r.summary_item(_("CES Average (1-7)"), total.get("ces_avg"), "Float"),
		r.summary_item(_("Low Scores"), total.get("low", 0), "Int", "Red"),
	]


def low_scores(f) -> list[dict]:
	"""The answers with a CSAT of 1 or 2 and what the customer wrote, newest first."""
	src = Source(f)
	t = src.t
	return (
		src.query.select(
			src.ticket.as_("ticket"),
			t.subject,
			src.when.as_("on"),
			src.groups["Agent"].as_("agent"),
			src.groups["Channel"].as_("channel"),
			src.groups["Category"].as_("category"),
			src.csat.as_("csat"),
			src.comment.as_("comment"),
			src.reason.as_("reason"),
		)
		.where(src.where & (src.csat <= LOW_CSAT))
		.orderby(src.when, order=frappe.qb.desc)
		.limit(500)
		.run(as_dict=True)
	)


def low_score_columns() -> list[dict]:
	return [
		r.column(_("Ticket"), "ticket", "Link", 90, "HD Ticket"),
		r.column(_("Subject"), "subject", "Data", 200),
		r.column(_("Date"), "on", "Datetime", 150),
		r.column(_("Agent"), "agent", "Link", 150, "User"),
		r.column(_("Channel"), "channel", "Data", 100),
		r.column(_("Category"), "category", "Link", 120, "HD Ticket Type"),
		r.column(_("CSAT (1-5)"), "csat", "Int", 80),
		r.column(_("Comment"), "comment", "Small Text", 280),
		r.column(_("Reason"), "reason", "Data", 160),
	]
