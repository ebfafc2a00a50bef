"""The ladder never stalls and never fires wrongly: paused tickets, disabled levels,
receivers that give nobody or no longer exist, a missing escalation row, re-planning after a
configuration change, reopening, operating-time deadlines, a site without outgoing email, and
acknowledge / manual escalation racing the sweep on two database connections."""

import threading
from datetime import datetime, timedelta

import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils import get_datetime

from cs_sop.api import escalation as api_escalation
from cs_sop.escalation import escalation_name, replan_open_tickets, sweep
from cs_sop.sla.calendar import cached_calendar
from cs_sop.tests.utils import (
	AGENT,
	agent_reply,
	classify,
	ensure_email_account,
	make_agent,
	make_ticket,
	make_user,
)

SUPERVISOR = "cs-sop-ladder-sup@example.com"
MANAGER = "cs-sop-ladder-mgr@example.com"


def level_of(ticket: str) -> int:
	return frappe.db.get_value("HD Ticket", ticket, "sop_escalation_level")


def escalations(ticket: str) -> list:
	return frappe.get_all(
		"SOP Escalation",
		filters={"ticket": ticket},
		fields=["name", "level", "status", "escalated_to_role", "ack_due", "escalation_round"],
		order_by="creation",
	)


class LadderCase(FrappeTestCase):
	def setUp(self):
		make_agent()
		make_user(SUPERVISOR, "Supervisor", roles=("SOP Supervisor",))
		make_user(MANAGER, "Manajer", roles=("SOP Operations Manager",))

	def tearDown(self):
		frappe.set_user("Administrator")
		frappe.db.rollback()
		frappe.cache.delete_value("cs_sop:escalation_levels")

	def breached(self, **values):
		t = make_ticket(sop_channel="WhatsApp", **classify(), **values)
		return t, get_datetime(t.response_by) + timedelta(minutes=1)


