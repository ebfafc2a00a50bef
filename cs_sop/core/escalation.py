"""SOP escalation ladder (stages 4-5): when a ticket goes up a level, warnings and reminders.

Rules (documented in README "Escalation"):
- A level's trigger gives a moment: first-response breach (response_by, while unanswered; on a
  chat ticket also the due moment of the customer message waiting for a reply, see
  `cs_sop.core.message_clock`), resolution breach (resolution_by), a share of the resolution time (creation + share of the
  working time to resolution_by), or N hours after the first breach.
- Being past a higher level's moment makes every lower level due too (effective moment of level k
  = the earliest moment of levels k..max), so a ladder is never stuck below a due level.
- A ticket goes up ONE level at a time, to the next ENABLED level (a disabled level is skipped,
  never a dead end): from 0 when the first level is due; from k >= 1 when the level-k escalation
  was acknowledged and the next level is due, or when it was not acknowledged by its deadline
  (then regardless of triggers).
- Acknowledgement deadlines, "hours after breach" and pre-breach warnings count operating time
  when the Frappe layer passes the calendar's `add`/`elapsed` (a breach at 16:55 does not
  cascade overnight; a warning is not due on a Sunday).
- Every condition is "now >= some moment", so a decision is monotone in time; the database keeps
  one escalation per (ticket, level), so none happens twice.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

FIRST_RESPONSE_BREACH = "First Response Breach"
RESOLUTION_BREACH = "Resolution Breach"
RESOLUTION_SHARE = "Share of Resolution Time"
HOURS_AFTER_BREACH = "Hours After Breach"
TRIGGERS = (FIRST_RESPONSE_BREACH, RESOLUTION_BREACH, RESOLUTION_SHARE, HOURS_AFTER_BREACH)

# working seconds -> moment, from a start; the Frappe layer passes the SOP calendar's `add`
AddWorking = Callable[[datetime, float], datetime]
Elapsed = Callable[[datetime, datetime], float]


@dataclass(frozen=True)
class Level:
	level: int
	trigger: str
	share: float = 0.0  # RESOLUTION_SHARE: 0..1
	hours: float = 0.0  # HOURS_AFTER_BREACH
	ack_minutes: int = 0  # 0: no acknowledgement deadline


@dataclass(frozen=True)
class Clock:
	"""The SLA facts of one open ticket (naive datetimes, site time zone)."""

	created: datetime | None
	response_by: datetime | None
	responded: bool
	resolution_by: datetime | None
	level: int = 0  # current escalation level
	escalated_on: datetime | None = None  # of the current level's escalation
	acknowledged: bool = False  # the current level's escalation
	message_due: datetime | None = None  # a chat message waiting for a reply is due then


def trigger_moment(
	lv: Level, c: Clock, add: AddWorking | None = None, elapsed: Elapsed | None = None
) -> datetime | None:
	if lv.trigger == FIRST_RESPONSE_BREACH:
		waiting = [m for m in ((None if c.responded else c.response_by), c.message_due) if m]
		return min(waiting) if waiting else None
	if lv.trigger == RESOLUTION_BREACH:
		return c.resolution_by
	if lv.trigger == RESOLUTION_SHARE:
		if not (c.created and c.resolution_by):
			return None
		share = min(max(lv.share, 0.0), 1.0)
		if add and elapsed:
			return add(c.created, share * elapsed(c.created, c.resolution_by))
		return c.created + (c.resolution_by - c.created) * share
	if lv.trigger == HOURS_AFTER_BREACH:
		breaches = [
			m for m in ((None if c.responded else c.response_by), c.message_due, c.resolution_by) if m
		]
		if not breaches:
			return None
		if add:
			return add(min(breaches), lv.hours * 3600)
		return min(breaches) + timedelta(hours=lv.hours)
	raise ValueError(f"unknown trigger {lv.trigger!r}")


def effective_moments(
	levels: Sequence[Level], c: Clock, add: AddWorking | None = None, elapsed: Elapsed | None = None
) -> dict[int, datetime | None]:
	"""Level -> the moment it is due: the earliest trigger moment of it and every level above."""
	ordered = sorted(levels, key=lambda lv: lv.level)
	out: dict[int, datetime | None] = {}
	earliest: datetime | None = None
	for lv in reversed(ordered):
		m = trigger_moment(lv, c, add, elapsed)
		if m is not None and (earliest is None or m < earliest):
			earliest = m
		out[lv.level] = earliest
	return out


def ack_minutes_of(levels: Sequence[Level], level: int) -> int:
	current = next((lv for lv in levels if lv.level == level), None)
	return current.ack_minutes if current else 0


def ack_deadline(levels: Sequence[Level], c: Clock, add: AddWorking | None = None) -> datetime | None:
	"""When the current level's escalation must be acknowledged (operating time with `add`)."""
	if c.level < 1 or c.acknowledged or not c.escalated_on:
		return None
	minutes = ack_minutes_of(levels, c.level)
	if not minutes:
		return None
	if add:
		return add(c.escalated_on, minutes * 60)
	return c.escalated_on + timedelta(minutes=minutes)


def next_level(levels: Sequence[Level], current: int) -> int | None:
	"""The lowest enabled level above `current` (disabled levels are simply not in `levels`)."""
	above = [lv.level for lv in levels if lv.level > current]
	return min(above) if above else None


def next_escalation_moment(
	levels: Sequence[Level], c: Clock, add: AddWorking | None = None, elapsed: Elapsed | None = None
) -> datetime | None:
	"""When the ticket should go to its next level (None: not on the current facts)."""
	nxt = next_level(levels, c.level)
	if nxt is None:
		return None
	if c.level >= 1 and not c.acknowledged:
		return ack_deadline(levels, c, add)
	return effective_moments(levels, c, add, elapsed).get(nxt)


def due_level(
	levels: Sequence[Level],
	c: Clock,
	now: datetime,
	add: AddWorking | None = None,
	elapsed: Elapsed | None = None,
) -> int | None:
	"""The level to escalate to now (the next enabled level), or None."""
	moment = next_escalation_moment(levels, c, add, elapsed)
	return next_level(levels, c.level) if moment is not None and now >= moment else None


def warning_moment(
	start: datetime | None,
	target: datetime | None,
	share_left: float,
	add: AddWorking | None = None,
	elapsed: Elapsed | None = None,
) -> datetime | None:
	"""Warn when only `share_left` of the time from start to target remains (operating time when
	`add` and `elapsed` are given, else wall clock)."""
	if not (start and target) or target <= start:
		return None
	share = min(max(share_left, 0.0), 1.0)
	if add and elapsed:
		return add(start, elapsed(start, target) * (1 - share))
	return target - (target - start) * share


def update_due_moment(
	last_update: datetime | None, interval_minutes: int, misses: int, add: AddWorking | None = None
) -> datetime | None:
	"""When the next customer update is overdue: one interval (of working time when `add` is
	given) after the last agent reply, plus one more interval for every reminder already sent."""
	if not last_update or not interval_minutes:
		return None
	seconds = interval_minutes * 60 * (misses + 1)
	return add(last_update, seconds) if add else last_update + timedelta(seconds=seconds)
