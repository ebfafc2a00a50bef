"""The SOP reports, workspace cards and monthly management report on data the test makes.

Tickets and escalations are written as rows (fixed timestamps in March 2025, a team of their
own) so every number the reports give can be checked; the stored report facts are tested on real
tickets through Helpdesk's own flow.
"""

import json
import os
import subprocess
import tempfile
from datetime import date, datetime, timedelta
from email import message_from_string
from email.header import decode_header, make_header

import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils import add_to_date, now_datetime

from cs_sop import bulk, management_report, report_facts
from cs_sop.api import reports as api_reports
from cs_sop.cs_sop.report.sop_agent_performance import sop_agent_performance as perf
from cs_sop.cs_sop.report.sop_escalation_register import sop_escalation_register as register
from cs_sop.cs_sop.report.sop_recurring_complaints import sop_recurring_complaints as recurring
from cs_sop.cs_sop.report.sop_satisfaction import sop_satisfaction as satisfaction
from cs_sop.cs_sop.report.sop_sla_compliance import sop_sla_compliance as sla
from cs_sop.tests.utils import (
	PASSWORD,
	REPORT_TICKET_COLUMNS,
	agent_reply,
	classify,
	ensure_email_account,
	make_customer_user,
	make_ticket,
	make_user,
)

RUN = frappe.generate_hash(length=6)
# users are made once per site (Frappe throttles user creation); the rows of a run are its own
TEAM = f"Tim Laporan {RUN}"
AGENT1 = "rpt-agent1@example.com"
AGENT2 = "rpt-agent2@example.com"
SUPERVISOR = "rpt-sup@example.com"
C1 = "rpt-c1@example.com"
C2 = "rpt-c2@example.com"
MARCH = {"from_date": "2025-03-01", "to_date": "2025-03-31", "team": TEAM}
FAR = datetime(2099, 1, 1)


def dt(day: int, hour: int = 9, minute: int = 0, month: int = 3) -> datetime:
	return datetime(2025, month, day, hour, minute)


TICKET_FIELDS = (
	*REPORT_TICKET_COLUMNS,
	"feedback_rating",
	"feedback_extra",
	"sop_subject_key",
	"sop_root_cause",
)


def _ticket(name, created, subject, raised_by, status, category, priority, channel, agent, **v):
	from cs_sop.core.report_stats import subject_key

	status_category = {"Open": "Open", "Resolved": "Resolved", "Closed": "Resolved"}[status]
	return (
		name,
		created,
		created,
		"Administrator",
		"Administrator",
		subject,
		raised_by,
		status,
		status_category,
		priority,
		category,
		TEAM,
		created.date(),
		channel,
		"Complaint",
		agent,
		v.get("response_by"),
		v.get("first_responded_on"),
		v.get("fr", 0),
		v.get("resolution_by"),
		v.get("resolution_date"),
		v.get("res", 0),
		v.get("misses", 0),
		v.get("reopened", 0),
		v.get("rating", 0),
		v.get("comment"),
		subject_key(subject),
		v.get("root"),
	)


