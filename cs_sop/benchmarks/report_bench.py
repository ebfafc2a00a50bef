"""The SOP reports and workspace cards on a large site, next to Helpdesk's Ticket Summary.

	bench --site SITE execute cs_sop.benchmarks.report_bench.run --kwargs "{'tickets': 200000}"

Use a site made for it (scripts/benchmark-reports makes and drops one). It bulk-inserts `tickets`
tickets (names RB0000001 ...) spread over the last 12 months: 4 teams, 20 agents, 7 channels,
7 categories, 4 priorities, 5,000 customers, 300 subjects; 90 % resolved; ~8 % escalated (one or
two levels); a survey for 60 % of the resolved tickets. Then it times, median of `repeats` runs each:
- every SOP report for the last full month and for the whole 12 months;
- the five workspace number cards together;
- building the per-day summary (SOP Report Day) of every day from nothing, then the job's
  check when nothing changed;
- Helpdesk's Ticket Summary (based on Ticket Type) for the same two periods.
Prints one JSON line per measurement. `keep=True` leaves the data (for screenshots);
`reuse=True` times the data a previous `keep=True` run left.
"""

import json
import random
import statistics
import time
from datetime import timedelta

import frappe
from frappe.utils import add_months, get_first_day, get_last_day, getdate, now_datetime, nowdate

from cs_sop import bulk
from cs_sop.api import reports as api_reports
from cs_sop.core.report_stats import subject_key
from cs_sop.cs_sop.doctype.sop_report_day import sop_report_day as report_day
from cs_sop.cs_sop.report.sop_agent_performance import sop_agent_performance
from cs_sop.cs_sop.report.sop_escalation_register import sop_escalation_register
from cs_sop.cs_sop.report.sop_recurring_complaints import sop_recurring_complaints
from cs_sop.cs_sop.report.sop_satisfaction import sop_satisfaction
from cs_sop.cs_sop.report.sop_sla_compliance import sop_sla_compliance

PREFIX = "RB"
CHANNELS = ("Email", "Phone", "WhatsApp", "Live Chat", "Social Media", "Walk-in", "Web Portal")
CATEGORIES = (
	"Teknis",
	"Administrasi",
	"Layanan",
	"Pengiriman",
	"Kualitas Produk",
	"Tagihan & Pembayaran",
	"Lainnya",
)
PRIORITIES = ("Urgent", "High", "Medium", "Low")
TEAMS = ("Tim IT", "Tim Produksi", "Tim Keuangan", "Tim Logistik")
REQUEST_TYPES = ("Question", "Information Request", "Complaint", "Special Request", "Feedback")
ROOT_CAUSES = ("Kurir terlambat", "Salah input data", "Gangguan sistem", "Stok habis", "Tagihan ganda", None)
SUBJECT_WORDS = (
	"Pesanan",
	"Tagihan",
	"Pengiriman",
	"Akun",
	"Produk",
	"Refund",
	"Aplikasi",
	"Kartu",
	"Paket",
	"Promo",
)
SUBJECT_TAILS = (
	"belum diterima",
	"tidak sesuai",
	"error",
	"rusak",
	"terlambat",
	"ganda",
	"tidak bisa dibuka",
)


def _agents() -> list[str]:
	agents = [f"bench-agent{i:02d}@example.com" for i in range(20)]
	for email in agents:
		if not frappe.db.exists("User", email):
			frappe.get_doc(
				{
					"doctype": "User",
					"email": email,
					"first_name": email.split("@")[0],
					"send_welcome_email": 0,
				}
			).insert(ignore_permissions=True)
	return agents


def _subjects() -> list[str]:
	rnd = random.Random(7)
	return [f"{rnd.choice(SUBJECT_WORDS)} {rnd.choice(SUBJECT_TAILS)} #{i}" for i in range(300)]


TICKET_FIELDS = (
	*bulk.STANDARD_COLUMNS,
	"subject",
	"raised_by",
	"status",
	"status_category",
	"priority",
	"ticket_type",
	"agent_group",
	"opening_date",
	"opening_time",
	"sop_channel",
	"sop_request_type",
	"sop_stage",
	"sop_agent",
	"_assign",
	"response_by",
	"first_responded_on",
	"sop_first_response_seconds",
	"resolution_by",
	"resolution_date",
	"sop_resolution_seconds",
	"sop_update_misses",
	"sop_reopen_count",
	"sop_escalation_level",
	"feedback_rating",
	"sop_subject_key",
	"sop_root_cause",
)


