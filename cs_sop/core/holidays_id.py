"""Indonesian public holidays and cuti bersama (collective leave), from the `holidays` package."""

from datetime import date

# Cuti bersama decreed by the government (SKB 3 Menteri) for years that the `holidays` release
# Frappe 15 can install (< 0.87, because of its python-dateutil pin) does not know yet.
# Used only when the package has no cuti bersama for that year.
CUTI_BERSAMA_SUPPLEMENT: dict[int, tuple[tuple[date, str], ...]] = {
	2026: (
		(date(2026, 2, 16), "Cuti Bersama Tahun Baru Imlek"),
		(date(2026, 3, 18), "Cuti Bersama Hari Suci Nyepi"),
		(date(2026, 3, 20), "Cuti Bersama Hari Raya Idul Fitri"),
		(date(2026, 3, 23), "Cuti Bersama Hari Raya Idul Fitri"),
		(date(2026, 3, 24), "Cuti Bersama Hari Raya Idul Fitri"),
		(date(2026, 5, 15), "Cuti Bersama Kenaikan Yesus Kristus"),
		(date(2026, 5, 28), "Cuti Bersama Hari Raya Idul Adha"),
		(date(2026, 12, 24), "Cuti Bersama Hari Raya Natal"),
	),
}


def indonesian_holidays(year: int, include_cuti_bersama: bool = True) -> list[tuple[date, str]]:
	"""(date, Indonesian name) for one year, sorted, one row per date; cuti bersama only when asked."""
	import holidays  # imported here: only the holiday job and install need it

	public = dict(holidays.country_holidays("ID", years=year, categories=("public",), language="id"))
	if not include_cuti_bersama:
		return sorted(public.items())
	cuti = dict(holidays.country_holidays("ID", years=year, categories=("government",), language="id"))
	if not cuti:
		cuti = dict(CUTI_BERSAMA_SUPPLEMENT.get(year, ()))
	merged = dict(public)
	for day, name in cuti.items():
		merged[day] = f"{merged[day]}; {name}" if day in merged else name
	return sorted(merged.items())
