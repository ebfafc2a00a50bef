from datetime import date, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from cs_sop.core.business_time import Calendar
from cs_sop.core.notices import (
	ESCALATED,
	REMINDED,
	WAITING,
	approval_next_step,
	closed_period,
	due_steps,
	out_of_hours_reply_due,
)

ROWS = [(d, "08:00", "17:00") for d in ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")]
ROWS.append(("Saturday", "08:00", "12:00"))
CAL = Calendar.from_rows(ROWS, [date(2026, 12, 25)])


def test_open_desk_has_no_closed_period():
	assert closed_period(CAL, datetime(2026, 11, 23, 9, 0)) is None  # Monday morning


def test_evening_and_night_share_the_next_opening():
	evening = closed_period(CAL, datetime(2026, 11, 23, 17, 0))
	night = closed_period(CAL, datetime(2026, 11, 24, 3, 15))
	assert evening == night == datetime(2026, 11, 24, 8, 0)


def test_saturday_afternoon_waits_for_monday():
	assert closed_period(CAL, datetime(2026, 11, 28, 12, 30)) == datetime(2026, 11, 30, 8, 0)


def test_holiday_counts_as_closed():
	# Friday 25 December 2026 is a holiday: the next opening is Saturday 26 at 08:00
	assert closed_period(CAL, datetime(2026, 12, 25, 10, 0)) == datetime(2026, 12, 26, 8, 0)


def test_no_hours_means_never_closed():
	assert closed_period(Calendar(hours={}), datetime(2026, 11, 22, 3, 0)) is None


def test_one_reply_per_closed_period():
	first = out_of_hours_reply_due(CAL, datetime(2026, 11, 23, 18, 0), None)
	assert first == datetime(2026, 11, 24, 8, 0)
	assert out_of_hours_reply_due(CAL, datetime(2026, 11, 23, 23, 0), first) is None
	# the next evening is another closed period
	assert out_of_hours_reply_due(CAL, datetime(2026, 11, 24, 19, 0), first) == datetime(2026, 11, 25, 8, 0)
	# never during operating hours
	assert out_of_hours_reply_due(CAL, datetime(2026, 11, 24, 10, 0), None) is None


MOMENTS = st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31))


@given(MOMENTS)
def test_a_closed_period_ends_at_an_opening_after_the_message(at):
	period = closed_period(CAL, at)
	if CAL.is_open(at):
		assert period is None
	else:
		assert period > at
		assert CAL.is_open(period)
		assert not CAL.is_open(period - timedelta(seconds=1))


@given(MOMENTS, st.integers(min_value=1, max_value=600))
def test_messages_in_the_same_closed_stretch_share_the_period(at, minutes):
	period = closed_period(CAL, at)
	later = at + timedelta(minutes=minutes)
	if period is not None and later < period:
		assert closed_period(CAL, later) == period


SUBMITTED = datetime(2026, 11, 23, 16, 0)  # Monday 16:00


def test_reminder_then_manager_in_operating_hours():
	assert approval_next_step(SUBMITTED, WAITING, 4, 8, CAL.add) == (REMINDED, datetime(2026, 11, 24, 11, 0))
	assert approval_next_step(SUBMITTED, REMINDED, 4, 8, CAL.add) == (
		ESCALATED,
		datetime(2026, 11, 24, 15, 0),
	)
	assert approval_next_step(SUBMITTED, ESCALATED, 4, 8, CAL.add) is None


def test_wall_clock_without_calendar():
	assert approval_next_step(SUBMITTED, WAITING, 4, 8) == (REMINDED, SUBMITTED + timedelta(hours=4))


def test_switched_off_steps():
	assert approval_next_step(SUBMITTED, WAITING, 0, 0) is None
	assert approval_next_step(SUBMITTED, WAITING, 0, 8) == (ESCALATED, SUBMITTED + timedelta(hours=8))
	assert approval_next_step(SUBMITTED, REMINDED, 4, 0) is None
	# escalation not after the reminder: straight to the manager
	assert approval_next_step(SUBMITTED, WAITING, 8, 8) == (ESCALATED, SUBMITTED + timedelta(hours=8))


def test_due_steps_moves_one_step_at_a_time():
	assert due_steps(SUBMITTED, WAITING, SUBMITTED, 4, 8) == (WAITING, SUBMITTED + timedelta(hours=4))
	late = SUBMITTED + timedelta(hours=20)
	assert due_steps(SUBMITTED, WAITING, late, 4, 8) == (REMINDED, SUBMITTED + timedelta(hours=8))
	assert due_steps(SUBMITTED, REMINDED, late, 4, 8) == (ESCALATED, None)
	assert due_steps(SUBMITTED, ESCALATED, late, 4, 8) == (ESCALATED, None)


@given(
	st.floats(min_value=0, max_value=100),
	st.floats(min_value=0, max_value=100),
	st.integers(min_value=0, max_value=200),
)
def test_stage_never_goes_back_and_ends(remind, escalate, hours):
	stage, now = WAITING, SUBMITTED + timedelta(hours=hours)
	seen = [stage]
	for _ in range(4):
		stage, _next = due_steps(SUBMITTED, stage, now, remind, escalate)
		seen.append(stage)
	assert seen == sorted(seen)
	assert stage <= ESCALATED
