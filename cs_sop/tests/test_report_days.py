"""The reports' per-day summary (SOP Report Day): the same figures as the tickets, however stale.

Every check compares a report read through the summary with the same report read from the tickets
(`figures` patched to None, the path filtered reports take), on tickets written as rows on days of
their own in 2023, before and after the days are summarised, and after the tickets change.
"""

from datetime import date, datetime, timedelta
from unittest.mock import patch

import frappe
from frappe.tests.utils import FrappeTestCase

from cs_sop import bulk
from cs_sop.core import report_days as core
from cs_sop.cs_sop.doctype.sop_report_day import sop_report_day as report_day
from cs_sop.cs_sop.report.sop_agent_performance import sop_agent_performance as perf
from cs_sop.cs_sop.report.sop_escalation_register import sop_escalation_register as register
from cs_sop.cs_sop.report.sop_sla_compliance import sop_sla_compliance as sla
from cs_sop.tests.utils import REPORT_TICKET_COLUMNS

RUN = frappe.generate_hash(length=6)
TEAM = f"Tim Ringkasan {RUN}"
DAYS = [date(2023, 4, 3) + timedelta(days=i) for i in range(3)]
PERIOD = {"from_date": "2023-04-01", "to_date": "2023-04-30"}
GROUPS = ("Team", "Agent", "Channel", "Priority", "Category", "Request Type")
FIELDS = (
	*REPORT_TICKET_COLUMNS,
	"sop_close_exception_on",
)


def _rows():
	"""Tickets with every kind of figure: met, missed, pending before and after a moment, no agent."""
	rows = []
	channels = ("Email", "WhatsApp", "Phone", None, "")
	agents = ("Administrator", "Guest", None)
	for i in range(30):
		day = DAYS[i % len(DAYS)]
		created = datetime.combine(day, datetime.min.time()) + timedelta(hours=8, minutes=i)
		answered = i % 4 != 0
		resolved = i % 3 == 0
		# pending targets: some passed, some in 2099, one just after a moment the test moves to
		response_by = created + timedelta(hours=1 + i % 2) if i != 7 else datetime(2099, 1, 1)
		resolution_by = created + timedelta(hours=8) if i % 5 else datetime(2099, 1, 1)
		rows.append(
			(
				f"RD{RUN}{i:03d}",
				created,
				created,
				"Administrator",
				"Administrator",
				f"Ringkasan {i}",
				f"rd{i % 4}@example.com",
				"Closed" if resolved else "Open",
				"Resolved" if resolved else "Open",
				("Urgent", "High", "Medium")[i % 3],
				None if i == 5 else ("Teknis", "Pengiriman")[i % 2],
				TEAM,
				day,
				channels[i % len(channels)],
				("Complaint", "Question")[i % 2],
				agents[i % len(agents)],
				response_by,
				created + timedelta(minutes=10 + 17 * i) if answered else None,
				600 + 37 * i if answered else 0,
				resolution_by,
				created + timedelta(hours=1 + i % 9) if resolved else None,
				3600 + 101 * i if resolved else 0,
				i % 3,
				1 if i % 7 == 0 else 0,
				created + timedelta(days=1) if i % 11 == 0 else None,
			)
		)
	return rows


def _ticket_path(fn, filters):
	with patch.object(report_day, "figures", return_value=None):
		return fn(filters)


