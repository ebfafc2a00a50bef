"""The demo's people: staff users (agents in the shipped teams, a supervisor, an operations manager,
a department head who approves solutions) and customers (contacts; a few portal users).

Every user and contact is tagged `TAG` and has an address under `DOMAIN`; customers who write on
WhatsApp have fictional numbers +62 800-… (a toll-free range, never a mobile number)."""

import random

import frappe

from cs_sop.compat import customer_roles

DOMAIN = "demo.cs-sop.invalid"
TAG = "cs_sop-demo"
PASSWORD = "Demo-CsSop-2026"
PHONE_PREFIX = "6280000"
PORTAL_CUSTOMERS = 8


def tag(doctype: str, name: str) -> None:
	from frappe.desk.doctype.tag.tag import DocTags

	DocTags(doctype).add(name, TAG)


def approver_role() -> str:
	return frappe.db.get_single_value("SOP Settings", "default_approver_role") or "SOP Operations Manager"


def make_staff(data: dict) -> dict[str, list[str]]:
	"""Users, HD Agents and team memberships. Returns key -> users (agent, supervisor, ...)."""
	staff: dict[str, list[str]] = {}
	members: dict[str, list[str]] = {}
	for person in data["staff"]:
		roles = [approver_role() if r == "@approver" else r for r in person["roles"]]
		if person["agent"]:
			roles.append("Agent")
		email = f"{person['email']}@{DOMAIN}"
		_user(email, person["first_name"], person["last_name"], roles, "System User")
		if person["agent"]:
			frappe.get_doc(
				{
					"doctype": "HD Agent",
					"user": email,
					"agent_name": f"{person['first_name']} {person['last_name']}",
					"is_active": 1,
				}
			).insert(ignore_permissions=True)
		staff.setdefault(person["key"], []).append(email)
		for team in person["teams"]:
			members.setdefault(team, []).append(email)
	for team, users in members.items():
		if not frappe.db.exists("HD Team", team):
			continue
		doc = frappe.get_doc("HD Team", team)
		for user in users:
			doc.append("users", {"user": user})
		doc.save(ignore_permissions=True)  # Helpdesk syncs the team's assignment rule
	staff["teams"] = members
	return staff


def _user(email: str, first: str, last: str, roles: list[str], user_type: str) -> None:
	user = frappe.get_doc(
		{
			"doctype": "User",
			"email": email,
			"first_name": first,
			"last_name": last,
			"language": "id",
			"send_welcome_email": 0,
			"user_type": user_type,
			"new_password": PASSWORD,
			"roles": [{"role": r} for r in dict.fromkeys(roles)],
		}
	)
	user.flags.no_welcome_mail = True
	user.insert(ignore_permissions=True)
	tag("User", email)


def make_customers(data: dict, rng: random.Random, count: int) -> list[frappe._dict]:
	"""Customers as contacts; the first PORTAL_CUSTOMERS also have a portal (website) user."""
	names = [(f, last) for f in data["first_names"] for last in data["last_names"]]
	rng.shuffle(names)
	customers = []
	for i, (first, last) in enumerate(names[:count]):
		email = f"{first}.{last}{i}@{DOMAIN}".lower()
		phone = f"{PHONE_PREFIX}{1000 + i}"
		portal = i < PORTAL_CUSTOMERS
		if portal:
			_user(email, first, last, list(customer_roles()), "Website User")
		contact = frappe.db.get_value("Contact", {"email_id": email}) if portal else None
		if not contact:
			doc = frappe.get_doc(
				{
					"doctype": "Contact",
					"first_name": first,
					"last_name": last,
					"email_ids": [{"email_id": email, "is_primary": 1}],
					"phone_nos": [{"phone": f"+{phone}", "is_primary_mobile_no": 1}],
					"user": email if portal else None,
				}
			)
			doc.insert(ignore_permissions=True)
			contact = doc.name
		else:
			doc = frappe.get_doc("Contact", contact)
			doc.append("phone_nos", {"phone": f"+{phone}", "is_primary_mobile_no": 1})
			doc.save(ignore_permissions=True)
		tag("Contact", contact)
		customers.append(
			frappe._dict(
				name=f"{first} {last}", email=email, phone=phone, contact=contact, portal=portal, last=None
			)
		)
	return customers
