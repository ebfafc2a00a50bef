"""Benchmark (not a test) of the website live chat on loopback.

    bench --site <site> execute cs_sop.benchmarks.livechat_bench.run --kwargs "{'conversations': 20, 'seconds': 30}"

Serves the site with gunicorn (`web_workers` sync workers) on 127.0.0.1, then:
1. one conversation at a time (idle server), `samples` times each:
   - visitor message -> visible to the agent: from the visitor's POST until the agent's REST read
     of the ticket's Communications returns it;
   - agent reply -> visible to the visitor: from the agent's Reply (Helpdesk's `run_doc_method`
     reply_via_agent) until the visitor's poll (`messages`, `since` cursor) returns it; the poll
     runs in a tight loop (20 ms), so this is the HTTP path: the widget polls every 3 s when no
     realtime connection is up, and gets the realtime push at once when there is one;
2. `conversations` visitors at once for `seconds` s: each sends a message, an agent replies, the
   visitor polls (every `poll_ms`) until the reply arrives, and again (bounded by `max_rounds`);
3. checks every message was delivered exactly once: on the ticket once, shown to the visitor once
   (by id, as the widget does: a poll re-reads its last few seconds, counted as `re_reads_filtered`),
   nothing of another conversation; prints the figures as JSON. Stops by itself.
Each simulated visitor has its own address (X-Forwarded-For), as real visitors do, so the per-IP
rate limits apply per visitor.
"""

import json
import os
import random
import shutil
import subprocess
import threading
import time
import uuid

import frappe
import requests

from cs_sop.benchmarks.livechat_clients import Agent, Visitor, make_agent
from cs_sop.benchmarks.serving import percentile, port, serve, stop
from cs_sop.livechat import access
from cs_sop.tests.rest import serve_argv


def run(
	conversations: int = 20,
	seconds: int = 30,
	samples: int = 30,
	web_workers: int = 4,
	max_rounds: int = 1000,
	poll_ms: int = 250,
) -> dict:
	site = frappe.local.site
	make_agent()
	frappe.db.set_single_value("SOP Settings", "livechat_enabled", 1)
	frappe.db.commit()
	proc, url = serve(site, web_workers)
	try:
		result = _measure(url, site, conversations, seconds, samples, max_rounds, poll_ms / 1000)
		result["web_workers"] = web_workers
		result["agent_to_visitor_realtime_ms"] = _realtime(url, site, samples)
	finally:
		stop(proc)
	print(json.dumps(result))
	return result


def _measure(
	url: str, site: str, conversations: int, seconds: int, samples: int, max_rounds: int, poll_s: float
) -> dict:
	agent = Agent(url, site)
	# 1. latencies, one at a time
	v = Visitor(url, site, 0)
	v.start("Halo, saya ingin bertanya tentang pengiriman.")
	to_agent, to_visitor = [], []
	for i in range(samples):
		t0 = time.monotonic()
		cid = v.send(f"Pertanyaan nomor {i}")
		while not agent.sees(v.ticket, cid):
			time.sleep(0.01)
		to_agent.append(time.monotonic() - t0)
		text = f"Jawaban nomor {i} {uuid.uuid4().hex[:6]}"
		v.poll()  # up to date before the reply
		t0 = time.monotonic()
		agent.reply(v.ticket, text)
		if not v.wait_for(lambda m, text=text: text in m["html"], time.monotonic() + 30):
			raise RuntimeError("a reply never reached the visitor")
		to_visitor.append(time.monotonic() - t0)

	# 2. concurrent conversations
	visitors = [Visitor(url, site, n + 1) for n in range(conversations)]
	sent: dict[int, list[str]] = {n: [] for n in range(conversations)}
	replies: dict[int, list[str]] = {n: [] for n in range(conversations)}
	round_trips: list[float] = []
	send_times: list[float] = []
	reply_times: list[float] = []
	errors: list[str] = []
	lock = threading.Lock()
	stop_at = time.monotonic() + seconds

	def conversation(n: int) -> None:
		vis = visitors[n]
		own_agent = Agent(url, site)
		try:
			sent[n].append(vis.start(f"Percakapan {n} dimulai"))
			for r in range(max_rounds):
				if time.monotonic() >= stop_at:
					break
				t0 = time.monotonic()
				sent[n].append(vis.send(f"Percakapan {n} pesan {r}"))
				t1 = time.monotonic()
				text = f"Balasan {n}-{r}-{uuid.uuid4().hex[:6]}"
				own_agent.reply(vis.ticket, text)
				with lock:
					send_times.append(t1 - t0)
					reply_times.append(time.monotonic() - t1)
				got = vis.wait_for(lambda m, text=text: text in m["html"], time.monotonic() + 60, poll_s)
				if not got:
					raise RuntimeError(f"conversation {n}: reply {r} not delivered")
				replies[n].append(got["id"])
				with lock:
					round_trips.append(time.monotonic() - t0)
				time.sleep(random.uniform(0.2, 0.6))  # a person types
			vis.poll()
		except Exception as e:
			with lock:
				errors.append(f"{n}: {e}")

	threads = [threading.Thread(target=conversation, args=(n,)) for n in range(conversations)]
	began = time.monotonic()
	for t in threads:
		t.start()
	for t in threads:
		t.join(seconds + 180)
	elapsed = time.monotonic() - began

	# 3. exactly once
	frappe.db.commit()
	problems = []
	total = 0
	for n, vis in enumerate(visitors):
		if not vis.ticket:
			problems.append(f"{n}: no conversation")
			continue
		rows = frappe.get_all(
			"Communication",
			filters={"reference_doctype": "HD Ticket", "reference_name": vis.ticket},
			fields=["name", "sent_or_received"],
		)
		names = [r.name for r in rows]
		expected = set(sent[n]) | set(replies[n])
		total += len(expected)
		if len(names) != len(set(names)) or set(names) != expected:
			problems.append(f"{n}: ticket has {len(names)} messages, expected {len(expected)}")
		if set(vis.seen) != expected:
			problems.append(f"{n}: polled {len(set(vis.seen))} of {len(expected)} / foreign messages")
	return {
		"site": site,
		"latency_samples": samples,
		"visitor_to_agent_ms": {"p50": percentile(to_agent, 50, 1000), "p95": percentile(to_agent, 95, 1000)},
		"agent_to_visitor_ms": {
			"p50": percentile(to_visitor, 50, 1000),
			"p95": percentile(to_visitor, 95, 1000),
		},
		"concurrent": {
			"conversations": conversations,
			"seconds": round(elapsed, 1),
			"messages": total,
			"round_trips": len(round_trips),
			"poll_interval_ms": round(poll_s * 1000),
			"visitor_send_ms": {
				"p50": percentile(send_times, 50, 1000),
				"p95": percentile(send_times, 95, 1000),
			},
			"agent_reply_ms": {
				"p50": percentile(reply_times, 50, 1000),
				"p95": percentile(reply_times, 95, 1000),
			},
			"round_trip_ms": {
				"p50": percentile(round_trips, 50, 1000),
				"p95": percentile(round_trips, 95, 1000),
			},
			"messages_per_s": round(total / elapsed, 1) if elapsed else None,
			# messages a poll returned again (its few seconds of re-read); the widget skips them by id
			"re_reads_filtered": sum(v.reread for v in visitors),
		},
		"exactly_once": not problems and not errors,
		"problems": (problems + errors)[:20],
	}


