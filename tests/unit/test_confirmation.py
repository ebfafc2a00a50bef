from datetime import date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cs_sop.core import confirmation as c
from cs_sop.core.business_time import Calendar

ROWS = [(d, "08:00", "17:00") for d in ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")]
ROWS.append(("Saturday", "08:00", "12:00"))
CAL = Calendar.from_rows(ROWS, [date(2026, 12, 25)])


def test_closure_form_needs_summary_and_root_cause_for_complaints():
	assert c.closure_missing("Complaint", "", "") == ["resolution_details", "sop_root_cause"]
	assert c.closure_missing("Complaint", "<p>Diganti</p>", "  ") == ["sop_root_cause"]
	assert c.closure_missing("Complaint", "<p>Diganti</p>", "Kurir salah alamat") == []
	assert c.closure_missing("Question", "<p><br></p>", None) == ["resolution_details"]
	assert c.closure_missing("Question", "Sudah dijawab", None) == []
	assert c.closure_missing(None, "&nbsp;", None) == ["resolution_details"]


def test_plain_text():
	assert c.plain_text("<p>Halo&nbsp;<b>Bapak</b></p>") == "Halo Bapak"


def test_working_days_skip_sundays_and_holidays():
	# Tuesday 22 Dec 2026 10:00 + 3 working days: Wed 23, Thu 24, (Fri 25 holiday), Sat 26
	assert c.add_working_days(CAL, datetime(2026, 12, 22, 10), 3) == datetime(2026, 12, 26, 10)
	# Friday + 2: Saturday, (Sunday), Monday
	assert c.add_working_days(CAL, datetime(2026, 11, 27, 16), 2) == datetime(2026, 11, 30, 16)
	assert c.add_working_days(CAL, datetime(2026, 11, 27, 16), 0) == datetime(2026, 11, 27, 16)
	assert c.add_working_days(Calendar(hours={}), datetime(2026, 11, 27), 3) == datetime(2026, 11, 30)
	with pytest.raises(ValueError):
		c.add_working_days(CAL, datetime(2026, 11, 27), -1)


@given(st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2030, 1, 1)), st.integers(0, 30))
def test_working_days_land_on_a_working_day(start, days):
	due = c.add_working_days(CAL, start, days)
	assert due >= start and due.time() == start.time()
	if days:
		assert CAL.window(due.date())


def test_retention():
	assert c.retention_until(datetime(2026, 3, 1, 9), 2) == date(2028, 3, 2)
	assert c.retention_until(datetime(2028, 2, 29, 9), 1) == date(2029, 3, 1)
	assert c.retention_years("Tagihan & Pembayaran", {"Tagihan & Pembayaran": 5}, 2) == 5
	assert c.retention_years("Teknis", {"Tagihan & Pembayaran": 5}, 2) == 2
	assert c.retention_years(None, {}, 2) == 2


def test_survey_due():
	assert c.survey_due(datetime(2026, 1, 1, 9), 0) == datetime(2026, 1, 1, 9)
	assert c.survey_due(datetime(2026, 1, 1, 9), 90) == datetime(2026, 1, 1, 10, 30)
