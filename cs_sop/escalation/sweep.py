"""The escalation sweep (every minute, long queue) and the re-planning job. Set-based:

1. one locking, indexed query takes the open tickets whose `sop_next_check` has come
   (SELECT ... FOR UPDATE: a second sweep running at the same time waits, then sees the new
   `sop_next_check` values and leaves those tickets alone);
2. the pure plan (`cs_sop.core.ladder`) decides, per ticket, in memory;
3. the writes are bulk: escalations with INSERT IGNORE on their primary key
   `<ticket>[-R<round>]-L<level>` (one per ticket, round and level, enforced by the database),
   ticket columns with one CASE update per group, activity-log lines with one insert, one digest
   per receiver.
Everything is one transaction (the job's): a crash half-way leaves nothing behind, and the next
run does the whole work again. Manual escalation and acknowledgement lock the ticket row first
too (same lock order: ticket, then escalation), so none of them deadlocks with the sweep or loses
an acknowledgement deadline.
"""

import uuid
from datetime import datetime

import frappe
from frappe import _
from frappe.utils import now_datetime

from cs_sop import activity, bulk, messaging
from cs_sop.core import ladder
from cs_sop.core.stage import ESCALATED
from cs_sop.core.status import OPEN_CATEGORIES
from cs_sop.escalation.context import ESCALATION, TICKET, TICKET_COLUMNS, Context, escalation_name, parse
from cs_sop.escalation.notify import FALLBACK_ROLES, Notifications, category_team

BATCH = 5000


def enqueue_sweep():
	"""Cron, every minute: queue the sweep on the long queue, once (deduplicated by job id)."""
	frappe.enqueue(
		"cs_sop.escalation.sweep.sweep", queue="long", job_id="cs_sop_escalation_sweep", deduplicate=True
	)


def sweep(now: datetime | None = None, limit: int = BATCH, only: list[str] | None = None) -> dict:
	"""One run. `now` and `only` (these tickets and no others) are for tests and benchmarks."""
	now = now or now_datetime()
	ctx = Context()
	run_id = uuid.uuid4().hex
	T = frappe.qb.DocType(TICKET)
	query = (
		frappe.qb.from_(T)
		.select(*(T[c] for c in TICKET_COLUMNS))
		.where(T.sop_next_check <= now)
		.orderby(T.sop_next_check)
		.limit(limit)
		.for_update()
	)
	if only is not None:
		query = query.where(T.name.isin(only or [""]))
	rows = [parse(r) for r in query.run(as_dict=True)]
	stats = {"due": len(rows), "escalated": 0, "warned": 0, "reminded": 0}
	if not rows:
		return stats

	escs = current_escalations(rows)
	plans = {r.name: ctx.plan(r, escs.get(r.name), now) for r in rows}
	by_name = {r.name: r for r in rows}

	notes = Notifications(ctx)
	mine, teams = _insert_escalations(by_name, plans, ctx, now, run_id, notes)
	updates = {name: p.updates for name, p in plans.items() if p.updates}
	for name, p in plans.items():
		if p.escalate_to:
			updates[name]["sop_stage"] = ESCALATED
			if name not in mine:
				# the escalation row exists already (a manual escalation, or a run that died after
				# writing it): the ticket takes its level, but nobody is told twice
				p.escalate_to = None
	if updates:
		bulk.update(TICKET, updates)

	activity_lines = []
	lang = messaging.site_language()
	# translated once per run, not per ticket (each _() is a cache look-up)
	line = _("escalated to level {0} ({1}): {2}", lang=lang)
	reasons = {reason: _(reason, lang=lang) for reason in (ladder.SLA_BREACH, ladder.CHAT_RESPONSE_BREACH)}
	for name, p in plans.items():
		row = by_name[name]
		if p.escalate_to:
			lv = ctx.by_level[p.escalate_to]
			reason = reasons[ladder.breach_reason(row, now)]
			activity_lines.append((name, line.format(lv["level"], lv["level_name"], reason)))
			notes.escalation(row, lv, teams.get(name))
			stats["escalated"] += 1
		for kind in p.warn:
			notes.warning(row, kind)
			stats["warned"] += 1
		if p.remind:
			notes.reminder(row, p.updates["sop_update_misses"])
			stats["reminded"] += 1
	activity.log_lines(activity_lines)
	notes.send()
	return stats


def current_escalations(rows) -> dict[str, dict]:
	"""Ticket -> its current level's escalation (creation, status), for tickets above level 0."""
	names = [
		escalation_name(r.name, r.sop_escalation_level, r.sop_escalation_round)
		for r in rows
		if r.sop_escalation_level
	]
	if not names:
		return {}
	E = frappe.qb.DocType(ESCALATION)
	found = (
		frappe.qb.from_(E)
		.select(E.name, E.ticket, E.creation, E.status)
		.where(E.name.isin(names))
		.run(as_dict=True)
	)
	return {e.ticket: e for e in found}


