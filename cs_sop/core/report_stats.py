"""Pure statistics for the SOP reports: percentiles, rates, satisfaction scores, periods, subjects.

No frappe here: the reports fetch one column (or an aggregate) with SQL and hand it to these.
Conventions: a rate is a percentage rounded to one decimal, or None when there is nothing to
divide by (a report shows an empty cell, never a misleading 0 %).
"""

import re
from collections.abc import Iterable, Sequence
from datetime import date, timedelta

CSAT_SATISFIED = 4
"""CSAT (1-5): 4 and 5 count as satisfied (the usual top-two-box CSAT %)."""
NPS_PROMOTER = 9
NPS_DETRACTOR = 6
LOW_CSAT = 2
"""A CSAT of 1 or 2 is a low score: its comment is listed for the manager."""


def percentile(values: Sequence[float], p: float) -> float | None:
	"""The p-th percentile (0-100) of `values` with linear interpolation (numpy's default).

	`values` need not be sorted. None for no values.
	"""
	if not 0 <= p <= 100:
		raise ValueError("p must be between 0 and 100")
	data = sorted(values)
	if not data:
		return None
	if len(data) == 1:
		return float(data[0])
	pos = (len(data) - 1) * p / 100
	low = int(pos)
	high = min(low + 1, len(data) - 1)
	return float(data[low] + (data[high] - data[low]) * (pos - low))


def median(values: Sequence[float]) -> float | None:
	return percentile(values, 50)


def rate(part: float | None, whole: float | None) -> float | None:
	"""part / whole as a percentage with one decimal; None when whole is 0 or missing."""
	if not whole:
		return None
	return round(100.0 * (part or 0) / whole, 1)


def average(values: Iterable[float]) -> float | None:
	data = list(values)
	if not data:
		return None
	return round(sum(data) / len(data), 2)


def nps_from_counts(promoters: int, detractors: int, answered: int) -> float | None:
	"""NPS from counts (as a SQL aggregate gives them)."""
	if not answered:
		return None
	return round(100.0 * (promoters - detractors) / answered, 1)


def change_percent(current: int | float, previous: int | float) -> float | None:
	"""Trend against the previous period in %; None when the previous period had nothing."""
	if not previous:
		return None
	return round(100.0 * (current - previous) / previous, 1)


def previous_period(start: date, end: date) -> tuple[date, date]:
	"""The period of the same length that ends the day before `start`."""
	if end < start:
		raise ValueError("end is before start")
	days = (end - start).days + 1
	return start - timedelta(days=days), start - timedelta(days=1)


def month_bounds(year: int, month: int) -> tuple[date, date]:
	"""First and last day of a month."""
	if not 1 <= month <= 12:
		raise ValueError("month must be 1..12")
	first = date(year, month, 1)
	following = date(year + (month == 12), month % 12 + 1, 1)
	return first, following - timedelta(days=1)


def previous_month(today: date) -> tuple[int, int]:
	"""(year, month) of the month before `today`'s month."""
	return (today.year - 1, 12) if today.month == 1 else (today.year, today.month - 1)


_PREFIX = re.compile(r"^\s*((re|fw|fwd|balas|tr|aw)\s*:\s*)+", re.IGNORECASE)
_TICKET_REF = re.compile(r"#?\b\d+\b")
_NON_WORD = re.compile(r"[^\w]+", re.UNICODE)
SUBJECT_KEY_LENGTH = 140


def subject_key(subject: str | None) -> str:
	"""A subject reduced so that repeats of the same complaint compare equal.

	Lower case, reply/forward prefixes (Re:, Fwd:, Balas:) dropped, numbers (order and ticket
	numbers) dropped, punctuation and repeated spaces collapsed; at most 140 characters.
	"Re: Pesanan #123 belum diterima!" and "pesanan 456 BELUM diterima" give the same key.
	"""
	# underscores are separators before numbers are dropped ("0_" must not keep its number), and a
	# cut at 140 characters can leave a number standing alone ("12abc" -> "12"): reduce once more
	key = _reduce(_PREFIX.sub("", subject or ""))
	return _reduce(key)


def _reduce(text: str) -> str:
	text = _TICKET_REF.sub(" ", text.lower().replace("_", " "))
	text = _NON_WORD.sub(" ", text)
	return " ".join(text.split())[:SUBJECT_KEY_LENGTH].strip()