class TestReportDays(FrappeTestCase):
	def setUp(self):
		bulk.insert("HD Ticket", FIELDS, _rows())

	def tearDown(self):
		frappe.db.rollback()

	def assertSameAsTickets(self, note: str):
		for group in GROUPS:
			filters = {**PERIOD, "group_by": group}
			got = sla.execute(filters)
			self.assertEqual(got[1], _ticket_path(sla.execute, filters)[1], f"{note}: {group}")
			self.assertEqual(got[4], _ticket_path(sla.execute, filters)[4], f"{note}: {group} summary")
		# a filter on the grouped dimension is read from the summary too
		filters = {**PERIOD, "group_by": "Team", "team": TEAM}
		self.assertEqual(sla.execute(filters)[1], _ticket_path(sla.execute, filters)[1], note)
		self.assertEqual(perf.execute(PERIOD)[1], _ticket_path(perf.execute, PERIOD)[1], note)
		self.assertEqual(
			perf.execute({**PERIOD, "agent": "Guest"})[1],
			_ticket_path(perf.execute, {**PERIOD, "agent": "Guest"})[1],
			note,
		)

	def _stale(self):
		start, end = date(2023, 4, 1), date(2023, 4, 30)
		return core.stale_days(report_day._live_stamps(start, end), report_day._stored_stamps(start, end))

	def test_same_figures_before_and_after_the_days_are_summarised(self):
		self.assertTrue(set(DAYS) <= self._stale())
		self.assertSameAsTickets("nothing summarised")
		report_day.rebuild(DAYS)
		self.assertFalse(self._stale() & set(DAYS))
		self.assertSameAsTickets("summarised")
		# the summary is what the report reads for a summarised day
		s = frappe.qb.DocType(report_day.SUMMARY)
		frappe.qb.update(s).set(s.tickets, s.tickets + 100).where(
			(s.day == DAYS[0]) & (s.dimension == "Team")
		).run()
		rows = sla.execute({**PERIOD, "group_by": "Team", "team": TEAM})[1]
		self.assertEqual(rows[0]["tickets"], 130)

	def test_changed_added_and_deleted_tickets_make_their_day_stale(self):
		report_day.rebuild(DAYS)
		first = f"RD{RUN}001"
		# a save (modified moves)
		frappe.db.set_value("HD Ticket", first, "priority", "Low")
		self.assertIn(DAYS[1], self._stale())
		self.assertSameAsTickets("saved")
		report_day.rebuild(DAYS)
		# facts written without `modified`: the assignment hook and the sweep's update misses
		frappe.db.set_value("HD Ticket", first, "sop_agent", "Administrator", update_modified=False)
		self.assertEqual(self._stale() & set(DAYS), {DAYS[1]})
		self.assertSameAsTickets("agent")
		report_day.rebuild(DAYS)
		frappe.db.set_value("HD Ticket", first, "sop_update_misses", 9, update_modified=False)
		self.assertEqual(self._stale() & set(DAYS), {DAYS[1]})
		self.assertSameAsTickets("misses")
		report_day.rebuild(DAYS)
		frappe.db.delete("HD Ticket", {"name": f"RD{RUN}002"})
		self.assertEqual(self._stale() & set(DAYS), {DAYS[2]})
		self.assertSameAsTickets("deleted")
		# every ticket of a day gone: its summary is left out, and the next build removes it
		frappe.db.delete("HD Ticket", {"opening_date": DAYS[0], "name": ("like", f"RD{RUN}%")})
		self.assertSameAsTickets("day emptied")
		report_day.rebuild(sorted(self._stale()))
		self.assertFalse(self._stale())
		self.assertFalse(frappe.db.exists(report_day.SUMMARY, {"day": DAYS[0]}))

	def test_pending_targets_are_decided_by_the_report_time(self):
		report_day.rebuild(DAYS)
		filters = {**PERIOD, "group_by": "Channel"}
		for moment in (datetime(2023, 4, 3, 9, 0), datetime(2023, 4, 5, 12, 0), datetime(2100, 1, 1)):
			with (
				patch.object(report_day, "now_datetime", return_value=moment),
				patch.object(sla, "now_datetime", return_value=moment),
				patch.object(perf, "now_datetime", return_value=moment),
			):
				self.assertEqual(sla.execute(filters)[1], _ticket_path(sla.execute, filters)[1], moment)
				self.assertEqual(perf.execute(PERIOD)[1], _ticket_path(perf.execute, PERIOD)[1], moment)

	def test_refresh_rebuilds_stale_days_once_and_runs_alone(self):
		with patch.object(frappe.db, "commit"):
			self.assertGreaterEqual(report_day.refresh(), len(DAYS))
			self.assertEqual(report_day.refresh(), 0)  # nothing changed since
			frappe.db.set_value("HD Ticket", f"RD{RUN}004", "sop_reopen_count", 2)
			# a second run while one holds the lock does nothing
			with patch.object(report_day, "_lock", return_value=False):
				self.assertEqual(report_day.refresh(), 0)
			self.assertEqual(self._stale() & set(DAYS), {DAYS[1]})
			self.assertEqual(report_day.refresh(), 1)
		self.assertSameAsTickets("refreshed")

	def test_filters_the_summary_does_not_keep_read_the_tickets(self):
		report_day.rebuild(DAYS)
		self.assertIsNone(report_day.figures(frappe._dict(PERIOD, channel="Email"), "Team"))
		self.assertIsNotNone(report_day.figures(frappe._dict(PERIOD, channel="Email"), "Channel"))
		filters = {**PERIOD, "group_by": "Team", "team": TEAM, "closed_by_exception": 1}
		rows = sla.execute(filters)[1]
		self.assertEqual(rows[0]["tickets"], 3)  # tickets 0, 11, 22


