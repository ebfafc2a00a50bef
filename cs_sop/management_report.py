"""The monthly management report: SLA, escalations, satisfaction and recurring complaints as a PDF.

On the 1st (`monthly_long` scheduler event) the previous month's report is rendered in Indonesian
with Frappe's PDF machinery (wkhtmltopdf) and emailed through `cs_sop.messaging.email` to every
enabled user with the role SOP Operations Manager. `download(month="YYYY-MM")` gives the PDF of any
month to managers and supervisors on demand. The figures come from the SOP reports themselves.
"""

from datetime import date

import frappe
from frappe import _
from frappe.translate import print_language
from frappe.utils import getdate, nowdate
from frappe.utils.pdf import get_pdf

from cs_sop import reports as r
from cs_sop import users
from cs_sop.core.id_dates import BULAN, MONTHS_EN, is_indonesian
from cs_sop.core.report_stats import month_bounds, previous_month
from cs_sop.cs_sop.report.sop_escalation_register import sop_escalation_register as esc
from cs_sop.cs_sop.report.sop_recurring_complaints import sop_recurring_complaints as rec
from cs_sop.cs_sop.report.sop_satisfaction import sop_satisfaction as sat
from cs_sop.cs_sop.report.sop_sla_compliance import sop_sla_compliance as sla
from cs_sop.messaging import email

TEMPLATE = "cs_sop/templates/management_report.html"
RECIPIENT_ROLE = "SOP Operations Manager"
LANGUAGE = "id"


def parse_month(month: str | None) -> tuple[int, int]:
	"""'YYYY-MM' (or a date in the month) -> (year, month); a clear error otherwise."""
	try:
		if month and len(month) == 7:
			year, number = (int(part) for part in month.split("-"))
		else:
			d = getdate(month)
			year, number = d.year, d.month
		month_bounds(year, number)
	except (ValueError, TypeError, AttributeError):
		frappe.throw(_("Give the month as YYYY-MM, for example 2026-11."), title=_("Invalid month"))
	return year, number


def month_label(year: int, month: int, lang: str) -> str:
	names = BULAN if is_indonesian(lang) else MONTHS_EN
	return f"{names[month - 1]} {year}"


def labels() -> dict[str, str]:
	"""Every text of the template, translated in the language being rendered."""
	return {
		"title": _("Customer Service Management Report"),
		"period": _("Period"),
		"generated": _("Generated on"),
		"sla": _("SLA Compliance"),
		"escalations": _("Escalations"),
		"satisfaction": _("Customer Satisfaction"),
		"recurring": _("Recurring Complaints"),
		"by_team": _("By team"),
		"by_channel": _("By channel"),
		"by_category": _("By category"),
		"by_subject": _("By subject"),
		"none": _("Nothing in this period."),
		"footer": _("Figures in operating time (SOP operating hours and holidays) unless stated."),
	}


def build(year: int, month: int) -> dict:
	"""The figures of one month, from the SOP reports (in the current language)."""
	start, end = month_bounds(year, month)
	base = {"from_date": start, "to_date": end}
	f = r.parse_filters(base)
	_group, sla_rows = sla.compute(frappe._dict(f, group_by="Team"))
	sla_total = sla_rows.pop() if sla_rows else None
	_group, sat_rows, sat_total, _dist = sat.compute(frappe._dict(f, group_by="Channel"))
	_dim, by_category, rec_totals = rec.compute(
		frappe._dict(f, dimension="Category", request_type="Complaint")
	)
	_dim, by_subject, _totals = rec.compute(frappe._dict(f, dimension="Subject", request_type="Complaint"))
	return {
		"year": year,
		"month": month,
		"sla_columns": sla.columns("Team"),
		"sla_rows": sla_rows,
		"sla_summary": sla.summary(sla_total),
		"esc_summary": esc.summary(esc.totals(f)),
		"sat_rows": sat_rows,
		"sat_summary": sat.summary(sat_total),
		"rec_category": by_category[:10],
		"rec_subject": by_subject[:10],
		"rec_summary": rec.summary(rec_totals),
	}


def render_html(year: int, month: int, lang: str = LANGUAGE) -> str:
	with print_language(lang):
		context = build(year, month)
		context.update(
			labels=labels(),
			period=month_label(year, month, lang),
			generated=frappe.utils.format_datetime(frappe.utils.now_datetime(), "dd-MM-yyyy HH:mm"),
			site=frappe.local.site,
		)
		return frappe.render_template(TEMPLATE, context)


def render_pdf(year: int, month: int, lang: str = LANGUAGE) -> bytes:
	return get_pdf(render_html(year, month, lang), {"orientation": "Landscape", "page-size": "A4"})


def file_name(year: int, month: int) -> str:
	return f"laporan-layanan-pelanggan-{year}-{month:02d}.pdf"


def recipients() -> list[str]:
	"""Enabled users with the role SOP Operations Manager (Administrator and Guest excluded)."""
	return sorted(users.role_users(RECIPIENT_ROLE))


def send_monthly(today: date | None = None) -> bool:
	"""Scheduler (monthly, on the 1st): last month's report to the SOP Operations Managers."""
	year, month = previous_month(today or getdate(nowdate()))
	to = recipients()
	if not to:
		return False
	try:
		pdf = render_pdf(year, month)
	except Exception:
		frappe.log_error(title=_("cs_sop: monthly management report failed"))
		return False
	with print_language(LANGUAGE):
		period = month_label(year, month, LANGUAGE)
		subject = _("Customer Service Management Report {0}").format(period)
		message = _(
			"Attached is the customer service management report for {0}: SLA compliance, "
			"escalations, customer satisfaction and recurring complaints."
		).format(period)
	return email(
		to,
		subject,
		f"<p>{message}</p>",
		what=_("The monthly management report"),
		attachments=[{"fname": file_name(year, month), "fcontent": pdf}],
	)
