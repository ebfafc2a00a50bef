"""The reply clock of every chat customer message (cs_sop.intake.message_clock): started by the customer's
message, stopped by the agent's reply, warned and escalated by the sweep, shown in the reports,
and written by nobody but the system."""

from datetime import timedelta

import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils import add_to_date, get_datetime, now_datetime, nowdate

from cs_sop.cs_sop.report.sop_agent_performance import sop_agent_performance as performance
from cs_sop.cs_sop.report.sop_sla_compliance import sop_sla_compliance as sla
from cs_sop.escalation import sweep
from cs_sop.intake import message_clock
from cs_sop.sla.calendar import cached_calendar
from cs_sop.tests.rest import Client
from cs_sop.tests.utils import PASSWORD, classify, make_team, make_team_agent, make_ticket, make_user

AGENT = "cs-sop-clock-agent@example.com"
REPORT_AGENT = "cs-sop-clock-report-agent@example.com"
TEAMMATE = "cs-sop-clock-teammate@example.com"
SUPERVISOR = "cs-sop-clock-supervisor@example.com"
TEAM = "Tim Chat Jam"
RESPONSE = "SOP Message Response"
CLOCK_FIELDS = ("sop_waiting_since", "sop_message_due_on", "sop_message_warned")


def customer_message(ticket: str, text: str = "Halo, pesanan saya?", at=None) -> str:
	"""A customer's chat message as the WhatsApp and Live Chat channels record it."""
	c = frappe.get_doc(
		{
			"doctype": "Communication",
			"communication_type": "Communication",
			"communication_medium": "Chat",
			"sent_or_received": "Received",
			"content": text,
			"subject": "chat",
			"sender": "cs-sop-clock-customer@example.com",
			"communication_date": at or now_datetime(),
			"reference_doctype": "HD Ticket",
			"reference_name": ticket,
			"status": "Linked",
		}
	)
	c.insert(ignore_permissions=True)
	return c.name


def reply(ticket: str, user: str = AGENT, at=None, medium: str = "Chat") -> str:
	"""The agent's reply: the sent Communication Helpdesk (or the chat channel) makes."""
	frappe.set_user(user)
	try:
		c = frappe.get_doc(
			{
				"doctype": "Communication",
				"communication_type": "Communication",
				"communication_medium": medium,
				"sent_or_received": "Sent",
				"content": "Baik, kami cek dulu.",
				"subject": "Re: chat",
				"sender": user,
				"communication_date": at or now_datetime(),
				"reference_doctype": "HD Ticket",
				"reference_name": ticket,
				"status": "Linked",
			}
		)
		c.insert(ignore_permissions=True)  # as Helpdesk's reply_via_agent does, after its own check
	finally:
		frappe.set_user("Administrator")
	return c.name


def responses(ticket: str) -> list[dict]:
	return frappe.get_all(
		RESPONSE,
		filters={"ticket": ticket},
		fields=["*"],
		order_by="received_on",
	)


def notes_for(user: str) -> int:
	return frappe.db.count("Notification Log", {"for_user": user})


def quiet_team() -> None:
	"""The test team without Helpdesk's round robin: its assignment notification commits, and a test
	must leave nothing behind (assignees are set by the tests themselves)."""
	rule = f"{TEAM} - Support Rotation"
	if frappe.db.exists("Assignment Rule", rule):
		frappe.db.set_value("Assignment Rule", rule, "disabled", 1)
	frappe.db.commit()


def assign(ticket: str, *users: str) -> None:
	import json

	frappe.db.set_value("HD Ticket", ticket, "_assign", json.dumps(users) if users else None)


