"""Customer notices of the complaint procedure: acknowledgement, out-of-hours reply, progress, solution.

- **Acknowledgement** (SOP stage 1, complaint procedure step 4): a ticket classified as a
  Complaint with a category gets, once, its ticket number, category and target resolution time.
- **Out-of-hours reply** (chat SOP stage 3): a customer message received while the desk is closed
  gets one reply per ticket and closed period, naming the next opening.
- **Progress update**: the agent's one-click update, prefilled with the ticket's state; it resets
  the customer-update cadence of the escalation sweep.
- **Solution**: the approved solution (`cs_sop.complaint.solution.send_solution`).

Texts are `templates`. Every notice goes through `cs_sop.messaging.send_to_customer` (Email Queue,
or the ticket's channel) and is claimed on the ticket row first (locked read, then a marker
column), so a rerun never sends twice.
"""

import html

import frappe
from frappe import _
from frappe.utils import get_datetime, now_datetime

from cs_sop import activity, background, messaging
from cs_sop import settings as sop_settings
from cs_sop.complaint.templates import (
	ACKNOWLEDGEMENT,
	OUT_OF_HOURS,
	PROGRESS,
	SOLUTION,
	render,
	send,
	ticket_context,
	when,
)
from cs_sop.core import notices as rules
from cs_sop.core.text import html_to_text, text_to_html
from cs_sop.escalation.context import next_check_for
from cs_sop.sla.calendar import cached_calendar

TICKET = "HD Ticket"


def keep_notice_fields(doc, method=None):
	"""HD Ticket before_validate: a progress update moves the last agent response without
	`modified`; an agent's save of an older copy must not move it back. (The notice markers are
	system-owned fields, kept by cs_sop.field_guard.keep_system_fields.)"""
	before = doc.get_doc_before_save()
	if not before:
		return
	if before.last_agent_response and (
		not doc.last_agent_response
		or get_datetime(before.last_agent_response) > get_datetime(doc.last_agent_response)
	):
		doc.last_agent_response = before.last_agent_response


def on_ticket_update(doc, method=None):
	"""HD Ticket on_update (also on insert): acknowledge a complaint once it has its category."""
	if doc.sop_request_type != "Complaint" or doc.get("sop_ack_notice_sent_on"):
		return
	if not doc.ticket_type or doc.ticket_type == "Unspecified":
		return
	if not sop_settings.value("send_complaint_acknowledgement"):
		return
	# building the mail costs ~0.2 s (rendering, CSS inlining): a short job once the save commits;
	# the job itself is idempotent (locked read of the marker)
	background.after_commit(
		"cs_sop.complaint.notices.send_acknowledgement",
		ticket=doc.name,
	)


def send_acknowledgement(ticket: str) -> bool:
	"""Send the complaint acknowledgement unless it was sent; True when sent now."""
	if frappe.db.get_value(TICKET, ticket, "sop_ack_notice_sent_on", for_update=True):
		return False
	now = now_datetime()
	if not send(ticket, ACKNOWLEDGEMENT, ticket_context(ticket), _("Complaint acknowledgements")):
		return False
	frappe.db.set_value(TICKET, ticket, "sop_ack_notice_sent_on", now, update_modified=False)
	activity.log(ticket, _("sent the complaint acknowledgement to the customer"))
	return True


def on_communication(doc, method=None):
	"""Communication after_insert: a customer's message on a ticket (email, portal, WhatsApp)."""
	if doc.reference_doctype != TICKET or not doc.reference_name:
		return
	if doc.sent_or_received != "Received" or doc.communication_type not in (None, "", "Communication"):
		return
	received_at = doc.communication_date or doc.creation or now_datetime()
	if rules.closed_period(cached_calendar(), get_datetime(received_at)) is None:
		return  # open: nothing to do, no job
	background.after_commit(
		"cs_sop.complaint.notices.after_customer_message",
		ticket=doc.reference_name,
		received_at=str(received_at),
	)


def after_customer_message(ticket: str, received_at) -> bool:
	"""Reply once per closed period when a customer message arrives outside operating hours.

	Callable by any channel that records a customer message (the WhatsApp channel does). True
	when a reply was queued now.
	"""
	if not sop_settings.value("send_out_of_hours_reply"):
		return False
	received_at = get_datetime(received_at)
	calendar = cached_calendar()
	if rules.closed_period(calendar, received_at) is None:
		return False
	last = frappe.db.get_value(TICKET, ticket, "sop_ooh_reply_period", for_update=True)
	period = rules.out_of_hours_reply_due(calendar, received_at, get_datetime(last) if last else None)
	if period is None:
		return False
	context = ticket_context(ticket)
	context["next_opening"] = when(period)
	if not send(ticket, OUT_OF_HOURS, context, _("Out-of-hours replies")):
		return False
	frappe.db.set_value(TICKET, ticket, "sop_ooh_reply_period", period, update_modified=False)
	activity.log(ticket, _("sent the out-of-hours reply (next opening {0})").format(context["next_opening"]))
	return True


def progress_update_preview(ticket: str) -> dict:
	"""The progress update prefilled with the ticket's state, for the agent to edit."""
	subject, body = render(PROGRESS, ticket_context(ticket))
	return {"subject": subject, "message": html_to_text(body)}


def send_progress_update(ticket: str, message: str | None = None) -> dict:
	"""Send a progress update (the agent's text, or the prefilled one); resets the update cadence."""
	frappe.db.get_value(TICKET, ticket, "name", for_update=True)
	subject, body = render(PROGRESS, ticket_context(ticket))
	if message is not None:
		if not message.strip():
			frappe.throw(_("The progress update is empty."))
		body = text_to_html(message)
	if not messaging.send_to_customer(ticket, subject, body, what=_("Progress updates")):
		frappe.throw(
			_(
				"The progress update could not be sent: the customer's channel or outgoing email is not set up."
			)
		)
	now = now_datetime()
	reset_update_cadence(ticket, now)
	frappe.get_doc(
		{
			"doctype": "HD Ticket Comment",
			"reference_ticket": ticket,
			"commented_by": frappe.session.user,
			"content": "<p><b>" + html.escape(_("Progress update sent to the customer")) + "</b></p>" + body,
		}
	).insert(ignore_permissions=True)  # the record of what was sent, for the agents (checked above)
	activity.log(ticket, _("sent a progress update to the customer"))
	return {
		"sent_on": str(now),
		"sop_next_check": str(frappe.db.get_value(TICKET, ticket, "sop_next_check") or ""),
	}


def reset_update_cadence(ticket: str, now) -> None:
	"""A customer update was sent: the cadence starts again (misses 0, next check recomputed).

	The escalation sweep measures the cadence from the last agent response, so that moves too:
	the agent did answer the customer.
	"""
	frappe.db.set_value(
		TICKET,
		ticket,
		{"sop_update_misses": 0, "last_agent_response": now, "sop_last_customer_update": now},
		update_modified=False,
	)
	doc = frappe.get_doc(TICKET, ticket)
	frappe.db.set_value(TICKET, ticket, "sop_next_check", next_check_for(doc), update_modified=False)


def send_solution_notice(sol) -> bool:
	context = ticket_context(sol.ticket)
	context["solution"] = sol.description
	return send(sol.ticket, SOLUTION, context, _("Solution notices"))
