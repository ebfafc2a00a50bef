"""The SOP reports' API for managers and supervisors (everyone else is refused here): the numbers of
the Layanan Pelanggan (SOP) workspace, Custom Number Cards (one indexed count each), and the monthly
management report as a PDF.

Each card method answers `{"value": .., "fieldtype": ..}`.
"Near breach": an open ticket whose running target (first response while unanswered, else
resolution) ends within the next hour; "breached": its running target has passed.
"""

from datetime import timedelta

import frappe
from frappe.query_builder import Case
from frappe.query_builder.functions import Count
from frappe.utils import get_first_day, getdate, now_datetime, nowdate

from cs_sop import management_report
from cs_sop import reports as r
from cs_sop.core.report_stats import previous_month
from cs_sop.cs_sop.report.sop_satisfaction import sop_satisfaction

NEAR_BREACH = timedelta(hours=1)
Filters = str | dict | list | None


def _open_tickets():
	t = frappe.qb.DocType(r.TICKET)
	target = Case().when(t.first_responded_on.isnull(), t.response_by).else_(t.resolution_by)
	return t, target, frappe.qb.from_(t).where(t.status_category == "Open")


def _card(value, fieldtype: str = "Int") -> dict:
	return {"value": value, "fieldtype": fieldtype}


@frappe.whitelist()
@frappe.read_only()
def open_tickets(filters: Filters = None) -> dict:
	r.check_report_access()
	_t, _target, query = _open_tickets()
	return _card(query.select(Count("*")).run()[0][0])


@frappe.whitelist()
@frappe.read_only()
def near_breach(filters: Filters = None) -> dict:
	r.check_report_access()
	now = now_datetime()
	_t, target, query = _open_tickets()
	return _card(query.select(Count("*")).where((target >= now) & (target < now + NEAR_BREACH)).run()[0][0])


@frappe.whitelist()
@frappe.read_only()
def breached(filters: Filters = None) -> dict:
	r.check_report_access()
	_t, target, query = _open_tickets()
	return _card(query.select(Count("*")).where(target < now_datetime()).run()[0][0])


@frappe.whitelist()
@frappe.read_only()
def unacknowledged_escalations(filters: Filters = None) -> dict:
	r.check_report_access()
	return _card(frappe.db.count("SOP Escalation", {"status": "Open"}))


@frappe.whitelist()
@frappe.read_only()
def csat_this_month(filters: Filters = None) -> dict:
	"""CSAT % (answers of 4-5 of 5) of this month, from the SOP Satisfaction report's source."""
	r.check_report_access()
	f = r.parse_filters({"from_date": get_first_day(nowdate()), "to_date": nowdate()})
	_group, _rows, total, _dist = sop_satisfaction.compute(frappe._dict(f, group_by="Channel"))
	return _card((total or {}).get("csat_pct") or 0, "Percent")


@frappe.whitelist(methods=["GET"])
def management_report_pdf(month: str | None = None) -> None:
	"""The PDF of a month (default: last month), e.g. `?month=2026-10`."""
	r.check_report_access()
	year, number = management_report.parse_month(month) if month else previous_month(getdate(nowdate()))
	frappe.local.response.filename = management_report.file_name(year, number)
	frappe.local.response.filecontent = management_report.render_pdf(year, number)
	frappe.local.response.type = "pdf"
