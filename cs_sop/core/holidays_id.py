"""Indonesian public holidays and cuti bersama (collective leave), from the `holidays` package."""

from datetime import date


def indonesian_holidays(year: int, include_cuti_bersama: bool = True) -> list[tuple[date, str]]:
	"""(date, Indonesian name) for one year, sorted; cuti bersama only when asked.

	A date that is both a holiday and cuti bersama appears once, with both names.
	"""
	import holidays  # imported here: only the holiday job and install need it

	categories = ("public", "government") if include_cuti_bersama else ("public",)
	found = holidays.country_holidays("ID", years=year, categories=categories, language="id")
	return sorted((d, name) for d, name in found.items())
