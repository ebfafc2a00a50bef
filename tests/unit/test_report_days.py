from datetime import date, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from cs_sop.core import report_days as rd
from cs_sop.core import report_stats as rs

moments = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1))


def test_time_key_counts_microseconds_since_2000():
	assert rd.time_key(datetime(2000, 1, 1)) == 0
	assert rd.time_key(datetime(2000, 1, 1, 0, 0, 1, 5)) == 1_000_005
	assert rd.time_key(datetime(2000, 1, 2)) == 86_400_000_000
	assert rd.time_key(datetime(1999, 12, 31, 23, 59, 59)) == -1_000_000


@given(moments, moments)
def test_time_key_keeps_the_order_of_moments(a, b):
	assert (rd.time_key(a) < rd.time_key(b)) == (a < b)
	assert (rd.time_key(a) == rd.time_key(b)) == (a == b)


def test_parse_and_count_before():
	assert rd.parse_values(None) == []
	assert rd.parse_values("") == []
	assert rd.parse_values("3,1,2") == [3, 1, 2]
	assert rd.count_before("5,10,15", 10) == 1
	assert rd.count_before(None, 10) == 0
	assert rd.count_pending_before(["5,10", "15", ""], 11) == 2


@given(st.lists(moments), moments)
def test_pending_deadlines_before_now_as_sql_compares_them(deadlines, now):
	joined = ",".join(str(rd.time_key(d)) for d in deadlines) or None
	assert rd.count_before(joined, rd.time_key(now)) == sum(1 for d in deadlines if d < now)


def test_stale_days():
	d1, d2, d3 = date(2026, 1, 1), date(2026, 1, 2), date(2026, 1, 3)
	live = {d1: "2:10", d2: "1:5"}
	stored = {d1: "2:10", d2: "1:6", d3: "1:1"}
	# d2 changed, d3's tickets are gone
	assert rd.stale_days(live, stored) == {d2, d3}
	assert rd.stale_days(live, {}) == {d1, d2}
	assert rd.stale_days({}, {}) == set()


@given(
	st.lists(
		st.tuples(st.sampled_from(["a", "b", None, ""]), st.integers(0, 5), st.lists(st.integers(0, 99)))
	)
)
def test_merging_days_equals_aggregating_the_tickets_at_once(days):
	"""Summing per-day counts and concatenating per-day lists gives the figures of all rows at once,
	so percentiles over the merged lists are exactly those over the tickets."""
	rows = [{"value": v, "tickets": n, "fr_values": ",".join(map(str, vals)) or None} for v, n, vals in days]
	merged = rd.merge(rows, ("tickets",), ("fr_values",))
	for value in {v for v, _n, _vals in days}:
		expected = sorted(x for v, _n, vals in days if v == value for x in vals)
		assert merged[value]["tickets"] == sum(n for v, n, _vals in days if v == value)
		values = rd.joined_values(merged[value]["fr_values"])
		assert values == expected
		assert rs.percentile(values, 90) == rs.percentile(expected, 90)
	assert set(merged) == {v for v, _n, _vals in days}


def test_merge_keeps_empty_and_missing_groups_apart():
	rows = [{"value": None, "tickets": 1}, {"value": "", "tickets": 2}, {"value": None, "tickets": "3"}]
	merged = rd.merge(rows, ("tickets",), ("fr_values",))
	assert merged[None]["tickets"] == 4
	assert merged[""]["tickets"] == 2
	assert merged[None]["fr_values"] == []


def test_time_key_of_a_deadline_a_microsecond_apart():
	at = datetime(2026, 3, 1, 9, 0, 0, 1)
	assert rd.count_before(str(rd.time_key(at)), rd.time_key(at)) == 0
	assert rd.count_before(str(rd.time_key(at)), rd.time_key(at + timedelta(microseconds=1))) == 1