class TestRegisterPage(FrappeTestCase):
	def test_a_long_period_lists_the_latest_escalations_and_counts_them_all(self):
		bulk.insert("HD Ticket", FIELDS, _rows()[:2])
		at = datetime(2023, 4, 3, 10)
		fields = (*bulk.STANDARD_COLUMNS, "ticket", "level", "level_name", "reason", "status", "ack_due")
		bulk.insert(
			"SOP Escalation",
			fields,
			[
				(f"RE{RUN}{i}", at + timedelta(hours=i), at, "Administrator", "Administrator",
					f"RD{RUN}000", 1 + i % 2, "L", "SLA Breach", "Open", at + timedelta(hours=i, minutes=30))
				for i in range(3)
			],
		)  # fmt: skip
		try:
			with patch.object(register, "MAX_ROWS", 2):
				_c, rows, message, chart, summary = register.execute(PERIOD)
			self.assertEqual([row.escalation for row in rows], [f"RE{RUN}1", f"RE{RUN}2"])
			self.assertIn("2", message)
			values = {item["label"]: item["value"] for item in summary}
			self.assertEqual((values["Escalations"], values["Level 1"], values["Level 2"]), (3, 2, 1))
			self.assertEqual(chart["data"]["datasets"][0]["values"], [2, 1])
			_c, rows, message, *_ = register.execute(PERIOD)
			self.assertEqual(len(rows), 3)
			self.assertIsNone(message)
		finally:
			frappe.db.rollback()


class TestRecurringRootCauses(FrappeTestCase):
	def test_short_causes_from_the_index_and_long_ones_from_their_rows(self):
		from cs_sop.cs_sop.report.sop_recurring_complaints import sop_recurring_complaints as recurring

		category = f"Kategori {RUN}"
		long_cause = "Gangguan sistem pembayaran " * 8  # over the key's 140 characters
		rows = []
		for i, cause in enumerate(
			("Kurir terlambat", "Kurir terlambat", long_cause, long_cause, long_cause, None)
		):
			row = list(_rows()[i])
			row[0] = f"RC{RUN}{i}"
			row[10] = category
			rows.append((*row, cause))
		bulk.insert("HD Ticket", (*FIELDS, "sop_root_cause"), rows)
		try:
			key, long_flag = frappe.db.get_value(
				"HD Ticket", f"RC{RUN}2", ["sop_root_cause_key", "sop_root_cause_long"]
			)
			self.assertEqual((key, long_flag), (None, 1))
			_dim, rows, _totals = recurring.compute(
				frappe._dict(
					PERIOD, dimension="Category", from_date=date(2023, 4, 1), to_date=date(2023, 4, 30)
				)
			)
			row = next(row for row in rows if row["key_value"] == category)
			self.assertEqual(row["tickets"], 6)
			self.assertEqual(
				row["root_causes"], f"{long_cause} (3); Kurir terlambat (2)"[: recurring.MAX_TEXT]
			)
		finally:
			frappe.db.rollback()
