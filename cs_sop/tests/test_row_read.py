"""Row-level read of the SOP's customer data, and the public endpoints, over REST against the site
served on loopback (cs_sop.tests.rest), as the people who cross the boundary.

- SOP Escalation, SOP Survey, SOP WhatsApp Message, SOP WhatsApp Event follow their ticket's read
  permission (Helpdesk's "Restrict tickets by team" on): list, get, count, report view, group-by
  sidebar and export, as an agent, a team-limited agent, a supervisor, a manager, a portal
  customer and a guest; nothing of a refused row appears in any answer.
- WhatsApp sends: marked Sending and committed before the HTTP call, never repeated.
- Public pages: fixed messages only; guest endpoints rate-limited; the customer as actor.
- A System Manager deletes a spam ticket with its SOP records; an agent may not.
"""

import json
from unittest.mock import patch

import frappe
import pymysql
from frappe.tests.utils import FrappeTestCase
from frappe.utils import add_to_date, now_datetime

from cs_sop.api import escalation as api_escalation
from cs_sop.closure import confirmation, survey
from cs_sop.core import survey as survey_rules
from cs_sop.tests.fake_graph import FakeGraph, inbound_payload, text_message
from cs_sop.tests.rest import Client, error_text
from cs_sop.tests.test_closure import CUSTOMER, resolved_ticket
from cs_sop.tests.utils import (
	PASSWORD,
	agent_reply,
	classify,
	ensure_email_account,
	make_agent,
	make_customer_user,
	make_team,
	make_team_agent,
	make_ticket,
	make_user,
)
from cs_sop.tests.whatsapp_utils import configure, random_phone, signed
from cs_sop.whatsapp import client as wa_client
from cs_sop.whatsapp import jobs

AGENT = "cs-sop-rowread-agent@example.com"  # team A: reads team A's tickets
TEAM_AGENT = "cs-sop-rowread-teamagent@example.com"  # team B only
SUPERVISOR = "cs-sop-rowread-supervisor@example.com"
MANAGER = "cs-sop-rowread-manager@example.com"  # Agent Manager
SYSMGR = "cs-sop-rowread-sysmgr@example.com"
ADMIN_AGENT = "cs-sop-rowread-admin@example.com"  # System Manager who works in Helpdesk (an agent)
PORTAL = "cs-sop-rowread-customer@example.com"
TEAM_A = "Tim Baca A"
TEAM_B = "Tim Baca B"
MSG = "SOP WhatsApp Message"
EVENT = "SOP WhatsApp Event"
ESC = "SOP Escalation"
SRV = "SOP Survey"


def _survey(ticket: str, email: str) -> str:
	name = f"SRV-{ticket}"
	frappe.get_doc(
		{
			"doctype": SRV,
			"ticket": ticket,
			"status": "Sent",
			"customer_email": email,
			"sent_on": now_datetime(),
			"expires_on": add_to_date(now_datetime(), days=7),
			"token_hash": survey_rules.hash_token(survey.token_of(name)),
		}
	).insert(ignore_permissions=True)
	return name


def _message(ticket: str | None, phone: str, text: str) -> str:
	return (
		frappe.get_doc(
			{
				"doctype": MSG,
				"direction": "Inbound",
				"ticket": ticket,
				"phone": phone,
				"wa_message_id": f"wamid.ROWREAD{frappe.generate_hash(length=10)}",
				"message_type": "text",
				"status": "Received",
				"status_at": now_datetime(),
				"body": text,
				"raw_event": json.dumps({"from": phone, "text": {"body": text}}),
			}
		)
		.insert(ignore_permissions=True)
		.name
	)


def _routing_team_has_an_agent():
	"""Category Pengiriman routes to Tim Logistik: Helpdesk's assignment rule needs a member."""
	make_team("Tim Logistik", [make_agent()])


