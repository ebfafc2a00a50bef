"""SLA escalation ladder, pre-breach warnings and customer-update reminders (SOP stages 3-5).

The sweep (every minute, long queue) is set-based:
1. one locking, indexed query takes the open tickets whose `sop_next_check` has come
   (SELECT ... FOR UPDATE: a second sweep running at the same time waits, then sees the new
   `sop_next_check` values and leaves those tickets alone);
2. the pure core (`cs_sop.core.escalation`) decides, per ticket, in memory;
3. the writes are bulk: escalations with INSERT IGNORE on their primary key `<ticket>-L<level>`
   (one per ticket and level, enforced by the database), ticket columns with one CASE update per
   chunk, activity-log lines with one insert, one digest notification + email per receiver.
Everything is one transaction (the job's): a crash half-way leaves nothing behind, and the next
run does the whole work again.
"""

import json
import uuid
from collections import defaultdict
from datetime import datetime, timedelta

import frappe
from frappe import _
from frappe.utils import get_datetime, now_datetime

from cs_sop import bulk
from cs_sop.core import escalation as rules
from cs_sop.core.stage import ESCALATED, MONITORING

TICKET = "HD Ticket"
ESCALATION = "SOP Escalation"
BATCH = 5000
DIGEST_LINES = 30  # a burst of breaches is one message per receiver, listing this many tickets
OPEN_CATEGORIES = ("Open", "Paused")
MANAGER_ROLES = ("System Manager", "Agent Manager", "SOP Operations Manager")
# written only by this module (and kept through agents' saves, see ticket.before_validate)
SWEEP_FIELDS = ("sop_escalation_level", "sop_response_warned", "sop_resolution_warned", "sop_update_misses")
TICKET_COLUMNS = (
	"name",
	"subject",
	"priority",
	"ticket_type",
	"status_category",
	"_assign",
	"service_level_agreement_creation",
	"response_by",
	"first_responded_on",
	"resolution_by",
	"last_agent_response",
	*SWEEP_FIELDS,
)


def escalation_name(ticket: str, level: int) -> str:
	return f"{ticket}-L{level}"


# ---------- shared state ----------


class Context:
	"""Configuration read once per sweep (or per ticket save): levels, settings, calendar."""

	def __init__(self):
		from cs_sop.cs_sop.doctype.sop_escalation_level.sop_escalation_level import as_rules, get_levels
		from cs_sop.sla import cached_calendar

		self.levels = get_levels()
		self.by_level = {lv["level"]: lv for lv in self.levels}
		self.rules = as_rules(self.levels)
		settings = frappe.get_cached_doc("SOP Settings")
		self.enabled = bool(settings.enable_escalation)
		self.warn_share = (settings.warning_share_left or 0) / 100
		self.calendar = cached_calendar()

	@staticmethod
	def interval(priority: str | None) -> int:
		if not priority:
			return 0
		return frappe.get_cached_value("HD Ticket Priority", priority, "sop_update_interval") or 0

	def add(self, start: datetime, seconds: float) -> datetime:
		if not self.calendar.hours:  # no operating hours configured: wall clock
			return start + timedelta(seconds=seconds)
		return self.calendar.add(start, seconds)


def _clock(row, esc) -> rules.Clock:
	return rules.Clock(
		created=_dt(row.get("service_level_agreement_creation")),
		response_by=_dt(row.get("response_by")),
		responded=bool(row.get("first_responded_on")),
		resolution_by=_dt(row.get("resolution_by")),
		level=row.get("sop_escalation_level") or 0,
		escalated_on=_dt(esc.get("creation")) if esc else None,
		acknowledged=bool(esc) and esc.get("status") != "Open",
	)


def _dt(value):
	return get_datetime(value) if value else None


def plan(row, esc, ctx: Context, now: datetime) -> dict:
	"""What the sweep does to one ticket now, and the ticket's new sweep columns."""
	out = {"escalate_to": None, "warn": [], "remind": False, "updates": {}}
	if row.get("status_category") not in OPEN_CATEGORIES:
		out["updates"]["sop_next_check"] = None
		return out
	c = _clock(row, esc)
	calc = (ctx.calendar.add, ctx.calendar.elapsed) if ctx.calendar.hours else (None, None)
	if ctx.enabled and ctx.rules:
		out["escalate_to"] = rules.due_level(ctx.rules, c, now, *calc)
	if out["escalate_to"]:
		c = rules.Clock(
			**{**c.__dict__, "level": out["escalate_to"], "escalated_on": now, "acknowledged": False}
		)
		out["updates"]["sop_escalation_level"] = out["escalate_to"]

	moments = []
	if ctx.enabled and ctx.rules:
		moments.append(rules.next_escalation_moment(ctx.rules, c, *calc))

	for kind, target, flag in (
		("response", c.response_by, "sop_response_warned"),
		("resolution", c.resolution_by, "sop_resolution_warned"),
	):
		if (kind == "response" and c.responded) or row.get(flag) or not ctx.warn_share:
			continue
		moment = rules.warning_moment(c.created, target, ctx.warn_share)
		if moment and now >= moment and (target and now < target):
			out["warn"].append(kind)
			out["updates"][flag] = 1
		elif moment and (not target or now < target):
			moments.append(moment)

	if row.get("status_category") == "Open" and c.responded:
		misses = row.get("sop_update_misses") or 0
		last = _dt(row.get("last_agent_response")) or _dt(row.get("first_responded_on"))
		interval = ctx.interval(row.get("priority"))
		due = rules.update_due_moment(last, interval, misses, ctx.add)
		if due and now >= due:
			out["remind"] = True
			misses += 1
			out["updates"]["sop_update_misses"] = misses
			due = rules.update_due_moment(last, interval, misses, ctx.add)
		moments.append(due)

	known = [m for m in moments if m]
	out["updates"]["sop_next_check"] = min(known) if known else None
	return out


