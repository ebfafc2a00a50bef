import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils import getdate, nowdate

from cs_sop.setup import defaults as d
from cs_sop.setup.custom_fields import TEMPLATE_FIELDS, get_custom_fields
from cs_sop.setup.install import before_uninstall, install_defaults
from cs_sop.sla.holidays import sync_holiday_list


class TestInstall(FrappeTestCase):
	def tearDown(self):
		frappe.db.rollback()
		frappe.clear_cache()

	def test_custom_fields_exist(self):
		for dt, fields in get_custom_fields().items():
			meta = frappe.get_meta(dt)
			for f in fields:
				self.assertTrue(meta.has_field(f["fieldname"]), (dt, f["fieldname"]))

	def test_fields_are_rows_of_default_template(self):
		rows = frappe.get_all(
			"HD Ticket Template Field",
			filters={"parent": "Default"},
			fields=["fieldname", "hide_from_customer"],
		)
		present = {r.fieldname: r.hide_from_customer for r in rows}
		for f in TEMPLATE_FIELDS:
			self.assertEqual(present.get(f), 1, f)

	def test_agent_ui_template_api_returns_sop_fields(self):
		from helpdesk.helpdesk.doctype.hd_ticket_template.api import get_one

		fields = {f.fieldname: f for f in get_one("Default")["fields"]}
		self.assertEqual(fields["sop_impact"].fieldtype, "Select")
		self.assertIn("Critical", fields["sop_impact"].options)

	def test_sixteen_rules(self):
		self.assertEqual(frappe.db.count("SOP Priority Rule"), 16)

	def test_roles_categories_teams_replies(self):
		for role in d.ROLES:
			self.assertTrue(frappe.db.exists("Role", role))
		for name, *_ in d.CATEGORIES:
			self.assertTrue(frappe.db.exists("HD Ticket Type", name))
		for team in d.TEAMS:
			self.assertTrue(frappe.db.exists("HD Team", team))
		for title, _ in d.SAVED_REPLIES:
			self.assertTrue(frappe.db.exists("HD Saved Reply", title))

	def test_empty_teams_do_not_assign(self):
		"""A team without members has its round robin disabled (Helpdesk 1.28 enables it, and then no
		ticket routed to the team can be saved); a member turns it on as Helpdesk does."""
		from cs_sop.tests.utils import make_agent, make_team, make_ticket

		for team in frappe.get_all("HD Team", fields=["name", "assignment_rule"]):
			if team.assignment_rule and not frappe.db.exists("HD Team Member", {"parent": team.name}):
				self.assertEqual(frappe.db.get_value("Assignment Rule", team.assignment_rule, "disabled"), 1)
		make_team("Tim Uji Kosong")
		rule = frappe.db.get_value("HD Team", "Tim Uji Kosong", "assignment_rule")
		self.assertEqual(frappe.db.get_value("Assignment Rule", rule, "disabled"), 1)
		ticket = make_ticket(agent_group="Tim Uji Kosong")
		self.assertEqual(ticket.agent_group, "Tim Uji Kosong")
		make_team("Tim Uji Kosong", [make_agent()])
		self.assertEqual(frappe.db.get_value("Assignment Rule", rule, "disabled"), 0)

	def test_slas(self):
		std = frappe.get_doc("HD Service Level Agreement", d.STANDARD_SLA)
		chat = frappe.get_doc("HD Service Level Agreement", d.CHAT_SLA)
		self.assertTrue(std.default_sla and std.enabled)
		self.assertEqual(std.holiday_list, d.HOLIDAY_LIST)
		self.assertIn("WhatsApp", chat.condition)
		self.assertEqual({p.response_time for p in chat.priorities}, {300})
		self.assertEqual(len(std.support_and_resolution), len(d.OPERATING_HOURS))

	def test_holidays_for_this_and_next_year(self):
		year = getdate(nowdate()).year
		dates = set(frappe.get_all("HD Holiday", filters={"parent": d.HOLIDAY_LIST}, pluck="holiday_date"))
		self.assertIn(getdate(f"{year}-08-17"), dates)
		self.assertIn(getdate(f"{year + 1}-08-17"), dates)

	def test_holiday_job_is_idempotent_and_cuti_bersama_optional(self):
		settings = frappe.get_single("SOP Settings")
		before = frappe.db.count("HD Holiday", {"parent": d.HOLIDAY_LIST})
		sync_holiday_list(settings)
		self.assertEqual(frappe.db.count("HD Holiday", {"parent": d.HOLIDAY_LIST}), before)

		settings.include_cuti_bersama = 0
		settings.save()
		without = frappe.get_all("HD Holiday", filters={"parent": d.HOLIDAY_LIST}, pluck="description")
		self.assertFalse([x for x in without if x.startswith("Cuti Bersama")])
		self.assertLess(len(without), before)

	def test_settings_sync_chat_minutes_and_hours(self):
		settings = frappe.get_single("SOP Settings")
		settings.chat_first_response_minutes = 7
		settings.operating_hours[0].start_time = "07:30:00"
		settings.save()
		chat = frappe.get_doc("HD Service Level Agreement", d.CHAT_SLA)
		self.assertEqual({p.response_time for p in chat.priorities}, {420})
		std = frappe.get_doc("HD Service Level Agreement", d.STANDARD_SLA)
		self.assertIn("7:30:00", {str(r.start_time) for r in std.support_and_resolution})

	def test_bad_settings_refused(self):
		settings = frappe.get_single("SOP Settings")
		settings.chat_first_response_minutes = 0
		with self.assertRaises(frappe.ValidationError):
			settings.save()
		settings.reload()
		settings.operating_hours[0].end_time = "06:00:00"
		with self.assertRaises(frappe.ValidationError):
			settings.save()

	def test_migrate_keeps_admin_edits(self):
		rule = frappe.get_doc("SOP Priority Rule", "Low-Low")
		rule.priority = "Urgent"
		rule.save()
		frappe.db.set_value("HD Ticket Type", "Teknis", "sop_default_team", "Billing")
		frappe.db.set_value("HD Saved Reply", d.SAVED_REPLIES[0][0], "message", "<p>Halo!</p>")
		install_defaults()  # what the migrate patch runs
		self.assertEqual(frappe.db.get_value("SOP Priority Rule", "Low-Low", "priority"), "Urgent")
		self.assertEqual(frappe.db.get_value("HD Ticket Type", "Teknis", "sop_default_team"), "Billing")
		self.assertEqual(
			frappe.db.get_value("HD Saved Reply", d.SAVED_REPLIES[0][0], "message"), "<p>Halo!</p>"
		)
		self.assertEqual(frappe.db.count("SOP Priority Rule"), 16)

	def test_uninstall_then_reinstall(self):
		before_uninstall()
		frappe.clear_cache(doctype="HD Ticket")
		self.assertFalse(frappe.get_meta("HD Ticket").has_field("sop_stage"))
		self.assertFalse(
			frappe.db.exists("HD Ticket Template Field", {"parent": "Default", "fieldname": "sop_stage"})
		)
		self.assertFalse(frappe.db.get_value("HD Service Level Agreement", d.STANDARD_SLA, "enabled"))
		default = frappe.db.get_value("HD Service Level Agreement", {"default_sla": 1}, "name")
		self.assertNotIn(default, (d.STANDARD_SLA, d.CHAT_SLA))
		# Helpdesk keeps working without the SOP fields
		t = frappe.get_doc(
			{"doctype": "HD Ticket", "subject": "tanpa SOP", "raised_by": "x@example.com"}
		).insert(ignore_permissions=True)
		self.assertEqual(t.sla, default)


