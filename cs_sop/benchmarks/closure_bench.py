"""The closure and survey jobs on 100k closed tickets.

	bench --site SITE execute cs_sop.benchmarks.closure_bench.run --kwargs "{'closed': 100000, 'due': 10000}"

Bulk-inserts `closed` closed tickets (names C0000001 ...) with one answered survey each, then
measures every job twice: when nothing is due, and with `due` tickets / surveys due:
- auto_close_unconfirmed: `due` resolved tickets past their confirmation window;
- send_due: `due` closed tickets whose survey is due (surveys made + invitations queued);
- remind_and_expire: `due` unanswered surveys past the reminder day, `due` past expiry;
- anonymise_due: `due` tickets past retention, two communications each.
Each timed run is rolled back to the same state (median of `repeats`), with its SQL statement
count. Prints one JSON line per case; everything it inserted is deleted at the end.
"""

import json
import statistics
import time
from datetime import timedelta

import frappe
from frappe.utils import add_days, now_datetime, today

from cs_sop import bulk
from cs_sop.benchmarks.sweep_bench import SQLCounter
from cs_sop.closure.auto_close import auto_close_unconfirmed
from cs_sop.closure.survey import MESSAGE_CHUNK, remind_and_expire, send_due, send_invitations, survey_name
from cs_sop.privacy import anonymise_due
from cs_sop.tests.utils import ensure_email_account

PREFIX = "C"


def _name(i: int) -> str:
	return f"{PREFIX}{i:07d}"


def _insert(closed: int, now) -> None:
	fields = [
		*bulk.STANDARD_COLUMNS,
		"subject",
		"raised_by",
		"status",
		"status_category",
		"priority",
		"ticket_type",
		"sop_channel",
		"sop_stage",
		"sop_closed_on",
		"sop_retention_until",
		"sop_resolution_confirmed",
	]
	rows = []
	for i in range(closed):
		closed_on = now - timedelta(days=30, minutes=i % 1000)
		rows.append(
			(
				_name(i),
				closed_on,
				closed_on,
				"Administrator",
				"Administrator",
				f"Benchmark closed ticket {i}",
				f"bench{i % 500}@example.com",
				"Closed",
				"Resolved",
				"Medium",
				"Pengiriman",
				"Email",
				"Closed",
				closed_on,
				add_days(today(), 700),
				"Confirmed",
			)
		)
	bulk.insert("HD Ticket", fields, rows)
	sfields = [
		*bulk.STANDARD_COLUMNS,
		"ticket",
		"status",
		"customer_email",
		"category",
		"sent_on",
		"answered_on",
		"expires_on",
		"csat",
		"nps",
		"ces",
		"problem_solved",
		"token_hash",
	]
	srows = []
	for i in range(closed):
		sent = now - timedelta(days=29, minutes=i % 1000)
		srows.append(
			(
				f"SRV-{_name(i)}",
				sent,
				sent,
				"Administrator",
				"Administrator",
				_name(i),
				"Answered",
				f"bench{i % 500}@example.com",
				"Pengiriman",
				sent,
				sent + timedelta(hours=2),
				sent + timedelta(days=7),
				1 + i % 5,
				i % 11,
				1 + i % 7,
				"Yes",
				f"{i:064d}",
			)
		)
	bulk.insert("SOP Survey", sfields, srows)
	frappe.db.commit()  # benchmark data


def _cleanup() -> None:
	like = ("like", f"{PREFIX}%")
	frappe.db.delete("SOP Survey", {"ticket": like})
	frappe.db.delete("Communication", {"reference_doctype": "HD Ticket", "reference_name": like})
	frappe.db.delete("HD Ticket Activity", {"ticket": like})
	frappe.db.delete("HD Ticket", {"name": like})
	frappe.db.commit()  # benchmark clean-up


def _time(fn, repeats: int, setup=None) -> dict:
	times, statements, result = [], 0, None
	for _ in range(repeats):
		frappe.db.savepoint("bench_closure")
		if setup:
			setup()
		with SQLCounter() as c:
			start = time.perf_counter()
			result = fn()
			times.append(time.perf_counter() - start)
		statements = c.count
		frappe.db.rollback(save_point="bench_closure")
	return {"median_s": round(statistics.median(times), 3), "sql": statements, "result": result}


def _names(start: int, n: int) -> list[str]:
	return [_name(i) for i in range(start, start + n)]


