import threading
from datetime import timedelta
from unittest.mock import patch

import frappe
from frappe.desk.form.assign_to import add as assign
from frappe.tests.utils import FrappeTestCase
from frappe.utils import get_datetime

from cs_sop.api import escalation as api_escalation
from cs_sop.escalation import escalation_name, sweep
from cs_sop.sla.calendar import cached_calendar
from cs_sop.tests.utils import AGENT, agent_reply, classify, ensure_email_account, make_agent, make_ticket

SUPERVISOR = "cs-sop-supervisor@example.com"
MANAGER = "cs-sop-opsmanager@example.com"


def make_user(email: str, role: str) -> str:
	if not frappe.db.exists("User", email):
		user = frappe.get_doc(
			{"doctype": "User", "email": email, "first_name": role, "send_welcome_email": 0}
		)
		user.insert(ignore_permissions=True)
		user.add_roles(role)
	return email


def escalations(ticket: str) -> list[dict]:
	return frappe.get_all(
		"SOP Escalation", filters={"ticket": ticket}, fields=["name", "level", "status"], order_by="level"
	)


def notes_for(user: str) -> int:
	return frappe.db.count("Notification Log", {"for_user": user})


class TestSweep(FrappeTestCase):
	def setUp(self):
		make_agent()
		make_user(SUPERVISOR, "SOP Supervisor")
		make_user(MANAGER, "SOP Operations Manager")

	def tearDown(self):
		frappe.set_user("Administrator")
		frappe.db.rollback()

	def breached(self, **values):
		t = make_ticket(sop_channel="WhatsApp", **classify(), **values)
		return t, get_datetime(t.response_by) + timedelta(minutes=1)

	def test_first_response_breach_escalates_to_level_one(self):
		t, now = self.breached()
		before = notes_for(SUPERVISOR)
		stats = sweep(now=now)
		self.assertGreaterEqual(stats["escalated"], 1)
		t.reload()
		self.assertEqual(t.sop_escalation_level, 1)
		self.assertEqual(t.sop_stage, "Escalated")
		self.assertEqual([e.level for e in escalations(t.name)], [1])
		esc = frappe.get_doc("SOP Escalation", escalation_name(t.name, 1))
		self.assertEqual((esc.reason, esc.status, esc.is_automatic), ("SLA Breach", "Open", 1))
		self.assertEqual(esc.escalated_to_role, "SOP Supervisor")
		self.assertTrue(esc.case_summary)
		self.assertEqual(notes_for(SUPERVISOR), before + 1)
		actions = frappe.get_all("HD Ticket Activity", filters={"ticket": t.name}, pluck="action")
		self.assertTrue(any("level 1" in a for a in actions), actions)

	def test_running_twice_escalates_once(self):
		t, now = self.breached()
		sweep(now=now)
		sweep(now=now)
		sweep(now=now + timedelta(minutes=1))
		self.assertEqual(len(escalations(t.name)), 1)

	def test_database_refuses_a_second_escalation_per_level(self):
		t, now = self.breached()
		sweep(now=now)
		with self.assertRaises(frappe.DuplicateEntryError):
			frappe.get_doc(
				{
					"doctype": "SOP Escalation",
					"ticket": t.name,
					"level": 1,
					"reason": "Complexity",
					"case_summary": "lagi",
				}
			).insert()

	def test_crash_halfway_loses_nothing(self):
		t, now = self.breached()
		frappe.db.savepoint("sweep")
		with patch("cs_sop.escalation.notify.Notifications.send", side_effect=RuntimeError("crash")):
			with self.assertRaises(RuntimeError):
				sweep(now=now)
		frappe.db.rollback(save_point="sweep")  # what the job's failed transaction does
		self.assertEqual(escalations(t.name), [])
		self.assertEqual(frappe.db.get_value("HD Ticket", t.name, "sop_escalation_level"), 0)
		sweep(now=now)
		self.assertEqual(len(escalations(t.name)), 1)
		self.assertEqual(frappe.db.get_value("HD Ticket", t.name, "sop_escalation_level"), 1)

	def test_row_written_by_a_dead_run_is_adopted_not_duplicated(self):
		t, now = self.breached()
		sweep(now=now)
		# the ticket lost its level (as if the run had died after writing the escalation row)
		frappe.db.set_value(
			"HD Ticket", t.name, {"sop_escalation_level": 0, "sop_next_check": now}, update_modified=False
		)
		before = notes_for(SUPERVISOR)
		sweep(now=now)
		self.assertEqual(len(escalations(t.name)), 1)
		self.assertEqual(frappe.db.get_value("HD Ticket", t.name, "sop_escalation_level"), 1)
		self.assertEqual(notes_for(SUPERVISOR), before)

	def test_not_acknowledged_in_time_goes_up(self):
		t, now = self.breached()
		sweep(now=now)
		sweep(now=now + timedelta(minutes=29))
		self.assertEqual(frappe.db.get_value("HD Ticket", t.name, "sop_escalation_level"), 1)
		sweep(now=now + timedelta(minutes=31))
		self.assertEqual(frappe.db.get_value("HD Ticket", t.name, "sop_escalation_level"), 2)
		self.assertEqual([e.level for e in escalations(t.name)], [1, 2])

	def test_acknowledged_escalation_waits_and_moves_to_monitoring(self):
		t, now = self.breached()
		sweep(now=now)
		esc = escalation_name(t.name, 1)
		frappe.set_user(AGENT)
		with self.assertRaises(frappe.PermissionError):
			api_escalation.acknowledge(esc)
		frappe.set_user(SUPERVISOR)
		api_escalation.acknowledge(esc)
		frappe.set_user("Administrator")
		t.reload()
		self.assertEqual(t.sop_stage, "Monitoring")
		self.assertEqual(frappe.db.get_value("SOP Escalation", esc, "acknowledged_by"), SUPERVISOR)
		sweep(now=now + timedelta(minutes=45))  # past the ack deadline, but acknowledged
		self.assertEqual(frappe.db.get_value("HD Ticket", t.name, "sop_escalation_level"), 1)
		sweep(now=get_datetime(t.resolution_by) + timedelta(minutes=1))
		self.assertEqual(frappe.db.get_value("HD Ticket", t.name, "sop_escalation_level"), 2)

	def test_resolving_resolves_escalations_and_stops_the_sweep(self):
		t, now = self.breached()
		sweep(now=now)
		t.reload()
		t.resolution_details = "Paket dikirim ulang."
		t.sop_root_cause = "Alamat salah di sistem kurir."
		t.status = "Resolved"
		t.save(ignore_permissions=True)
		self.assertEqual({e.status for e in escalations(t.name)}, {"Resolved"})
		self.assertIsNone(frappe.db.get_value("HD Ticket", t.name, "sop_next_check"))

	def test_pre_breach_warning_to_assigned_agent_once(self):
		t = make_ticket(sop_channel="Email", **classify())
		assign({"assign_to": [AGENT], "doctype": "HD Ticket", "name": t.name})
		t.reload()
		created, due = get_datetime(t.service_level_agreement_creation), get_datetime(t.response_by)
		cal = cached_calendar()  # 25 % of the operating time to the target left
		warn_at = cal.add(created, cal.elapsed(created, due) * 0.75) + timedelta(seconds=1)
		before = notes_for(AGENT)
		stats = sweep(now=warn_at)
		self.assertGreaterEqual(stats["warned"], 1)
		self.assertEqual(notes_for(AGENT), before + 1)
		self.assertEqual(frappe.db.get_value("HD Ticket", t.name, "sop_response_warned"), 1)
		sweep(now=warn_at + timedelta(seconds=30))
		self.assertEqual(notes_for(AGENT), before + 1)

	def test_customer_update_reminders(self):
		t = make_ticket(sop_channel="Email", **classify())
		assign({"assign_to": [AGENT], "doctype": "HD Ticket", "name": t.name})
		agent_reply(t.name)
		t.reload()
		self.assertEqual(t.status_category, "Open")
		next_check = get_datetime(t.sop_next_check)
		a, s = notes_for(AGENT), notes_for(SUPERVISOR)
		# the sweep finds the first missed update at the ticket's next check
		for _ in range(6):
			sweep(now=next_check)
			next_check = get_datetime(frappe.db.get_value("HD Ticket", t.name, "sop_next_check"))
			if frappe.db.get_value("HD Ticket", t.name, "sop_update_misses") >= 2:
				break
		self.assertEqual(frappe.db.get_value("HD Ticket", t.name, "sop_update_misses"), 2)
		self.assertGreaterEqual(notes_for(AGENT), a + 2)
		self.assertGreater(notes_for(SUPERVISOR), s)
		agent_reply(t.name, "Update: paket sudah dikirim ulang.")
		self.assertEqual(frappe.db.get_value("HD Ticket", t.name, "sop_update_misses"), 0)

	def test_digest_one_notification_per_receiver(self):
		tickets = [self.breached()[0] for _ in range(3)]
		now = max(get_datetime(t.response_by) for t in tickets) + timedelta(minutes=1)
		before = notes_for(SUPERVISOR)
		# only these tickets: open tickets other modules committed would fill the digest's 30 lines
		sweep(now=now, only=[t.name for t in tickets])
		self.assertEqual(notes_for(SUPERVISOR), before + 1)
		log = frappe.get_last_doc("Notification Log", filters={"for_user": SUPERVISOR})
		for t in tickets:
			self.assertIn(t.name, log.email_content)

	def test_receiver_gets_the_digest_in_their_language(self):
		ensure_email_account()
		frappe.db.set_value("User", SUPERVISOR, "language", "id")
		ticket, now = self.breached()
		sweep(now=now, only=[ticket.name])
		log = frappe.get_last_doc("Notification Log", filters={"for_user": SUPERVISOR})
		self.assertIn("peringatan tiket", log.subject)
		self.assertIn("dieskalasi kepada Anda", log.email_content)
		queued = [
			frappe.get_doc("Email Queue", q)
			for q in frappe.get_all(
				"Email Queue",
				filters={"reference_doctype": "HD Ticket", "reference_name": ticket.name},
				pluck="name",
			)
		]
		mine = [q for q in queued if SUPERVISOR in [r.recipient for r in q.recipients]]
		self.assertEqual(len(mine), 1)
		self.assertIn("peringatan tiket", mine[0].message)

	def test_level_needs_receivers_and_a_valid_share(self):
		with self.assertRaises(frappe.ValidationError):
			frappe.get_doc(
				{
					"doctype": "SOP Escalation Level",
					"level": 9,
					"level_name": "X",
					"trigger": "Resolution Breach",
				}
			).insert()
		with self.assertRaises(frappe.ValidationError):
			frappe.get_doc(
				{
					"doctype": "SOP Escalation Level",
					"level": 9,
					"level_name": "X",
					"trigger": "Share of Resolution Time",
					"trigger_share": 150,
					"notify_role": "SOP Supervisor",
				}
			).insert()

	def test_escalation_status_cannot_go_back(self):
		t, now = self.breached()
		sweep(now=now)
		esc = frappe.get_doc("SOP Escalation", escalation_name(t.name, 1))
		esc.status = "Resolved"
		esc.save()
		esc.status = "Open"
		with self.assertRaises(frappe.ValidationError):
			esc.save()