def _insert(n: int) -> dict:
	rnd = random.Random(12)
	agents = _agents()
	subjects = _subjects()
	keys = [subject_key(s) for s in subjects]
	now = now_datetime().replace(microsecond=0)
	start = now - timedelta(days=365)
	step = 365 * 86400 / n
	tickets, escalations, surveys = [], [], []
	counts = {"tickets": n, "escalations": 0, "surveys": 0}
	for i in range(n):
		name = f"{PREFIX}{i:07d}"
		created = start + timedelta(seconds=int(i * step))
		created = created.replace(hour=8 + rnd.randrange(9), minute=rnd.randrange(60))
		resolved = rnd.random() < 0.9 and created < now - timedelta(days=2)
		fr = rnd.randrange(60, 6 * 3600)
		responded = created + timedelta(seconds=fr * 2) if resolved or rnd.random() < 0.5 else None
		response_by = created + timedelta(hours=rnd.choice((1, 4, 8)))
		res = rnd.randrange(3600, 60 * 3600)
		resolution_date = created + timedelta(seconds=res * 2) if resolved else None
		resolution_by = created + timedelta(hours=rnd.choice((8, 24, 40, 72)))
		agent = rnd.choice(agents)
		subject_i = rnd.randrange(len(subjects))
		status = ("Resolved" if rnd.random() < 0.3 else "Closed") if resolved else "Open"
		level = 0
		if rnd.random() < 0.08:
			level = 1 + (rnd.random() < 0.3)
			for lv in range(1, level + 1):
				at = created + timedelta(hours=lv * 2)
				acked = at + timedelta(minutes=rnd.randrange(5, 90)) if rnd.random() < 0.85 else None
				escalations.append(
					(f"{name}-L{lv}", at, at, "Administrator", "Administrator", name, f"Bench {i}", lv,
						f"Level {lv}", "Resolved" if resolved else ("Acknowledged" if acked else "Open"),
						rnd.choice(("SLA Breach", "Complexity", "Customer Request", "Recurring Complaint")),
						int(rnd.random() < 0.6), agent, "SOP Supervisor" if lv == 1 else "SOP Operations Manager",
						at + timedelta(minutes=30 * lv), "bench-agent00@example.com" if acked else None, acked)
				)  # fmt: skip
		rating = 0
		if resolved and rnd.random() < 0.6:
			answered = rnd.random() < 0.55
			csat = rnd.choice((1, 2, 3, 4, 4, 5, 5, 5)) if answered else 0
			sent = resolution_date + timedelta(minutes=5)
			surveys.append(
				(f"RS{i:07d}", sent, sent, "Administrator", "Administrator", name, f"c{i % 5000}@example.com",
					rnd.choice(CHANNELS), agent, rnd.choice(TEAMS), rnd.choice(CATEGORIES), sent,
					sent + timedelta(days=7), sent + timedelta(hours=3) if answered else None, csat,
					rnd.choice(("Yes", "No")) if answered else "", rnd.randrange(11) if answered else -1,
					rnd.randrange(1, 8) if answered else 0, "Lambat" if answered and csat <= 2 else "",
					"Answered" if answered else "Sent")
			)  # fmt: skip
		tickets.append(
			(name, created, created, "Administrator", "Administrator", subjects[subject_i],
				f"c{rnd.randrange(5000)}@example.com", status, "Resolved" if resolved else "Open",
				rnd.choice(PRIORITIES), rnd.choice(CATEGORIES), rnd.choice(TEAMS), created.date(), created.time(),
				rnd.choice(CHANNELS), rnd.choice(REQUEST_TYPES), "Closed" if resolved else "Initial Handling",
				agent, json.dumps([agent]), response_by, responded, fr if responded else 0, resolution_by,
				resolution_date, res if resolved else 0, rnd.choice((0, 0, 0, 1, 2)), int(rnd.random() < 0.05),
				level, rating, keys[subject_i], rnd.choice(ROOT_CAUSES))
		)  # fmt: skip
	bulk.insert("HD Ticket", TICKET_FIELDS, tickets)
	bulk.insert(
		"SOP Escalation",
		(*bulk.STANDARD_COLUMNS, "ticket", "subject", "level", "level_name", "status", "reason", "is_automatic",
			"escalated_by", "escalated_to_role", "ack_due", "acknowledged_by", "acknowledged_on"),
		escalations,
	)  # fmt: skip
	if surveys:
		bulk.insert(
			"SOP Survey",
			(*bulk.STANDARD_COLUMNS, "ticket", "customer_email", "channel", "agent", "team", "category",
				"sent_on", "expires_on", "answered_on", "csat", "problem_solved", "nps", "ces", "comment",
				"status"),
			surveys,
		)  # fmt: skip
	counts.update(escalations=len(escalations), surveys=len(surveys))
	frappe.db.commit()  # benchmark data
	return counts