def routing(
	ctx: Context, level: int, ticket_type: str | None, now: datetime, notes: Notifications | None = None
) -> dict:
	"""Receiver fields of an escalation to `level` made now, and its acknowledgement deadline.
	A level that would reach nobody (no user, role or team member) goes to the first fallback
	role that has users, never to silence."""
	lv = ctx.by_level[level]
	team = category_team(ticket_type) if lv.get("notify_category_team") else None
	user, role = lv.get("notify_user"), lv.get("notify_role")
	notes = notes or Notifications(ctx)  # one per run: receivers are looked up once per role/team
	if not (user or notes.role_users(role) or notes.team_users(team)):
		role = next((r for r in FALLBACK_ROLES if notes.role_users(r)), role)
	return {
		"escalated_to_user": user,
		"escalated_to_role": role,
		"escalated_to_team": team,
		"ack_due": ctx.ack_due(level, now),
	}


def _insert_escalations(by_name, plans, ctx: Context, now: datetime, run_id: str, notes: Notifications):
	"""INSERT IGNORE the due escalations; (tickets whose escalation this run made, their teams)."""
	values, teams = [], {}
	summaries = (
		_("SLA breach: no first response by {0}."),
		_("SLA breach: resolution due by {0}."),
		_("Chat response breach: the customer has been waiting since {0}; the reply was due by {1}."),
	)
	for name, p in plans.items():
		level = p.escalate_to
		if not level:
			continue
		row, lv = by_name[name], ctx.by_level[level]
		to = routing(ctx, level, row.ticket_type, now, notes)
		teams[name] = to["escalated_to_team"]
		values.append(
			(
				escalation_name(name, level, row.sop_escalation_round),
				now,
				now,
				"Administrator",
				"Administrator",
				name,
				(row.subject or "")[:140],
				level,
				row.sop_escalation_round or 1,
				lv["level_name"],
				"Open",
				ladder.breach_reason(row, now),
				1,
				"Administrator",
				to["escalated_to_user"],
				to["escalated_to_role"],
				to["escalated_to_team"],
				_auto_summary(row, summaries, now),
				row.resolution_by,
				to["ack_due"],
				run_id,
			)
		)
	if not values:
		return set(), teams
	fields = [
		*bulk.STANDARD_COLUMNS,
		"ticket",
		"subject",
		"level",
		"escalation_round",
		"level_name",
		"status",
		"reason",
		"is_automatic",
		"escalated_by",
		"escalated_to_user",
		"escalated_to_role",
		"escalated_to_team",
		"case_summary",
		"target_resolution",
		"ack_due",
		"sweep_run",
	]
	bulk.insert(ESCALATION, fields, values, ignore_duplicates=True)
	E = frappe.qb.DocType(ESCALATION)
	mine = (
		frappe.qb.from_(E)
		.select(E.ticket)
		.where(E.name.isin([v[0] for v in values]))
		.where(E.sweep_run == run_id)
		.run(pluck=True)
	)
	return set(mine), teams


def _auto_summary(row, templates: tuple[str, str, str], now: datetime) -> str:
	if ladder.breach_reason(row, now) == ladder.CHAT_RESPONSE_BREACH:
		return templates[2].format(row.sop_waiting_since, row.sop_message_due_on)
	if not row.first_responded_on and row.response_by:
		return templates[0].format(row.response_by)
	return templates[1].format(row.resolution_by)


def close_escalations(ticket: str) -> None:
	"""A resolved or closed ticket resolves its open escalations (one indexed update)."""
	E = frappe.qb.DocType(ESCALATION)
	(
		frappe.qb.update(E)
		.set(E.status, "Resolved")
		.where(E.ticket == ticket)
		.where(E.status.isin(["Open", "Acknowledged"]))
		.run()
	)


# ---------- re-planning after a configuration change ----------


def enqueue_replan(doc=None, method=None):
	"""SOP Settings, escalation levels, update intervals or operating hours changed: re-plan
	`sop_next_check` of every open ticket in a job (deduplicated; after the change commits).
	Not while cs_sop is being installed: tickets that were open before join the sweep when they
	are next saved, so an install fires no burst of escalations for old breaches."""
	if frappe.flags.in_install:
		return
	if frappe.flags.in_test or frappe.flags.in_migrate:
		# at once (a deduplicated job still queued from elsewhere must not swallow this one)
		replan_open_tickets()
		return
	frappe.enqueue(
		"cs_sop.escalation.sweep.replan_open_tickets",
		queue="long",
		job_id="cs_sop_replan_open_tickets",
		deduplicate=True,
		enqueue_after_commit=True,
	)


def replan_open_tickets(batch: int = BATCH) -> int:
	"""Recompute `sop_next_check` of the open and paused tickets, set-based, in chunks; each chunk
	locks its rows (as the sweep does) and writes only the values that changed. Returns how many."""
	ctx = Context()
	T = frappe.qb.DocType(TICKET)
	changed, last = 0, ""
	while True:
		rows = (
			frappe.qb.from_(T)
			.select(*(T[c] for c in TICKET_COLUMNS), T.sop_next_check)
			.where(T.status_category.isin(OPEN_CATEGORIES))
			.where(T.name > last)
			.orderby(T.name)
			.limit(batch)
			.for_update()
			.run(as_dict=True)
		)
		if not rows:
			return changed
		rows = [parse(r) for r in rows]
		escs = current_escalations(rows)
		updates = {}
		for r in rows:
			planned = ctx.plan(r, escs.get(r.name), datetime.min).updates["sop_next_check"]
			if str(planned or "") != str(r.sop_next_check or ""):
				updates[r.name] = {"sop_next_check": planned}
		if updates:
			bulk.update(TICKET, updates)
			changed += len(updates)
		last = rows[-1].name
