from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cs_sop.core import report_stats as rs


def test_percentile_interpolates_like_numpy():
	assert rs.percentile([], 50) is None
	assert rs.percentile([7], 90) == 7.0
	assert rs.percentile([1, 2, 3, 4], 50) == 2.5
	assert rs.percentile([4, 1, 3, 2], 50) == 2.5
	assert rs.percentile([10, 20, 30, 40, 50], 90) == 46.0
	assert rs.percentile([10, 20, 30, 40, 50], 0) == 10.0
	assert rs.percentile([10, 20, 30, 40, 50], 100) == 50.0
	with pytest.raises(ValueError):
		rs.percentile([1], 101)


@given(st.lists(st.integers(min_value=0, max_value=10**7), min_size=1), st.floats(min_value=0, max_value=100))
def test_percentile_lies_within_the_data(values, p):
	result = rs.percentile(values, p)
	assert min(values) <= result <= max(values)


@given(st.lists(st.integers(min_value=0, max_value=10**6), min_size=1))
def test_percentiles_are_ordered(values):
	assert rs.percentile(values, 50) <= rs.percentile(values, 90)


def test_rate_and_average():
	assert rs.rate(1, 3) == 33.3
	assert rs.rate(0, 4) == 0.0
	assert rs.rate(3, 0) is None
	assert rs.rate(None, 2) == 0.0
	assert rs.average([]) is None
	assert rs.average([4, 5, 3]) == 4.0


def test_nps_from_counts():
	# 2 promoters, 1 passive, 1 detractor
	assert rs.nps_from_counts(2, 1, 4) == 25.0
	assert rs.nps_from_counts(0, 0, 0) is None


def test_change_and_periods():
	assert rs.change_percent(6, 4) == 50.0
	assert rs.change_percent(2, 4) == -50.0
	assert rs.change_percent(3, 0) is None
	assert rs.previous_period(date(2026, 3, 1), date(2026, 3, 31)) == (date(2026, 1, 29), date(2026, 2, 28))
	assert rs.previous_period(date(2026, 3, 5), date(2026, 3, 5)) == (date(2026, 3, 4), date(2026, 3, 4))
	with pytest.raises(ValueError):
		rs.previous_period(date(2026, 3, 5), date(2026, 3, 4))
	assert rs.month_bounds(2026, 2) == (date(2026, 2, 1), date(2026, 2, 28))
	assert rs.month_bounds(2028, 2) == (date(2028, 2, 1), date(2028, 2, 29))
	assert rs.month_bounds(2026, 12) == (date(2026, 12, 1), date(2026, 12, 31))
	assert rs.previous_month(date(2026, 1, 1)) == (2025, 12)
	assert rs.previous_month(date(2026, 7, 31)) == (2026, 6)


def test_subject_key_groups_repeats():
	assert rs.subject_key("Re: Pesanan #123 belum diterima!") == "pesanan belum diterima"
	assert rs.subject_key("FWD: re: pesanan 456  BELUM diterima") == "pesanan belum diterima"
	assert rs.subject_key("Balas: Tagihan_ganda (INV-2026-77)") == "tagihan ganda inv"
	assert rs.subject_key(None) == ""
	assert len(rs.subject_key("kata " * 100)) <= rs.SUBJECT_KEY_LENGTH
	# an underscore separates a number; a cut at the limit leaves no number standing alone
	assert rs.subject_key("0_") == ""
	assert rs.subject_key("x" * 138 + " 12abc") == "x" * 138


@given(st.text())
def test_subject_key_is_idempotent(text):
	key = rs.subject_key(text)
	assert rs.subject_key(key) == key
