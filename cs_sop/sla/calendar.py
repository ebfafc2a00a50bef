"""The SOP's operating time (hours and holidays) as a pure-core Calendar, cached in Redis."""

import frappe
from frappe.utils import getdate

from cs_sop import settings as sop_settings
from cs_sop.core.business_time import Calendar

HOLIDAY_LIST = "HD Service Holiday List"


def operating_calendar(settings=None) -> Calendar:
	"""The SOP's operating hours and holidays as a pure-core Calendar."""
	settings = settings or sop_settings.get()
	rows = [(r.workday, r.start_time, r.end_time) for r in settings.operating_hours]
	holidays = []
	if settings.holiday_list:
		holidays = frappe.get_all(
			"HD Holiday",
			filters={"parent": settings.holiday_list, "parenttype": HOLIDAY_LIST},
			pluck="holiday_date",
		)
	return Calendar.from_rows(rows, (getdate(h) for h in holidays))


CALENDAR_KEY = "cs_sop:calendar"


def cached_calendar() -> Calendar:
	"""operating_calendar() cached in Redis until SOP Settings or a holiday list changes."""
	return frappe.cache.get_value(CALENDAR_KEY, generator=operating_calendar)


def clear_calendar(doc=None, method=None):
	frappe.cache.delete_value(CALENDAR_KEY)
