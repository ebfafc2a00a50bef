"""The SOP holiday list: Indonesia's public holidays (and, when chosen, cuti bersama), kept a year ahead."""

import frappe
from frappe import _
from frappe.utils import getdate, nowdate, strip_html

from cs_sop.core.holidays_id import indonesian_holidays

HOLIDAY_LIST = "HD Service Holiday List"


def sync_holiday_list(settings, years: list[int] | None = None):
	"""Make the holiday list hold Indonesia's holidays for `years` (default: this and next).

	Adds what is missing and, when cuti bersama are switched off, removes the cuti bersama rows
	this function added (same date and name). Rows an admin added stay. Idempotent.
	"""
	if not settings.holiday_list:
		return
	year = getdate(nowdate()).year
	years = years or [year, year + 1]
	wanted = []
	for y in years:
		wanted.extend(indonesian_holidays(y, include_cuti_bersama=bool(settings.include_cuti_bersama)))
	if frappe.db.exists(HOLIDAY_LIST, settings.holiday_list):
		doc = frappe.get_doc(HOLIDAY_LIST, settings.holiday_list)
	else:
		doc = frappe.new_doc(HOLIDAY_LIST)
		doc.holiday_list_name = settings.holiday_list
		doc.description = _("Indonesian public holidays (and cuti bersama)")
	changed = doc.is_new()

	if not settings.include_cuti_bersama:
		cuti = set()
		for y in years:
			with_cuti = set(indonesian_holidays(y, include_cuti_bersama=True))
			cuti |= with_cuti - set(indonesian_holidays(y, include_cuti_bersama=False))
		keep = [r for r in doc.holidays if (getdate(r.holiday_date), _text(r.description)) not in cuti]
		if len(keep) != len(doc.holidays):
			doc.set("holidays", keep)
			changed = True

	have = {getdate(r.holiday_date) for r in doc.holidays}
	for day, name in wanted:
		if day not in have:
			doc.append("holidays", {"holiday_date": day, "description": name})
			have.add(day)
			changed = True

	first = min([*have, getdate(f"{min(years)}-01-01")])
	last = max([*have, getdate(f"{max(years)}-12-31")])
	if doc.is_new() or getdate(doc.from_date) > first or getdate(doc.to_date) < last:
		doc.from_date = min(first, getdate(doc.from_date or first))
		doc.to_date = max(last, getdate(doc.to_date or last))
		changed = True
	if changed:
		doc.holidays.sort(key=lambda r: getdate(r.holiday_date))
		for i, row in enumerate(doc.holidays, 1):
			row.idx = i
		doc.save(ignore_permissions=True)  # system-maintained list, changed from SOP Settings or a job
	return doc


def _text(html: str | None) -> str:
	"""HD Holiday.description is a Text Editor: compare its plain text."""
	return strip_html(html or "").strip()


def ensure_holiday_years():
	"""Daily: keep this year's and next year's Indonesian holidays in the SOP holiday list.

	Idempotent: a no-op once both years are there (one document read).
	"""
	try:
		sync_holiday_list(frappe.get_single("SOP Settings"))
	except Exception:
		frappe.log_error(title="cs_sop: holiday list update failed")
		raise