LISTENER = r"""
const { io } = require("socket.io-client");
const [url, site, origin, room, maxMs] = process.argv.slice(1);
setTimeout(() => process.exit(0), Number(maxMs));  // bounded, whatever happens
const socket = io(url + "/" + site, {
	transports: ["websocket"],
	extraHeaders: { Origin: origin, Cookie: "sid=Guest" },
	reconnection: false,
});
socket.on("connect", () => socket.emit("task_subscribe", room));
socket.on("connect_error", (e) => { console.log(JSON.stringify({ error: String(e) })); process.exit(1); });
socket.on("cs_sop_livechat_message", (m) => console.log(JSON.stringify({ id: m.id, html: m.html, t: Date.now() })));
setTimeout(() => console.log(JSON.stringify({ ready: true })), 1500);
"""


def _realtime(url: str, site: str, samples: int) -> dict | None:
	"""Agent reply -> pushed to the visitor's room: Frappe's realtime server (node) on a free port, a
	socket.io client in the visitor's room. The realtime server checks a guest's session against the
	site at the socket's Origin: a single-site `bench serve` answers that (gunicorn needs a Host)."""
	bench = os.path.abspath(os.path.join(frappe.local.sites_path, ".."))
	node, entry = shutil.which("node"), os.path.join(bench, "apps", "frappe", "socketio.js")
	modules = os.path.join(bench, "apps", "frappe", "node_modules")
	if not node or not os.path.exists(entry) or not os.path.isdir(os.path.join(modules, "socket.io-client")):
		return None
	rt_port, auth_port = port(), port()
	env = dict(os.environ, FRAPPE_SITE=site, FRAPPE_SOCKETIO_PORT=str(rt_port), NODE_PATH=modules)
	procs = [
		subprocess.Popen(
			[node, entry], cwd=bench, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
		),
		subprocess.Popen(
			serve_argv(site, auth_port),
			cwd=frappe.local.sites_path,
			stdout=subprocess.DEVNULL,
			stderr=subprocess.DEVNULL,
			start_new_session=True,
		),
	]
	listener = None
	try:
		for _i in range(120):
			try:
				requests.get(f"http://127.0.0.1:{auth_port}/api/method/ping", timeout=2)
				requests.get(f"http://127.0.0.1:{rt_port}/socket.io/socket.io.js", timeout=2)
				break
			except requests.ConnectionError:
				time.sleep(0.5)
		agent = Agent(url, site)
		v = Visitor(url, site, 251)
		v.start("Halo, tes realtime.")
		listener = subprocess.Popen(
			[
				node,
				"-e",
				LISTENER,
				f"http://127.0.0.1:{rt_port}",
				site,
				f"http://127.0.0.1:{auth_port}",
				access.room(v.ticket),
				str((samples * 10 + 30) * 1000),
			],
			cwd=bench,
			env=env,
			stdout=subprocess.PIPE,
			stderr=subprocess.DEVNULL,
			text=True,
		)
		first = json.loads(listener.stdout.readline() or "{}")
		if not first.get("ready"):
			return {"error": first.get("error") or "the realtime client did not connect"}
		latencies = []
		for i in range(samples):
			text = f"Realtime {i} {uuid.uuid4().hex[:6]}"
			t0 = time.time() * 1000
			agent.reply(v.ticket, text)
			while True:  # bounded: the reply's push, or the listener's end (readline returns "")
				line = listener.stdout.readline()
				if not line:
					return {"error": "the realtime client stopped"}
				event = json.loads(line)
				if text in (event.get("html") or ""):
					latencies.append((event["t"] - t0) / 1000)
					break
		return {
			"p50": percentile(latencies, 50, 1000),
			"p95": percentile(latencies, 95, 1000),
			"samples": len(latencies),
		}
	finally:
		stop(listener, *procs, wait=10)
