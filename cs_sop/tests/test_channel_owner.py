"""An owner per channel (CS SOP standard 1): new tickets of a channel go to its owner team, the
team's assignment (or the row's own Assignment Rule) assigns them, the category's team wins once
classified, unassigned tickets' warnings reach the team, and only managers change the table."""

import json

import frappe
from frappe.tests.utils import FrappeTestCase

from cs_sop.escalation.notify import Notifications
from cs_sop.intake import channel_owner
from cs_sop.setup import defaults as d
from cs_sop.tests.rest import Client, error_text
from cs_sop.tests.utils import PASSWORD, make_team_agent, make_ticket, make_user

CHAT_TEAM = "Tim Uji Saluran Chat"
MAIL_TEAM = "Tim Uji Saluran Email"
CATEGORY_TEAM = "Tim Uji Saluran Kategori"
CATEGORY = "Uji Kategori Saluran"
RULE = "Uji Rotasi Live Chat"
CHAT_AGENT = "cs-sop-owner-chat@example.com"
MAIL_AGENT = "cs-sop-owner-mail@example.com"
CATEGORY_AGENT = "cs-sop-owner-category@example.com"
RULE_AGENT = "cs-sop-owner-rule@example.com"
MANAGER = "cs-sop-owner-opsman@example.com"
AGENT_MANAGER = "cs-sop-owner-agentman@example.com"
CUSTOMER = "cs-sop-owner-customer@example.com"
DAYS = [
	{"day": day} for day in ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
]


def set_owners(rows: list[tuple]) -> None:
	settings = frappe.get_single("SOP Settings")
	settings.set("channel_owners", [])
	for channel, team, *rule in rows:
		settings.append(
			"channel_owners", {"channel": channel, "team": team, "assignment_rule": rule[0] if rule else None}
		)
	settings.save()


def stored_owners() -> list[tuple]:
	rows = frappe.get_all(
		"SOP Channel Owner",
		filters={"parent": "SOP Settings", "parenttype": "SOP Settings"},
		fields=["channel", "team", "assignment_rule"],
		order_by="idx",
	)
	return [(r.channel, r.team, r.assignment_rule) for r in rows]


def make_rule() -> str:
	make_team_agent(RULE_AGENT, "Tim Uji Saluran Aturan")
	if not frappe.db.exists("Assignment Rule", RULE):
		frappe.get_doc(
			{
				"doctype": "Assignment Rule",
				"name": RULE,
				"document_type": "HD Ticket",
				"priority": 0,
				# never matches by itself: only the channel owner's row applies it
				"assign_condition": "status == 'cs-sop-never'",
				"rule": "Round Robin",
				"users": [{"user": RULE_AGENT}],
				"assignment_days": DAYS,
			}
		).insert(ignore_permissions=True)
	return RULE


def setup_channels():
	make_team_agent(CHAT_AGENT, CHAT_TEAM)
	make_team_agent(MAIL_AGENT, MAIL_TEAM)
	make_team_agent(CATEGORY_AGENT, CATEGORY_TEAM)
	if not frappe.db.exists("HD Ticket Type", CATEGORY):
		doc = frappe.new_doc("HD Ticket Type")
		doc.name = CATEGORY
		doc.insert(ignore_permissions=True)
	frappe.db.set_value("HD Ticket Type", CATEGORY, "sop_default_team", CATEGORY_TEAM)
	frappe.clear_document_cache("HD Ticket Type", CATEGORY)
	set_owners(
		[
			("WhatsApp", CHAT_TEAM),
			("Live Chat", CHAT_TEAM, make_rule()),
			("Email", MAIL_TEAM),
		]
	)


def assignees(ticket: str) -> list[str]:
	return json.loads(frappe.db.get_value("HD Ticket", ticket, "_assign") or "[]")


