"""Benchmark (not a test) of the WhatsApp webhook: answer time and sustained inbound rate.

    bench --site <site> execute cs_sop.benchmarks.whatsapp_bench.run --kwargs "{'rate': 50, 'seconds': 60}"

Serves the site with gunicorn (5 sync workers: bench's default for 2 cores) on 127.0.0.1, points SOP WhatsApp
Settings at a local fake Graph API, then:
1. answer time of single signed webhook POSTs, one at a time (idle server);
2. a bounded load: `rate` messages/s for `seconds` s (one message per POST, as Meta sends them),
   from `phones` customers, 2 % of the POSTs re-delivered; meanwhile `drainers` processes run the
   queue job (`jobs.drain`) in a loop, as short-queue workers would;
   (`drainers=0`: nobody processes during the load, 2 drainers work off the backlog afterwards);
3. checks that every message is one Communication on its customer's ticket (no loss, no duplicate,
   no message on another customer's ticket) and prints the figures as JSON. Stops by itself.
"""

import json
import os
import random
import statistics
import subprocess
import sys
import threading
import time
import uuid

import frappe
import requests
from frappe.utils.background_jobs import get_job

from cs_sop import bulk
from cs_sop.benchmarks.serving import percentile, serve, stop
from cs_sop.core import whatsapp as rules
from cs_sop.tests.fake_graph import FakeGraph
from cs_sop.tests.whatsapp_utils import APP_SECRET, configure
from cs_sop.whatsapp import jobs

LOG = "SOP WhatsApp Message"


def _drainers(site: str, count: int, stop_file: str) -> list[subprocess.Popen]:
	sites = os.path.abspath(frappe.local.sites_path)
	return [
		subprocess.Popen(
			[
				sys.executable,
				"-m",
				"frappe.utils.bench_helper",
				"frappe",
				"--site",
				site,
				"execute",
				"cs_sop.benchmarks.whatsapp_bench.drain_loop",
				"--kwargs",
				json.dumps({"stop_file": stop_file}),
			],
			cwd=sites,
			stdout=subprocess.DEVNULL,
			stderr=subprocess.DEVNULL,
			start_new_session=True,
		)
		for _i in range(count)
	]


def drain_loop(stop_file: str, idle_after_stop: float = 3.0) -> None:
	"""A stand-in for a short-queue worker: run the drain job until told to stop and nothing is left."""
	os.nice(10)  # as Frappe's RQ workers do (BACKGROUND_PROCESS_NICENESS): web requests come first
	idle_since = None
	while True:
		done = jobs.drain(limit=500)
		frappe.db.commit()
		if done:
			idle_since = None
			continue
		if os.path.exists(stop_file):
			idle_since = idle_since or time.monotonic()
			if time.monotonic() - idle_since > idle_after_stop:
				return
		time.sleep(0.05)


def _payload(phone: str, wa_id: str, text: str, name: str) -> bytes:
	return json.dumps(
		{
			"object": "whatsapp_business_account",
			"entry": [
				{
					"id": "WABA",
					"changes": [
						{
							"field": "messages",
							"value": {
								"messaging_product": "whatsapp",
								"metadata": {
									"display_phone_number": "628110000",
									"phone_number_id": "1234567890",
								},
								"contacts": [{"profile": {"name": name}, "wa_id": phone}],
								"messages": [
									{
										"from": phone,
										"id": wa_id,
										"timestamp": str(int(time.time())),
										"type": "text",
										"text": {"body": text},
									}
								],
							},
						}
					],
				}
			],
		}
	).encode()