class TestReports(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		frappe.set_user("Administrator")
		if not frappe.db.exists("HD Team", TEAM):
			# an empty team (Helpdesk 1.28 makes a team's users mandatory)
			frappe.get_doc({"doctype": "HD Team", "team_name": TEAM}).insert(
				ignore_permissions=True, ignore_mandatory=True
			)
		for user in (AGENT1, AGENT2, SUPERVISOR):
			make_user(user, user.split("-")[1].title(), roles=("Agent",))
		n = lambda i: f"R{RUN}{i}"  # noqa: E731
		cls.names = [n(i) for i in range(1, 6)]
		rows = [
			# A1: response and resolution met; 5 stars
			_ticket(
				n(1),
				dt(3),
				"Pesanan belum diterima",
				C1,
				"Resolved",
				"Pengiriman",
				"High",
				"Email",
				AGENT1,
				response_by=dt(3, 10),
				first_responded_on=dt(3, 9, 10),
				fr=600,
				resolution_by=dt(4, 17),
				resolution_date=dt(3, 11),
				res=7200,
				rating=1,
				root="Kurir terlambat",
			),
			# A2: both late, reopened once, 2 stars with a comment
			_ticket(
				n(2),
				dt(4),
				"Re: pesanan #55 belum diterima",
				C1,
				"Closed",
				"Pengiriman",
				"High",
				"Email",
				AGENT1,
				response_by=dt(4, 10),
				first_responded_on=dt(4, 10, 30),
				fr=5400,
				resolution_by=dt(5, 9),
				resolution_date=dt(6, 9),
				res=36000,
				rating=0.4,
				comment="Lambat sekali",
				reopened=1,
				root="Kurir terlambat",
			),
			# A3: open, first response missed (target passed, no answer), two missed updates
			_ticket(
				n(3),
				dt(10),
				"Tagihan ganda",
				C2,
				"Open",
				"Tagihan & Pembayaran",
				"Urgent",
				"WhatsApp",
				AGENT2,
				response_by=dt(10, 9, 5),
				resolution_by=FAR,
				misses=2,
			),
			# A4: open, nothing decided yet
			_ticket(
				n(4),
				dt(11),
				"Tagihan ganda!",
				C2,
				"Open",
				"Tagihan & Pembayaran",
				"Urgent",
				"WhatsApp",
				AGENT2,
				response_by=FAR,
				resolution_by=FAR,
			),
			# A5: February (the previous period of the recurring report)
			_ticket(
				n(5),
				dt(20, month=2),
				"Pesanan belum diterima",
				C1,
				"Resolved",
				"Pengiriman",
				"Medium",
				"Email",
				AGENT1,
				response_by=dt(20, 10, month=2),
				first_responded_on=dt(20, 9, 5, month=2),
				fr=300,
				resolution_by=dt(21, 9, month=2),
				resolution_date=dt(20, 12, month=2),
				res=10800,
			),
		]
		bulk.insert("HD Ticket", TICKET_FIELDS, rows)
		esc_fields = (
			*bulk.STANDARD_COLUMNS,
			"ticket",
			"level",
			"level_name",
			"reason",
			"status",
			"is_automatic",
			"escalated_by",
			"escalated_to_user",
			"escalated_to_role",
			"ack_due",
			"acknowledged_by",
			"acknowledged_on",
		)

		def esc(ticket, level, created, reason, status, auto, by, to_user, role, ack_due, ack_by, ack_on):
			name = f"{ticket}-L{level}"
			return (
				name,
				created,
				created,
				"Administrator",
				"Administrator",
				ticket,
				level,
				f"Level {level}",
				reason,
				status,
				auto,
				by,
				to_user,
				role,
				ack_due,
				ack_by,
				ack_on,
			)

		bulk.insert(
			"SOP Escalation",
			esc_fields,
			[
				esc(
					n(2),
					1,
					dt(5, 10),
					"SLA Breach",
					"Acknowledged",
					1,
					"Administrator",
					None,
					"SOP Supervisor",
					dt(5, 10, 30),
					SUPERVISOR,
					dt(5, 10, 20),
				),
				esc(
					n(2),
					2,
					dt(5, 12),
					"Complexity",
					"Open",
					0,
					AGENT1,
					None,
					"SOP Operations Manager",
					dt(5, 13),
					None,
					None,
				),
				esc(
					n(3),
					1,
					dt(10, 9),
					"Customer Request",
					"Acknowledged",
					0,
					AGENT2,
					SUPERVISOR,
					None,
					dt(10, 9, 30),
					SUPERVISOR,
					dt(10, 10),
				),
			],
		)
		frappe.db.commit()  # the REST test's server must see the rows

	@classmethod
	def tearDownClass(cls):
		frappe.db.delete("SOP Escalation", {"ticket": ("in", cls.names)})
		frappe.db.delete("HD Ticket", {"name": ("in", cls.names)})
		frappe.db.commit()
		super().tearDownClass()

	# ---------- SLA compliance ----------
	def test_sla_compliance_by_team(self):
		columns, rows, _msg, chart, summary = sla.execute(MARCH)
		self.assertEqual(len(rows), 1)
		row = rows[0]
		self.assertEqual(row["group"], TEAM)
		self.assertEqual(row["tickets"], 4)
		self.assertEqual(row["fr_met_pct"], 33.3)  # 1 of A1, A2, A3
		self.assertEqual(row["fr_breaches"], 2)
		self.assertEqual(row["fr_median"], 50.0)  # 600 s and 5400 s
		self.assertEqual(row["fr_p90"], 82.0)
		self.assertEqual(row["res_met_pct"], 50.0)  # A1 met, A2 late; A3, A4 not due
		self.assertEqual(row["res_breaches"], 1)
		self.assertEqual(row["res_median"], 6.0)  # 7200 s and 36000 s
		self.assertEqual(row["res_p90"], 9.2)
		self.assertEqual(row["breaches"], 3)
		values = {item["label"]: item["value"] for item in summary}
		self.assertEqual(values["Tickets"], 4)
		self.assertEqual(values["Breaches"], 3)
		self.assertEqual(chart["data"]["datasets"][0]["values"], [33.3])
		self.assertEqual(row["closed_by_exception"], 0)
		self.assertEqual(values["Closed by Exception"], 0)
		self.assertEqual(len(columns), 17)  # with the chat reply clock's five

	def test_sla_compliance_by_channel_and_filters(self):
		_c, rows, *_ = sla.execute({**MARCH, "group_by": "Channel"})
		by = {row["group_value"]: row for row in rows}
		self.assertEqual(by["Email"]["tickets"], 2)
		self.assertEqual(by["Email"]["fr_met_pct"], 50.0)
		self.assertEqual(by["Email"]["res_met_pct"], 50.0)
		self.assertEqual(by["WhatsApp"]["tickets"], 2)
		self.assertEqual(by["WhatsApp"]["fr_met_pct"], 0.0)
		self.assertIsNone(by["WhatsApp"]["res_met_pct"])
		self.assertIsNone(by["WhatsApp"]["fr_median"])
		_c, rows, *_ = sla.execute({**MARCH, "group_by": "Agent", "priority": "Urgent"})
		self.assertEqual([(row["group_value"], row["tickets"]) for row in rows], [(AGENT2, 2)])
		# a filter that matches nothing, an empty period
		for filters in (
			{**MARCH, "channel": "Walk-in"},
			{**MARCH, "from_date": "2024-01-01", "to_date": "2024-01-31"},
		):
			_c, rows, _m, chart, summary = sla.execute(filters)
			self.assertEqual(rows, [])
			self.assertIsNone(chart)
			self.assertEqual(summary[0]["value"], 0)

	def test_reversed_period_is_refused(self):
		with self.assertRaises(frappe.ValidationError):
			sla.execute({**MARCH, "from_date": "2025-04-01"})

	# ---------- escalation register ----------
	def test_escalation_register(self):
		_c, rows, _m, chart, summary = register.execute(MARCH)
		by = {row.escalation: row for row in rows}
		self.assertEqual(len(rows), 3)
		first, second, third = by[f"R{RUN}2-L1"], by[f"R{RUN}2-L2"], by[f"R{RUN}3-L1"]
		self.assertEqual((first.ack_minutes, first.late, first.level_minutes), (20.0, 0, 120.0))
		self.assertEqual(first.outcome, "Escalated to the next level")
		self.assertIsNone(second.ack_minutes)
		self.assertEqual(second.late, 1)  # never acknowledged, deadline passed
		self.assertEqual(second.level_minutes, 21 * 60.0)  # until A2 was resolved
		self.assertEqual(second.escalated_to, "SOP Operations Manager")
		self.assertEqual((third.ack_minutes, third.late), (60.0, 1))
		self.assertGreater(third.level_minutes, 60)  # still at level 1: until now
		self.assertEqual(third.escalated_to, SUPERVISOR)
		values = {item["label"]: item["value"] for item in summary}
		self.assertEqual(values["Escalations"], 3)
		self.assertEqual(values["Acknowledged %"], 66.7)
		self.assertEqual(values["Median Time to Acknowledge (min)"], 40.0)
		self.assertEqual(values["Not Acknowledged in Time"], 2)
		self.assertEqual((values["Level 1"], values["Level 2"]), (2, 1))
		self.assertEqual(chart["data"]["labels"], ["Level 1", "Level 2"])
		_c, rows, *_ = register.execute({**MARCH, "level": 2})
		self.assertEqual([row.escalation for row in rows], [f"R{RUN}2-L2"])
		_c, rows, *_ = register.execute({**MARCH, "channel": "Phone"})
		self.assertEqual(rows, [])

	# ---------- satisfaction ----------
	def _insert_surveys(self, prefix: str) -> None:
		"""Two answered surveys of agent 1 (CSAT 5 and 2) and one unanswered of agent 2; removed after
		the test."""
		fields = (
			*bulk.STANDARD_COLUMNS,
			"ticket",
			"agent",
			"team",
			"channel",
			"category",
			"sent_on",
			"answered_on",
			"csat",
			"problem_solved",
			"nps",
			"ces",
			"comment",
			"status",
		)
		when = dt(12)
		names = [f"{prefix}{RUN}{i}" for i in range(3)]
		std = (when, when, "Administrator", "Administrator")
		bulk.insert(
			"SOP Survey",
			fields,
			[
				(
					names[0],
					*std,
					f"R{RUN}1",
					AGENT1,
					TEAM,
					"Email",
					"Pengiriman",
					when,
					when,
					5,
					"Yes",
					10,
					2,
					"",
					"Answered",
				),
				(
					names[1],
					*std,
					f"R{RUN}2",
					AGENT1,
					TEAM,
					"Email",
					"Pengiriman",
					when,
					when,
					2,
					"No",
					3,
					6,
					"Belum beres",
					"Answered",
				),
				(
					names[2],
					*std,
					f"R{RUN}3",
					AGENT2,
					TEAM,
					"WhatsApp",
					"Tagihan & Pembayaran",
					when,
					None,
					0,
					"",
					-1,
					0,
					"",
					"Sent",
				),
			],
		)
		self.addCleanup(frappe.db.delete, "SOP Survey", {"name": ("in", names)})

	def test_satisfaction_from_survey(self):
		self._insert_surveys("S")
		_c, rows, message, _chart, summary = satisfaction.execute({**MARCH, "group_by": "Channel"})
		self.assertIsNone(message)
		by = {row["group_value"]: row for row in rows}
		email = by["Email"]
		self.assertEqual(
			(email["asked"], email["answered"], email["csat_avg"], email["csat_pct"]), (2, 2, 3.5, 50.0)
		)
		self.assertEqual(
			(email["nps"], email["ces_avg"], email["solved_pct"], email["low"]), (0.0, 4.0, 50.0, 1)
		)
		self.assertEqual((by["WhatsApp"]["asked"], by["WhatsApp"]["answered"]), (1, 0))
		values = {item["label"]: item["value"] for item in summary}
		self.assertEqual((values["Asked"], values["Response Rate %"]), (3, 66.7))
		_c, low, *_ = satisfaction.execute({**MARCH, "view": "Low Scores"})
		self.assertEqual([x.comment for x in low], ["Belum beres"])

	# ---------- recurring complaints ----------
	def test_recurring_complaints(self):
		_c, rows, _m, chart, summary = recurring.execute(MARCH)
		by = {row["key_value"]: row for row in rows}
		self.assertEqual(set(by), {"Pengiriman", "Tagihan & Pembayaran"})
		delivery = by["Pengiriman"]
		self.assertEqual((delivery["tickets"], delivery["previous"], delivery["change"]), (2, 1, 100.0))
		self.assertEqual((delivery["customers"], delivery["root_causes"]), (1, "Kurir terlambat (2)"))
		self.assertIsNone(by["Tagihan & Pembayaran"]["change"])
		values = {item["label"]: item["value"] for item in summary}
		self.assertEqual((values["Recurring"], values["Share of All Tickets %"]), (2, 100.0))
		_c, rows, *_ = recurring.execute({**MARCH, "dimension": "Subject"})
		self.assertEqual(
			sorted((row["key"], row["tickets"]) for row in rows),
			[("pesanan belum diterima", 2), ("tagihan ganda", 2)],
		)
		_c, rows, *_ = recurring.execute({**MARCH, "dimension": "Customer", "min_count": 3})
		self.assertEqual(rows, [])
		_c, rows, _m, chart, _s = recurring.execute({**MARCH, "category": "Teknis"})
		self.assertEqual((rows, chart), ([], None))

	# ---------- agent performance ----------
	def test_agent_performance(self):
		self._insert_surveys("P")
		_c, rows, _m, _chart, summary = perf.execute(MARCH)
		by = {row["agent"]: row for row in rows}
		one, two, sup = by[AGENT1], by[AGENT2], by[SUPERVISOR]
		self.assertEqual(
			(one["handled"], one["resolved"], one["fr_met_pct"], one["fr_median"]), (2, 2, 50.0, 50.0)
		)
		self.assertEqual(
			(one["cadence_pct"], one["reopen_pct"], one["raised"], one["received"]), (100.0, 50.0, 1, 0)
		)
		self.assertEqual((one["csat_avg"], one["csat_answers"]), (3.5, 2))
		self.assertEqual(
			(two["handled"], two["resolved"], two["fr_met_pct"], two["fr_median"]), (2, 0, 0.0, None)
		)
		self.assertEqual((two["cadence_pct"], two["reopen_pct"], two["raised"]), (50.0, None, 1))
		self.assertEqual((sup["handled"], sup["received"]), (0, 2))
		values = {item["label"]: item["value"] for item in summary}
		self.assertEqual(
			(values["Agents"], values["Tickets Handled"], values["Escalations Raised"]), (3, 4, 2)
		)
		_c, rows, *_ = perf.execute({**MARCH, "agent": AGENT2})
		self.assertEqual([row["agent"] for row in rows], [AGENT2])
		_c, rows, *_ = perf.execute({**MARCH, "from_date": "2024-01-01", "to_date": "2024-01-31"})
		self.assertEqual(rows, [])


class TestReportFacts(FrappeTestCase):
	def test_facts_stored_when_the_events_happen(self):
		from cs_sop.sla.calendar import cached_calendar

		frappe.set_user("Administrator")
		agent = make_user("rpt-facts@example.com", "Agen Fakta", roles=("Agent",))
		if not frappe.db.exists("HD Agent", agent):
			frappe.get_doc({"doctype": "HD Agent", "user": agent, "agent_name": "Agen Fakta"}).insert(
				ignore_permissions=True
			)
		ticket = make_ticket(subject="Re: Pesanan #9 belum diterima", **classify())
		self.assertEqual(ticket.sop_subject_key, "pesanan belum diterima")
		from frappe.desk.form.assign_to import add as assign
		from frappe.desk.form.assign_to import clear

		# whatever a team's assignment rule gave it first: this agent is the first assignee
		clear("HD Ticket", ticket.name)
		assign({"doctype": "HD Ticket", "name": ticket.name, "assign_to": [agent]})
		self.assertEqual(frappe.db.get_value("HD Ticket", ticket.name, "sop_agent"), agent)

		agent_reply(ticket.name)
		row = frappe.db.get_value(
			"HD Ticket",
			ticket.name,
			["creation", "first_responded_on", "sop_first_response_seconds"],
			as_dict=True,
		)
		self.assertIsNotNone(row.first_responded_on)
		expected = int(cached_calendar().elapsed(row.creation, row.first_responded_on))
		self.assertEqual(row.sop_first_response_seconds, expected)

		doc = frappe.get_doc("HD Ticket", ticket.name)
		doc.status = "Resolved"
		# the closure form asks for these before resolving
		doc.resolution_details = "<p>Paket dikirim ulang.</p>"
		doc.sop_root_cause = "Alamat tidak lengkap"
		doc.save(ignore_permissions=True)
		doc.reload()
		self.assertIsNotNone(doc.resolution_date)
		self.assertEqual(
			doc.sop_resolution_seconds, int(cached_calendar().elapsed(doc.creation, doc.resolution_date))
		)
		self.assertEqual(doc.sop_agent, agent)  # kept through a save of the document
		doc.status = "Open"
		doc.save(ignore_permissions=True)
		self.assertEqual(frappe.db.get_value("HD Ticket", ticket.name, "sop_reopen_count"), 1)

	def test_backfill_sets_facts_of_older_tickets(self):
		from cs_sop.sla.calendar import cached_calendar

		name = f"RB{RUN}"
		created, answered = dt(3, 8), dt(3, 9, 30)
		bulk.insert(
			"HD Ticket",
			(*bulk.STANDARD_COLUMNS, "subject", "status", "first_responded_on", "_assign", "opening_date"),
			[
				(
					name,
					created,
					created,
					"Administrator",
					"Administrator",
					"Fwd: Tagihan #3 ganda",
					"Open",
					answered,
					json.dumps([AGENT1]),
					created.date(),
				)
			],
		)
		report_facts.backfill()
		row = frappe.db.get_value(
			"HD Ticket", name, ["sop_first_response_seconds", "sop_agent", "sop_subject_key"], as_dict=True
		)
		self.assertEqual(row.sop_first_response_seconds, int(cached_calendar().elapsed(created, answered)))
		self.assertEqual((row.sop_agent, row.sop_subject_key), (AGENT1, "tagihan ganda"))
		frappe.db.rollback()

	def test_report_indexes_exist_with_their_columns(self):
		"""install / migrate give every index the reports rely on, columns in the declared order."""
		for doctype, name, columns in report_facts.INDEXES:
			rows = frappe.db.sql(
				"""select column_name from information_schema.statistics
				where table_schema = database() and table_name = %s and index_name = %s
				order by seq_in_index""",
				(f"tab{doctype}", name),
			)
			self.assertEqual(tuple(row[0] for row in rows), columns, name)


class TestDashboardAndMonthlyReport(FrappeTestCase):
	def test_cards_count_open_near_breach_breached(self):
		frappe.set_user("Administrator")
		before = {
			"open": api_reports.open_tickets()["value"],
			"near": api_reports.near_breach()["value"],
			"breached": api_reports.breached()["value"],
			"unack": api_reports.unacknowledged_escalations()["value"],
		}
		now = now_datetime()
		std = (now, now, "Administrator", "Administrator")
		bulk.insert(
			"HD Ticket",
			(
				*bulk.STANDARD_COLUMNS,
				"subject",
				"status",
				"status_category",
				"response_by",
				"resolution_by",
				"first_responded_on",
			),
			[
				(f"RC{RUN}1", *std, "x", "Open", "Open", now + timedelta(minutes=30), FAR, None),  # near
				(f"RC{RUN}2", *std, "x", "Open", "Open", now - timedelta(minutes=5), FAR, None),  # breached
				(
					f"RC{RUN}3",
					*std,
					"x",
					"Open",
					"Open",
					now - timedelta(hours=1),
					now + timedelta(hours=5),
					now - timedelta(hours=2),
				),  # answered in time, resolution far: neither
			],
		)
		self.assertEqual(api_reports.open_tickets()["value"], before["open"] + 3)
		self.assertEqual(api_reports.near_breach()["value"], before["near"] + 1)
		self.assertEqual(api_reports.breached()["value"], before["breached"] + 1)
		self.assertEqual(api_reports.unacknowledged_escalations()["value"], before["unack"])
		self.assertEqual(api_reports.csat_this_month()["fieldtype"], "Percent")
		frappe.db.rollback()

	def test_cards_refuse_a_plain_agent(self):
		frappe.set_user(make_user("rpt-plain@example.com", "Agen Biasa", roles=("Agent",)))
		try:
			with self.assertRaises(frappe.PermissionError):
				api_reports.open_tickets()
			with self.assertRaises(frappe.PermissionError):
				api_reports.management_report_pdf("2025-03")
		finally:
			frappe.set_user("Administrator")

	def test_workspace_ships_cards_and_charts(self):
		ws = frappe.get_doc("Workspace", "Layanan Pelanggan (SOP)")
		self.assertEqual(len(ws.number_cards), 5)
		self.assertEqual(len(ws.charts), 4)
		self.assertEqual(
			{s.link_to for s in ws.shortcuts},
			{n for n in frappe.get_all("Report", {"module": "CS SOP"}, pluck="name")},
		)
		for card in ws.number_cards:
			self.assertEqual(frappe.db.get_value("Number Card", card.number_card_name, "type"), "Custom")

	def test_month_parsing(self):
		self.assertEqual(management_report.parse_month("2025-03"), (2025, 3))
		self.assertEqual(management_report.parse_month("2025-03-17"), (2025, 3))
		for bad in ("2025-13", "maret", "2025-3x"):
			with self.assertRaises(frappe.ValidationError):
				management_report.parse_month(bad)


class TestMonthlyPdf(TestReports):
	"""The monthly report on the same data (March 2025) rendered to PDF and checked with poppler."""

	# the parent's tests run once in TestReports
	test_sla_compliance_by_team = test_sla_compliance_by_channel_and_filters = None
	test_reversed_period_is_refused = test_escalation_register = None
	test_satisfaction_from_helpdesk_rating = test_satisfaction_from_survey = None
	test_recurring_complaints = test_agent_performance = None

	def test_html_is_indonesian_with_the_figures(self):
		html = management_report.render_html(2025, 3)
		self.assertIn("Maret 2025", html)
		self.assertIn("Laporan Manajemen Layanan Pelanggan", html)
		self.assertIn("Kepatuhan SLA", html)
		self.assertIn(TEAM, html)
		self.assertIn("33.3", html)

	def test_pdf_renders(self):
		pdf = management_report.render_pdf(2025, 3)
		self.assertTrue(pdf.startswith(b"%PDF"))
		with tempfile.TemporaryDirectory() as tmp:
			path = os.path.join(tmp, "report.pdf")
			with open(path, "wb") as f:
				f.write(pdf)
			subprocess.run(["pdftoppm", "-png", "-r", "40", path, os.path.join(tmp, "page")], check=True)
			pages = sorted(p for p in os.listdir(tmp) if p.endswith(".png"))
			self.assertGreaterEqual(len(pages), 1)
			self.assertGreater(os.path.getsize(os.path.join(tmp, pages[0])), 2000)
			text = subprocess.run(["pdftotext", path, "-"], check=True, capture_output=True, text=True).stdout
		self.assertIn("Kepatuhan SLA", text)
		self.assertIn("Maret 2025", text)

	def test_monthly_email_to_operations_managers(self):
		ensure_email_account()
		manager = make_user("rpt-ops@example.com", "Manajer Ops", roles=("SOP Operations Manager",))
		self.assertIn(manager, management_report.recipients())
		since = now_datetime()
		self.assertTrue(management_report.send_monthly(today=date(2025, 4, 1)))
		queued = frappe.get_all(
			"Email Queue",
			filters={"creation": (">=", add_to_date(since, seconds=-1))},
			fields=["name", "message"],
		)
		mine = []
		for q in queued:
			mail = message_from_string(q.message or "")
			subject = str(make_header(decode_header(mail["Subject"] or "")))
			if "Maret 2025" in subject:
				mine.append(
					(q, subject, [part.get_filename() for part in mail.walk() if part.get_filename()])
				)
		self.assertEqual(len(mine), 1)
		self.assertEqual(mine[0][1].strip(), "Laporan Manajemen Layanan Pelanggan Maret 2025")
		self.assertEqual(mine[0][2], ["laporan-layanan-pelanggan-2025-03.pdf"])
		mine = [mine[0][0]]
		recipients = frappe.get_all("Email Queue Recipient", {"parent": mine[0].name}, pluck="recipient")
		self.assertIn(manager, recipients)


class TestReportsOverRest(TestReports):
	"""Frappe's report runner over HTTP, as the people who cross the boundary."""

	test_sla_compliance_by_team = test_sla_compliance_by_channel_and_filters = None
	test_reversed_period_is_refused = test_escalation_register = None
	test_satisfaction_from_helpdesk_rating = test_satisfaction_from_survey = None
	test_recurring_complaints = test_agent_performance = None

	def _run(self, client, report):
		return client.post(
			"/api/method/frappe.desk.query_report.run",
			data={"report_name": report, "filters": json.dumps(MARCH)},
		)

	def test_managers_only(self):
		from cs_sop.tests.rest import Client, message

		manager = make_user("rpt-mgr@example.com", "Manajer Agen", roles=("Agent", "Agent Manager"))
		plain = make_user("rpt-plain@example.com", "Agen Biasa", roles=("Agent",))
		customer = make_customer_user("rpt-portal@example.com")
		frappe.db.commit()  # the server is another process
		reports = frappe.get_all("Report", {"module": "CS SOP"}, pluck="name")
		self.assertEqual(len(reports), 5)
		as_manager, as_agent, as_customer = (
			Client(manager, PASSWORD),
			Client(plain, PASSWORD),
			Client(customer, PASSWORD),
		)
		for report in reports:
			self.assertEqual(self._run(as_agent, report).status_code, 403, report)
			self.assertEqual(self._run(as_customer, report).status_code, 403, report)
			self.assertEqual(self._run(Client(), report).status_code, 403, report)
			result = message(self._run(as_manager, report))
			self.assertTrue(result["columns"], report)
		result = message(self._run(as_manager, "SOP SLA Compliance"))
		self.assertEqual(result["result"][0]["tickets"], 4)
		pdf = as_manager.get(
			"/api/method/cs_sop.api.reports.management_report_pdf", params={"month": "2025-03"}
		)
		self.assertEqual(pdf.status_code, 200)
		self.assertTrue(pdf.content.startswith(b"%PDF"))
		refused = as_agent.get(
			"/api/method/cs_sop.api.reports.management_report_pdf", params={"month": "2025-03"}
		)
		self.assertEqual(refused.status_code, 403)
		# the workspace's number cards: managers and supervisors only
		for card in (
			"open_tickets",
			"near_breach",
			"breached",
			"unacknowledged_escalations",
			"csat_this_month",
		):
			path = f"/api/method/cs_sop.api.reports.{card}"
			for who, client in (("agent", as_agent), ("customer", as_customer), ("guest", Client())):
				r = client.get(path)
				self.assertIn(r.status_code, (401, 403), (card, who))
				body = r.json() if "json" in r.headers.get("content-type", "") else {}
				self.assertNotIn("message", body, (card, who))
			self.assertIn("value", message(as_manager.get(path)), card)
