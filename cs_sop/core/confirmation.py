"""Closure rules (SOP stage 6, *Penyelesaian dan Penutupan*): the closure form, the customer's
confirmation window, the survey's timing and the retention of personal data (pure Python)."""

import re
from datetime import date, datetime, time, timedelta
from html import unescape

from cs_sop.core.business_time import MAX_DAYS, Calendar, NoWorkingTime

COMPLAINT = "Complaint"

# sop_resolution_confirmed
AWAITING = "Awaiting"
CONFIRMED = "Confirmed"
NOT_RESOLVED = "Not Resolved"
NO_ANSWER = "No Reply"
CONFIRMATION_STATES = (AWAITING, CONFIRMED, NOT_RESOLVED, NO_ANSWER)

# sop_confirmation_via
VIA_LINK = "Email Link"
VIA_PORTAL = "Portal"
VIA_PHONE = "Phone"
VIA_IN_PERSON = "In Person"
VIA_AUTO = "Automatic"
CONFIRMATION_CHANNELS = (VIA_LINK, VIA_PORTAL, VIA_PHONE, VIA_IN_PERSON, VIA_AUTO)
AGENT_CHANNELS = (VIA_PHONE, VIA_IN_PERSON)

_TAG = re.compile(r"<[^>]*>")


def plain_text(html: str | None) -> str:
	"""Text of an HTML fragment (a Text Editor value), whitespace collapsed."""
	text = unescape(_TAG.sub(" ", html or ""))
	return " ".join(text.split())


def closure_missing(request_type: str | None, resolution: str | None, root_cause: str | None) -> list[str]:
	"""Ticket fieldnames the closure form still needs before a ticket may be resolved.

	Every ticket needs a resolution summary; a complaint also needs its root cause.
	"""
	missing = []
	if not plain_text(resolution):
		missing.append("resolution_details")
	if request_type == COMPLAINT and not plain_text(root_cause):
		missing.append("sop_root_cause")
	return missing


def add_working_days(calendar: Calendar, start: datetime, days: int) -> datetime:
	"""The same time of day `days` working days after `start` (holidays and closed days skipped).

	Without operating hours configured, calendar days. 0 days is `start`.
	"""
	if days < 0:
		raise ValueError("days must not be negative")
	if not calendar.hours:
		return start + timedelta(days=days)
	d = start.date()
	left = days
	for _ in range(MAX_DAYS):
		if not left:
			return datetime.combine(d, start.time())
		d += timedelta(days=1)
		if calendar.window(d):
			left -= 1
	raise NoWorkingTime("no working day within the horizon")


def retention_until(closed_on: datetime, years: int) -> date:
	"""The first day personal data of a ticket closed on `closed_on` may be anonymised."""
	if years < 0:
		raise ValueError("years must not be negative")
	d = closed_on.date()
	try:
		until = d.replace(year=d.year + years)
	except ValueError:  # 29 February in a year that has none
		until = d.replace(year=d.year + years, day=28)
	return until + timedelta(days=1)


def retention_years(category: str | None, per_category: dict[str, int], default: int) -> int:
	years = per_category.get(category or "")
	return years if years else default


def survey_due(closed_on: datetime, delay_minutes: int) -> datetime:
	return closed_on + timedelta(minutes=max(delay_minutes or 0, 0))


def day_start(d: date) -> datetime:
	return datetime.combine(d, time())
