"""The per-ticket plan of the sweep (cs_sop.core.ladder): pure, no frappe."""

from datetime import datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from cs_sop.core import escalation as e
from cs_sop.core import ladder
from cs_sop.core.business_time import Calendar

T0 = datetime(2026, 11, 23, 9, 0)  # a Monday
LEVELS = (
	e.Level(1, e.FIRST_RESPONSE_BREACH, ack_minutes=30),
	e.Level(2, e.RESOLUTION_BREACH, ack_minutes=60),
	e.Level(3, e.HOURS_AFTER_BREACH, hours=4, ack_minutes=120),
)
CAL = Calendar.from_rows(
	[(d, "08:00", "17:00") for d in ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")]
)
TIMED = ladder.Config(levels=LEVELS, add=CAL.add, elapsed=CAL.elapsed, intervals={"High": 120})


def row(**kw):
	base = {
		"name": "1",
		"status_category": "Open",
		"service_level_agreement_creation": T0,
		"response_by": T0 + timedelta(minutes=5),
		"first_responded_on": None,
		"resolution_by": T0 + timedelta(hours=4),
		"priority": "High",
		"sop_escalation_level": 0,
	}
	return {**base, **kw}


def test_paused_and_closed_tickets_leave_the_sweep():
	for category in ("Paused", "Resolved", "Closed"):
		p = ladder.plan(row(status_category=category), None, TIMED, T0 + timedelta(days=5))
		assert (p.escalate_to, p.warn, p.remind) == (None, [], False)
		assert p.updates == {"sop_next_check": None}


def test_missing_current_row_counts_as_acknowledged():
	r = row(sop_escalation_level=1)
	# with its row Open, the ladder waits for the ack deadline (no row: no deadline to wait on)
	open_row = {"creation": T0 + timedelta(minutes=5), "status": "Open"}
	cfg = ladder.Config(levels=LEVELS, add=CAL.add, elapsed=CAL.elapsed, warn_share=0)
	p = ladder.plan(r, open_row, cfg, datetime.min)
	assert p.updates["sop_next_check"] == T0 + timedelta(minutes=35)
	p = ladder.plan(r, None, cfg, datetime.min)
	assert p.updates["sop_next_check"] == T0 + timedelta(hours=4)  # resolution breach: level 2


def test_disabled_level_is_skipped():
	levels = (LEVELS[0], LEVELS[2])  # level 2 disabled
	assert e.next_level(levels, 1) == 3
	cfg = ladder.Config(levels=levels)
	r = row(sop_escalation_level=1)
	esc = {"creation": T0 + timedelta(minutes=5), "status": "Open"}
	assert ladder.plan(r, esc, cfg, T0 + timedelta(minutes=36)).escalate_to == 3


def test_ack_deadline_in_operating_time_does_not_cascade_overnight():
	friday = datetime(2026, 11, 27, 16, 55)
	c = e.Clock(friday, friday, False, friday + timedelta(hours=8), level=1, escalated_on=friday)
	deadline = e.ack_deadline(LEVELS, c, CAL.add)
	assert deadline == datetime(2026, 11, 30, 8, 25)  # Monday morning, 30 working minutes later
	assert e.due_level(LEVELS, c, datetime(2026, 11, 28, 10, 0), CAL.add, CAL.elapsed) is None


def test_hours_after_breach_counts_operating_time():
	lv = e.Level(3, e.HOURS_AFTER_BREACH, hours=4)
	breach = datetime(2026, 11, 27, 16, 0)  # Friday
	c = e.Clock(breach - timedelta(hours=1), breach, False, breach + timedelta(days=3))
	assert e.trigger_moment(lv, c, CAL.add, CAL.elapsed) == datetime(2026, 11, 30, 11, 0)


def test_warning_is_never_due_outside_operating_hours():
	start = datetime(2026, 11, 27, 16, 0)  # Friday 16:00, target Monday 12:00 (5 working hours)
	target = datetime(2026, 11, 30, 12, 0)
	moment = e.warning_moment(start, target, 0.25, CAL.add, CAL.elapsed)
	assert moment == datetime(2026, 11, 30, 10, 45)  # 3 h 45 of working time after the start
	assert e.warning_moment(start, target, 0.25) < moment  # the wall clock would warn on Sunday


def test_reopened_round_uses_the_fresh_target():
	old = row(first_responded_on=T0, resolution_by=T0 + timedelta(hours=4))
	reopened = {
		**old,
		"sop_ladder_start": T0 + timedelta(days=2),
		"sop_ladder_resolution_by": T0 + timedelta(days=3),
	}
	now = T0 + timedelta(days=2, minutes=1)
	assert ladder.plan(old, None, TIMED, now).escalate_to == 1
	assert ladder.plan(reopened, None, TIMED, now).escalate_to is None
	assert ladder.plan(reopened, None, TIMED, T0 + timedelta(days=3, minutes=1)).escalate_to == 1


def test_fallback_receivers_never_empty_when_a_fallback_exists():
	assert ladder.fallback_receivers(None, [], [], lambda: ["mgr"]) == ({"mgr"}, True)
	assert ladder.fallback_receivers("u", [], [], lambda: ["mgr"]) == ({"u"}, False)


@given(st.integers(min_value=0, max_value=6 * 24 * 60))
def test_planning_decides_nothing_and_next_check_is_never_in_the_past_of_the_facts(minutes):
	now = T0 + timedelta(minutes=minutes)
	p = ladder.plan(row(), None, TIMED, now)
	nxt = p.updates["sop_next_check"]
	if p.escalate_to is None and nxt is not None:
		assert nxt > now or p.warn
	planned = ladder.plan(row(), None, TIMED, datetime.min)
	assert planned.escalate_to is None and not planned.warn and not planned.remind
