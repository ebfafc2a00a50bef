"""One ticket's life, as the people in it would live it, through Helpdesk's and cs_sop's own code.

A story is a generator: it does one step as its actor (customer, agent, supervisor, department
head) at the simulated moment, then yields the moment of its next step (`cs_sop.demo.simulate`
runs all stories in time order). Nothing here writes a computed field: the SOP fields, SLA
targets, report facts, escalations, solutions, confirmations and surveys are what cs_sop's hooks
and actions make of these steps.

A customer's *No* is recorded by the agent (phone) or given on the portal, not through the link:
the link's No, as cs_sop is now, fails on a ticket with assigned agents (the answer is written in
the customer's name and Helpdesk's agent notification needs that name to be a User).
"""

from datetime import timedelta

import frappe

from cs_sop.api import complaint as api_complaint
from cs_sop.api.escalation import acknowledge, escalate
from cs_sop.closure import answers as survey_answers
from cs_sop.closure import confirmation as confirmations
from cs_sop.closure import survey as surveys
from cs_sop.closure.actions import resolve as close_form
from cs_sop.complaint import access
from cs_sop.core.status import CLOSED_CATEGORIES
from cs_sop.demo.sandbox import as_user
from cs_sop.graph import inbox
from cs_sop.whatsapp import inbound

TICKET = "HD Ticket"
ADMIN = "Administrator"
AGENT_MADE = ("Phone", "Live Chat", "Social Media", "Walk-in")


def life(w, p):
	"""The story of plan `p` (see `simulate.plan_ticket`) in world `w`."""
	name = open_ticket(w, p)
	if not name:
		return
	p.ticket = name
	w.register(name)
	if p.channel not in AGENT_MADE:
		yield w.after_operating(p.pickup_minutes * 60)
		with as_user(p.agent):
			frappe.get_doc(TICKET, name).assign_agent(p.agent)
			classify(name, p)
	yield w.after_target(name, "response_by", p.response_factor)
	reply(w, p, w.pick("replies"))
	if p.followup:
		yield w.now + timedelta(hours=w.rng.uniform(1, 20))
		customer_message(w, p, w.pick("followups").format(n=w.rng.randint(10000, 99999)))
		yield w.after_operating(w.rng.uniform(10, 90) * 60)
		reply(w, p, w.pick("updates"))
	if p.escalate:
		yield w.after_operating(w.rng.uniform(15, 120) * 60)
		yield from escalation(w, p)
	if p.solution:
		yield from solution(w, p)
	yield w.after_target(name, "resolution_by", p.resolution_factor)
	resolve(w, p)
	yield from confirmation(w, p)


def open_ticket(w, p) -> str | None:
	"""The customer's first message on their channel (an agent records calls, chats and visits)."""
	c = p.customer
	if p.channel == "WhatsApp":
		if inbox.open_ticket_for(c.phone, "WhatsApp"):
			p.channel = "Email"  # their open WhatsApp chat would take the message: they email instead
			return open_ticket(w, p)
		with as_user(ADMIN):  # the webhook job runs as the system
			message = {
				"id": f"wamid.demo-{frappe.generate_hash(length=16)}",
				"from": c.phone,
				"timestamp": str(int(w.now_utc().timestamp())),
				"type": "text",
				"text": {"body": p.item["message"]},
			}
			name = inbound.receive(message, c.name)
			inbox.release_locks()
		return name
	if p.channel == "Web Portal":
		from helpdesk.helpdesk.doctype.hd_ticket.api import new

		with as_user(c.email):
			return new({"subject": p.item["subject"], "description": p.item["message"]}).name
	if p.channel == "Email":
		with as_user(ADMIN):  # Frappe's email intake runs as Administrator
			doc = frappe.get_doc(
				{
					"doctype": TICKET,
					"subject": p.item["subject"],
					"raised_by": c.email,
					"sop_channel": "Email",
				}
			).insert(ignore_permissions=True)
			_received(doc.name, c.email, p.item["subject"], p.item["message"])
		return doc.name
	with as_user(p.agent):  # the agent opens the ticket during the call, chat or visit
		doc = frappe.get_doc(
			{
				"doctype": TICKET,
				"subject": p.item["subject"],
				"description": p.item["message"],
				"raised_by": c.email,
				"contact": c.contact,
				"sop_channel": p.channel,
				"ticket_type": p.category,
				"sop_request_type": p.item["type"],
				"sop_impact": p.item["impact"],
				"sop_urgency": p.urgency,
			}
		).insert()
		doc.assign_agent(p.agent)
	return doc.name


def _received(ticket: str, sender: str, subject: str, content: str) -> None:
	"""An email from the customer, as Frappe's email intake records it."""
	frappe.get_doc(
		{
			"doctype": "Communication",
			"communication_type": "Communication",
			"communication_medium": "Email",
			"sent_or_received": "Received",
			"email_status": "Open",
			"status": "Linked",
			"subject": subject,
			"content": content,
			"sender": sender,
			"reference_doctype": TICKET,
			"reference_name": ticket,
		}
	).insert(ignore_permissions=True)


def classify(name: str, p) -> None:
	"""The agent fills request type, category, impact and urgency (priority follows the matrix)."""
	doc = frappe.get_doc(TICKET, name)
	doc.sop_request_type = p.item["type"]
	doc.ticket_type = p.category
	doc.sop_impact = p.item["impact"]
	doc.sop_urgency = p.urgency
	doc.save()


def reply(w, p, message: str) -> None:
	with as_user(p.agent):
		doc = frappe.get_doc(TICKET, p.ticket)
		doc.reply_via_agent(f"<p>{message}</p>", to=doc.raised_by)