SLA = "HD Service Level Agreement"


def sla_state() -> dict[str, tuple[int, int]]:
	"""name -> (enabled, default_sla) of the SLAs that matter here."""
	rows = frappe.get_all(SLA, fields=["name", "enabled", "default_sla"])
	return {r.name: (r.enabled, r.default_sla) for r in rows}


def helpdesk_default() -> str:
	"""Helpdesk's default SLA that cs_sop remembered when it made SOP Standar the default."""
	return frappe.db.get_single_value("SOP Settings", "previous_default_sla")


def set_switch(on: int, user: str | None = None):
	settings = frappe.get_single("SOP Settings")
	settings.use_sop_slas = on
	if user:
		frappe.set_user(user)
	try:
		settings.save()
	finally:
		frappe.set_user("Administrator")


class TestInstallLifecycle(FrappeTestCase):
	"""install -> uninstall -> install again gives what a first install gives.

	Frappe's uninstall drops the tables of cs_sop's doctypes and deletes its Singles values; the
	test does the same with deletes (DML) so that the transaction is rolled back afterwards. The
	real `bench install-app` / `uninstall-app --yes` cycle is in README (Install) and was run on a
	scratch site.
	"""

	def tearDown(self):
		frappe.set_user("Administrator")
		frappe.db.rollback()
		frappe.clear_cache()

	def simulate_frappe_uninstall(self):
		from cs_sop.setup.install import before_uninstall

		before_uninstall()
		for dt in ("SOP Priority Rule", "SOP Escalation Level"):
			frappe.db.delete(dt)
		frappe.db.delete("Singles", {"doctype": "SOP Settings"})
		frappe.clear_cache()

	def test_first_install_state(self):
		previous = helpdesk_default()
		self.assertTrue(previous)
		state = sla_state()
		self.assertEqual(state[d.STANDARD_SLA], (1, 1))
		self.assertEqual(state[d.CHAT_SLA], (1, 0))
		self.assertEqual(state[previous], (0, 0))
		self.assertEqual(frappe.db.get_single_value("SOP Settings", "use_sop_slas"), 1)

	def test_uninstall_restores_helpdesk(self):
		previous = helpdesk_default()
		self.simulate_frappe_uninstall()
		state = sla_state()
		self.assertEqual(state[previous], (1, 1))
		self.assertEqual(state[d.STANDARD_SLA], (0, 0))
		self.assertEqual(state[d.CHAT_SLA], (0, 0))
		self.assertFalse(
			frappe.db.exists(
				"HD Ticket Template Field", {"parent": "Default", "fieldname": ("like", "sop_%")}
			)
		)

	def restore_install(self):
		"""Re-creating the custom fields syncs HD Ticket's table: DDL, which commits in MariaDB. The
		test keeps (commits) the reinstalled state; if it failed half-way, install again."""
		from cs_sop.setup.install import after_install

		frappe.db.rollback()
		frappe.clear_cache()
		if not (
			frappe.get_meta("HD Ticket").has_field("sop_stage")
			and frappe.db.get_single_value("SOP Settings", "standard_sla")
			and sla_state().get(d.STANDARD_SLA) == (1, 1)
		):
			after_install()
			frappe.db.commit()  # the site must stay installed for the tests that follow

	def test_reinstall_equals_first_install(self):
		from cs_sop.setup.install import after_install

		self.addCleanup(self.restore_install)
		previous = helpdesk_default()
		before = sla_state()
		self.simulate_frappe_uninstall()
		after_install()
		frappe.db.commit()  # see restore_install: part of it is committed anyway, keep it whole
		frappe.clear_cache()
		self.assertEqual(sla_state(), before)
		self.assertEqual(sla_state()[d.STANDARD_SLA], (1, 1))
		self.assertEqual(helpdesk_default(), previous)
		self.assertEqual(frappe.db.get_single_value("SOP Settings", "use_sop_slas"), 1)
		self.assertEqual(frappe.db.count("SOP Priority Rule"), len(d.PRIORITY_RULES))
		self.assertEqual(frappe.db.count("SOP Escalation Level"), len(d.ESCALATION_LEVELS))
		for f in TEMPLATE_FIELDS:
			self.assertTrue(
				frappe.db.exists("HD Ticket Template Field", {"parent": "Default", "fieldname": f})
			)
		# and it works: a chat ticket gets the chat SLA again (Live Chat: no WhatsApp send job here)
		t = frappe.get_doc(
			{"doctype": "HD Ticket", "subject": "setelah instal ulang", "raised_by": "x@example.com"}
		)
		t.sop_channel = "Live Chat"
		t.insert(ignore_permissions=True)
		self.assertEqual(t.sla, d.CHAT_SLA)


