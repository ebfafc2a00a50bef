from datetime import date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cs_sop.core.business_time import Calendar, NoWorkingTime

ROWS = [(d, "08:00", "17:00") for d in ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")]
ROWS.append(("Saturday", "08:00:00", "12:00:00"))
HOLIDAYS = [date(2026, 8, 17), date(2026, 12, 24), date(2026, 12, 25)]
CAL = Calendar.from_rows(ROWS, HOLIDAYS)


def test_is_open():
	assert CAL.is_open(datetime(2026, 11, 23, 8, 0))  # Monday
	assert not CAL.is_open(datetime(2026, 11, 23, 17, 0))
	assert not CAL.is_open(datetime(2026, 11, 22, 10, 0))  # Sunday
	assert not CAL.is_open(datetime(2026, 8, 17, 10, 0))  # Independence Day (Monday)
	assert CAL.is_open(datetime(2026, 11, 28, 11, 59))  # Saturday morning


def test_five_minutes_inside_hours():
	assert CAL.add(datetime(2026, 11, 23, 9, 0), 300) == datetime(2026, 11, 23, 9, 5)


def test_five_minutes_after_closing_rolls_to_next_opening():
	assert CAL.add(datetime(2026, 11, 23, 16, 58), 300) == datetime(2026, 11, 24, 8, 3)


def test_friday_evening_to_saturday_and_holiday_skipped():
	assert CAL.add(datetime(2026, 11, 27, 18, 0), 60) == datetime(2026, 11, 28, 8, 1)
	# Sunday 16 Aug -> Monday 17 Aug is a holiday -> Tuesday
	assert CAL.add(datetime(2026, 8, 16, 10, 0), 60) == datetime(2026, 8, 18, 8, 1)


def test_ends_at_closing_time_exactly():
	assert CAL.add(datetime(2026, 11, 23, 16, 0), 3600) == datetime(2026, 11, 23, 17, 0)


def test_elapsed():
	assert CAL.elapsed(datetime(2026, 11, 23, 16, 0), datetime(2026, 11, 24, 9, 0)) == 2 * 3600
	assert CAL.elapsed(datetime(2026, 11, 24, 9, 0), datetime(2026, 11, 23, 9, 0)) == 0


def test_next_open():
	assert CAL.next_open(datetime(2026, 11, 22, 3, 0)) == datetime(2026, 11, 23, 8, 0)
	assert CAL.next_open(datetime(2026, 11, 23, 9, 30)) == datetime(2026, 11, 23, 9, 30)


def test_bad_rows():
	with pytest.raises(ValueError):
		Calendar.from_rows([("Monday", "17:00", "08:00")])
	with pytest.raises(ValueError):
		Calendar.from_rows([("Monday", "08:00", "17:00"), ("Monday", "09:00", "10:00")])
	with pytest.raises(NoWorkingTime):
		Calendar.from_rows([]).add(datetime(2026, 1, 1), 1)
	with pytest.raises(ValueError):
		CAL.add(datetime(2026, 1, 1), -1)


def test_timedelta_rows_as_mariadb_returns_them():
	cal = Calendar.from_rows([("Monday", timedelta(hours=8), timedelta(hours=17))])
	assert cal.is_open(datetime(2026, 11, 23, 8, 0))


moments = st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31))
spans = st.integers(min_value=0, max_value=40 * 3600)


@given(moments, spans)
def test_add_then_elapsed_round_trips(start, seconds):
	end = CAL.add(start, seconds)
	assert end >= start
	assert CAL.elapsed(start, end) == pytest.approx(seconds)


@given(moments, spans, spans)
def test_add_is_monotone(start, a, b):
	lo, hi = sorted((a, b))
	assert CAL.add(start, lo) <= CAL.add(start, hi)


@given(moments, moments, moments)
def test_elapsed_is_additive(a, b, c):
	a, b, c = sorted((a, b, c))
	assert CAL.elapsed(a, c) == pytest.approx(CAL.elapsed(a, b) + CAL.elapsed(b, c))
