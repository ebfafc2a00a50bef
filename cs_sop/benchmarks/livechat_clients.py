"""The simulated people of the live chat benchmark (`livechat_bench`): a visitor on the guest API
(its own address, as real visitors have, so the per-IP rate limits apply per visitor) and an agent
on Helpdesk's REST API, with the agent's user."""

import json
import time
import uuid

import frappe
import requests
from frappe.utils.password import update_password

AGENT = "cs-sop-livechat-bench@example.com"
PASSWORD = "Cs-Sop-Bench-2026!"
API = "/api/method/cs_sop.livechat.api."


def make_agent() -> None:
	if not frappe.db.exists("User", AGENT):
		user = frappe.get_doc(
			{"doctype": "User", "email": AGENT, "first_name": "Bench Agent", "send_welcome_email": 0}
		)
		user.insert(ignore_permissions=True)
		user.add_roles("Agent")
	update_password(AGENT, PASSWORD)
	if not frappe.db.exists("HD Agent", AGENT):
		frappe.get_doc({"doctype": "HD Agent", "user": AGENT, "agent_name": "Bench Agent"}).insert(
			ignore_permissions=True
		)
	frappe.db.commit()


class Visitor:
	def __init__(self, url: str, site: str, n: int):
		self.url = url
		self.s = requests.Session()
		self.s.headers.update(
			{"Host": site, "Accept": "application/json", "X-Forwarded-For": f"10.77.{n // 250}.{n % 250 + 1}"}
		)
		self.token = None
		self.ticket = None
		self.cursor = None
		self.seen: list[str] = []
		self.shown: set[str] = set()
		self.reread = 0

	def call(self, method: str, **data) -> dict:
		r = self.s.post(self.url + API + method, json=data, timeout=60)
		r.raise_for_status()
		return r.json()["message"]

	def start(self, text: str) -> str:
		out = self.call(
			"start",
			message=text,
			name="Pengunjung Bench",
			email=f"bench.{uuid.uuid4().hex[:12]}@example.net",
			client_id=uuid.uuid4().hex,
		)
		self.token, self.ticket = out["token"], out["ticket"]
		return out["message"]["id"]

	def send(self, text: str) -> str:
		return self.call("send", token=self.token, message=text, client_id=uuid.uuid4().hex)["message"]["id"]

	def poll(self) -> list[dict]:
		params = {"token": self.token, **({"since": self.cursor} if self.cursor else {})}
		r = self.s.get(self.url + API + "messages", params=params, timeout=60)
		r.raise_for_status()
		out = r.json()["message"]
		self.cursor = out["cursor"]
		for m in out["messages"]:  # as the widget does: each id shown once, re-reads counted
			if m["id"] in self.shown:
				self.reread += 1
			else:
				self.shown.add(m["id"])
				self.seen.append(m["id"])
		return out["messages"]

	def wait_for(self, predicate, deadline: float, every: float = 0.02) -> dict | None:
		while time.monotonic() < deadline:
			for m in self.poll():
				if predicate(m):
					return m
			time.sleep(every)
		return None


class Agent:
	def __init__(self, url: str, site: str):
		self.url = url
		self.s = requests.Session()
		self.s.headers.update({"Host": site, "Accept": "application/json"})
		self.s.post(
			url + "/api/method/login", data={"usr": AGENT, "pwd": PASSWORD}, timeout=60
		).raise_for_status()

	def reply(self, ticket: str, text: str) -> None:
		r = self.s.post(
			self.url + "/api/method/run_doc_method",
			json={
				"dt": "HD Ticket",
				"dn": ticket,
				"method": "reply_via_agent",
				"args": {"message": f"<p>{text}</p>"},
			},
			timeout=60,
		)
		r.raise_for_status()

	def sees(self, ticket: str, communication: str) -> bool:
		r = self.s.get(
			self.url + "/api/resource/Communication",
			params={
				"filters": json.dumps(
					[["reference_doctype", "=", "HD Ticket"], ["reference_name", "=", ticket]]
				),
				"fields": json.dumps(["name"]),
				"limit_page_length": 0,
			},
			timeout=60,
		)
		r.raise_for_status()
		return any(row["name"] == communication for row in r.json()["data"])