class TestSOPSLASwitch(FrappeTestCase):
	"""SOP Settings -> Use the SOP SLAs."""

	def tearDown(self):
		frappe.set_user("Administrator")
		frappe.db.rollback()
		frappe.clear_cache()

	def ticket(self, channel: str | None = None, **values):
		t = frappe.get_doc(
			{"doctype": "HD Ticket", "subject": "saklar SLA", "raised_by": "x@example.com", **values}
		)
		if channel:
			t.sop_channel = channel
		return t.insert(ignore_permissions=True)

	def test_off_gives_helpdesk_its_default_back_and_on_again(self):
		previous = helpdesk_default()
		set_switch(0)
		state = sla_state()
		self.assertEqual(state[previous], (1, 1))
		self.assertEqual(state[d.STANDARD_SLA], (0, 0))
		self.assertEqual(state[d.CHAT_SLA], (0, 0))
		# Helpdesk chooses as without cs_sop; the SOP fields and the matrix keep working
		t = self.ticket("Live Chat", sop_impact="Critical", sop_urgency="Critical")
		self.assertEqual(t.sla, previous)
		self.assertEqual(t.priority, "Urgent")
		self.assertEqual(t.sop_channel, "Live Chat")

		set_switch(1)
		state = sla_state()
		self.assertEqual(state[d.STANDARD_SLA], (1, 1))
		self.assertEqual(state[d.CHAT_SLA], (1, 0))
		self.assertEqual(state[previous], (0, 0))
		self.assertEqual(self.ticket("Live Chat").sla, d.CHAT_SLA)
		self.assertEqual(self.ticket("Phone").sla, d.STANDARD_SLA)

	def test_switching_is_idempotent(self):
		set_switch(0)
		off = sla_state()
		from cs_sop.sla import switch as sla_switch

		sla_switch.apply(frappe.get_single("SOP Settings"))
		self.assertEqual(sla_state(), off)
		set_switch(1)
		on = sla_state()
		sla_switch.apply(frappe.get_single("SOP Settings"))
		self.assertEqual(sla_state(), on)

	def test_off_without_previous_default_is_refused(self):
		frappe.db.set_single_value("SOP Settings", "previous_default_sla", None)
		before = sla_state()
		with self.assertRaises(frappe.ValidationError):
			set_switch(0)
		frappe.db.rollback()
		self.assertEqual(sla_state(), before)

	def test_admin_made_another_sla_default_is_remembered(self):
		"""Switch off, the admin picks another default in Helpdesk, switch on and off: that one returns."""
		from helpdesk.test_utils import make_sla

		set_switch(0)
		other = make_sla(f"SLA Lain {frappe.generate_hash(length=6)}")
		doc = frappe.get_doc(SLA, other.name)
		doc.default_sla = 1
		doc.save()
		set_switch(1)
		self.assertEqual(helpdesk_default(), other.name)
		self.assertEqual(sla_state()[other.name], (0, 0))
		set_switch(0)
		self.assertEqual(sla_state()[other.name], (1, 1))

	def test_operations_manager_saves_settings(self):
		from cs_sop.tests.utils import make_user

		user = make_user("cs-sop-ops-switch@example.com", "Manajer Operasional", ("SOP Operations Manager",))
		set_switch(0, user=user)
		self.assertEqual(sla_state()[d.STANDARD_SLA], (0, 0))
		set_switch(1, user=user)
		self.assertEqual(sla_state()[d.STANDARD_SLA], (1, 1))

	def test_agent_cannot_switch(self):
		from cs_sop.tests.utils import make_agent

		agent = make_agent()
		with self.assertRaises(frappe.PermissionError):
			set_switch(0, user=agent)


