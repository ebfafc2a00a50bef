"""The escalation sweep against Helpdesk's own SLA job, on the same open tickets.

	bench --site SITE execute cs_sop.benchmarks.sweep_bench.run \
		--kwargs "{'sizes': [1000, 10000, 100000], 'hd_sizes': [1000, 10000]}"

For each size it bulk-inserts that many open tickets (names B0000001 ..., 3 % of them past their
first-response target, so due), then measures:
- the sweep (`cs_sop.escalation.sweep`): median of `repeats` runs, each rolled back to the same
  state, with its SQL statement count;
- Helpdesk's hourly `update_sla_status_in_ticket` (one run: it commits per ticket), with its count.
Prints one JSON line per size; everything it inserted is deleted at the end.
"""

import json
import statistics
import time
from datetime import timedelta

import frappe
from frappe.utils import now_datetime

from cs_sop import bulk
from cs_sop.escalation import sweep

PREFIX = "B"


class SQLCounter:
	def __enter__(self):
		self.count = 0
		self._orig = frappe.db.sql

		def counting(*args, **kwargs):
			self.count += 1
			return self._orig(*args, **kwargs)

		frappe.db.sql = counting
		return self

	def __exit__(self, *exc):
		frappe.db.sql = self._orig


def _insert_tickets(n: int, due_share: float, now) -> None:
	sla = frappe.db.get_single_value("SOP Settings", "standard_sla")
	fields = [
		*bulk.STANDARD_COLUMNS,
		"subject",
		"raised_by",
		"status",
		"status_category",
		"priority",
		"ticket_type",
		"sla",
		"agreement_status",
		"service_level_agreement_creation",
		"response_by",
		"resolution_by",
		"sop_channel",
		"sop_stage",
		"sop_escalation_level",
		"sop_next_check",
	]
	due_every = max(int(1 / due_share), 1) if due_share else 0
	rows = []
	for i in range(n):
		due = due_every and i % due_every == 0
		created = now - timedelta(hours=1 if due else 0, minutes=i % 50)
		response_by = now - timedelta(minutes=2) if due else now + timedelta(hours=4)
		rows.append(
			(
				f"{PREFIX}{i:07d}",
				created,
				created,
				"Administrator",
				"Administrator",
				f"Benchmark ticket {i}",
				f"bench{i % 500}@example.com",
				"Open",
				"Open",
				"Medium",
				"Pengiriman",
				sla,
				"First Response Due",
				created,
				response_by,
				now + timedelta(hours=20),
				"Email",
				"Received",
				0,
				now - timedelta(minutes=1) if due else now + timedelta(hours=3),
			)
		)
	frappe.db.bulk_insert("HD Ticket", fields, rows, chunk_size=5000)
	frappe.db.commit()  # benchmark data: Helpdesk's job commits per ticket anyway


def _cleanup() -> None:
	like = ("like", f"{PREFIX}%")
	frappe.db.delete("SOP Escalation", {"ticket": like})
	frappe.db.delete("HD Ticket Activity", {"ticket": like})
	frappe.db.delete("Notification Log", {"document_type": "HD Ticket", "document_name": like})
	frappe.db.delete("HD Ticket", {"name": like})
	frappe.db.commit()  # benchmark clean-up


def _time_sweep(now, repeats: int) -> tuple[float, int, int]:
	times, statements, escalated = [], 0, 0
	for _ in range(repeats):
		frappe.db.savepoint("bench_sweep")
		with SQLCounter() as c:
			start = time.perf_counter()
			stats = sweep(now=now)
			times.append(time.perf_counter() - start)
		statements, escalated = c.count, stats["escalated"]
		frappe.db.rollback(save_point="bench_sweep")
		frappe.db.after_commit.reset()  # the rolled-back run's digest delivery must not be queued
	return statistics.median(times), statements, escalated


def _time_helpdesk() -> tuple[float, int]:
	from helpdesk.helpdesk.doctype.hd_ticket.hd_ticket import update_sla_status_in_ticket

	with SQLCounter() as c:
		start = time.perf_counter()
		update_sla_status_in_ticket()
		elapsed = time.perf_counter() - start
	return elapsed, c.count


def run(sizes=(1000, 10000, 100000), hd_sizes=(1000, 10000), due_share: float = 0.03, repeats: int = 5):
	frappe.set_user("Administrator")
	results = []
	_cleanup()
	open_before = frappe.db.count("HD Ticket", {"status_category": "Open"})
	try:
		for n in sizes:
			now = now_datetime()
			_insert_tickets(n, due_share, now)
			sweep_s, sweep_sql, escalated = _time_sweep(now, repeats)
			result = {
				"open_tickets": n + open_before,
				"due": escalated,
				"sweep_median_ms": round(sweep_s * 1000, 1),
				"sweep_sql": sweep_sql,
			}
			if n in hd_sizes:
				hd_s, hd_sql = _time_helpdesk()
				result.update(
					{
						"helpdesk_ms": round(hd_s * 1000, 1),
						"helpdesk_sql": hd_sql,
						"speedup": round(hd_s / sweep_s, 1),
					}
				)
			print(json.dumps(result), flush=True)
			results.append(result)
			_cleanup()
	finally:
		_cleanup()
	return results