class TestMessageClock(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		make_team_agent(AGENT, TEAM)
		make_team_agent(TEAMMATE, TEAM)
		make_team_agent(REPORT_AGENT, TEAM)
		make_user(SUPERVISOR, "Supervisor Jam", roles=("SOP Supervisor",))
		quiet_team()

	def tearDown(self):
		frappe.set_user("Administrator")
		frappe.db.rollback()

	def chat_ticket(self, channel: str = "WhatsApp", **values):
		return make_ticket(sop_channel=channel, agent_group=TEAM, **classify(), **values)

	def stored(self, ticket: str) -> frappe._dict:
		return frappe.db.get_value("HD Ticket", ticket, ["name", *CLOCK_FIELDS], as_dict=True)

	def test_consecutive_messages_share_one_clock_the_reply_stops_it(self):
		t = self.chat_ticket()
		first = customer_message(t.name)
		customer_message(t.name, "Halo? Masih di sana?")
		customer_message(t.name, "Tolong cepat ya")
		[r] = responses(t.name)
		self.assertEqual((r.customer_message, r.messages, r.channel, r.team), (first, 3, "WhatsApp", TEAM))
		self.assertIsNone(r.answered_on)
		s = self.stored(t.name)
		self.assertEqual(get_datetime(s.sop_waiting_since), get_datetime(r.received_on))
		self.assertEqual(get_datetime(s.sop_message_due_on), get_datetime(r.due_on))
		calendar = cached_calendar()
		if calendar.hours:
			self.assertEqual(calendar.elapsed(get_datetime(r.received_on), get_datetime(r.due_on)), 300)
		# the ticket's save after the message planned the sweep by the warning at the latest
		self.assertLessEqual(
			get_datetime(frappe.db.get_value("HD Ticket", t.name, "sop_next_check")), r.due_on
		)

		answer = reply(t.name)
		[r] = responses(t.name)
		self.assertEqual((r.reply, r.answered_by, r.agent, r.met), (answer, AGENT, AGENT, 1))
		self.assertEqual(
			r.response_operating_seconds,
			round(calendar.elapsed(get_datetime(r.received_on), get_datetime(r.answered_on))),
		)
		self.assertEqual(
			self.stored(t.name),
			frappe._dict(name=t.name, sop_waiting_since=None, sop_message_due_on=None, sop_message_warned=0),
		)

		# a second reply starts nothing; the next customer message starts a new clock
		reply(t.name)
		self.assertEqual(len(responses(t.name)), 1)
		customer_message(t.name, "Sudah dicek?")
		self.assertEqual([x.messages for x in responses(t.name)], [3, 1])

	def test_late_reply_is_a_breach(self):
		t = self.chat_ticket("Social Media")
		customer_message(t.name)
		[r] = responses(t.name)
		reply(t.name, at=add_to_date(r.due_on, minutes=1))
		[r] = responses(t.name)
		self.assertEqual(r.met, 0)
		self.assertGreater(r.response_operating_seconds, 0)

	def test_live_chat_visitor_and_agent_reply(self):
		from cs_sop.livechat import service

		t = self.chat_ticket("Live Chat")
		service.add_visitor_message(t, "Halo dari situs", "clock-1")
		service.add_visitor_message(t, "Halo dari situs", "clock-1")  # a retried request: one message
		frappe.set_user(AGENT)
		try:
			service.reply(frappe.get_doc("HD Ticket", t.name), "Halo, ada yang bisa kami bantu?")
		finally:
			frappe.set_user("Administrator")
		[r] = responses(t.name)
		self.assertEqual((r.channel, r.messages, r.agent, r.met), ("Live Chat", 1, AGENT, 1))
		self.assertIsNone(self.stored(t.name).sop_waiting_since)

	def test_whatsapp_inbound_and_the_agents_reply(self):
		"""The WhatsApp channel's own path: inbound messages (one ticket), the reply from the agent UI."""
		from cs_sop.tests.fake_graph import text_message
		from cs_sop.tests.whatsapp_utils import random_phone
		from cs_sop.whatsapp import inbound, outbound

		phone = random_phone()
		ticket = inbound.receive(text_message(phone, "Pesanan belum sampai")[0], "Budi")
		self.assertEqual(inbound.receive(text_message(phone, "Halo?")[0], "Budi"), ticket)
		[r] = responses(ticket)
		self.assertEqual((r.channel, r.messages, r.answered_on), ("WhatsApp", 2, None))
		frappe.set_user(AGENT)
		try:
			outbound.reply(frappe.get_doc("HD Ticket", ticket), "<p>Baik, kami cek.</p>")
		finally:
			frappe.set_user("Administrator")
		[r] = responses(ticket)
		self.assertEqual((r.answered_by, r.agent, r.met), (AGENT, AGENT, 1))
		self.assertIsNone(self.stored(ticket).sop_waiting_since)

	def test_email_tickets_get_no_clock(self):
		t = make_ticket(sop_channel="Email", agent_group=TEAM, **classify())
		customer_message(t.name)
		reply(t.name, medium="Email")
		self.assertEqual(responses(t.name), [])
		self.assertIsNone(self.stored(t.name).sop_waiting_since)

	def test_closing_a_waiting_ticket_ends_the_clock_unanswered(self):
		t = self.chat_ticket()
		customer_message(t.name)
		doc = frappe.get_doc("HD Ticket", t.name)
		doc.status_category = "Resolved"
		message_clock.on_ticket_update(doc)
		[r] = responses(t.name)
		self.assertIsNotNone(r.closed_on)
		self.assertIsNone(r.answered_on)
		self.assertIsNone(self.stored(t.name).sop_waiting_since)

	def test_unanswered_message_is_warned_then_escalated_once(self):
		t = self.chat_ticket()
		customer_message(t.name)
		reply(t.name)  # the first response is in time: only the later message breaches
		assign(t.name, AGENT)
		customer_message(t.name, "Lalu kapan dikirim?")
		s = self.stored(t.name)
		since, due = get_datetime(s.sop_waiting_since), get_datetime(s.sop_message_due_on)
		calendar = cached_calendar()
		warn_at = calendar.add(since, 0.75 * calendar.elapsed(since, due)) if calendar.hours else due
		before = notes_for(AGENT)
		stats = sweep(now=warn_at + timedelta(seconds=1), only=[t.name])
		self.assertEqual((stats["warned"], stats["escalated"]), (1, 0))
		self.assertEqual(notes_for(AGENT), before + 1)
		self.assertEqual(frappe.db.get_value("HD Ticket", t.name, "sop_message_warned"), 1)

		for minutes in (1, 2):  # two runs: one escalation
			sweep(now=add_to_date(due, minutes=minutes), only=[t.name])
		escalations = frappe.get_all(
			"SOP Escalation", filters={"ticket": t.name}, fields=["level", "reason", "case_summary"]
		)
		self.assertEqual(len(escalations), 1)
		self.assertEqual((escalations[0].level, escalations[0].reason), (1, "Chat Response Breach"))
		self.assertIn(str(due)[:16], escalations[0].case_summary)
		self.assertEqual(frappe.db.get_value("HD Ticket", t.name, "sop_escalation_level"), 1)

		# the late reply stops the clock as a breach
		reply(t.name, at=add_to_date(due, minutes=3))
		self.assertEqual([r.met for r in responses(t.name)], [1, 0])

	def test_unassigned_ticket_warns_the_team(self):
		t = self.chat_ticket()
		assign(t.name)  # nobody has it
		customer_message(t.name)
		s = self.stored(t.name)
		before = [notes_for(AGENT), notes_for(TEAMMATE)]
		sweep(now=add_to_date(s.sop_message_due_on, seconds=-1), only=[t.name])
		self.assertEqual([notes_for(AGENT), notes_for(TEAMMATE)], [n + 1 for n in before])

	def test_reports_show_the_chat_replies(self):
		t = self.chat_ticket()
		customer_message(t.name)
		reply(t.name, REPORT_AGENT)
		customer_message(t.name, "Satu lagi")
		[_r, late] = responses(t.name)
		reply(t.name, REPORT_AGENT, at=add_to_date(late.due_on, minutes=2))
		period = {"from_date": nowdate(), "to_date": nowdate()}

		columns, rows, *_ = sla.execute({**period, "group_by": "Agent", "agent": REPORT_AGENT})
		fields = [c["fieldname"] for c in columns]
		self.assertEqual(
			fields[fields.index("fr_breaches") + 1 : fields.index("res_met_pct")],
			["msg_count", "msg_met_pct", "msg_median", "msg_p90", "msg_breaches"],
		)
		row = next(row for row in rows if row["group_value"] == REPORT_AGENT)
		self.assertEqual((row["msg_count"], row["msg_met_pct"], row["msg_breaches"]), (2, 50.0, 1))
		self.assertIsNotNone(row["msg_median"])
		self.assertGreaterEqual(row["msg_p90"], row["msg_median"])

		columns, rows, *_ = performance.execute({**period, "agent": REPORT_AGENT})
		self.assertIn("msg_p90", [c["fieldname"] for c in columns])
		[row] = rows
		self.assertEqual(row["msg_met_pct"], 50.0)
		self.assertIsNotNone(row["msg_median"])


class TestMessageClockRest(FrappeTestCase):
	"""Nobody writes what the clock recorded: not the agent over REST, not a supervisor, not even an
	administrator's save of the record."""

	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		make_team_agent(AGENT, TEAM)
		make_user(SUPERVISOR, "Supervisor Jam", roles=("SOP Supervisor",))
		make_team(TEAM)
		quiet_team()
		cls.ticket = make_ticket(sop_channel="WhatsApp", agent_group=TEAM, **classify()).name
		customer_message(cls.ticket)
		cls.response = responses(cls.ticket)[0].name
		frappe.db.commit()  # the served site is another connection
		cls.before = frappe.db.get_value("HD Ticket", cls.ticket, list(CLOCK_FIELDS), as_dict=True)
		cls.recorded = frappe.db.get_value(
			RESPONSE, cls.response, ["due_on", "met", "answered_on"], as_dict=True
		)

	@classmethod
	def tearDownClass(cls):
		frappe.db.rollback()
		frappe.delete_doc("HD Ticket", cls.ticket, force=True, ignore_permissions=True)
		frappe.db.commit()
		super().tearDownClass()

	def assert_nothing_written(self):
		frappe.db.rollback()  # a fresh snapshot of what the server committed
		self.assertEqual(
			frappe.db.get_value("HD Ticket", self.ticket, list(CLOCK_FIELDS), as_dict=True), self.before
		)
		self.assertEqual(
			frappe.db.get_value(RESPONSE, self.response, ["due_on", "met", "answered_on"], as_dict=True),
			self.recorded,
		)
		self.assertEqual(frappe.db.count(RESPONSE, {"ticket": self.ticket}), 1)

	def test_agent_cannot_move_the_clock_on_the_ticket(self):
		agent = Client(AGENT, PASSWORD)
		later = str(add_to_date(now_datetime(), days=7))
		for field, value in (
			("sop_message_due_on", later),
			("sop_waiting_since", ""),
			("sop_message_warned", 1),
		):
			r = agent.method(
				"frappe.client.set_value", doctype="HD Ticket", name=self.ticket, fieldname=field, value=value
			)
			self.assertIn(r.status_code, (200, 403, 417), r.text)  # refused, or saved with the value kept
		r = agent.put(f"/api/resource/HD Ticket/{self.ticket}", json={"sop_message_due_on": later})
		self.assertIn(r.status_code, (200, 403, 417), r.text)
		self.assert_nothing_written()

	def test_nobody_writes_a_recorded_response(self):
		for user in (AGENT, SUPERVISOR):
			client = Client(user, PASSWORD)
			r = client.method(
				"frappe.client.set_value", doctype=RESPONSE, name=self.response, fieldname="met", value=1
			)
			self.assertEqual(r.status_code, 403, (user, r.text))
			r = client.put(
				f"/api/resource/{RESPONSE}/{self.response}", json={"answered_on": str(now_datetime())}
			)
			self.assertEqual(r.status_code, 403, (user, r.text))
			r = client.post(f"/api/resource/{RESPONSE}", json={"ticket": self.ticket, "met": 1})
			self.assertEqual(r.status_code, 403, (user, r.text))
		# an administrator passes every permission check: the record itself refuses the save
		from frappe.client import set_value

		with self.assertRaises(frappe.PermissionError) as refused:
			set_value(RESPONSE, self.response, "met", 1)
		self.assertIn("recorded by the system", str(refused.exception))
		doc = frappe.get_doc(RESPONSE, self.response)
		doc.answered_on = now_datetime()
		self.assertRaises(frappe.PermissionError, doc.save, ignore_permissions=True)
		self.assert_nothing_written()

	def test_supervisor_reads_but_agent_does_not(self):
		r = Client(SUPERVISOR, PASSWORD).get(f"/api/resource/{RESPONSE}/{self.response}")
		self.assertEqual(r.status_code, 200, r.text)
		r = Client(AGENT, PASSWORD).get(f"/api/resource/{RESPONSE}/{self.response}")
		self.assertEqual(r.status_code, 403, r.text)


class TestConcurrentMessages(FrappeTestCase):
	"""Two customer messages at the same moment, each on its own database connection: one clock."""

	def test_two_messages_at_once_share_one_clock(self):
		import threading

		make_team_agent(AGENT, TEAM)
		quiet_team()
		ticket = make_ticket(sop_channel="WhatsApp", agent_group=TEAM, **classify()).name
		frappe.db.commit()  # the other connections must see the ticket
		site, sites_path = frappe.local.site, frappe.local.sites_path
		errors, start = [], threading.Barrier(2)

		def run(text: str):
			try:
				frappe.init(site=site, sites_path=sites_path)
				frappe.connect()
				frappe.set_user("Administrator")
				start.wait(30)
				customer_message(ticket, text)
				frappe.db.commit()
			except Exception as e:  # reported below
				errors.append(e)
			finally:
				frappe.destroy()

		threads = [threading.Thread(target=run, args=(text,)) for text in ("Halo", "Halo lagi")]
		try:
			for th in threads:
				th.start()
			for th in threads:
				th.join(120)
			self.assertEqual(errors, [])
			frappe.db.rollback()  # a fresh snapshot: see what the two connections committed
			[r] = responses(ticket)
			self.assertEqual(r.messages, 2)
			self.assertEqual(
				get_datetime(frappe.db.get_value("HD Ticket", ticket, "sop_waiting_since")),
				get_datetime(r.received_on),
			)
		finally:
			frappe.db.delete("Communication", {"reference_doctype": "HD Ticket", "reference_name": ticket})
			frappe.delete_doc("HD Ticket", ticket, force=True, ignore_permissions=True)
			frappe.db.commit()  # clean-up of the committed test data
		self.assertFalse(frappe.db.exists(RESPONSE, {"ticket": ticket}))