class TestShippedData(FrappeTestCase):
	"""The shipped defaults are JSON data (cs_sop/fixtures/defaults/), loaded insert-if-missing."""

	def tearDown(self):
		frappe.db.rollback()
		frappe.clear_cache()

	def test_not_in_frappe_fixtures(self):
		from pathlib import Path

		fixtures = Path(frappe.get_app_path("cs_sop", "fixtures"))
		self.assertEqual(list(fixtures.glob("*.json")), [], "sync_fixtures would overwrite them")
		self.assertFalse(frappe.get_hooks("fixtures", app_name="cs_sop"))
		self.assertTrue(list((fixtures / "defaults").glob("*.json")))

	def test_site_holds_the_shipped_records(self):
		for impact, urgency, priority in d.PRIORITY_RULES:
			self.assertEqual(
				frappe.db.get_value("SOP Priority Rule", {"impact": impact, "urgency": urgency}, "priority"),
				priority,
			)
		std = frappe.get_doc(SLA, d.STANDARD_SLA)
		for row in std.priorities:
			if row.priority in d.STANDARD_TARGETS:
				self.assertEqual((row.response_time, row.resolution_time), d.STANDARD_TARGETS[row.priority])

	def test_migrate_keeps_edits_of_levels_intervals_and_targets(self):
		level = frappe.get_all("SOP Escalation Level", filters={"level": 1}, pluck="name")[0]
		frappe.db.set_value("SOP Escalation Level", level, "ack_minutes", 45)
		frappe.db.set_value("HD Ticket Priority", "Urgent", "sop_update_interval", 30)
		std = frappe.get_doc(SLA, d.STANDARD_SLA)
		row = next(r for r in std.priorities if r.priority == "Urgent")
		row.response_time = 600
		std.save()
		install_defaults()  # what the migrate patch runs
		self.assertEqual(frappe.db.get_value("SOP Escalation Level", level, "ack_minutes"), 45)
		self.assertEqual(frappe.db.get_value("HD Ticket Priority", "Urgent", "sop_update_interval"), 30)
		std.reload()
		self.assertEqual(next(r for r in std.priorities if r.priority == "Urgent").response_time, 600)
		self.assertEqual(frappe.db.count("SOP Escalation Level"), len(d.ESCALATION_LEVELS))

	def test_missing_record_comes_back(self):
		title = d.SAVED_REPLIES[-1][0]
		frappe.delete_doc("HD Saved Reply", title, force=True)
		install_defaults()
		self.assertTrue(frappe.db.exists("HD Saved Reply", title))