class TestChannelOwnerRouting(FrappeTestCase):
	def setUp(self):
		frappe.set_user("Administrator")
		setup_channels()

	def tearDown(self):
		frappe.set_user("Administrator")
		frappe.db.rollback()

	def test_new_tickets_go_to_the_channel_team_and_are_assigned(self):
		wa = make_ticket(sop_channel="WhatsApp", raised_by=CUSTOMER)
		self.assertEqual(wa.agent_group, CHAT_TEAM)
		self.assertEqual(assignees(wa.name), [CHAT_AGENT])  # the team's own assignment rule
		mail = make_ticket(sop_channel="Email", raised_by=CUSTOMER)
		self.assertEqual(mail.agent_group, MAIL_TEAM)
		self.assertEqual(assignees(mail.name), [MAIL_AGENT])

	def test_a_row_with_an_assignment_rule_assigns_with_that_rule(self):
		chat = make_ticket(sop_channel="Live Chat", raised_by=CUSTOMER)
		self.assertEqual(chat.agent_group, CHAT_TEAM)
		self.assertEqual(assignees(chat.name), [RULE_AGENT])
		todo = frappe.db.get_value(
			"ToDo",
			{"reference_type": "HD Ticket", "reference_name": chat.name, "status": "Open"},
			["allocated_to", "assignment_rule"],
			as_dict=True,
		)
		self.assertEqual((todo.allocated_to, todo.assignment_rule), (RULE_AGENT, RULE))

	def test_a_team_given_on_arrival_and_a_channel_without_owner_are_left_alone(self):
		given = make_ticket(sop_channel="WhatsApp", raised_by=CUSTOMER, agent_group=MAIL_TEAM)
		self.assertEqual(given.agent_group, MAIL_TEAM)
		phone = make_ticket(sop_channel="Phone", raised_by=CUSTOMER)
		self.assertFalse(phone.agent_group)

	def test_the_classified_category_team_wins(self):
		# classified on arrival: the category's team, not the channel's
		direct = make_ticket(sop_channel="WhatsApp", raised_by=CUSTOMER, ticket_type=CATEGORY)
		self.assertEqual(direct.agent_group, CATEGORY_TEAM)
		# classified later: the ticket leaves the channel's team for the category's
		t = make_ticket(sop_channel="WhatsApp", raised_by=CUSTOMER)
		self.assertEqual(t.agent_group, CHAT_TEAM)
		t.ticket_type = CATEGORY
		t.save()
		self.assertEqual(frappe.db.get_value("HD Ticket", t.name, "agent_group"), CATEGORY_TEAM)
		self.assertEqual(assignees(t.name), [CATEGORY_AGENT])
		# a team an agent chose by hand stays
		chosen = make_ticket(sop_channel="WhatsApp", raised_by=CUSTOMER)
		chosen.agent_group = MAIL_TEAM
		chosen.save()
		chosen.reload()
		chosen.ticket_type = CATEGORY
		chosen.save()
		self.assertEqual(frappe.db.get_value("HD Ticket", chosen.name, "agent_group"), MAIL_TEAM)

	def test_unassigned_warnings_reach_the_team(self):
		notes = Notifications(None)
		row = {
			"name": "X1",
			"_assign": None,
			"agent_group": CHAT_TEAM,
			"response_by": None,
			"resolution_by": None,
		}
		notes.warning(row, "response")
		self.assertIn(CHAT_AGENT, notes.items)
		assigned = Notifications(None)
		assigned.warning({**row, "_assign": json.dumps([MAIL_AGENT])}, "response")
		self.assertEqual(list(assigned.items), [MAIL_AGENT])

	def test_duplicate_channel_and_a_rule_for_another_doctype_are_refused(self):
		with self.assertRaises(frappe.ValidationError):
			set_owners([("WhatsApp", CHAT_TEAM), ("WhatsApp", MAIL_TEAM)])
		other = frappe.get_doc(
			{
				"doctype": "Assignment Rule",
				"name": "Uji Aturan Kontak",
				"document_type": "Contact",
				"priority": 0,
				"assign_condition": "status == 'cs-sop-never'",
				"rule": "Round Robin",
				"users": [{"user": RULE_AGENT}],
				"assignment_days": DAYS,
			}
		).insert(ignore_permissions=True)
		with self.assertRaises(frappe.ValidationError):
			set_owners([("WhatsApp", CHAT_TEAM, other.name)])


