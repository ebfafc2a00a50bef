"""Dates and times as an Indonesian customer-service team writes them (pure, no `frappe`).

"Senin, 2 Desember 2026 pukul 12.00 WIB": day name, day, month name, year, "pukul" and the time
with a dot (PUEBI), then the zone abbreviation of the site's time zone. English for other languages:
"Monday, 2 December 2026 at 12:00 WIB".
"""

from datetime import date, datetime

HARI = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
BULAN = (
	"Januari",
	"Februari",
	"Maret",
	"April",
	"Mei",
	"Juni",
	"Juli",
	"Agustus",
	"September",
	"Oktober",
	"November",
	"Desember",
)
DAYS_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS_EN = (
	"January",
	"February",
	"March",
	"April",
	"May",
	"June",
	"July",
	"August",
	"September",
	"October",
	"November",
	"December",
)
ZONES = {
	"Asia/Jakarta": "WIB",
	"Asia/Pontianak": "WIB",
	"Asia/Makassar": "WITA",
	"Asia/Jayapura": "WIT",
}


def zone_abbr(time_zone: str | None) -> str:
	"""WIB / WITA / WIT for Indonesia's zones, else the zone name itself (or '')."""
	return ZONES.get(time_zone or "", time_zone or "")


def is_indonesian(lang: str | None) -> bool:
	return (lang or "").lower().split("-")[0] == "id"


def format_date(d: date, lang: str | None = "id") -> str:
	"""'Senin, 2 Desember 2026' (or 'Monday, 2 December 2026')."""
	days, months = (HARI, BULAN) if is_indonesian(lang) else (DAYS_EN, MONTHS_EN)
	return f"{days[d.weekday()]}, {d.day} {months[d.month - 1]} {d.year}"


def format_datetime(dt: datetime, lang: str | None = "id", time_zone: str | None = "Asia/Jakarta") -> str:
	"""'Senin, 2 Desember 2026 pukul 12.00 WIB' (or 'Monday, 2 December 2026 at 12:00 WIB')."""
	zone = zone_abbr(time_zone)
	if is_indonesian(lang):
		text = f"{format_date(dt, lang)} pukul {dt.hour:02d}.{dt.minute:02d}"
	else:
		text = f"{format_date(dt, lang)} at {dt.hour:02d}:{dt.minute:02d}"
	return f"{text} {zone}".rstrip()