def run(
	rate: int = 50,
	seconds: int = 60,
	phones: int = 100,
	drainers: int = 2,
	idle_posts: int = 200,
	web_workers: int = 5,
) -> dict:
	site = frappe.local.site
	fake = FakeGraph()
	configure(fake)
	run_id = uuid.uuid4().hex[:8]
	proc, url = serve(site, web_workers)
	session = requests.Session()
	headers = {"Host": site, "Content-Type": "application/json"}
	stop_file = f"/tmp/cs_sop_wa_bench_{run_id}.stop"
	result: dict = {
		"rate": rate,
		"seconds": seconds,
		"phones": phones,
		"drainers": drainers,
		"web_workers": web_workers,
	}
	workers: list[subprocess.Popen] = []
	try:
		# 1. answer time, one POST at a time
		idle = []
		for i in range(idle_posts):
			body = _payload(f"628110{i:07d}", f"wamid.IDLE{run_id}{i}", "halo", "Idle")
			t = time.perf_counter()
			r = session.post(
				url + "/api/method/cs_sop.whatsapp.webhook",
				data=body,
				headers={**headers, "X-Hub-Signature-256": rules.sign(APP_SECRET, body)},
				timeout=30,
			)
			idle.append((time.perf_counter() - t) * 1000)
			assert r.status_code == 200, r.text
		result["idle_answer_ms"] = {"median": round(statistics.median(idle), 1), "p95": percentile(idle, 95)}
		ping = []
		for _i in range(idle_posts):
			t = time.perf_counter()
			session.get(url + "/api/method/ping", headers={"Host": site}, timeout=30)
			ping.append((time.perf_counter() - t) * 1000)
		# Frappe's own floor for a request (no database write): what the webhook adds is the difference
		result["idle_ping_ms"] = {"median": round(statistics.median(ping), 1), "p95": percentile(ping, 95)}
		frappe.db.commit()
		_drain_all()

		# 2. sustained load
		numbers = [f"62877{random.randint(10**7, 10**8 - 1)}" for _i in range(phones)]
		total = rate * seconds
		plan = []
		for i in range(total):
			phone = numbers[i % phones]
			plan.append((phone, f"wamid.BENCH{run_id}{i:06d}", f"pesan {i} dari {phone}"))
		dupes = random.sample(range(total), max(1, total // 50))
		latencies: list[float] = []
		codes: dict[int, int] = {}
		lock = threading.Lock()
		# drainers=0: the load meets only the webhook; the backlog is processed afterwards by 2
		workers = _drainers(site, drainers, stop_file)

		def post(phone, wa_id, text):
			body = _payload(phone, wa_id, text, f"Pelanggan {phone[-4:]}")
			t = time.perf_counter()
			try:
				r = requests.post(
					url + "/api/method/cs_sop.whatsapp.webhook",
					data=body,
					headers={**headers, "X-Hub-Signature-256": rules.sign(APP_SECRET, body)},
					timeout=30,
				)
				code = r.status_code
			except requests.RequestException:
				code = 0
			ms = (time.perf_counter() - t) * 1000
			with lock:
				latencies.append(ms)
				codes[code] = codes.get(code, 0) + 1

		sends = [(i / rate, plan[i]) for i in range(total)] + [(d / rate + 0.5, plan[d]) for d in dupes]
		sends.sort(key=lambda s: s[0])
		threads: list[threading.Thread] = []
		start = time.monotonic()
		for at, item in sends:
			delay = start + at - time.monotonic()
			if delay > 0:
				time.sleep(delay)
			th = threading.Thread(target=post, args=item, daemon=True)
			th.start()
			threads.append(th)
			threads = [t for t in threads if t.is_alive()]
		for th in threads:
			th.join(60)
		sent_for = time.monotonic() - start
		if not drainers:
			workers = _drainers(site, 2, stop_file)
		open(stop_file, "w").close()
		for w in workers:
			w.wait(900)
		processed_after = time.monotonic() - start
		frappe.db.commit()
		_drain_all()  # anything a drainer left (there should be nothing)

		result["load"] = {
			"posts": len(sends),
			"duplicates": len(dupes),
			"http": codes,
			"offered_rate": round(len(sends) / sent_for, 1),
			"answer_ms": {
				"median": round(statistics.median(latencies), 1),
				"p95": percentile(latencies, 95),
				"max": round(max(latencies), 1),
			},
			"all_processed_after_s": round(processed_after, 1),
			"processing_rate": round(total / processed_after, 1),
		}
		result["check"] = _check(plan, numbers)
	finally:
		open(stop_file, "w").close()
		stop(*workers, proc)
		fake.stop()
		_forget_queued_drain()
		if os.path.exists(stop_file):
			os.remove(stop_file)
	print(json.dumps(result))
	return result


def _drain_all():
	while jobs.drain(limit=1000):
		pass
	frappe.db.commit()


def _check(plan, numbers) -> dict:
	ids = [wa for _p, wa, _t in plan]
	log = frappe.qb.DocType(LOG)
	rows = _rows_in(log, log.wa_message_id, ids, log.wa_message_id, log.phone, log.ticket, log.communication)
	by_id = {r.wa_message_id: r for r in rows}
	missing = [wa for wa in ids if wa not in by_id or not by_id[wa].communication]
	tickets_per_phone: dict[str, set] = {}
	for r in rows:
		tickets_per_phone.setdefault(r.phone, set()).add(r.ticket)
	comm = frappe.qb.DocType("Communication")
	names = [r.communication for r in rows if r.communication]
	comm_rows = _rows_in(comm, comm.name, names, comm.name, comm.reference_name, comm.content, comm.phone_no)
	comm_by = {c.name: c for c in comm_rows}
	wrong = 0
	for phone, wa, text in plan:
		r = by_id.get(wa)
		c = comm_by.get(r.communication) if r else None
		if not c or c.reference_name != r.ticket or text not in c.content or c.phone_no != f"+{phone}":
			wrong += 1
	ticket_phone = {}
	for phone, ts in tickets_per_phone.items():
		for t in ts:
			ticket_phone.setdefault(t, set()).add(phone)
	per_ticket = {
		t: frappe.db.count("Communication", {"reference_doctype": "HD Ticket", "reference_name": t})
		for t in ticket_phone
	}
	expected = {}
	for phone, _wa, _t in plan:
		expected[phone] = expected.get(phone, 0) + 1
	return {
		"messages": len(ids),
		"recorded": len(rows),
		"missing": len(missing),
		"wrong_ticket_or_content": wrong,
		"phones_with_more_than_one_ticket": sum(1 for ts in tickets_per_phone.values() if len(ts) > 1),
		"tickets_with_another_customer": sum(1 for ps in ticket_phone.values() if len(ps) > 1),
		"duplicate_communications": sum(per_ticket.values()) - len(ids),
		"tickets": len(ticket_phone),
	}


def _rows_in(table, column, values: list, *fields) -> list[dict]:
	"""The rows whose `column` is one of `values`, a thousand values per query."""
	rows = []
	for chunk in bulk.chunks(values, 1000):
		rows += frappe.qb.from_(table).select(*fields).where(column.isin(chunk)).run(as_dict=True)
	return rows


def _forget_queued_drain():
	"""The webhook queued the drain job for workers this benchmark stood in for: remove it."""
	try:
		job = get_job("cs_sop_wa_drain")
		if job and job.get_status() == "queued":
			job.delete()
	except Exception:
		pass
