"""The simulated weeks: ticket plans drawn from a seeded random generator, every ticket's story run
in time order on the demo clock, and the scheduler's SOP jobs (escalation sweep, auto-close,
surveys, approval reminders) every simulated half hour, limited to the demo's own records."""

import heapq
import itertools
import random
from collections import Counter
from datetime import datetime, time, timedelta

import frappe
import pytz

from cs_sop.api.escalation import acknowledge
from cs_sop.closure import auto_close, survey
from cs_sop.complaint import approval
from cs_sop.demo import story
from cs_sop.demo.people import tag
from cs_sop.demo.sandbox import as_user
from cs_sop.escalation.sweep import sweep
from cs_sop.sla.calendar import cached_calendar

JOB_EVERY = timedelta(minutes=30)
WEEKDAY_SHARE = (1.15, 1.1, 1.05, 1.0, 1.0, 0.55, 0.25)  # Monday .. Sunday
LEVELS = ("Low", "Medium", "High", "Critical")
REASONS = {"Complexity": 45, "Customer Request": 25, "Recurring Complaint": 15, "SLA Breach": 15}


class World:
	def __init__(self, sandbox, data: dict, staff: dict, customers: list, seed: int, end: datetime):
		self.sandbox, self.data, self.staff, self.customers = sandbox, data, staff, customers
		self.rng = random.Random(seed)
		self.end = end
		self.tickets: list[str] = []
		self.counts: Counter = Counter()
		self.errors: list[str] = []
		self.tracebacks: list[str] = []
		self.calendar = cached_calendar()
		self.tz = pytz.timezone(frappe.utils.get_system_timezone())
		self._queue: list = []
		self._seq = itertools.count()

	# ---------- what stories use ----------

	@property
	def now(self) -> datetime:
		return self.sandbox.now

	def now_utc(self) -> datetime:
		return self.tz.localize(self.now).astimezone(pytz.utc)

	def register(self, ticket: str) -> None:
		self.tickets.append(ticket)
		self.counts["tickets"] += 1
		with as_user("Administrator"):
			tag("HD Ticket", ticket)

	def count(self, key: str) -> None:
		self.counts[key] += 1

	def pick(self, key: str) -> str:
		return self.rng.choice(self.data[key])

	def pick_for(self, key: str, category: str) -> str:
		options = self.data[key]
		return self.rng.choice(options.get(category) or options["Lainnya"])

	def after_operating(self, seconds: float) -> datetime:
		if not self.calendar.hours:
			return self.now + timedelta(seconds=seconds)
		return self.calendar.add(self.now, seconds)

	def after_target(self, ticket: str, field: str, factor: float) -> datetime:
		"""`factor` of the operating time left to the ticket's target (above 1: late)."""
		target = frappe.db.get_value("HD Ticket", ticket, field)
		left = self.calendar.elapsed(self.now, target) if target and self.calendar.hours else 4 * 3600
		return self.after_operating(max(60, left * factor))

	# ---------- running ----------

	def start(self, when: datetime, steps) -> None:
		heapq.heappush(self._queue, (when, next(self._seq), steps))

	def run(self) -> None:
		while self._queue:
			when, _seq, steps = heapq.heappop(self._queue)
			if when > self.end:
				continue  # the future: the ticket stays where it is today
			self.sandbox.set_time(max(when, self.now))
			frappe.db.savepoint("cs_sop_demo")
			self.sandbox.mark()
			try:
				nxt = next(steps)
				self.sandbox.run_jobs()
			except StopIteration:
				self.sandbox.run_jobs()
				continue
			except Exception as e:
				# one story that trips over a rule ends there; the others go on
				frappe.db.rollback(save_point="cs_sop_demo")
				self.sandbox.jobs.clear()
				frappe.set_user("Administrator")
				frappe.clear_messages()
				self.errors.append(f"{type(e).__name__}: {e}"[:300])
				self.tracebacks.append(frappe.get_traceback())
				continue
			frappe.clear_messages()
			self.start(max(nxt, self.now + timedelta(seconds=1)), steps)


def jobs(w: World):
	"""The scheduler's SOP jobs, on the demo's tickets and solutions only."""
	while True:
		if w.tickets:
			with as_user("Administrator"):
				sweep(w.now, only=w.tickets)
				auto_close.auto_close_unconfirmed(w.now, only=w.tickets)
				survey.send_due(w.now, only=w.tickets)
				survey.remind_and_expire(w.now, only=w.tickets)
				pending = frappe.get_all(
					"SOP Solution",
					filters={"ticket": ("in", w.tickets), "status": "Pending Approval"},
					pluck="name",
				)
				if pending:
					approval.approval_sweep(w.now, only=pending)
		nxt = w.now + JOB_EVERY
		if not 7 <= nxt.hour < 19:  # the desk is closed: one run at night, then from 07:00
			nxt = datetime.combine(nxt.date() + timedelta(days=nxt.hour >= 19), time(7))
		yield nxt


