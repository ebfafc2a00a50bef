from datetime import date

from cs_sop.core.holidays_id import indonesian_holidays


def test_independence_day_in_indonesian():
	rows = dict(indonesian_holidays(2026, include_cuti_bersama=False))
	assert rows[date(2026, 8, 17)] == "Hari Kemerdekaan Republik Indonesia"


def test_cuti_bersama_optional():
	without = {d for d, _ in indonesian_holidays(2026, include_cuti_bersama=False)}
	with_cb = {d for d, _ in indonesian_holidays(2026, include_cuti_bersama=True)}
	assert without < with_cb
	assert date(2026, 12, 24) in with_cb - without


def test_sorted_and_unique():
	rows = indonesian_holidays(2027)
	dates = [d for d, _ in rows]
	assert dates == sorted(set(dates))
