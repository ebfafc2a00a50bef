"""What the loopback benchmarks share (`whatsapp_bench`, `livechat_bench`): a free port, the site
served by gunicorn on 127.0.0.1, stopping a served process, percentiles."""

import os
import socket
import subprocess
import sys
import time

import frappe
import requests


def port() -> int:
	with socket.socket() as s:
		s.bind(("127.0.0.1", 0))
		return s.getsockname()[1]


def serve(site: str, web_workers: int) -> tuple[subprocess.Popen, str]:
	"""The site on gunicorn (`web_workers` sync workers, as production serves it); (process, base url)
	once it answers."""
	bind = port()
	proc = subprocess.Popen(
		[
			sys.executable,
			"-m",
			"gunicorn",
			"-b",
			f"127.0.0.1:{bind}",
			"-w",
			str(web_workers),
			"-t",
			"120",
			"--preload",
			"frappe.app:application",
		],
		cwd=os.path.abspath(frappe.local.sites_path),
		stdout=subprocess.DEVNULL,
		stderr=subprocess.DEVNULL,
		start_new_session=True,
	)
	url = f"http://127.0.0.1:{bind}"
	for _i in range(240):
		try:
			requests.get(url + "/api/method/ping", headers={"Host": site}, timeout=2)
			return proc, url
		except requests.ConnectionError:
			time.sleep(0.5)
	stop(proc)
	raise RuntimeError("gunicorn did not start")


def stop(*procs: subprocess.Popen | None, wait: float = 20) -> None:
	"""Terminate the processes; kill what has not stopped after `wait` seconds."""
	for proc in procs:
		if proc is None or proc.poll() is not None:
			continue
		proc.terminate()
		try:
			proc.wait(wait)
		except subprocess.TimeoutExpired:
			proc.kill()


def percentile(values: list[float], p: float, scale: float = 1.0) -> float | None:
	"""The p-th percentile (0–100, nearest rank) of `values` times `scale`, to 0.1; None when empty."""
	if not values:
		return None
	values = sorted(values)
	k = min(len(values) - 1, max(0, round(p / 100 * (len(values) - 1))))
	return round(values[k] * scale, 1)