def customer_message(w, p, message: str) -> None:
	c = p.customer
	if p.channel == "WhatsApp":
		with as_user(ADMIN):
			inbound.receive(
				{
					"id": f"wamid.demo-{frappe.generate_hash(length=16)}",
					"from": c.phone,
					"timestamp": str(int(w.now_utc().timestamp())),
					"type": "text",
					"text": {"body": message},
				},
				c.name,
			)
			inbox.release_locks()
	elif p.channel == "Web Portal":
		with as_user(c.email):
			frappe.get_doc(TICKET, p.ticket).create_communication_via_contact(f"<p>{message}</p>")
	else:
		with as_user(ADMIN):
			_received(p.ticket, c.email, f"Re: {p.item['subject']}", f"<p>{message}</p>")


def escalation(w, p):
	reason = p.escalate
	with as_user(p.agent):
		try:
			esc = escalate(p.ticket, reason, w.data["escalations"][reason])
		except frappe.ValidationError:
			# refused as the agent would be told (e.g. the sweep already took it to the top level)
			frappe.clear_messages()
			return
	w.count("escalations")
	if p.ack_minutes is None:
		return
	yield w.now + timedelta(minutes=p.ack_minutes)
	if _done(p.ticket) or frappe.db.get_value("SOP Escalation", esc, "status") != "Open":
		return
	level = frappe.db.get_value("SOP Escalation", esc, "level")
	receiver = w.staff["supervisor" if level == 1 else "ops_manager"][0]
	with as_user(receiver):
		acknowledge(esc)
	w.count("acknowledged")


def solution(w, p):
	rejected = p.solution == "rejected"
	for attempt in range(2 if rejected else 1):
		yield w.after_operating(w.rng.uniform(15, 90) * 60)
		with as_user(p.agent):
			name = api_complaint.propose(
				p.ticket,
				w.pick_for("solutions", p.category),
				action_owner=p.agent,
				cost_impact=w.pick("cost_notes"),
			)
			api_complaint.submit_for_approval(name)
		w.count("solutions")
		yield w.after_operating(w.rng.uniform(0.3, 5) * 3600)
		head = w.staff["department_head"][0]
		if not access.can_decide(frappe.get_doc("SOP Solution", name), head):
			return  # the category names its own approver: the demo leaves the decision to them
		with as_user(head):
			if rejected and attempt == 0:
				api_complaint.reject(name, w.pick("rejection_reasons"))
				w.count("rejected")
				continue
			api_complaint.approve(name)
		w.count("approved")
	yield w.after_operating(w.rng.uniform(10, 60) * 60)
	with as_user(p.agent):
		api_complaint.send_solution(name)


def resolve(w, p) -> None:
	root = w.pick_for("root_causes", p.category) if p.item["type"] == "Complaint" else None
	with as_user(p.agent):
		close_form(p.ticket, f"<p>{w.pick_for('resolutions', p.category)}</p>", root)


def confirmation(w, p):
	"""The customer's answer to the confirmation request, then the survey."""
	answer = p.confirmation
	if answer == "none":
		while not _closed(p.ticket):  # closed by the scheduler's auto-close after N working days
			yield w.now + timedelta(hours=6)
	else:
		yield w.now + timedelta(hours=w.rng.uniform(0.5, 30))
		portal = p.channel == "Web Portal"
		if answer == "yes":
			row = frappe.db.get_value(TICKET, p.ticket, "sop_confirmation_requested_on")
			with as_user("Guest"):  # the link in the message: no login, the token is the permission
				confirmations.confirm_by_token(
					p.ticket, confirmations.confirmation_token(p.ticket, row), True
				)
		elif portal:
			with as_user(p.customer.email):
				confirmations.confirm(p.ticket, answer == "agent", w.pick("not_resolved"))
		else:
			# the customer calls (or comes by): the agent records the answer; a No comes this way
			# (see the module's note)
			via = "In Person" if p.channel == "Walk-in" else "Phone"
			with as_user(p.agent):
				confirmations.confirm(p.ticket, answer == "agent", w.pick("not_resolved"), via=via)
		if answer == "no":
			w.count("reopened")
			yield w.after_operating(w.rng.uniform(20, 120) * 60)
			reply(w, p, w.pick("updates"))
			yield w.after_operating(w.rng.uniform(1, 6) * 3600)
			resolve(w, p)
			p.confirmation, p.unhappy = "yes", True
			yield from confirmation(w, p)
			return
	yield from survey(w, p)


def survey(w, p):
	name = surveys.survey_name(p.ticket)
	if p.csat is None or not frappe.db.exists("SOP Survey", name):
		return
	yield w.now + timedelta(hours=w.rng.uniform(0.2, 40))
	csat = max(1, p.csat - 2) if p.unhappy else p.csat
	comment = w.rng.choice(w.data["comments"][str(csat)])
	with as_user("Guest"):
		survey_answers.submit(
			surveys.token_of(name),
			csat,
			"Yes" if csat >= 3 else "No",
			nps=min(10, max(0, csat * 2 + w.rng.randint(-2, 0))),
			ces=max(1, min(7, 7 - csat + w.rng.randint(-1, 1))),
			comment=comment,
			low_score_reason=w.pick("low_reasons") if csat <= 2 else None,
		)
	w.count("surveys_answered")


def _done(ticket: str) -> bool:
	return frappe.db.get_value(TICKET, ticket, "status_category") in CLOSED_CATEGORIES


def _closed(ticket: str) -> bool:
	return frappe.db.get_value(TICKET, ticket, "status") == "Closed"
