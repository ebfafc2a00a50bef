"""What a person needs before resolving or closing a ticket (SOP stage 6): the closure form, the
customer's confirmation (or a supervisor's exception), and for a complaint its classification and,
when its category says so, an approved solution sent. The rules are `cs_sop.core.gates` and
`cs_sop.core.confirmation`."""

import frappe
from frappe import _

from cs_sop import settings
from cs_sop.core import gates
from cs_sop.users import is_portal_customer

TICKET = "HD Ticket"


def person_at_work() -> bool:
	"""A person's request (agent UI, desk, REST), or a job a person started (Frappe's bulk edit):
	the gates apply. Not a scheduler job, the email pull, a console or a test run as
	Administrator, nor install and migrate: those are the system."""
	if frappe.flags.in_install or frappe.flags.in_migrate or frappe.flags.in_patch:
		return False
	if frappe.session.user == "Guest":
		return False  # a guest writes no ticket: only server code that checked a token or key does
	if getattr(frappe.local, "request", None):
		return True
	return frappe.session.user != "Administrator"


def merged_into_other(doc) -> bool:
	"""Helpdesk's merge closes the duplicate and points it at the ticket that goes on."""
	return bool(
		doc.get("is_merged")
		and doc.get("merged_with")
		and doc.merged_with != doc.name
		and frappe.db.exists(TICKET, doc.merged_with)
	)


def check_close(doc) -> None:
	"""A person moves a ticket to Closed: only its customer (Helpdesk's portal Close is their
	confirmation), Helpdesk's merge of a duplicate into another ticket, or a supervisor's exception
	(`close_with_exception`). The customer's confirmation by link, portal or phone and the
	automatic close after N working days are `close_resolved`."""
	if not settings.int_value("close_needs_confirmation") or not person_at_work():
		return
	if gates.may_close_by_hand(
		is_portal_customer(),
		set(frappe.get_roles()),
		doc.flags.get("cs_sop_close_exception"),
		merged_into_other(doc),
	):
		return
	days = settings.int_value("confirmation_days")
	frappe.throw(
		_(
			"Ticket {0} cannot be closed yet: it needs the customer's confirmation. It closes when "
			"the customer confirms (link, portal, or an agent's Record Confirmation of a phone call "
			"or visit), automatically after {1} working days without an answer, or by a supervisor's "
			"exception with a reason (Close with Exception)."
		).format(doc.name, days),
		title=_("Customer confirmation needed"),
	)


def check_complaint_gates(doc) -> None:
	"""A complaint is resolved only once classified and, when its category requires it, once an
	approved SOP Solution was sent to the customer."""
	if doc.get("sop_request_type") != gates.COMPLAINT:
		return
	check_classified(doc, _("Before resolving complaint {0}, classify it: {1}."))
	requires = frappe.get_cached_value("HD Ticket Type", doc.ticket_type, "sop_requires_approved_solution")
	if gates.solution_missing(doc.sop_request_type, requires, solution_sent(doc.name)):
		frappe.throw(
			_(
				"Complaint {0} (category {1}) can be resolved only after an approved solution was "
				"sent to the customer: propose an SOP Solution, have it approved, then send it."
			).format(doc.name, _(doc.ticket_type)),
			title=_("Approved solution needed"),
		)


def check_classified(doc, message: str) -> None:
	"""A complaint has a real category, impact and urgency; else `message` names what is missing."""
	missing = gates.classification_missing(
		doc.get("sop_request_type"), doc.get("ticket_type"), doc.get("sop_impact"), doc.get("sop_urgency")
	)
	if missing:
		labels = {"ticket_type": _("Category"), "sop_impact": _("Impact"), "sop_urgency": _("Urgency")}
		frappe.throw(
			message.format(doc.name, ", ".join(labels[m] for m in missing)),
			title=_("Complaint not classified"),
		)


def solution_sent(ticket: str) -> bool:
	"""An approved SOP Solution of the ticket was sent to the customer (cs_sop.complaint.solution)."""
	return bool(frappe.db.exists("SOP Solution", {"ticket": ticket, "status": "Sent"}))