def _set(doctype: str, field_values: dict, names: list[str], key: str = "name") -> None:
	D = frappe.qb.DocType(doctype)
	for chunk in bulk.chunks(names, 5000):
		q = frappe.qb.update(D)
		for f, v in field_values.items():
			q = q.set(D[f], v)
		q.where(D[key].isin(chunk)).run()


def run(closed: int = 100000, due: int = 10000, repeats: int = 3, with_messages: bool = True):
	"""Messages of a burst are queued in background chunks (rolled back here, so not composed);
	the last case composes one chunk to give the per-message cost."""
	frappe.set_user("Administrator")
	ensure_email_account()
	frappe.db.set_single_value(
		"SOP Settings",
		{"survey_enabled": 1, "survey_delay_minutes": 0, "survey_reminder_days": 2, "survey_expiry_days": 7},
	)
	frappe.clear_document_cache("SOP Settings", "SOP Settings")
	_cleanup()
	now = now_datetime()
	results = []
	try:
		start = time.perf_counter()
		_insert(closed, now)
		results.append({"case": "insert", "closed": closed, "seconds": round(time.perf_counter() - start, 1)})
		if not with_messages:
			frappe.flags.mute_emails = True

		def job(name, fn, setup=None):
			r = _time(fn, repeats, setup)
			row = {"case": name, "closed": closed, **r}
			results.append(row)
			print(json.dumps(row, default=str), flush=True)

		# nothing due
		job("auto_close, nothing due", lambda: auto_close_unconfirmed(now=now))
		job("send_due, nothing due", lambda: send_due(now=now))
		job("remind_and_expire, nothing due", lambda: remind_and_expire(now=now))
		job("anonymise_due, nothing due", lambda: anonymise_due(commit=False)["tickets"])

		# `due` of each
		group = _names(0, due)

		def awaiting():
			_set(
				"HD Ticket",
				{
					"status": "Resolved",
					"sop_resolution_confirmed": "Awaiting",
					"sop_confirmation_due": now - timedelta(minutes=5),
					"sop_closed_on": None,
				},
				group,
			)

		job(f"auto_close, {due} due", lambda: auto_close_unconfirmed(now=now), awaiting)

		def survey_due():
			S = frappe.qb.DocType("SOP Survey")
			for chunk in bulk.chunks(group, 5000):
				frappe.qb.from_(S).delete().where(S.ticket.isin(chunk)).run()
			_set("HD Ticket", {"sop_survey_due": now - timedelta(minutes=1)}, group)

		job(f"send_due, {due} due", lambda: send_due(now=now), survey_due)

		surveys = [f"SRV-{n}" for n in group]
		half = due // 2

		def unanswered():
			_set(
				"SOP Survey",
				{
					"status": "Sent",
					"answered_on": None,
					"sent_on": now - timedelta(days=3),
					"expires_on": now + timedelta(days=4),
				},
				surveys[:half],
			)
			_set(
				"SOP Survey",
				{
					"status": "Sent",
					"answered_on": None,
					"sent_on": now - timedelta(days=8),
					"expires_on": now - timedelta(days=1),
				},
				surveys[half:],
			)

		job(
			f"remind_and_expire, {half} reminders + {due - half} expiries",
			lambda: remind_and_expire(now=now),
			unanswered,
		)

		def retention_over():
			_set("HD Ticket", {"sop_retention_until": add_days(today(), -1)}, group)
			comm_fields = [
				*bulk.STANDARD_COLUMNS,
				"communication_type",
				"sent_or_received",
				"subject",
				"content",
				"sender",
				"reference_doctype",
				"reference_name",
			]
			rows = []
			for k, t in enumerate(group):
				for j in range(2):
					rows.append(
						(
							f"BC{k:07d}{j}",
							now,
							now,
							"Administrator",
							"Administrator",
							"Communication",
							"Received" if j == 0 else "Sent",
							f"Re: ticket {t}",
							f"Halo, saya pelanggan bench{k % 500}@example.com",
							f"bench{k % 500}@example.com",
							"HD Ticket",
							t,
						)
					)
			bulk.insert("Communication", comm_fields, rows)

		job(f"anonymise_due, {due} due", lambda: anonymise_due(commit=False)["tickets"], retention_over)

		# composing the messages (background chunks in production): per-message cost on a chunk
		chunk = [
			(t, survey_name(t), "id", False, str(now + timedelta(days=7))) for t in group[:MESSAGE_CHUNK]
		]
		job(f"send_invitations, one chunk of {len(chunk)} emails", lambda: send_invitations(chunk))
	finally:
		frappe.flags.mute_emails = False
		frappe.db.rollback()
		_cleanup()
	return results