class TestLadder(LadderCase):
	def test_paused_ticket_gets_nothing_until_resumed(self):
		t, now = self.breached()
		doc = frappe.get_doc("HD Ticket", t.name)
		doc.status = "Replied"  # Helpdesk's status of the Paused category: clock on hold
		doc.save(ignore_permissions=True)
		self.assertEqual(doc.status_category, "Paused")
		self.assertIsNone(frappe.db.get_value("HD Ticket", t.name, "sop_next_check"))
		frappe.db.set_value("HD Ticket", t.name, "sop_next_check", now, update_modified=False)
		stats = sweep(now=now + timedelta(days=3), only=[t.name])
		self.assertEqual((stats["escalated"], stats["warned"]), (0, 0))
		self.assertEqual(level_of(t.name), 0)
		self.assertIsNone(frappe.db.get_value("HD Ticket", t.name, "sop_next_check"))

	def test_disabled_level_is_skipped_not_a_dead_end(self):
		frappe.db.set_value("SOP Escalation Level", {"level": 2}, "enabled", 0)
		frappe.cache.delete_value("cs_sop:escalation_levels")
		t, now = self.breached()
		sweep(now=now, only=[t.name])
		self.assertEqual(level_of(t.name), 1)
		# level 1 not acknowledged in time: the next enabled level is 3
		sweep(now=now + timedelta(hours=6), only=[t.name])
		self.assertEqual(level_of(t.name), 3)
		self.assertEqual([e.level for e in escalations(t.name)], [1, 3])

	def test_level_that_reaches_nobody_falls_back_to_a_role(self):
		# a category without a default team: level 3 (the category's team) falls back
		if not frappe.db.exists("HD Ticket Type", "Uji Tanpa Tim"):
			doc = frappe.new_doc("HD Ticket Type")
			doc.name = "Uji Tanpa Tim"
			doc.insert(ignore_permissions=True)
		t = make_ticket(**classify(ticket_type="Uji Tanpa Tim"))
		for _ in range(3):
			name = api_escalation.escalate(t.name, "Complexity", "naik")
		esc = frappe.get_doc("SOP Escalation", name)
		self.assertEqual(esc.level, 3)
		self.assertFalse(esc.escalated_to_team)
		self.assertEqual(esc.escalated_to_role, "SOP Operations Manager")
		log = frappe.get_last_doc("Notification Log", filters={"for_user": MANAGER})
		self.assertIn(str(t.name), log.email_content)

	def test_missing_current_escalation_row_does_not_stall(self):
		t, now = self.breached()
		sweep(now=now, only=[t.name])
		frappe.db.delete("SOP Escalation", {"name": escalation_name(t.name, 1)})
		replan_open_tickets()
		next_check = frappe.db.get_value("HD Ticket", t.name, "sop_next_check")
		self.assertIsNotNone(next_check)
		sweep(now=get_datetime(t.resolution_by) + timedelta(minutes=1), only=[t.name])
		self.assertEqual(level_of(t.name), 2)

	def test_settings_change_replans_open_tickets(self):
		t = make_ticket(sop_channel="Email", **classify())
		before = frappe.db.get_value("HD Ticket", t.name, "sop_next_check")
		self.assertIsNotNone(before)
		settings = frappe.get_doc("SOP Settings")
		settings.enable_escalation = 0
		settings.warning_share_left = 0
		settings.save()
		self.assertIsNone(frappe.db.get_value("HD Ticket", t.name, "sop_next_check"))
		settings.enable_escalation = 1
		settings.warning_share_left = 25
		settings.save()
		self.assertIsNotNone(frappe.db.get_value("HD Ticket", t.name, "sop_next_check"))

	def test_deleted_receiver_is_skipped_and_others_are_told(self):
		gone = "cs-sop-ladder-gone@example.com"
		make_user(gone, "Hilang", roles=("Agent",))
		t, now = self.breached()
		other, _now = self.breached()
		frappe.db.set_value("HD Ticket", t.name, "_assign", f'["{gone}"]', update_modified=False)
		frappe.db.set_value("HD Ticket", other.name, "_assign", f'["{AGENT}"]', update_modified=False)
		frappe.db.delete("User", {"name": gone})
		warn_at = now - timedelta(minutes=2)
		for name in (t.name, other.name):
			frappe.db.set_value("HD Ticket", name, "sop_next_check", warn_at, update_modified=False)
		logs = frappe.db.count("Error Log")
		sweep(now=max(now, _now), only=[t.name, other.name])
		self.assertEqual(level_of(t.name), 1)
		self.assertEqual(level_of(other.name), 1)
		self.assertGreater(frappe.db.count("Notification Log", {"for_user": SUPERVISOR}), 0)
		self.assertEqual(frappe.db.count("Notification Log", {"for_user": gone}), 0)
		self.assertGreaterEqual(frappe.db.count("Error Log"), logs)

	def test_reopened_ticket_restarts_the_ladder_without_instant_escalation(self):
		t, now = self.breached()
		sweep(now=now, only=[t.name])
		agent_reply(t.name)
		doc = frappe.get_doc("HD Ticket", t.name)
		doc.resolution_details = "Paket dikirim ulang."
		doc.sop_root_cause = "Alamat salah di sistem kurir."
		doc.status = "Resolved"
		doc.save(ignore_permissions=True)
		self.assertEqual({e.status for e in escalations(t.name)}, {"Resolved"})
		doc = frappe.get_doc("HD Ticket", t.name)
		doc.status = "Open"
		doc.save(ignore_permissions=True)
		doc.reload()
		self.assertEqual((doc.sop_escalation_level, doc.sop_escalation_round), (0, 2))
		self.assertEqual(doc.sop_stage, "Initial Handling")
		self.assertGreater(get_datetime(doc.sop_ladder_resolution_by), get_datetime(doc.sop_ladder_start))
		# the old breach does not escalate again at once
		stats = sweep(now=get_datetime(doc.sop_ladder_start) + timedelta(minutes=1), only=[t.name])
		self.assertEqual(stats["escalated"], 0)
		# past the fresh target: round 2 escalates, with its own row
		sweep(now=get_datetime(doc.sop_ladder_resolution_by) + timedelta(minutes=1), only=[t.name])
		self.assertEqual(level_of(t.name), 1)
		self.assertTrue(frappe.db.exists("SOP Escalation", escalation_name(t.name, 1, 2)))

	def test_ack_deadline_counts_operating_time(self):
		t = make_ticket(sop_channel="WhatsApp", **classify())
		cal = cached_calendar()
		friday = datetime(2026, 11, 27, 16, 50)  # 10 minutes before closing
		frappe.db.set_value(
			"HD Ticket",
			t.name,
			{"response_by": friday - timedelta(minutes=5), "sop_next_check": friday - timedelta(minutes=5)},
			update_modified=False,
		)
		sweep(now=friday, only=[t.name])
		esc = escalations(t.name)[0]
		self.assertEqual(get_datetime(esc.ack_due), cal.add(friday, 30 * 60))
		self.assertGreater(get_datetime(esc.ack_due), friday + timedelta(hours=12))
		# at 18:00 the same evening nothing cascades
		sweep(now=friday + timedelta(hours=1, minutes=10), only=[t.name])
		self.assertEqual(level_of(t.name), 1)

	def test_no_outgoing_email_does_not_fail_the_digest(self):
		frappe.db.set_value("Email Account", {"default_outgoing": 1}, "default_outgoing", 0)
		frappe.db.set_value("Email Account", {"enable_outgoing": 1}, "enable_outgoing", 0)
		mute = frappe.flags.mute_emails
		frappe.flags.mute_emails = False
		try:
			t, now = self.breached()
			logs = frappe.db.count("Error Log", {"method": ("like", "%outgoing email%")})
			sweep(now=now, only=[t.name])
			self.assertEqual(level_of(t.name), 1)
			self.assertTrue(
				frappe.db.exists("Notification Log", {"for_user": SUPERVISOR, "document_name": t.name})
			)
			self.assertEqual(frappe.db.count("Error Log", {"method": ("like", "%outgoing email%")}), logs + 1)
		finally:
			frappe.flags.mute_emails = mute

	def test_digest_is_emailed_when_mail_is_set_up(self):
		ensure_email_account()
		t, now = self.breached()
		sweep(now=now, only=[t.name])
		self.assertTrue(
			frappe.db.exists("Email Queue", {"reference_doctype": "HD Ticket", "reference_name": t.name})
		)


