from datetime import date, datetime

from hypothesis import given
from hypothesis import strategies as st

from cs_sop.core.id_dates import format_date, format_datetime, zone_abbr


def test_indonesian_long_form():
	assert format_datetime(datetime(2026, 12, 2, 12, 0)) == "Rabu, 2 Desember 2026 pukul 12.00 WIB"


def test_english_form_and_zones():
	assert format_datetime(datetime(2026, 11, 30, 8, 5), "en") == "Monday, 30 November 2026 at 08:05 WIB"
	assert format_datetime(datetime(2026, 11, 30, 8, 5), "id", "Asia/Makassar").endswith("pukul 08.05 WITA")
	assert zone_abbr("Asia/Jayapura") == "WIT"
	assert zone_abbr(None) == ""


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31)))
def test_every_date_has_a_day_and_month_name(d):
	text = format_date(d, "id")
	day, rest = text.split(", ")
	assert day in ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
	assert rest.startswith(f"{d.day} ") and rest.endswith(str(d.year))
