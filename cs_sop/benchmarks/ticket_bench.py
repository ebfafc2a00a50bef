"""What cs_sop adds to HD Ticket insert and save: run on a site with and one without cs_sop.

	bench --site SITE execute cs_sop.benchmarks.ticket_bench.run --kwargs "{'n': 300}"

Prints one JSON line of medians (ms). scripts/benchmark runs it on both sites and prints the
ratio. Everything it creates is rolled back (and deleted, should anything have committed).
"""

import json
import statistics
import time

import frappe

from cs_sop.core.holidays_id import indonesian_holidays
from cs_sop.overrides.hd_service_level_agreement import SOPServiceLevelAgreement
from cs_sop.overrides.hd_ticket import CSSOPHDTicket


class _SQLCounter:
	"""Counts SQL statements (every `frappe.db.sql`): a figure the machine's load does not move."""

	def __init__(self):
		self.n = 0
		self._sql = None

	def __enter__(self):
		self._sql = frappe.db.sql

		def sql(*args, **kwargs):
			self.n += 1
			return self._sql(*args, **kwargs)

		frappe.db.sql = sql
		return self

	def __exit__(self, *exc):
		frappe.db.sql = self._sql


def _timed(fn, counter: _SQLCounter) -> tuple[float, int]:
	"""Wall time (ms) and SQL statements of one call."""
	before = counter.n
	start = time.perf_counter()
	fn()
	return (time.perf_counter() - start) * 1000, counter.n - before


def _same_holidays_on_baseline():
	"""Baseline only, rolled back with the run: give Helpdesk's default SLA the same Indonesian
	holiday list cs_sop ships, to separate cs_sop's own cost from the cost of its SLA data in
	Helpdesk's engine (which reads the whole list twice per save)."""
	from frappe.utils import getdate, nowdate

	year = getdate(nowdate()).year
	doc = frappe.new_doc("HD Service Holiday List")
	doc.holiday_list_name = "cs_sop benchmark holidays"
	doc.from_date, doc.to_date = f"{year}-01-01", f"{year + 1}-12-31"
	for y in (year, year + 1):
		for day, name in indonesian_holidays(y):
			doc.append("holidays", {"holiday_date": day, "description": name})
	doc.insert(ignore_permissions=True)
	default = frappe.db.get_value("HD Service Level Agreement", {"default_sla": 1}, "name")
	frappe.db.set_value("HD Service Level Agreement", default, "holiday_list", doc.name)


def _helpdesk_sla_lookups() -> list:
	"""cs_sop's site with Helpdesk's own SLA lookups (choice, document loads, holidays) instead of
	cs_sop's cached ones, for this process: what cs_sop's own steps cost, apart from the caching."""
	from unittest import mock

	from helpdesk.helpdesk.doctype.hd_service_level_agreement.hd_service_level_agreement import (
		HDServiceLevelAgreement,
	)
	from helpdesk.helpdesk.doctype.hd_ticket.hd_ticket import HDTicket

	patches = [
		mock.patch.object(CSSOPHDTicket, m, getattr(HDTicket, m)) for m in ("set_sla", "apply_sla", "get_sla")
	]
	patches.append(
		mock.patch.object(SOPServiceLevelAgreement, "get_holidays", HDServiceLevelAgreement.get_holidays)
	)
	for p in patches:
		p.start()
	return patches


def run(
	n: int = 300,
	warmup: int = 20,
	same_holidays: bool = False,
	samples: bool = False,
	helpdesk_sla: bool = False,
) -> dict:
	"""Medians of n tickets; with `samples`, every measurement too (scripts/benchmark runs the
	sites in alternating rounds and takes the medians of all rounds' samples). `helpdesk_sla`
	(cs_sop's site only): Helpdesk's own SLA lookups instead of cs_sop's cached ones."""
	from frappe.utils import now_datetime

	frappe.set_user("Administrator")
	has_sop = "cs_sop" in frappe.get_installed_apps()
	if same_holidays and not has_sop:
		_same_holidays_on_baseline()
	patches = _helpdesk_sla_lookups() if helpdesk_sla and has_sop else []
	created: list[str] = []
	insert_ms, save_ms, reclassify_ms = [], [], []
	queries = {"insert": [], "save": [], "reclassify": []}
	levels = ["Low", "Medium", "High", "Critical"]
	counter = _SQLCounter().__enter__()
	try:
		for i in range(n + warmup):
			doc = frappe.get_doc(
				{
					"doctype": "HD Ticket",
					"subject": f"Benchmark {i}: pesanan belum diterima",
					"raised_by": f"bench{i % 50}@example.com",
					"description": "<p>Pesanan saya belum diterima sejak minggu lalu.</p>",
					"sop_channel": "WhatsApp" if i % 3 == 0 else "Email",
					"sop_request_type": "Complaint",
					"sop_impact": levels[i % 4],
					"sop_urgency": levels[(i // 4) % 4],
				}
			)
			t_insert, q_insert = _timed(lambda doc=doc: doc.insert(ignore_permissions=True), counter)
			created.append(doc.name)
			doc = frappe.get_doc("HD Ticket", doc.name)  # as a later request would load it

			doc.subject = doc.subject + " (diperbarui)"
			t_save, q_save = _timed(lambda doc=doc: doc.save(ignore_permissions=True), counter)

			# the agent's reclassification: with cs_sop urgency drives priority; without it the
			# agent sets the priority itself. Both end in a new priority and new SLA targets.
			if has_sop:
				doc.sop_urgency = levels[(i // 4 + 2) % 4]
			else:
				doc.priority = ["Low", "Medium", "High", "Urgent"][(i + 1) % 4]
			t_reclassify, q_reclassify = _timed(lambda doc=doc: doc.save(ignore_permissions=True), counter)
			if i >= warmup:
				insert_ms.append(t_insert)
				save_ms.append(t_save)
				reclassify_ms.append(t_reclassify)
				queries["insert"].append(q_insert)
				queries["save"].append(q_save)
				queries["reclassify"].append(q_reclassify)
	finally:
		counter.__exit__()
		for p in patches:
			p.stop()
		frappe.db.rollback()
		if created:
			frappe.db.delete("HD Ticket", {"name": ("in", created)})
			frappe.db.commit()  # benchmark clean-up only: nothing of the run may stay on the site
	result = {
		"site": frappe.local.site,
		"cs_sop": has_sop,
		"same_holidays": same_holidays and not has_sop,
		"helpdesk_sla": bool(patches),
		"n": n,
		"insert_ms": round(statistics.median(insert_ms), 3),
		"save_ms": round(statistics.median(save_ms), 3),
		"reclassify_ms": round(statistics.median(reclassify_ms), 3),
		# SQL statements per operation (median): the load-independent part of the comparison
		**{f"{op}_sql": statistics.median(q) for op, q in queries.items()},
		# cs_sop answers a customer's first message outside operating hours: the time
		# of day changes what an insert costs
		"site_time": str(now_datetime().replace(microsecond=0)),
	}
	if samples:
		result["samples"] = {"insert": insert_ms, "save": save_ms, "reclassify": reclassify_ms}
		result["sql_samples"] = queries
	print(json.dumps(result))
	return result