def next_check_for(doc) -> datetime | None:
	"""The ticket's next sweep moment, for a ticket being saved (decides nothing)."""
	esc = None
	if doc.sop_escalation_level:
		esc = frappe.db.get_value(
			ESCALATION,
			escalation_name(doc.name, doc.sop_escalation_level),
			["creation", "status"],
			as_dict=True,
		)
	# far past `now`: only moments, no decisions, are wanted here
	return plan(doc.as_dict(), esc, Context(), datetime.min)["updates"]["sop_next_check"]


# ---------- the sweep ----------


def enqueue_sweep():
	"""Cron, every minute: queue the sweep on the long queue, once (deduplicated by job id)."""
	frappe.enqueue(
		"cs_sop.escalation.sweep", queue="long", job_id="cs_sop_escalation_sweep", deduplicate=True
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
	rows = query.run(as_dict=True)
	stats = {"due": len(rows), "escalated": 0, "warned": 0, "reminded": 0}
	if not rows:
		return stats

	escs = _current_escalations(rows)
	plans = {r.name: plan(r, escs.get(r.name), ctx, now) for r in rows}
	by_name = {r.name: r for r in rows}

	mine = _insert_escalations(by_name, plans, ctx, now, run_id)
	updates = {name: p["updates"] for name, p in plans.items() if p["updates"]}
	for name, p in plans.items():
		if p["escalate_to"]:
			updates[name]["sop_stage"] = ESCALATED
			if name not in mine:
				# the escalation row exists already (a manual escalation, or a run that died after
				# writing it): the ticket takes its level, but nobody is told twice
				p["escalate_to"] = None
	if updates:
		bulk.update(TICKET, updates)

	notes = _Notifications(ctx)
	activity = []
	line = _("escalated to level {0} ({1}): SLA breach")
	for name, p in plans.items():
		row = by_name[name]
		if p["escalate_to"]:
			lv = ctx.by_level[p["escalate_to"]]
			activity.append((name, line.format(lv["level"], lv["level_name"])))
			notes.escalation(row, lv)
			stats["escalated"] += 1
		for kind in p["warn"]:
			notes.warning(row, kind)
			stats["warned"] += 1
		if p["remind"]:
			notes.reminder(row, p["updates"]["sop_update_misses"])
			stats["reminded"] += 1
	_log_activity(activity)
	notes.send()
	return stats


def _current_escalations(rows) -> dict[str, dict]:
	names = [escalation_name(r.name, r.sop_escalation_level) for r in rows if r.sop_escalation_level]
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


def _insert_escalations(by_name, plans, ctx: Context, now: datetime, run_id: str) -> set[str]:
	"""INSERT IGNORE the due escalations; return the tickets whose escalation this run made."""
	values = []
	summaries = (_("SLA breach: no first response by {0}."), _("SLA breach: resolution due by {0}."))
	for name, p in plans.items():
		level = p["escalate_to"]
		if not level:
			continue
		row, lv = by_name[name], ctx.by_level[level]
		team, ack_due = _routing(lv, row.ticket_type, now)
		values.append(
			(
				escalation_name(name, level),
				now,
				now,
				"Administrator",
				"Administrator",
				name,
				(row.subject or "")[:140],
				level,
				lv["level_name"],
				"Open",
				"SLA Breach",
				1,
				"Administrator",
				lv.get("notify_user"),
				lv.get("notify_role"),
				team,
				_auto_summary(row, summaries),
				row.resolution_by,
				ack_due,
				run_id,
			)
		)
	if not values:
		return set()
	fields = [
		*bulk.STANDARD_COLUMNS,
		"ticket",
		"subject",
		"level",
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
	return set(mine)


def _auto_summary(row, templates: tuple[str, str]) -> str:
	if not row.first_responded_on and row.response_by:
		return templates[0].format(row.response_by)
	return templates[1].format(row.resolution_by)


def _routing(lv: dict, ticket_type: str | None, now: datetime) -> tuple[str | None, datetime | None]:
	"""The team an escalation of level `lv` goes to, and its acknowledgement deadline."""
	team = _category_team(ticket_type) if lv.get("notify_category_team") else None
	ack_due = now + timedelta(minutes=lv["ack_minutes"]) if lv.get("ack_minutes") else None
	return team, ack_due


def _category_team(ticket_type: str | None) -> str | None:
	if not ticket_type:
		return None
	return frappe.get_cached_value("HD Ticket Type", ticket_type, "sop_default_team")


def _log_activity(lines: list[tuple[str, str]]):
	if not lines:
		return
	now = now_datetime()
	user = frappe.session.user
	bulk.insert(
		"HD Ticket Activity",
		[*bulk.STANDARD_COLUMNS, "ticket", "action"],
		[(frappe.generate_hash(length=10), now, now, user, user, t, a) for t, a in lines],
	)


# ---------- receivers and digests ----------


class _Notifications:
	"""Collects what each receiver must hear during one run; sends one digest per receiver."""

	def __init__(self, ctx: Context):
		self.ctx = ctx
		self.items: dict[str, list[tuple[str, str, tuple]]] = defaultdict(list)
		self._role_users: dict[str, list[str]] = {}

	def role_users(self, role: str) -> list[str]:
		if role not in self._role_users:
			U, R = frappe.qb.DocType("User"), frappe.qb.DocType("Has Role")
			self._role_users[role] = (
				frappe.qb.from_(R)
				.join(U)
				.on(U.name == R.parent)
				.select(U.name)
				.distinct()
				.where(R.role == role)
				.where(R.parenttype == "User")
				.where(U.enabled == 1)
				.where(U.name.notin(["Administrator", "Guest"]))
				.run(pluck=True)
			)
		return self._role_users[role]

	def level_receivers(self, lv: dict, ticket_type: str | None) -> set[str]:
		users = set()
		if lv.get("notify_user"):
			users.add(lv["notify_user"])
		if lv.get("notify_role"):
			users.update(self.role_users(lv["notify_role"]))
		team = _category_team(ticket_type) if lv.get("notify_category_team") else None
		if team:
			users.update(frappe.get_all("HD Team Member", filters={"parent": team}, pluck="user"))
		return users

	@staticmethod
	def assignees(row) -> list[str]:
		try:
			return json.loads(row.get("_assign") or "[]")
		except ValueError:
			return []

	def add(self, users, ticket, kind: str, args: tuple):
		for user in users:
			self.items[user].append((ticket, kind, args))

	def escalation(self, row, lv: dict):
		self.add(
			self.level_receivers(lv, row.ticket_type), row.name, "escalation", (lv["level"], lv["level_name"])
		)

	def warning(self, row, kind: str):
		target = row.response_by if kind == "response" else row.resolution_by
		self.add(self.assignees(row), row.name, kind, (target,))

	def reminder(self, row, misses: int):
		users = set(self.assignees(row))
		if misses >= 2:
			users.update(self.role_users("SOP Supervisor"))
		self.add(users, row.name, "reminder", (misses,))

	def send(self):
		if not self.items:
			return
		U = frappe.qb.DocType("User")
		users = {
			name: (email, language)
			for name, email, language in frappe.qb.from_(U)
			.select(U.name, U.email, U.language)
			.where(U.name.isin(list(self.items)))
			.run()
		}
		default = frappe.db.get_default("lang") or "en"
		mails = []
		for user, items in self.items.items():
			email, lang = users.get(user, (None, None))
			lang = lang or default
			lines = [self.line(ticket, kind, args, lang) for ticket, kind, args in items[:DIGEST_LINES]]
			if len(items) > DIGEST_LINES:
				lines.append(
					_("… and {0} more: see SOP Escalation and the Helpdesk ticket list.", lang=lang).format(
						len(items) - DIGEST_LINES
					)
				)
			subject = _("SOP: {0} ticket alert(s)", lang=lang).format(len(items))
			body = "<ul>" + "".join(f"<li>{line}</li>" for line in lines) + "</ul>"
			frappe.get_doc(
				{
					"doctype": "Notification Log",
					"for_user": user,
					"type": "Alert",
					"document_type": TICKET,
					"document_name": items[0][0],
					"subject": subject,
					"email_content": body,
				}
			).insert(ignore_permissions=True)  # system notification to the receiver
			if email:
				mails.append({"email": email, "subject": subject, "body": body, "ticket": items[0][0]})
		if mails:
			# Frappe mails no "Alert" notification logs, so the digest is mailed too. Rendering a
			# mail costs ~25 ms: it happens in a short job queued only once this run commits.
			frappe.enqueue(
				"cs_sop.escalation.send_digest_emails",
				queue="short",
				enqueue_after_commit=True,
				now=bool(frappe.flags.in_test),
				mails=mails,
			)

	@staticmethod
	def line(ticket: str, kind: str, args: tuple, lang: str) -> str:
		link = f'<a href="/helpdesk/tickets/{ticket}">#{ticket}</a>'
		if kind == "escalation":
			return _("{0}: escalated to you, level {1} ({2}). Please acknowledge.", lang=lang).format(
				link, *args
			)
		if kind == "response":
			return _("{0}: first response due at {1}.", lang=lang).format(link, args[0])
		if kind == "resolution":
			return _("{0}: resolution due at {1}.", lang=lang).format(link, args[0])
		return _(
			"{0}: the customer is waiting for a progress update (missed {1} time(s)).", lang=lang
		).format(link, args[0])


def send_digest_emails(mails: list[dict]) -> None:
	"""Short job: queue one email per digest (Frappe's Email Queue sends it)."""
	for mail in mails:
		frappe.sendmail(
			recipients=[mail["email"]],
			subject=mail["subject"],
			message=mail["body"],
			reference_doctype=TICKET,
			reference_name=mail["ticket"],
		)


# ---------- manual escalation and acknowledgement ----------


def escalate_manually(ticket: str, reason: str, summary: str, attachment: str | None = None) -> str:
	doc = frappe.get_doc(TICKET, ticket)
	ctx = Context()
	level = (doc.sop_escalation_level or 0) + 1
	lv = ctx.by_level.get(level)
	if not lv:
		frappe.throw(_("Ticket {0} is already at the highest escalation level.").format(ticket))
	now = now_datetime()
	team, ack_due = _routing(lv, doc.ticket_type, now)
	esc = frappe.get_doc(
		{
			"doctype": ESCALATION,
			"ticket": ticket,
			"level": level,
			"level_name": lv["level_name"],
			"reason": reason,
			"case_summary": summary,
			"attachment": attachment,
			"escalated_by": frappe.session.user,
			"escalated_to_user": lv.get("notify_user"),
			"escalated_to_role": lv.get("notify_role"),
			"escalated_to_team": team,
			"target_resolution": doc.resolution_by,
			"ack_due": ack_due,
		}
	)
	try:
		esc.insert()
	except frappe.DuplicateEntryError:
		frappe.throw(_("Ticket {0} was already escalated to level {1}.").format(ticket, level))
	row = doc.as_dict()
	row["sop_escalation_level"] = level
	p = plan(row, {"creation": now, "status": "Open"}, ctx, datetime.min)
	frappe.db.set_value(
		TICKET,
		ticket,
		{
			"sop_escalation_level": level,
			"sop_stage": ESCALATED,
			"sop_next_check": p["updates"]["sop_next_check"],
		},
		update_modified=False,
	)
	_log_activity(
		[(ticket, _("escalated to level {0} ({1}): {2}").format(level, lv["level_name"], _(reason)))]
	)
	notes = _Notifications(ctx)
	notes.escalation(frappe._dict(row), lv)
	notes.send()
	return esc.name


def can_acknowledge(esc, user: str) -> bool:
	roles = set(frappe.get_roles(user))
	if roles & set(MANAGER_ROLES):
		return True
	if esc.escalated_to_user == user:
		return True
	if esc.escalated_to_role and esc.escalated_to_role in roles:
		return True
	if esc.escalated_to_team:
		return bool(frappe.db.exists("HD Team Member", {"parent": esc.escalated_to_team, "user": user}))
	return False


def acknowledge(name: str) -> None:
	esc = frappe.get_doc(ESCALATION, name)
	user = frappe.session.user
	if not can_acknowledge(esc, user):
		frappe.throw(
			_("Only the receiver of this escalation or a manager can acknowledge it."), frappe.PermissionError
		)
	if esc.status != "Open":
		frappe.throw(_("This escalation is already {0}.").format(_(esc.status)))
	now = now_datetime()
	esc.status = "Acknowledged"
	esc.acknowledged_by = user
	esc.acknowledged_on = now
	esc.save(ignore_permissions=True)  # the receiver may not have write access; checked above
	ticket = frappe.db.get_value(TICKET, esc.ticket, list(TICKET_COLUMNS), as_dict=True)
	if ticket.sop_escalation_level == esc.level:
		p = plan(ticket, {"creation": esc.creation, "status": "Acknowledged"}, Context(), datetime.min)
		values = {"sop_stage": MONITORING, "sop_next_check": p["updates"]["sop_next_check"]}
		frappe.db.set_value(TICKET, esc.ticket, values, update_modified=False)
	_log_activity([(esc.ticket, _("escalation level {0} acknowledged by {1}").format(esc.level, user))])


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