class TestSOPSLASwitchREST(FrappeTestCase):
	"""Over HTTP, as the people who use the form: SOP Operations Manager switches, an agent cannot."""

	OPS = "cs-sop-ops-switch-rest@example.com"
	AGENT = "cs-sop-agent-switch-rest@example.com"

	def setUp(self):
		from cs_sop.tests.utils import make_user

		make_user(self.OPS, "Manajer Operasional", ("SOP Operations Manager",))
		make_user(self.AGENT, "Agen", ("Agent",))
		frappe.db.commit()  # the served site is another process
		self.addCleanup(self.switch_back_on)

	def switch_back_on(self):
		frappe.db.rollback()
		if sla_state().get(d.STANDARD_SLA) != (1, 1) or not frappe.db.get_single_value(
			"SOP Settings", "use_sop_slas"
		):
			from cs_sop.sla.switch import set_use_sop_slas

			set_use_sop_slas(1)
			frappe.db.commit()  # undo what the server committed

	def put(self, user: str, on: int):
		from cs_sop.tests.rest import Client
		from cs_sop.tests.utils import PASSWORD

		return Client(user, PASSWORD).put(
			"/api/resource/SOP Settings/SOP Settings", json={"use_sop_slas": on}
		)

	def test_operations_manager_switches_over_rest(self):
		previous = helpdesk_default()
		r = self.put(self.OPS, 0)
		self.assertEqual(r.status_code, 200, r.text[:500])
		frappe.db.rollback()  # a new snapshot: see what the server committed
		state = sla_state()
		self.assertEqual(state[previous], (1, 1))
		self.assertEqual(state[d.STANDARD_SLA], (0, 0))
		r = self.put(self.OPS, 1)
		self.assertEqual(r.status_code, 200, r.text[:500])
		frappe.db.rollback()
		self.assertEqual(sla_state()[d.STANDARD_SLA], (1, 1))
		self.assertEqual(sla_state()[previous], (0, 0))

	def test_agent_is_refused_over_rest(self):
		r = self.put(self.AGENT, 0)
		self.assertEqual(r.status_code, 403, r.text[:500])
		frappe.db.rollback()
		self.assertEqual(sla_state()[d.STANDARD_SLA], (1, 1))
