"""Factories for cs_sop's integration tests (real site, FrappeTestCase)."""

import frappe
from frappe.utils import now_datetime

from cs_sop import bulk

# the HD Ticket columns the report tests bulk-insert (what the reports read)
REPORT_TICKET_COLUMNS = (
	*bulk.STANDARD_COLUMNS,
	"subject",
	"raised_by",
	"status",
	"status_category",
	"priority",
	"ticket_type",
	"agent_group",
	"opening_date",
	"sop_channel",
	"sop_request_type",
	"sop_agent",
	"response_by",
	"first_responded_on",
	"sop_first_response_seconds",
	"resolution_by",
	"resolution_date",
	"sop_resolution_seconds",
	"sop_update_misses",
	"sop_reopen_count",
)

AGENT = "cs-sop-agent@example.com"
CUSTOMER = "cs-sop-customer@example.com"


def make_agent(email: str = AGENT) -> str:
	if not frappe.db.exists("User", email):
		user = frappe.get_doc(
			{"doctype": "User", "email": email, "first_name": "Agen SOP", "send_welcome_email": 0}
		)
		user.insert(ignore_permissions=True)
		user.add_roles("Agent")
	if not frappe.db.exists("HD Agent", email):
		frappe.get_doc({"doctype": "HD Agent", "user": email, "agent_name": "Agen SOP"}).insert(
			ignore_permissions=True
		)
	return email


PASSWORD = "Cs-Sop-Test-2026!"


def make_user(
	email: str, first_name: str, roles: tuple[str, ...] = (), user_type: str = "System User"
) -> str:
	"""A real, enabled user with the test password (for REST tests), created once. Each call also
	resets the user's language to the site's default: a test that wants Indonesian sets it itself,
	and what an earlier run left on a kept site never leaks into the next."""
	if not frappe.db.exists("User", email):
		frappe.get_doc(
			{
				"doctype": "User",
				"email": email,
				"first_name": first_name,
				"user_type": user_type,
				"send_welcome_email": 0,
				"new_password": PASSWORD,
			}
		).insert(ignore_permissions=True)
	else:
		from frappe.utils.password import update_password

		update_password(email, PASSWORD)
	frappe.db.set_value("User", email, "language", None)
	if user_type == "Website User":
		from cs_sop.compat import customer_roles

		# a portal customer as Helpdesk's sign-up makes one: 1.28 gives access through its customer role
		roles = (*roles, *customer_roles())
	if roles:
		frappe.get_doc("User", email).add_roles(*roles)
	return email


def make_customer_user(email: str = "cs-sop-portal@example.com") -> str:
	"""A portal customer: a Website User with a Contact, as Helpdesk's sign-up makes one."""
	make_user(email, "Pelanggan Portal", user_type="Website User")
	if not frappe.db.exists("Contact", {"email_id": email}):
		contact = frappe.get_doc({"doctype": "Contact", "first_name": "Pelanggan Portal", "user": email})
		contact.append("email_ids", {"email_id": email, "is_primary": 1})
		contact.insert(ignore_permissions=True)
	return email


def make_team(name: str, users: list[str] | tuple[str, ...] = ()) -> str:
	# Helpdesk 1.28 makes a team's users mandatory; a test team may start empty
	if not frappe.db.exists("HD Team", name):
		frappe.get_doc({"doctype": "HD Team", "team_name": name}).insert(
			ignore_permissions=True, ignore_mandatory=True
		)
	team = frappe.get_doc("HD Team", name)
	have = {row.user for row in team.users}
	for user in users:
		if user not in have:
			team.append("users", {"user": user})
	team.flags.ignore_mandatory = True
	team.save(ignore_permissions=True)
	return name


def make_team_agent(email: str, team: str) -> str:
	"""An agent (with the test password) who is a member of `team` only."""
	make_user(email, "Agen Tim", roles=("Agent",))
	if not frappe.db.exists("HD Agent", email):
		frappe.get_doc({"doctype": "HD Agent", "user": email, "agent_name": "Agen Tim"}).insert(
			ignore_permissions=True
		)
	make_team(team, [email])
	return email


def ensure_email_account() -> str:
	"""A default outgoing (and incoming) email account, as a real site has: the suite makes it."""
	name = "cs_sop test"
	if not frappe.db.exists("Email Account", name):
		frappe.get_doc(
			{
				"doctype": "Email Account",
				"email_account_name": name,
				"email_id": "cs-sop-support@example.com",
				"password": "not-used",
				"enable_outgoing": 1,
				"default_outgoing": 1,
				"enable_incoming": 0,
				"smtp_server": "localhost",
				"smtp_port": 25,
				"awaiting_password": 0,
			}
		).insert(ignore_permissions=True)
	return name


def make_ticket(**values):
	doc = frappe.get_doc(
		{
			"doctype": "HD Ticket",
			"subject": values.pop("subject", "Pesanan belum diterima"),
			"raised_by": values.pop("raised_by", CUSTOMER),
			**values,
		}
	)
	doc.insert(ignore_permissions=True)
	# as the agent UI does: later saves work on the stored ticket (Helpdesk's `key` is a UUID
	# object right after insert and a string once read back)
	return frappe.get_doc("HD Ticket", doc.name)


def agent_reply(ticket: str, content: str = "Baik, kami periksa.") -> None:
	"""An agent's reply as Helpdesk records it: a Sent communication on the ticket."""
	frappe.get_doc(
		{
			"doctype": "Communication",
			"communication_type": "Communication",
			"communication_medium": "",
			"content": content,
			"reference_doctype": "HD Ticket",
			"reference_name": ticket,
			"sender": "Administrator",
			"sent_or_received": "Sent",
			"status": "Linked",
			"subject": "Re: ticket",
		}
	).insert(ignore_permissions=True)


def classify(**overrides) -> dict:
	return {
		"sop_request_type": "Complaint",
		"ticket_type": "Pengiriman",
		"sop_impact": "High",
		"sop_urgency": "Medium",
		**overrides,
	}


def solution_sent(ticket: str, status: str = "Sent") -> str:
	"""An SOP Solution of the ticket in `status` (the solution flow itself is cs_sop.complaint.solution's and
	tested there): inserted as proposed, then moved on as its actions would."""
	sol = frappe.get_doc(
		{"doctype": "SOP Solution", "ticket": ticket, "description": "<p>Kirim ulang barang</p>"}
	)
	sol.insert(ignore_permissions=True)
	values = {"status": status}
	if status == "Sent":
		values.update(sent_on=now_datetime(), sent_by="Administrator")
	frappe.db.set_value("SOP Solution", sol.name, values)
	return sol.name