class TestManualEscalation(FrappeTestCase):
	def setUp(self):
		make_agent()
		make_user(SUPERVISOR, "SOP Supervisor")

	def tearDown(self):
		frappe.set_user("Administrator")
		frappe.db.rollback()

	def test_agent_escalates_through_the_api(self):
		t = make_ticket(**classify())
		frappe.set_user(AGENT)
		name = api_escalation.escalate(
			t.name, "Complexity", "Pelanggan meminta kompensasi; perlu keputusan supervisor."
		)
		frappe.set_user("Administrator")
		esc = frappe.get_doc("SOP Escalation", name)
		self.assertEqual((esc.level, esc.reason, esc.escalated_by), (1, "Complexity", AGENT))
		t.reload()
		self.assertEqual((t.sop_escalation_level, t.sop_stage), (1, "Escalated"))

	def test_bad_input_is_refused_without_writes(self):
		t = make_ticket(**classify())
		frappe.set_user(AGENT)
		with self.assertRaises(frappe.ValidationError):
			api_escalation.escalate(t.name, "Complexity", "   ")
		with self.assertRaises(frappe.ValidationError):
			api_escalation.escalate(t.name, "Bosan", "ringkasan")
		with self.assertRaises(frappe.DoesNotExistError):
			api_escalation.escalate("no-such-ticket", "Complexity", "ringkasan")
		frappe.set_user("Administrator")
		self.assertEqual(escalations(t.name), [])

	def test_no_level_above_the_top(self):
		t = make_ticket(**classify())
		for _ in range(3):
			api_escalation.escalate(t.name, "Complexity", "naik")
		with self.assertRaises(frappe.ValidationError):
			api_escalation.escalate(t.name, "Complexity", "naik lagi")

	def test_non_agent_cannot_escalate(self):
		t = make_ticket(**classify())
		frappe.set_user("Guest")
		with self.assertRaises(frappe.PermissionError):
			api_escalation.escalate(t.name, "Complexity", "ringkasan")

	def test_agent_save_keeps_the_sweep_level(self):
		t = make_ticket(**classify())
		stale = frappe.get_doc("HD Ticket", t.name)
		api_escalation.escalate(t.name, "Complexity", "naik")
		stale.sop_root_cause = "Kurir salah alamat"
		stale.save(ignore_permissions=True)
		self.assertEqual(frappe.db.get_value("HD Ticket", t.name, "sop_escalation_level"), 1)

	def test_form_script_shipped(self):
		script = frappe.get_doc("HD Form Script", "SOP Escalate Action")
		self.assertTrue(script.enabled)
		self.assertIn("cs_sop.api.escalation.escalate", script.script)