def _clear_rate_limits():
	"""The test's requests all come from 127.0.0.1: start and leave every public endpoint's count at 0."""
	for cmd in (
		"cs_sop.api.survey.submit_answer",
		"cs_sop.api.survey.submit_form",
		"cs_sop.api.closure.confirm_link",
		"cs_sop.api.closure.confirm_form",
		"cs_sop.whatsapp.webhook",
	):
		frappe.cache.delete(frappe.cache.make_key(f"rl:{cmd}:127.0.0.1"))


class TestRowRead(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		make_team(TEAM_B)
		make_team_agent(AGENT, TEAM_A)
		make_team_agent(TEAM_AGENT, TEAM_B)
		make_user(SUPERVISOR, "Supervisor Baca", roles=("SOP Supervisor",))
		make_user(MANAGER, "Manajer Baca", roles=("Agent Manager",))
		make_user(SYSMGR, "Admin Baca", roles=("System Manager",))
		make_customer_user(PORTAL)
		frappe.db.set_single_value("HD Settings", "restrict_tickets_by_agent_group", 1)
		frappe.db.set_single_value("HD Settings", "do_not_restrict_tickets_without_an_agent_group", 0)
		# the portal customer's own ticket is in team A: even his own rows are internal
		cls.ticket_a = make_ticket(raised_by=PORTAL, agent_group=TEAM_A, **classify()).name
		cls.ticket_b = make_ticket(agent_group=TEAM_B, **classify()).name
		cls.phone_a, cls.phone_b, cls.phone_raw = random_phone(), random_phone(), random_phone()
		cls.rows = {
			ESC: {
				"a": api_escalation.escalate(cls.ticket_a, "Complexity", "eskalasi tim A"),
				"b": api_escalation.escalate(cls.ticket_b, "Complexity", "eskalasi tim B"),
			},
			SRV: {"a": _survey(cls.ticket_a, PORTAL), "b": _survey(cls.ticket_b, "b@example.com")},
			MSG: {
				"a": _message(cls.ticket_a, cls.phone_a, "rahasia pelanggan A"),
				"b": _message(cls.ticket_b, cls.phone_b, "rahasia pelanggan B"),
				"raw": _message(None, cls.phone_raw, "pesan tanpa tiket"),
			},
		}
		from cs_sop.graph import webhook as events

		cls.rows[EVENT] = {"raw": events.store(json.dumps({"from": cls.phone_raw, "body": "mentah"}))}
		frappe.db.commit()  # the served site is another connection
		cls.clients = {
			"agent": Client(AGENT, PASSWORD),
			"team_agent": Client(TEAM_AGENT, PASSWORD),
			"supervisor": Client(SUPERVISOR, PASSWORD),
			"manager": Client(MANAGER, PASSWORD),
			"sysmgr": Client(SYSMGR, PASSWORD),
			"customer": Client(PORTAL, PASSWORD),
			"guest": Client(),
		}

	@classmethod
	def tearDownClass(cls):
		frappe.db.set_single_value("HD Settings", "restrict_tickets_by_agent_group", 0)
		frappe.db.commit()
		super().tearDownClass()

	# who sees what: None = refused outright, else the keys of the rows he sees
	EXPECTED = {
		ESC: {
			"agent": {"a"},
			"team_agent": {"b"},
			"supervisor": {"a", "b"},
			"manager": {"a", "b"},
			"sysmgr": {"a", "b"},
			"customer": None,
			"guest": None,
		},
		SRV: {
			"agent": None,
			"team_agent": None,
			"supervisor": {"a", "b"},
			"manager": {"a", "b"},
			"sysmgr": {"a", "b"},
			"customer": None,
			"guest": None,
		},
		MSG: {
			"agent": {"a"},
			"team_agent": {"b"},
			"supervisor": None,
			"manager": {"a", "b", "raw"},
			"sysmgr": {"a", "b", "raw"},
			"customer": None,
			"guest": None,
		},
		EVENT: {
			"agent": None,
			"team_agent": None,
			"supervisor": None,
			"manager": None,
			"sysmgr": {"raw"},
			"customer": None,
			"guest": None,
		},
	}
	# what each row would leak (phone numbers, texts)
	SECRETS = {"a": ("rahasia pelanggan A",), "b": ("rahasia pelanggan B",), "raw": ("pesan tanpa tiket",)}

	def secrets_of(self, doctype: str, keys, names: bool = True) -> list[str]:
		out = []
		for key in keys:
			if names:
				out += [self.rows[doctype][key]]
			if doctype == MSG:
				out += [
					{"a": self.phone_a, "b": self.phone_b, "raw": self.phone_raw}[key],
					*self.SECRETS[key],
				]
		return out

	def assert_nothing_of(self, response, doctype: str, keys, who: str, names: bool = True):
		for secret in self.secrets_of(doctype, keys, names):
			self.assertNotIn(secret, response.text, f"{who} got {secret} of {doctype}")

	def test_list_get_count_report_group_by(self):
		for doctype, expected in self.EXPECTED.items():
			names = {v: k for k, v in self.rows[doctype].items()}
			everything = list(names)
			filters = frappe.as_json([["name", "in", everything]])
			for who, keys in expected.items():
				client = self.clients[who]
				hidden = set(self.rows[doctype]) - (keys or set())
				with self.subTest(doctype=doctype, who=who):
					# /api/resource listing (frappe.client.get_list)
					r = client.get(
						f"/api/resource/{doctype}",
						params={"filters": filters, "fields": '["*"]', "limit_page_length": 100},
					)
					if keys is None:
						self.assertIn(r.status_code, (401, 403), r.text)
					else:
						self.assertEqual(r.status_code, 200, r.text)
						self.assertEqual({names[row["name"]] for row in r.json()["data"]}, keys)
					self.assert_nothing_of(r, doctype, hidden, who)
					# one document
					for key, name in self.rows[doctype].items():
						r = client.get(f"/api/resource/{doctype}/{name}")
						if keys is not None and key in keys:
							self.assertEqual(r.status_code, 200, r.text)
						else:
							self.assertIn(r.status_code, (401, 403), r.text)
							# (the refusal names the document asked for, nothing of its content)
							self.assert_nothing_of(r, doctype, [key], who, names=False)
					# count (frappe.client.get_count, the list view's count)
					r = client.get(
						"/api/method/frappe.client.get_count", params={"doctype": doctype, "filters": filters}
					)
					if keys is None:
						self.assertIn(r.status_code, (401, 403), r.text)
					else:
						self.assertEqual(r.json()["message"], len(keys), r.text)
					# report view
					r = client.post(
						"/api/method/frappe.desk.reportview.get",
						data={"doctype": doctype, "fields": '["name"]', "filters": filters},
					)
					if keys is None:
						self.assertIn(r.status_code, (401, 403), r.text)
					else:
						values = (r.json().get("message") or {}).get("values") or []
						self.assertEqual({names[v[0]] for v in values}, keys, r.text)
					self.assert_nothing_of(r, doctype, hidden, who)
					# the list view's group-by sidebar
					r = client.post(
						"/api/method/frappe.desk.listview.get_group_by_count",
						data={"doctype": doctype, "current_filters": filters, "field": "owner"},
					)
					if keys is None:
						self.assertIn(r.status_code, (401, 403), r.text)
					else:
						self.assertEqual(sum(g["count"] for g in r.json()["message"]), len(keys), r.text)

	def test_export_only_for_managers(self):
		for doctype, expected in self.EXPECTED.items():
			for who in expected:
				with self.subTest(doctype=doctype, who=who):
					r = self.clients[who].post(
						"/api/method/frappe.desk.reportview.export_query",
						data={
							"doctype": doctype,
							"file_format_type": "CSV",
							"fields": frappe.as_json([f"`tab{doctype}`.`name`"]),
							"filters": frappe.as_json([["name", "in", list(self.rows[doctype].values())]]),
						},
					)
					allowed = who in ("supervisor", "manager", "sysmgr") and expected[who] is not None
					if doctype == EVENT:
						allowed = who == "sysmgr"
					if allowed:
						self.assertEqual(r.status_code, 200, r.text)
					else:
						self.assertNotEqual(r.status_code, 200, f"{who} exported {doctype}")
						self.assert_nothing_of(r, doctype, self.rows[doctype], who)
		# the agent's role has no export (nor share) on the doctypes with customer data
		for doctype in (ESC, SRV, MSG, EVENT):
			perms = frappe.get_all(
				"DocPerm", filters={"parent": doctype, "role": "Agent"}, fields=["export", "share"]
			)
			self.assertFalse(any(p.export or p.share for p in perms), doctype)

	def test_team_limited_agent_is_refused_other_teams_messages(self):
		"""The report: with team restriction on, a team-limited agent listed the WhatsApp messages
		(phone numbers, texts, raw events) of tickets he may not read."""
		r = self.clients["team_agent"].get(
			f"/api/resource/{MSG}",
			params={"fields": '["name", "phone", "body", "raw_event", "ticket"]', "limit_page_length": 1000},
		)
		self.assertEqual(r.status_code, 200, r.text)
		self.assertTrue(all(row["ticket"] for row in r.json()["data"]))
		self.assertNotIn(self.ticket_a, {row["ticket"] for row in r.json()["data"]})
		self.assert_nothing_of(r, MSG, ("a", "raw"), "team_agent")
		# the same agent, once in team A too, sees team A's messages
		make_team(TEAM_A, [TEAM_AGENT])
		frappe.db.commit()
		try:
			r = self.clients["team_agent"].get(f"/api/resource/{MSG}/{self.rows[MSG]['a']}")
			self.assertEqual(r.status_code, 200, r.text)
		finally:
			team = frappe.get_doc("HD Team", TEAM_A)
			team.users = [u for u in team.users if u.user != TEAM_AGENT]
			team.save(ignore_permissions=True)
			frappe.db.commit()

	def test_restriction_off_agents_read_every_ticket_row(self):
		frappe.db.set_single_value("HD Settings", "restrict_tickets_by_agent_group", 0)
		frappe.db.commit()
		try:
			r = self.clients["team_agent"].get(
				f"/api/resource/{MSG}",
				params={"filters": frappe.as_json([["name", "in", list(self.rows[MSG].values())]])},
			)
			got = {row["name"] for row in r.json()["data"]}
			self.assertEqual(got, {self.rows[MSG]["a"], self.rows[MSG]["b"]})  # never the raw one
		finally:
			frappe.db.set_single_value("HD Settings", "restrict_tickets_by_agent_group", 1)
			frappe.db.commit()


class TestWhatsAppSending(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.fake = FakeGraph()
		configure(cls.fake)
		_routing_team_has_an_agent()

	@classmethod
	def tearDownClass(cls):
		cls.fake.stop()
		super().tearDownClass()

	def setUp(self):
		self.fake.clear()
		self.fake.on_request = None

	def queue(self) -> tuple[str, str]:
		"""A reply queued inside the customer-service window (an inbound message a minute ago)."""
		phone = random_phone()
		ticket = make_ticket(**classify()).name
		inbound = _message(ticket, phone, "halo")
		frappe.db.set_value(MSG, inbound, "status_at", add_to_date(now_datetime(), minutes=-1))
		log = frappe.get_doc(
			{
				"doctype": MSG,
				"direction": "Outbound",
				"ticket": ticket,
				"phone": phone,
				"body": "Baik, kami bantu.",
				"message_type": "text",
				"status": "Queued",
				"status_rank": 0,
				"status_at": now_datetime(),
			}
		).insert(ignore_permissions=True)
		frappe.db.commit()
		return ticket, log.name

	def committed_status(self, name: str, conf: dict) -> str:
		"""The message's status as another connection sees it: only what was committed."""
		conn = pymysql.connect(
			host=conf.get("db_host") or "127.0.0.1",
			port=int(conf.get("db_port") or 3306),
			user=conf.get("db_user") or conf["db_name"],
			password=conf["db_password"],
			database=conf["db_name"],
		)
		try:
			with conn.cursor() as cursor:
				cursor.execute(f"select status from `tab{MSG}` where name = %s", (name,))
				return cursor.fetchone()[0]
		finally:
			conn.close()

	def test_marked_sending_and_committed_before_the_http_call(self):
		_ticket, log = self.queue()
		seen = []
		conf = dict(frappe.conf)  # the fake answers in its own thread, outside the site's context
		self.fake.on_request = lambda record: seen.append(self.committed_status(log, conf))
		self.assertEqual(jobs.send(log), "Sent")
		self.assertEqual(seen, ["Sending"])
		self.assertEqual(frappe.db.get_value(MSG, log, "status"), "Sent")

	def test_a_crash_after_the_call_never_sends_twice(self):
		ticket, log = self.queue()
		phone = frappe.db.get_value(MSG, log, "phone")
		sent = lambda: len([m for m in self.fake.sent() if m["to"] == phone])  # noqa: E731

		class Crash(BaseException):
			pass

		real = wa_client.Client._send

		def send_then_die(client, payload):
			real(client, payload)  # Meta has the message ...
			raise Crash  # ... and the worker dies before it records that

		with patch.object(wa_client.Client, "_send", send_then_die):
			with self.assertRaises(Crash):
				jobs.send(log)
		frappe.db.rollback()
		self.assertEqual(frappe.db.get_value(MSG, log, "status"), "Sending")
		self.assertEqual(sent(), 1)
		jobs.sweep()
		jobs.send(log)
		self.assertEqual(sent(), 1)  # not sent again
		# later the sweep says so: failed, maybe delivered, on the ticket; a person decides
		frappe.db.set_value(MSG, log, "status_at", add_to_date(now_datetime(), minutes=-30))
		frappe.db.commit()
		jobs.sweep()
		row = frappe.db.get_value(MSG, log, ["status", "error"], as_dict=True)
		self.assertEqual(row.status, "Failed")
		self.assertIn("may have been delivered", row.error)
		self.assertTrue(
			frappe.db.exists(
				"HD Ticket Comment", {"reference_ticket": ticket, "content": ["like", "%may have been%"]}
			)
		)
		self.assertEqual(sent(), 1)

	def test_a_broken_connection_after_sending_is_not_retried(self):
		import requests

		_ticket, log = self.queue()
		with patch.object(
			requests.Session,
			"request",
			side_effect=requests.exceptions.ReadTimeout("read timed out"),
		):
			self.assertEqual(jobs.send(log), "Failed")
		self.assertIn("may have been delivered", frappe.db.get_value(MSG, log, "error"))

	def test_no_sleeping_in_a_job(self):
		_ticket, log = self.queue()
		self.fake.fail_next(130429)
		with patch("time.sleep", side_effect=AssertionError("a job slept")):
			self.assertEqual(jobs.send(log), "Queued")
		self.assertEqual(len(self.fake.requests), 1)
		self.assertGreater(frappe.db.get_value(MSG, log, "next_attempt_at"), now_datetime())

	def test_sweep_runs_on_the_long_queue(self):
		from cs_sop import hooks

		self.assertIn("cs_sop.whatsapp.jobs.enqueue_sweep", hooks.scheduler_events["cron"]["* * * * *"])
		self.assertNotIn("cs_sop.whatsapp.jobs.sweep", hooks.scheduler_events["cron"]["* * * * *"])
		with patch("frappe.enqueue") as enqueue:
			jobs.enqueue_sweep()
		self.assertEqual(enqueue.call_args.kwargs["queue"], "long")
		self.assertTrue(enqueue.call_args.kwargs["deduplicate"])


class TestPublicEndpoints(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		ensure_email_account()
		_routing_team_has_an_agent()
		make_customer_user(CUSTOMER)
		frappe.db.set_single_value("SOP Settings", {"survey_enabled": 1, "survey_delay_minutes": 0})
		frappe.clear_document_cache("SOP Settings", "SOP Settings")
		frappe.db.commit()
		cls.guest = Client()

	def setUp(self):
		_clear_rate_limits()

	def tearDown(self):
		_clear_rate_limits()

	def resolved(self) -> tuple[str, str]:
		ticket = resolved_ticket().name
		frappe.db.commit()
		requested = frappe.db.get_value("HD Ticket", ticket, "sop_confirmation_requested_on")
		return ticket, confirmation.confirmation_token(ticket, requested)

	def closed_survey(self) -> tuple[str, str]:
		ticket = resolved_ticket().name
		frappe.get_doc("HD Ticket", ticket).update({"status": "Closed"}).save(ignore_permissions=True)
		frappe.db.commit()
		name = frappe.db.get_value(SRV, {"ticket": ticket})
		return name, survey.token_of(name)

	# fixed messages ---------------------------------------------------------------------------
	def test_pages_show_fixed_messages_never_the_url(self):
		ticket, token = self.resolved()
		name, survey_token = self.closed_survey()
		injected = "Akun Anda diblokir, hubungi 0800-PALSU <b>segera</b>"
		for path in (f"/sop-confirm/{ticket}/{token}", f"/sop-survey/{survey_token}"):
			page = self.guest.get(path, params={"error": injected, "lang": "en"})
			self.assertEqual(page.status_code, 200)
			self.assertNotIn("0800-PALSU", page.text)
			self.assertIn("Your answer could not be saved. Please check it and try again.", page.text)
			page = self.guest.get(path, params={"error": injected, "lang": "id"})
			self.assertNotIn("0800-PALSU", page.text)
			self.assertIn("Jawaban Bapak/Ibu tidak dapat disimpan.", page.text)
		page = self.guest.get(f"/sop-survey/{survey_token}", params={"error": "csat", "lang": "en"})
		self.assertIn("Please choose how satisfied you are, from 1 to 5.", page.text)
		page = self.guest.get(
			f"/sop-confirm/{ticket}/{token}", params={"error": "reason_required", "lang": "en"}
		)
		self.assertIn("Please tell us what is not resolved yet.", page.text)

	def test_forms_redirect_with_a_code(self):
		ticket, token = self.resolved()
		r = self.guest.post(
			"/api/method/cs_sop.api.closure.confirm_form",
			data={"ticket": ticket, "token": token, "resolved": "0", "reason": ""},
			allow_redirects=False,
		)
		self.assertIn(r.status_code, (301, 302, 303), r.text)
		self.assertTrue(r.headers["Location"].endswith("?error=reason_required"), r.headers["Location"])
		name, survey_token = self.closed_survey()
		r = self.guest.post(
			"/api/method/cs_sop.api.survey.submit_form",
			data={"token": survey_token, "csat": "9", "problem_solved": "Yes"},
			allow_redirects=False,
		)
		self.assertTrue(r.headers["Location"].endswith("?error=csat"), r.headers["Location"])
		frappe.db.rollback()
		self.assertEqual(frappe.db.get_value(SRV, name, "status"), "Sent")  # nothing written

	# rate limits --------------------------------------------------------------------------------
	def test_guest_endpoints_answer_429_after_the_limit(self):
		from cs_sop.guest import GUEST_LIMIT

		for method, data in (
			("cs_sop.api.survey.submit_answer", {"token": "x" * 43, "csat": 5, "problem_solved": "Yes"}),
			("cs_sop.api.closure.confirm_link", {"ticket": "1", "token": "x" * 43, "resolved": 1}),
		):
			codes = [self.guest.method(method, **data).status_code for _ in range(GUEST_LIMIT)]
			self.assertNotIn(429, codes, method)
			r = self.guest.method(method, **data)
			self.assertEqual(r.status_code, 429, method)
		form = {"ticket": "1", "token": "x" * 43, "resolved": "1", "csat": "5", "problem_solved": "Yes"}
		for method in ("cs_sop.api.survey.submit_form", "cs_sop.api.closure.confirm_form"):
			for _ in range(GUEST_LIMIT):
				r = self.guest.post(f"/api/method/{method}", data=form, allow_redirects=False)
				self.assertIn(r.status_code, (301, 302, 303), r.text)
			r = self.guest.post(f"/api/method/{method}", data=form, allow_redirects=False)
			self.assertEqual(r.status_code, 429, method)

	def test_webhook_has_its_own_higher_limit(self):
		from cs_sop.guest import GUEST_LIMIT, webhook_limit

		self.assertGreater(webhook_limit(), 50 * 60)  # Meta's bursts (the benchmark's 50/s) pass
		body, headers = signed({"object": "whatsapp_business_account", "entry": []}, secret="wrong")
		codes = {
			self.guest.post("/api/method/cs_sop.whatsapp.webhook", data=body, headers=headers).status_code
			for _ in range(GUEST_LIMIT + 5)
		}
		self.assertEqual(codes, {403})

	# the actor ----------------------------------------------------------------------------------
	def test_survey_answer_is_the_customers(self):
		name, token = self.closed_survey()
		before = now_datetime()
		r = self.guest.method("cs_sop.api.survey.submit_answer", token=token, csat=5, problem_solved="Yes")
		self.assertEqual(r.status_code, 200, error_text(r))
		frappe.db.rollback()
		self.assertEqual(frappe.db.get_value(SRV, name, "modified_by"), CUSTOMER)
		ticket = frappe.db.get_value(SRV, name, "ticket")
		owners = frappe.get_all(
			"HD Ticket Activity", filters={"ticket": ticket, "creation": [">=", before]}, pluck="owner"
		)
		self.assertEqual(set(owners), {CUSTOMER})

	def test_confirmation_from_the_page_is_the_customers(self):
		for resolved, reason in ((1, None), (0, "Paket belum datang")):
			ticket, token = self.resolved()
			before = now_datetime()
			r = self.guest.method(
				"cs_sop.api.closure.confirm_link",
				ticket=ticket,
				token=token,
				resolved=resolved,
				reason=reason,
			)
			self.assertEqual(r.status_code, 200, error_text(r))
			frappe.db.rollback()
			self.assertEqual(frappe.db.get_value("HD Ticket", ticket, "modified_by"), CUSTOMER)
			owners = set(
				frappe.get_all(
					"HD Ticket Activity",
					filters={"ticket": ticket, "creation": [">=", before]},
					pluck="owner",
				)
			)
			self.assertIn(CUSTOMER, owners)
			self.assertNotIn("Guest", owners)
			if reason:
				comm_owner = frappe.db.get_value(
					"Communication",
					{
						"reference_doctype": "HD Ticket",
						"reference_name": ticket,
						"sent_or_received": "Received",
					},
					"owner",
					order_by="creation desc",
				)
				self.assertEqual(comm_owner, CUSTOMER)

	def test_email_only_customer_answers_no_on_an_assigned_ticket(self):
		"""A customer with no User stays Guest as the actor: Helpdesk writes the session user into
		User links (the assigned agent's notification), which an unknown address would fail."""
		from frappe.desk.form.assign_to import add as assign

		customer = f"cs-sop-emailonly-{frappe.generate_hash(length=6)}@example.com"
		doc = make_ticket(raised_by=customer, **classify(sop_request_type="Question"))
		assign({"assign_to": [make_agent()], "doctype": "HD Ticket", "name": doc.name})
		agent_reply(doc.name)
		doc = frappe.get_doc("HD Ticket", doc.name)
		doc.resolution_details = "<p>Sudah kami kirim ulang.</p>"
		doc.status = "Resolved"
		doc.save(ignore_permissions=True)
		frappe.db.commit()
		requested = frappe.db.get_value("HD Ticket", doc.name, "sop_confirmation_requested_on")
		token = confirmation.confirmation_token(doc.name, requested)
		r = self.guest.method(
			"cs_sop.api.closure.confirm_link", ticket=doc.name, token=token, resolved=0, reason="Belum sampai"
		)
		self.assertEqual(r.status_code, 200, error_text(r))
		frappe.db.rollback()
		row = frappe.db.get_value("HD Ticket", doc.name, ["status", "sop_resolution_confirmed"], as_dict=True)
		self.assertEqual((row.status, row.sop_resolution_confirmed), ("Open", "Not Resolved"))

	def test_whatsapp_inbound_is_the_customers(self):
		fake = FakeGraph()
		try:
			configure(fake)
			phone = random_phone()
			message, contact = text_message(phone, "Halo, paket saya?")
			body, headers = signed(inbound_payload([message], contacts=[contact]))
			r = self.guest.post("/api/method/cs_sop.whatsapp.webhook", data=body, headers=headers)
			self.assertEqual(r.status_code, 200, r.text)
			frappe.db.commit()
			jobs.drain()
			row = frappe.db.get_value(
				MSG, {"wa_message_id": message["id"]}, ["owner", "communication"], as_dict=True
			)
			self.assertEqual(row.owner, f"{phone}@whatsapp.invalid")
			self.assertEqual(frappe.db.get_value("Communication", row.communication, "owner"), row.owner)
			self.assertFalse(
				frappe.db.exists(
					EVENT, {"owner": "Guest", "creation": [">", add_to_date(now_datetime(), minutes=-5)]}
				)
			)
		finally:
			fake.stop()


class TestDeleteSpamTicket(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		make_team_agent(AGENT, TEAM_A)
		make_team_agent(ADMIN_AGENT, TEAM_A)
		frappe.get_doc("User", ADMIN_AGENT).add_roles("System Manager")
		frappe.db.set_single_value("HD Settings", "restrict_tickets_by_agent_group", 0)
		frappe.db.commit()

	def spam(self) -> tuple[str, dict]:
		ticket = make_ticket(agent_group=TEAM_A, subject="MENANGKAN HADIAH!!!", **classify()).name
		records = {
			ESC: api_escalation.escalate(ticket, "Complexity", "spam"),
			SRV: _survey(ticket, "spam@example.com"),
			MSG: _message(ticket, random_phone(), "klik tautan ini"),
		}
		frappe.db.commit()
		return ticket, records

	def test_agent_is_refused_system_manager_deletes_with_records(self):
		ticket, records = self.spam()
		r = Client(AGENT, PASSWORD).request("DELETE", f"/api/resource/HD Ticket/{ticket}")
		self.assertIn(r.status_code, (403, 417), r.text)
		self.assertIn("Only a System Manager", error_text(r))
		frappe.db.rollback()
		self.assertTrue(frappe.db.exists("HD Ticket", ticket))
		for doctype, name in records.items():
			self.assertTrue(frappe.db.exists(doctype, name), doctype)
		r = Client(ADMIN_AGENT, PASSWORD).request("DELETE", f"/api/resource/HD Ticket/{ticket}")
		self.assertIn(r.status_code, (200, 202), r.text)
		frappe.db.rollback()
		self.assertFalse(frappe.db.exists("HD Ticket", ticket))
		for doctype, name in records.items():
			self.assertFalse(frappe.db.exists(doctype, name), doctype)

	def test_a_ticket_without_sop_records_deletes_as_before(self):
		ticket = make_ticket(agent_group=TEAM_A, **classify()).name
		frappe.db.commit()
		r = Client(AGENT, PASSWORD).request("DELETE", f"/api/resource/HD Ticket/{ticket}")
		self.assertIn(r.status_code, (200, 202), r.text)
