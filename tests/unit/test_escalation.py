from datetime import datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from cs_sop.core import escalation as e
from cs_sop.core.business_time import Calendar

T0 = datetime(2026, 11, 23, 9, 0)
LEVELS = (
	e.Level(1, e.FIRST_RESPONSE_BREACH, ack_minutes=30),
	e.Level(2, e.RESOLUTION_BREACH, ack_minutes=60),
	e.Level(3, e.HOURS_AFTER_BREACH, hours=4, ack_minutes=120),
)


def clock(**kw):
	base = dict(
		created=T0,
		response_by=T0 + timedelta(minutes=5),
		responded=False,
		resolution_by=T0 + timedelta(hours=4),
	)
	return e.Clock(**{**base, **kw})


def test_first_response_breach_goes_to_level_one():
	c = clock()
	assert e.due_level(LEVELS, c, T0 + timedelta(minutes=4)) is None
	assert e.due_level(LEVELS, c, T0 + timedelta(minutes=5)) == 1


def test_answered_ticket_is_escalated_at_resolution_breach_through_level_one():
	c = clock(responded=True)
	assert e.due_level(LEVELS, c, T0 + timedelta(hours=3)) is None
	assert e.due_level(LEVELS, c, T0 + timedelta(hours=4)) == 1  # never skips level 1


def test_unacknowledged_goes_up_after_deadline():
	c = clock(level=1, escalated_on=T0 + timedelta(minutes=5))
	assert e.due_level(LEVELS, c, T0 + timedelta(minutes=34)) is None
	assert e.due_level(LEVELS, c, T0 + timedelta(minutes=35)) == 2


def test_acknowledged_waits_for_next_trigger():
	c = clock(level=1, escalated_on=T0 + timedelta(minutes=5), acknowledged=True)
	assert e.due_level(LEVELS, c, T0 + timedelta(hours=3)) is None
	assert e.due_level(LEVELS, c, T0 + timedelta(hours=4)) == 2


def test_top_level_stays():
	c = clock(level=3, escalated_on=T0, acknowledged=False)
	assert e.due_level(LEVELS, c, T0 + timedelta(days=30)) is None


def test_share_trigger_in_working_time():
	cal = Calendar.from_rows([("Monday", "08:00", "17:00"), ("Tuesday", "08:00", "17:00")])
	lv = (e.Level(1, e.RESOLUTION_SHARE, share=0.5),)
	c = clock(created=datetime(2026, 11, 23, 16, 0), resolution_by=datetime(2026, 11, 24, 10, 0))
	# 3 working hours to the target: half of it is 1.5 h -> Monday 17:00 + 0.5 h = Tuesday 08:30
	assert e.effective_moments(lv, c, cal.add, cal.elapsed)[1] == datetime(2026, 11, 24, 8, 30)
	assert e.effective_moments(lv, c)[1] == datetime(2026, 11, 24, 1, 0)


def test_warning_and_update_moments():
	assert e.warning_moment(T0, T0 + timedelta(hours=4), 0.25) == T0 + timedelta(hours=3)
	assert e.warning_moment(None, T0, 0.25) is None
	assert e.update_due_moment(T0, 60, 0) == T0 + timedelta(hours=1)
	assert e.update_due_moment(T0, 60, 1) == T0 + timedelta(hours=2)
	assert e.update_due_moment(None, 60, 0) is None


moment = st.integers(min_value=0, max_value=48 * 60).map(lambda m: T0 + timedelta(minutes=m))
level_st = st.builds(
	e.Level,
	level=st.just(0),
	trigger=st.sampled_from(e.TRIGGERS),
	share=st.floats(0, 1),
	hours=st.floats(0, 24),
	ack_minutes=st.integers(0, 240),
)
ladders = st.lists(level_st, min_size=1, max_size=4).map(
	lambda ls: tuple(
		e.Level(i + 1, lv.trigger, lv.share, lv.hours, lv.ack_minutes) for i, lv in enumerate(ls)
	)
)
clocks = st.builds(
	e.Clock,
	created=st.just(T0),
	response_by=st.one_of(st.none(), moment),
	responded=st.booleans(),
	resolution_by=st.one_of(st.none(), moment),
	level=st.integers(0, 4),
	escalated_on=st.one_of(st.none(), moment),
	acknowledged=st.booleans(),
)


@given(ladders, clocks, moment)
def test_never_skips_a_level(levels, c, now):
	got = e.due_level(levels, c, now)
	assert got is None or got == c.level + 1
	assert got is None or got <= max(lv.level for lv in levels)


@given(ladders, clocks, moment, st.integers(0, 10_000))
def test_monotone_in_time(levels, c, now, later):
	if e.due_level(levels, c, now) is not None:
		assert e.due_level(levels, c, now + timedelta(minutes=later)) is not None


@given(ladders, clocks, moment)
def test_never_escalates_twice_to_the_same_level(levels, c, now):
	"""After escalating to L the ticket is at L: a second decision at the same moment never
	names L again (the next one, if any, is L + 1)."""
	first = e.due_level(levels, c, now)
	if first is None:
		return
	after = e.Clock(**{**c.__dict__, "level": first, "escalated_on": now, "acknowledged": False})
	second = e.due_level(levels, after, now)
	assert second != first


@given(ladders, clocks)
def test_effective_moments_are_ordered(levels, c):
	m = e.effective_moments(levels, c)
	known = [m[lv.level] for lv in sorted(levels, key=lambda lv: lv.level) if m[lv.level] is not None]
	assert known == sorted(known)