class TestRaces(FrappeTestCase):
	"""acknowledge vs sweep and manual escalation vs sweep, each on its own connection."""

	def setUp(self):
		make_agent()
		make_user(SUPERVISOR, "Supervisor", roles=("SOP Supervisor",))
		self.tickets = []

	def tearDown(self):
		frappe.db.rollback()
		if self.tickets:
			frappe.db.delete("SOP Escalation", {"ticket": ("in", self.tickets)})
			frappe.db.delete("HD Ticket Activity", {"ticket": ("in", self.tickets)})
			frappe.db.delete("Notification Log", {"document_name": ("in", self.tickets)})
			for t in self.tickets:
				frappe.delete_doc("HD Ticket", t, force=True, ignore_permissions=True)
			frappe.db.commit()  # clean-up of the committed test data

	def race(self, *jobs):
		site, sites_path = frappe.local.site, frappe.local.sites_path
		errors, barrier = [], threading.Barrier(len(jobs))

		def run(job):
			try:
				frappe.init(site=site, sites_path=sites_path)
				frappe.connect()
				barrier.wait(30)
				job()
				frappe.db.commit()
			except Exception as e:
				errors.append(e)
				frappe.db.rollback()
			finally:
				frappe.destroy()

		threads = [threading.Thread(target=run, args=(j,)) for j in jobs]
		for th in threads:
			th.start()
		for th in threads:
			th.join(120)
		frappe.db.rollback()
		return errors

	def test_acknowledge_vs_sweep_loses_nothing(self):
		t = make_ticket(sop_channel="WhatsApp", **classify())
		self.tickets.append(t.name)
		now = get_datetime(t.response_by) + timedelta(minutes=1)
		sweep(now=now, only=[t.name])
		frappe.db.commit()
		esc = escalation_name(t.name, 1)
		deadline = now + timedelta(hours=8)  # past the ack deadline in any calendar

		def ack():
			frappe.set_user(SUPERVISOR)
			api_escalation.acknowledge(esc)

		errors = self.race(ack, lambda: sweep(now=deadline, only=[t.name]))
		# either order is consistent: acknowledged first -> no timeout escalation to level 2;
		# swept first -> level 2 exists and level 1 could still be acknowledged (or was refused)
		for e in errors:
			self.assertNotIn("Deadlock", repr(e))
		level = level_of(t.name)
		l1 = frappe.db.get_value("SOP Escalation", esc, "status")
		if l1 == "Acknowledged" and level == 1:
			self.assertEqual(len(escalations(t.name)), 1)
		else:
			self.assertEqual(level, 2)
			self.assertEqual(len(escalations(t.name)), 2)

	def test_manual_escalation_vs_sweep_makes_one_row_per_level(self):
		t = make_ticket(sop_channel="WhatsApp", **classify())
		self.tickets.append(t.name)
		frappe.db.commit()
		now = get_datetime(t.response_by) + timedelta(minutes=1)

		def manual():
			frappe.set_user(AGENT)
			api_escalation.escalate(t.name, "Complexity", "bersamaan dengan sweep")

		errors = self.race(manual, lambda: sweep(now=now, only=[t.name]))
		for e in errors:
			self.assertNotIn("Deadlock", repr(e))
			self.assertIn("already escalated", str(e))
		rows = escalations(t.name)
		self.assertEqual(len({r.level for r in rows}), len(rows))
		self.assertEqual(level_of(t.name), max(r.level for r in rows))
