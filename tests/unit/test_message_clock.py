"""The chat reply clock (cs_sop.core.message_clock) and how the ladder plans with it."""

from datetime import date, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from cs_sop.core import escalation as e
from cs_sop.core import ladder
from cs_sop.core import message_clock as mc
from cs_sop.core.business_time import Calendar

ROWS = [(d, "08:00", "17:00") for d in ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")]
ROWS.append(("Saturday", "08:00", "12:00"))
HOLIDAY = date(2026, 12, 25)  # a Friday
CAL = Calendar.from_rows(ROWS, [HOLIDAY])
MON = datetime(2026, 11, 23, 9, 0)
FIVE = 5 * 60


def replay(events, minutes=5):
	return mc.replay(events, minutes, CAL.add, CAL.elapsed)


def test_chat_channels():
	assert mc.is_chat("WhatsApp") and mc.is_chat("Live Chat") and mc.is_chat("Social Media")
	assert not mc.is_chat("Email") and not mc.is_chat(None) and not mc.is_chat("Web Portal")


def test_reply_inside_hours():
	[r] = replay([(MON, mc.RECEIVED), (MON + timedelta(minutes=4), mc.SENT)])
	assert r.due_on == MON + timedelta(minutes=5)
	assert (r.seconds, r.met) == (240, True)


def test_consecutive_messages_share_the_oldest_ones_clock():
	events = [
		(MON, mc.RECEIVED),
		(MON + timedelta(minutes=2), mc.RECEIVED),
		(MON + timedelta(minutes=4), mc.RECEIVED),
		(MON + timedelta(minutes=7), mc.SENT),
		(MON + timedelta(minutes=8), mc.SENT),  # a second reply starts nothing
		(MON + timedelta(minutes=20), mc.RECEIVED),
		(MON + timedelta(minutes=21), mc.SENT),
	]
	first, second = replay(events)
	assert (first.received_on, first.messages, first.seconds, first.met) == (MON, 3, 420, False)
	assert (second.received_on, second.messages, second.seconds, second.met) == (
		MON + timedelta(minutes=20),
		1,
		60,
		True,
	)


def test_message_after_closing_is_due_after_the_next_opening():
	friday_evening = datetime(2026, 11, 27, 16, 58)
	[r] = replay([(friday_evening, mc.RECEIVED), (datetime(2026, 11, 28, 8, 2), mc.SENT)])
	assert r.due_on == datetime(2026, 11, 28, 8, 3)  # 2 min on Friday, 3 on Saturday
	assert (r.seconds, r.met) == (240, True)


def test_weekend_and_holiday_count_no_time():
	sunday = datetime(2026, 11, 29, 10, 0)
	[r] = replay([(sunday, mc.RECEIVED), (datetime(2026, 11, 30, 8, 6), mc.SENT)])
	assert r.due_on == datetime(2026, 11, 30, 8, 5)
	assert (r.seconds, r.met) == (360, False)
	christmas = datetime(2026, 12, 25, 9, 0)
	[r] = replay([(christmas, mc.RECEIVED), (datetime(2026, 12, 26, 8, 1), mc.SENT)])
	assert r.due_on == datetime(2026, 12, 26, 8, 5)  # Saturday after the holiday
	assert (r.seconds, r.met) == (60, True)


def test_closed_without_reply():
	[early] = replay([(MON, mc.RECEIVED), (MON + timedelta(minutes=1), mc.CLOSED)])
	assert not mc.decided(early, MON + timedelta(days=1))  # closed before it was due: not counted
	[late] = replay([(MON, mc.RECEIVED), (MON + timedelta(minutes=9), mc.CLOSED)])
	assert mc.breached(late, MON + timedelta(days=1))
	[waiting] = replay([(MON, mc.RECEIVED)])
	assert waiting.running
	assert not mc.decided(waiting, MON + timedelta(minutes=4))
	assert mc.breached(waiting, MON + timedelta(minutes=6))


def test_wall_clock_without_a_calendar():
	[r] = mc.replay([(MON, mc.RECEIVED), (MON + timedelta(minutes=6), mc.SENT)], 5)
	assert (r.due_on, r.seconds, r.met) == (MON + timedelta(minutes=5), 360, False)


moments = st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 1))
events = st.lists(
	st.tuples(st.integers(min_value=0, max_value=3 * 24 * 60), st.sampled_from([mc.RECEIVED, mc.SENT])),
	max_size=25,
)


