"""Whether the desk is open now, else when it opens next, in the chat's language (the SOP's
operating hours and holidays, as the out-of-hours reply uses them)."""

from frappe.utils import format_datetime, get_datetime, get_system_timezone, now_datetime

from cs_sop.complaint.templates import when
from cs_sop.core.notices import closed_period
from cs_sop.sla.calendar import cached_calendar


def opening_state(lang: str) -> dict:
	"""Open now, or when the desk opens next."""
	nxt = closed_period(cached_calendar(), now_datetime())
	if nxt is None:
		return {"open": True, "next_opening": None, "next_opening_text": None}
	return {"open": False, "next_opening": str(nxt), "next_opening_text": format_when(nxt, lang)}


def format_when(dt, lang: str) -> str:
	if lang == "id":
		return when(dt)
	return format_datetime(get_datetime(dt), "EEEE, d MMMM yyyy HH:mm") + " (" + get_system_timezone() + ")"