def inbox(w: World):
	"""The supervisor and the operations manager look at their open escalations every 10 minutes
	of the working day and take each over with a chance of 1 in 3: most within the half hour they
	have, some later (and the ladder goes on)."""
	while True:
		if 8 <= w.now.hour < 17 and w.tickets:
			acknowledge_some(w)
		nxt = w.now + timedelta(minutes=10)
		if nxt.hour >= 17:
			nxt = datetime.combine(nxt.date() + timedelta(days=1), time(8))
		yield nxt


def acknowledge_some(w: World) -> None:
	for name, level in frappe.get_all(
		"SOP Escalation",
		filters={"ticket": ("in", w.tickets), "status": "Open", "creation": ("<", w.now)},
		fields=["name", "level"],
		as_list=True,
	):
		if w.rng.random() > 0.35:
			continue
		with as_user(w.staff["supervisor" if level == 1 else "ops_manager"][0]):
			try:
				acknowledge(name)
			except (frappe.ValidationError, frappe.PermissionError):
				frappe.clear_messages()  # refused as it would be in the desk; it waits
				continue
		w.count("acknowledged")


def creation_times(w: World, days: int, per_day: float) -> list[datetime]:
	today = w.end.date()
	times = []
	for d in range(days, -1, -1):
		day = today - timedelta(days=d)
		expected = per_day * WEEKDAY_SHARE[day.weekday()]
		count = max(0, round(w.rng.gauss(expected, expected**0.5)))
		for _i in range(count):
			if w.rng.random() < 0.8 and day.weekday() < 6:
				close = 17 if day.weekday() < 5 else 12
				hour = w.rng.uniform(8, close)
			else:
				hour = w.rng.choice((w.rng.uniform(6, 8), w.rng.uniform(17, 22.5)))
			moment = datetime.combine(day, time()) + timedelta(hours=hour)
			if moment < w.end:
				times.append(moment.replace(microsecond=0))
	return sorted(times)


def _weighted(rng: random.Random, weights: dict):
	return rng.choices(list(weights), weights=list(weights.values()))[0]


def plan_ticket(w: World) -> frappe._dict:
	rng, data = w.rng, w.data
	channel = _weighted(rng, data["channels"])
	category = _weighted(rng, {k: v["weight"] for k, v in data["categories"].items()})
	item = rng.choice(data["categories"][category]["items"])
	level = LEVELS.index(item["urgency"]) + rng.choice((-1, 0, 0, 0, 1))
	pool = [c for c in w.customers if c.portal] if channel == "Web Portal" else w.customers
	customer = pool[min(int(rng.expovariate(1 / 12)), len(pool) - 1)]
	team = frappe.get_cached_value("HD Ticket Type", category, "sop_default_team")
	agents = w.staff["teams"].get(team) or [a for a in w.staff["agent"] if not _in_team(w, a)]
	complaint = item["type"] == "Complaint"
	serious = complaint and item["impact"] in ("High", "Critical")
	late = rng.random() < 0.12
	escalate = rng.random() < (0.4 if serious else 0.15 if complaint else 0.04)
	unhappy = late or escalate
	csat = None
	if rng.random() < 0.62:
		csat = rng.choices((5, 4, 3, 2, 1), weights=(20, 40, 25, 10, 5) if unhappy else (55, 32, 9, 3, 1))[0]
	return frappe._dict(
		channel=channel,
		category=category,
		item=item,
		urgency=LEVELS[max(0, min(3, level))],
		customer=customer,
		agent=rng.choice(agents),
		pickup_minutes=rng.uniform(1, 4) if channel in ("WhatsApp", "Live Chat") else rng.uniform(5, 50),
		response_factor=rng.uniform(1.1, 2.5) if late else rng.uniform(0.05, 0.8),
		resolution_factor=rng.uniform(1.05, 1.8) if rng.random() < 0.1 else rng.uniform(0.1, 0.85),
		followup=rng.random() < 0.3,
		escalate=_weighted(rng, REASONS) if escalate else None,
		ack_minutes=rng.choice((None, rng.uniform(40, 180), *(rng.uniform(3, 25),) * 5)),
		# a complaint is resolved only after an approved solution was sent to the customer
		solution=rng.choices(("approved", "rejected"), weights=(80, 20))[0] if complaint else None,
		confirmation=rng.choices(("yes", "agent", "no", "none"), weights=(45, 14, 7, 34))[0],
		csat=csat,
		unhappy=unhappy,
	)


def _in_team(w: World, user: str) -> bool:
	return any(user in members for members in w.staff["teams"].values())


def run(w: World, days: int, per_day: float) -> None:
	times = creation_times(w, days, per_day)
	if not times:
		return
	w.start(times[0], jobs(w))
	w.start(times[0], inbox(w))
	for moment in times:
		p = plan_ticket(w)
		w.start(moment, story.life(w, p))
	w.run()
