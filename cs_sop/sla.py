"""SOP SLAs on Helpdesk's own engine: operating hours, Indonesian holidays, chat targets.

SOP Settings is the one place an admin sets operating hours, the holiday policy and the
chat/WhatsApp first response; saving it writes them into the two SLAs cs_sop manages.
Per-priority targets stay editable on the SLAs themselves (Helpdesk > SLA).
"""

import frappe
from frappe import _
from frappe.utils import getdate, nowdate

from cs_sop.core.business_time import Calendar
from cs_sop.core.holidays_id import indonesian_holidays
from cs_sop.setup import defaults as d

SLA = "HD Service Level Agreement"
HOLIDAY_LIST = "HD Service Holiday List"


def chat_condition() -> str:
	channels = ", ".join(repr(c) for c in d.CHAT_CHANNELS)
	return f"doc.sop_channel in ({channels})"


def _priorities() -> list[str]:
	return frappe.get_all(
		"HD Ticket Priority", filters={"disabled": 0}, pluck="name", order_by="integer_value"
	)


def build_sla(settings, name: str, default: bool):
	"""A new (unsaved) SLA: the standard one, or the chat/WhatsApp one when not default."""
	doc = frappe.new_doc(SLA)
	doc.service_level = name
	doc.enabled = 1
	doc.default_sla = 1 if default else 0
	doc.apply_sla_for_resolution = 1
	doc.holiday_list = settings.holiday_list
	if default:
		doc.description = _("Customer Service SOP: standard targets by priority, in operating hours")
	else:
		doc.description = _("Customer Service SOP: chat and WhatsApp, first response in minutes")
		doc.condition = chat_condition()
	chat_response = (settings.chat_first_response_minutes or 5) * 60
	for priority in _priorities():
		response, resolution = d.STANDARD_TARGETS.get(priority, d.STANDARD_TARGETS[d.DEFAULT_PRIORITY])
		if not default:
			response = chat_response
			resolution = max(resolution, response)
		doc.append(
			"priorities",
			{
				"priority": priority,
				"response_time": response,
				"resolution_time": resolution,
				"default_priority": 1 if priority == d.DEFAULT_PRIORITY else 0,
			},
		)
	if not any(p.default_priority for p in doc.priorities) and doc.priorities:
		doc.priorities[0].default_priority = 1
	_set_hours(doc, settings)
	return doc


def _set_hours(sla, settings):
	sla.set("support_and_resolution", [])
	for row in settings.operating_hours:
		sla.append(
			"support_and_resolution",
			{"workday": row.workday, "start_time": row.start_time, "end_time": row.end_time},
		)


def sync_slas(settings):
	"""Write operating hours, holiday list and chat first response into the managed SLAs."""
	chat_response = (settings.chat_first_response_minutes or 5) * 60
	for name in (settings.standard_sla, settings.chat_sla):
		if not name or not frappe.db.exists(SLA, name):
			continue
		sla = frappe.get_doc(SLA, name)
		sla.holiday_list = settings.holiday_list
		_set_hours(sla, settings)
		if name == settings.chat_sla:
			for row in sla.priorities:
				row.response_time = chat_response
				if (row.resolution_time or 0) < chat_response:
					row.resolution_time = chat_response
		# the gate is SOP Settings (SOP Operations Manager may save it); the SLA is Helpdesk's
		sla.save(ignore_permissions=True)


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
	from frappe.utils import strip_html

	return strip_html(html or "").strip()


def operating_calendar(settings=None) -> Calendar:
	"""The SOP's operating hours and holidays as a pure-core Calendar."""
	settings = settings or frappe.get_cached_doc("SOP Settings")
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
