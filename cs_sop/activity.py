"""Lines in a ticket's activity log (HD Ticket Activity, shown in the agent UI)."""

import frappe
from frappe.utils import now_datetime
from helpdesk.helpdesk.doctype.hd_ticket_activity.hd_ticket_activity import log_ticket_activity

from cs_sop import bulk


def log(ticket: str, action: str) -> None:
	"""One line, through Helpdesk's own helper."""
	log_ticket_activity(ticket, action)


def log_lines(lines: list[tuple[str, str]], now=None) -> None:
	"""(ticket, action) lines in one insert: what a set-based job writes."""
	if not lines:
		return
	now = now or now_datetime()
	user = frappe.session.user
	bulk.insert(
		"HD Ticket Activity",
		[*bulk.STANDARD_COLUMNS, "ticket", "action"],
		[(frappe.generate_hash(length=12), now, now, user, user, t, a) for t, a in lines],
	)