class TestShippedOwners(FrappeTestCase):
	def tearDown(self):
		frappe.db.rollback()

	def test_shipped_rows_are_added_once_and_an_admin_deletion_stays(self):
		self.assertIn(("WhatsApp", "Tim Layanan Chat"), d.CHANNEL_OWNERS)
		self.assertTrue(frappe.db.exists("HD Team", "Tim Layanan Chat"))
		frappe.db.set_default("cs_sop_channel_owners_shipped", "[]")
		set_owners([])
		added = channel_owner.install_defaults()
		self.assertEqual(sorted(added), sorted(c for c, _t in d.CHANNEL_OWNERS))
		self.assertIn(("WhatsApp", "Tim Layanan Chat", None), stored_owners())
		# the admin deletes a shipped row: a later migrate does not bring it back
		set_owners([r for r in stored_owners() if r[0] != "WhatsApp"])
		self.assertEqual(channel_owner.install_defaults(), [])
		self.assertNotIn("WhatsApp", [r[0] for r in stored_owners()])
		# the shipped team is empty: its assignment rule stays disabled, tickets still save
		rule = frappe.db.get_value("HD Team", "Tim Layanan Chat", "assignment_rule")
		if rule and not frappe.get_all("HD Team Member", filters={"parent": "Tim Layanan Chat"}):
			self.assertEqual(frappe.db.get_value("Assignment Rule", rule, "disabled"), 1)
		t = make_ticket(sop_channel="Live Chat", raised_by=CUSTOMER)
		self.assertEqual(t.agent_group, "Tim Layanan Chat")


class TestWhoChangesOwners(FrappeTestCase):
	"""Over REST as each side would try: Agent Manager (may write the other settings), an agent,
	a portal customer; an SOP Operations Manager may."""

	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		frappe.set_user("Administrator")
		setup_channels()
		make_user(MANAGER, "Manajer Saluran", roles=("SOP Operations Manager",))
		make_user(AGENT_MANAGER, "Manajer Agen", roles=("Agent Manager", "Agent"))
		make_team_agent("cs-sop-owner-agent@example.com", MAIL_TEAM)
		from cs_sop.tests.utils import make_customer_user

		make_customer_user("cs-sop-owner-portal@example.com")
		frappe.db.commit()

	@classmethod
	def tearDownClass(cls):
		frappe.set_user("Administrator")
		set_owners([(c, t) for c, t in d.CHANNEL_OWNERS if frappe.db.exists("HD Team", t)])
		frappe.db.commit()
		super().tearDownClass()

	def put_owners(self, user: str, rows: list[dict]):
		client = Client(user, PASSWORD)
		return client.put(
			"/api/resource/SOP Settings/SOP Settings",
			json={"channel_owners": rows},
		)

	def test_only_managers_change_the_table(self):
		before = stored_owners()
		wanted = [{"channel": "WhatsApp", "team": MAIL_TEAM}]
		for user in (
			AGENT_MANAGER,
			"cs-sop-owner-agent@example.com",
			"cs-sop-owner-portal@example.com",
		):
			r = self.put_owners(user, wanted)
			self.assertIn(r.status_code, (403, 417), (user, r.text[:300]))
			frappe.db.rollback()
			self.assertEqual(stored_owners(), before, user)
		r = self.put_owners(AGENT_MANAGER, wanted)
		self.assertIn(
			"Only an SOP Operations Manager or a System Manager changes the channel owners", error_text(r)
		)
		# Agent Manager still saves the other settings (the table as it is)
		client = Client(AGENT_MANAGER, PASSWORD)
		r = client.put("/api/resource/SOP Settings/SOP Settings", json={"send_receipt": 1})
		self.assertEqual(r.status_code, 200, r.text[:300])
		# the SOP Operations Manager may
		r = self.put_owners(MANAGER, wanted)
		self.assertEqual(r.status_code, 200, r.text[:300])
		frappe.db.rollback()
		self.assertEqual(stored_owners(), [("WhatsApp", MAIL_TEAM, None)])
