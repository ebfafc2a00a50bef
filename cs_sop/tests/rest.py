"""REST tests against the test site served on loopback, as the people who cross the boundary.

`served()` starts `bench serve` for the current site once per test process (a free port on
127.0.0.1, no reloader) and stops it at exit; `Client(user, password)` logs in over HTTP like a
browser does. Data a test makes must be committed (`frappe.db.commit()`) before the server can
see it: the server is another process with its own database connection.
"""

import atexit
import os
import socket
import subprocess
import sys
import time

import frappe
import requests

_server: dict = {}
TIMEOUT = 30


def _free_port() -> int:
	with socket.socket() as s:
		s.bind(("127.0.0.1", 0))
		return s.getsockname()[1]


def serve_argv(site: str, port: int) -> list[str]:
	"""`bench serve` for one site on a port, from this process's Python (no `bench` on PATH)."""
	return [
		sys.executable,
		"-m",
		"frappe.utils.bench_helper",
		"frappe",
		"--site",
		site,
		"serve",
		"--port",
		str(port),
		"--noreload",
	]


def served() -> str:
	"""Base URL of the current site served on loopback (started on first use)."""
	if _server.get("url"):
		return _server["url"]
	site = frappe.local.site
	port = int(os.environ.get("CS_SOP_TEST_PORT") or 0) or _free_port()
	sites_path = os.path.abspath(frappe.local.sites_path)
	log = open(os.path.join(frappe.get_site_path("logs"), "cs_sop_test_serve.log"), "ab")
	proc = subprocess.Popen(
		serve_argv(site, port),
		cwd=sites_path,
		stdout=log,
		stderr=subprocess.STDOUT,
		start_new_session=True,
	)
	url = f"http://127.0.0.1:{port}"
	_server.update(proc=proc, url=url, site=site)
	atexit.register(_stop)
	deadline = time.monotonic() + 60
	while time.monotonic() < deadline:
		if proc.poll() is not None:
			raise RuntimeError(f"bench serve exited with {proc.returncode}; see logs/cs_sop_test_serve.log")
		try:
			requests.get(url + "/api/method/ping", headers={"Host": site}, timeout=2)
			return url
		except requests.ConnectionError:
			time.sleep(0.3)
	raise RuntimeError("bench serve did not answer within 60 s")


def _stop():
	proc = _server.get("proc")
	if proc and proc.poll() is None:
		proc.terminate()
		try:
			proc.wait(10)
		except subprocess.TimeoutExpired:
			proc.kill()


class Client:
	"""A logged-in HTTP session on the served site (or a guest when `user` is None)."""

	def __init__(self, user: str | None = None, password: str | None = None):
		self.url = served()
		self.session = requests.Session()
		self.session.headers.update({"Host": _server["site"], "Accept": "application/json"})
		if user:
			r = self.session.post(self.url + "/api/method/login", data={"usr": user, "pwd": password})
			r.raise_for_status()

	def request(self, method: str, path: str, **kwargs) -> requests.Response:
		kwargs.setdefault("timeout", TIMEOUT)
		return self.session.request(method, self.url + path, **kwargs)

	def get(self, path: str, **kwargs) -> requests.Response:
		return self.request("GET", path, **kwargs)

	def post(self, path: str, **kwargs) -> requests.Response:
		return self.request("POST", path, **kwargs)

	def put(self, path: str, **kwargs) -> requests.Response:
		return self.request("PUT", path, **kwargs)

	def method(self, method_name: str, /, http: str = "POST", **data) -> requests.Response:
		"""Call a whitelisted method with a JSON body (POST) or query parameters (GET)."""
		if http == "GET":
			return self.get(f"/api/method/{method_name}", params=data)
		return self.post(f"/api/method/{method_name}", json=data)


def message(response: requests.Response):
	"""The `message` of a whitelisted method's answer (raises on an HTTP error)."""
	response.raise_for_status()
	return response.json().get("message")


def error_text(response: requests.Response) -> str:
	"""Everything the server said about a refused request (exception and _server_messages)."""
	try:
		body = response.json()
	except ValueError:
		return response.text
	return " ".join(str(body.get(k) or "") for k in ("exception", "exc_type", "_server_messages", "message"))
