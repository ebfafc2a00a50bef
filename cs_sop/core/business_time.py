"""Business-time arithmetic over a working-hours calendar with holidays.

Mirrors what Helpdesk's SLA engine counts as working time (HD Service Day rows and an HD
Service Holiday List), so the app can reason about targets the same way: "is the desk open
now", "when does N minutes of operating time end", "how much operating time has passed".
All datetimes are naive, in the site's time zone (as Frappe stores them).
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

WEEKDAYS: tuple[str, ...] = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

MAX_DAYS = 3660
"""A calendar with no working time at all would loop forever; ten years is the cap."""


ONE_DAY = timedelta(days=1)


def _second_of_day(at: datetime) -> float:
	return at.hour * 3600 + at.minute * 60 + at.second + at.microsecond / 1_000_000


class NoWorkingTime(ValueError):
	"""The calendar has no working time in the horizon searched."""


def _seconds(t: time | timedelta | str) -> int:
	"""Seconds since midnight of a time, a timedelta (as MariaDB returns TIME) or 'HH:MM[:SS]'."""
	if isinstance(t, timedelta):
		return int(t.total_seconds())
	if isinstance(t, str):
		parts = [int(float(p)) for p in t.split(":")]
		parts += [0] * (3 - len(parts))
		return parts[0] * 3600 + parts[1] * 60 + parts[2]
	return t.hour * 3600 + t.minute * 60 + t.second


@dataclass(frozen=True)
class Calendar:
	"""Working hours per weekday (0 = Monday) as (start, end) seconds since midnight, plus holidays."""

	hours: Mapping[int, tuple[int, int]]
	holidays: frozenset[date] = field(default_factory=frozenset)

	@classmethod
	def from_rows(
		cls, rows: Iterable[tuple[str, object, object]], holidays: Iterable[date] = ()
	) -> "Calendar":
		"""Build from (workday name, start, end) rows, as in HD Service Day."""
		hours: dict[int, tuple[int, int]] = {}
		for workday, start, end in rows:
			day = WEEKDAYS.index(workday)
			s, e = _seconds(start), _seconds(end)
			if e <= s:
				raise ValueError(f"{workday}: end {end} is not after start {start}")
			if day in hours:
				raise ValueError(f"{workday} appears twice")
			hours[day] = (s, e)
		return cls(hours=hours, holidays=frozenset(holidays))

	def window(self, d: date) -> tuple[int, int] | None:
		"""Working window of a date in seconds since midnight, or None when closed all day."""
		if d in self.holidays:
			return None
		return self.hours.get(d.weekday())

	def is_open(self, at: datetime) -> bool:
		w = self.window(at.date())
		if not w:
			return False
		s = at.hour * 3600 + at.minute * 60 + at.second
		return w[0] <= s < w[1]

	def add(self, start: datetime, seconds: float) -> datetime:
		"""The moment `seconds` of working time after `start` ends.

		With seconds == 0 it is `start` itself. A target that ends exactly at closing time is
		that closing time, not the next opening. (Seconds-of-day arithmetic: the sweep calls this
		a few times per due ticket.)
		"""
		if seconds < 0:
			raise ValueError("seconds must not be negative")
		remaining = seconds
		d = start.date()
		at = _second_of_day(start)
		for _ in range(MAX_DAYS):
			w = self.window(d)
			if w:
				begin = at if at > w[0] else w[0]
				if begin < w[1]:
					available = w[1] - begin
					if remaining <= available:
						return datetime.combine(d, time()) + timedelta(seconds=begin + remaining)
					remaining -= available
			d += ONE_DAY
			at = 0
		raise NoWorkingTime("no working time within the horizon")

	def elapsed(self, start: datetime, end: datetime) -> float:
		"""Working seconds between two moments (0 when end is not after start)."""
		if end <= start:
			return 0.0
		total = 0.0
		d, last = start.date(), end.date()
		first_at, last_at = _second_of_day(start), _second_of_day(end)
		while d <= last:
			w = self.window(d)
			if w:
				begin = max(first_at, w[0]) if d == start.date() else w[0]
				finish = min(last_at, w[1]) if d == last else w[1]
				if finish > begin:
					total += finish - begin
			d += ONE_DAY
		return total

	def next_open(self, at: datetime) -> datetime:
		"""`at` when the desk is open then, else the next opening."""
		return self.add(at, 0) if self.is_open(at) else self._next_opening(at)

	def _next_opening(self, at: datetime) -> datetime:
		current = at
		for _ in range(MAX_DAYS):
			d = current.date()
			w = self.window(d)
			midnight = datetime.combine(d, time())
			if w:
				opening = midnight + timedelta(seconds=w[0])
				closing = midnight + timedelta(seconds=w[1])
				if current < closing:
					return max(current, opening)
			current = midnight + timedelta(days=1)
		raise NoWorkingTime("no working time within the horizon")