def _cleanup():
	like = ("like", f"{PREFIX}%")
	frappe.db.delete("SOP Survey", {"name": ("like", "RS%")})
	frappe.db.delete("SOP Escalation", {"ticket": like})
	frappe.db.delete("HD Ticket", {"name": like})
	frappe.db.delete("SOP Report Day")  # the job rebuilds it from the tickets left
	frappe.db.commit()  # benchmark clean-up


def _time(fn, repeats: int) -> float:
	times = []
	for _ in range(repeats):
		start = time.perf_counter()
		fn()
		times.append(time.perf_counter() - start)
	return round(statistics.median(times) * 1000, 1)


def _reports():
	reports = {}
	# every grouping each report offers
	for group in ("Team", "Agent", "Channel", "Priority", "Category", "Request Type"):
		reports[f"SOP SLA Compliance (by {group.lower()})"] = (
			sop_sla_compliance.execute,
			{"group_by": group},
		)
	reports["SOP SLA Compliance (team, filtered by channel)"] = (
		sop_sla_compliance.execute,
		{"group_by": "Team", "channel": "WhatsApp"},
	)
	reports["SOP SLA Compliance (closed by exception)"] = (
		sop_sla_compliance.execute,
		{"group_by": "Team", "closed_by_exception": 1},
	)
	reports["SOP Escalation Register"] = (sop_escalation_register.execute, {})
	for group in ("Agent", "Channel", "Category", "Team"):
		reports[f"SOP Satisfaction (by {group.lower()})"] = (sop_satisfaction.execute, {"group_by": group})
	for dimension in ("Category", "Subject", "Customer"):
		reports[f"SOP Recurring Complaints ({dimension.lower()})"] = (
			sop_recurring_complaints.execute,
			{"dimension": dimension},
		)
	reports["SOP Agent Performance"] = (sop_agent_performance.execute, {})
	return reports


def _cards():
	api_reports.open_tickets()
	api_reports.near_breach()
	api_reports.breached()
	api_reports.unacknowledged_escalations()
	api_reports.csat_this_month()


def run(tickets: int = 200000, repeats: int = 3, keep: bool = False, reuse: bool = False):
	from helpdesk.helpdesk.report.ticket_summary.ticket_summary import execute as ticket_summary

	frappe.set_user("Administrator")
	if reuse and frappe.db.exists("HD Ticket", f"{PREFIX}0000000"):
		counts = {"tickets": frappe.db.count("HD Ticket", {"name": ("like", f"{PREFIX}%")}), "insert_s": 0}
		counts["escalations"] = frappe.db.count("SOP Escalation", {"ticket": ("like", f"{PREFIX}%")})
		counts["surveys"] = frappe.db.count("SOP Survey")
	else:
		_cleanup()
		started = time.perf_counter()
		counts = _insert(tickets)
		counts["insert_s"] = round(time.perf_counter() - started, 1)
	# the per-day summary (SOP Report Day) of every day, from nothing: what the job and the
	# patch cost on a site with these tickets
	frappe.db.delete("SOP Report Day")
	started = time.perf_counter()
	counts["summary_days"] = report_day.refresh()
	counts["summary_s"] = round(time.perf_counter() - started, 1)
	counts["summary_rows"] = frappe.db.count("SOP Report Day")
	started = time.perf_counter()
	report_day.refresh()
	counts["summary_check_s"] = round(time.perf_counter() - started, 2)
	counts["all_tickets"] = frappe.db.count("HD Ticket")
	print(json.dumps(counts), flush=True)
	last_month = getdate(add_months(nowdate(), -1))
	periods = {
		"month": (get_first_day(last_month), get_last_day(last_month)),
		"12 months": (getdate(add_months(nowdate(), -12)), getdate(nowdate())),
	}
	results = []
	try:
		for period, (start, end) in periods.items():
			base = {"from_date": start, "to_date": end}
			in_period = frappe.db.count("HD Ticket", {"opening_date": ("between", [start, end])})
			for name, (execute, extra) in _reports().items():
				rows = len(execute({**base, **extra})[1])
				ms = _time(lambda execute=execute, extra=extra: execute({**base, **extra}), repeats)
				results.append({"what": name, "period": period, "tickets": in_period, "rows": rows, "ms": ms})
				print(json.dumps(results[-1]), flush=True)
			hd = {**base, "based_on": "Ticket Type"}
			ms = _time(lambda hd=hd: ticket_summary(hd), repeats)
			results.append(
				{"what": "Helpdesk Ticket Summary", "period": period, "tickets": in_period, "ms": ms}
			)
			print(json.dumps(results[-1]), flush=True)
		ms = _time(_cards, repeats)
		results.append({"what": "Workspace number cards (5)", "period": "now", "ms": ms})
		print(json.dumps(results[-1]), flush=True)
	finally:
		if not keep:
			_cleanup()
	return results