@given(moments, events, st.integers(min_value=1, max_value=120))
def test_one_clock_per_run_of_customer_messages(start, steps, minutes):
	timeline = sorted((start + timedelta(minutes=m), kind) for m, kind in steps)
	clocks = mc.replay(timeline, minutes, CAL.add, CAL.elapsed)
	# a clock starts at each received message that follows a reply (or opens the ticket)
	starts, waiting, messages = [], False, []
	for at, kind in timeline:
		if kind == mc.RECEIVED:
			if not waiting:
				starts.append(at)
				messages.append(0)
			messages[-1] += 1
			waiting = True
		else:
			waiting = False
	assert [c.received_on for c in clocks] == starts
	assert [c.messages for c in clocks] == messages
	for c in clocks:
		assert abs(CAL.elapsed(c.received_on, c.due_on) - minutes * 60) < 1e-3
		assert c.received_on <= c.due_on
		if c.answered_on is not None:
			assert c.seconds == round(CAL.elapsed(c.received_on, c.answered_on))
			assert c.met == (c.answered_on <= c.due_on)
			if c.seconds < minutes * 60:
				assert c.met  # less operating time than the target is always in time
			if c.met:
				assert c.seconds <= minutes * 60
	assert all(c.answered_on is not None for c in clocks[:-1])


@given(moments, st.integers(min_value=0, max_value=10_000), st.integers(min_value=0, max_value=10_000))
def test_a_later_reply_never_waits_less(start, a, b):
	r = mc.start(start, 5, CAL.add)
	early = mc.answer(r, start + timedelta(minutes=min(a, b)), CAL.elapsed)
	late = mc.answer(r, start + timedelta(minutes=max(a, b)), CAL.elapsed)
	assert early.seconds <= late.seconds
	assert early.met or not late.met


# ---------- the ladder with a waiting chat message ----------

LEVELS = (
	e.Level(1, e.FIRST_RESPONSE_BREACH, ack_minutes=30),
	e.Level(2, e.RESOLUTION_BREACH, ack_minutes=60),
	e.Level(3, e.HOURS_AFTER_BREACH, hours=4, ack_minutes=120),
)
CFG = ladder.Config(levels=LEVELS, warn_share=0.25, add=CAL.add, elapsed=CAL.elapsed)


def chat_row(**kw):
	row = {
		"status_category": "Open",
		"service_level_agreement_creation": MON,
		"response_by": MON + timedelta(minutes=5),
		"first_responded_on": MON + timedelta(minutes=2),
		"resolution_by": MON + timedelta(hours=8),
		"sop_waiting_since": MON + timedelta(hours=1),
		"sop_message_due_on": MON + timedelta(hours=1, minutes=5),
	}
	row.update(kw)
	return row


def test_waiting_message_is_warned_then_escalated_once():
	row = chat_row()
	planned = ladder.plan(row, None, CFG, datetime.min).updates["sop_next_check"]
	assert planned == MON + timedelta(hours=1, minutes=3, seconds=45)  # 25 % of 5 min left
	p = ladder.plan(row, None, CFG, planned)
	assert p.warn == ["message"] and p.escalate_to is None
	assert p.updates["sop_next_check"] == MON + timedelta(hours=1, minutes=5)
	row["sop_message_warned"] = 1
	due = MON + timedelta(hours=1, minutes=5)
	p = ladder.plan(row, None, CFG, due)
	assert p.escalate_to == 1 and p.warn == []
	assert ladder.breach_reason(row, due) == ladder.CHAT_RESPONSE_BREACH
	# at level 1 (acknowledged), the same breach does not escalate again
	row["sop_escalation_level"] = 1
	p = ladder.plan(row, {"creation": due, "status": "Acknowledged"}, CFG, due + timedelta(minutes=1))
	assert p.escalate_to is None


def test_answered_message_plans_nothing_more():
	row = chat_row(sop_waiting_since=None, sop_message_due_on=None)
	p = ladder.plan(row, None, CFG, MON + timedelta(hours=1, minutes=30))
	assert p.escalate_to is None and p.warn == []
	assert ladder.breach_reason(row, MON + timedelta(hours=9)) == ladder.SLA_BREACH


def test_first_message_warns_once_not_twice():
	row = chat_row(
		first_responded_on=None, sop_waiting_since=MON, sop_message_due_on=MON + timedelta(minutes=5)
	)
	p = ladder.plan(row, None, CFG, MON + timedelta(minutes=4))
	assert p.warn == ["message"]


def test_paused_ticket_is_left_alone():
	p = ladder.plan(chat_row(status_category="Paused"), None, CFG, MON + timedelta(days=1))
	assert p.escalate_to is None and p.warn == [] and p.updates["sop_next_check"] is None


def test_message_breach_counts_for_hours_after_breach():
	c = e.Clock(
		created=MON,
		response_by=MON + timedelta(minutes=5),
		responded=True,
		resolution_by=MON + timedelta(days=3),
		message_due=MON + timedelta(hours=1),
	)
	assert e.trigger_moment(LEVELS[2], c, CAL.add) == MON + timedelta(hours=5)
	assert e.trigger_moment(LEVELS[0], c) == MON + timedelta(hours=1)
