"""Factories for cs_sop's integration tests (real site, FrappeTestCase)."""

import frappe

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