class TestConcurrentSweeps(FrappeTestCase):
	"""Two sweeps at the same moment, each on its own database connection (committed data)."""

	def test_two_sweeps_at_once_escalate_once(self):
		make_user(SUPERVISOR, "SOP Supervisor")
		tickets = [make_ticket(sop_channel="WhatsApp", **classify()).name for _ in range(5)]
		frappe.db.commit()  # the other connections must see the tickets
		now = max(get_datetime(frappe.db.get_value("HD Ticket", t, "response_by")) for t in tickets)
		now += timedelta(minutes=1)
		site, sites_path = frappe.local.site, frappe.local.sites_path
		errors, results = [], []

		def run():
			try:
				frappe.init(site=site, sites_path=sites_path)
				frappe.connect()
				# only this test's tickets: the data is committed, the site's other tickets are not ours
				results.append(sweep(now=now, only=tickets))
				frappe.db.commit()
			except Exception as e:  # reported below
				errors.append(e)
			finally:
				frappe.destroy()

		threads = [threading.Thread(target=run) for _ in range(2)]
		try:
			for th in threads:
				th.start()
			for th in threads:
				th.join(120)
			self.assertEqual(errors, [])
			frappe.db.rollback()  # a fresh snapshot: see what the two connections committed
			self.assertEqual(len(results), 2)
			for t in tickets:
				self.assertEqual(len(escalations(t)), 1, t)
				self.assertEqual(frappe.db.get_value("HD Ticket", t, "sop_escalation_level"), 1)
				# told once: one activity line per ticket, whichever connection escalated it
				self.assertEqual(
					frappe.db.count("HD Ticket Activity", {"ticket": t, "action": ("like", "%level 1%")}), 1
				)
		finally:
			frappe.db.delete("SOP Escalation", {"ticket": ("in", tickets)})
			frappe.db.delete("HD Ticket Activity", {"ticket": ("in", tickets)})
			frappe.db.delete("Notification Log", {"document_name": ("in", tickets)})
			for t in tickets:
				frappe.delete_doc("HD Ticket", t, force=True, ignore_permissions=True)
			frappe.db.commit()  # clean-up of the committed test data
