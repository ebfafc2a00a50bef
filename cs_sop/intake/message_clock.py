"""The response clock of every customer message on a chat ticket (WhatsApp, Live Chat, Social Media).

The rules are `cs_sop.core.message_clock`; this module records them:

- Communication `after_insert` (`on_communication`): a customer's message (received) on a chat
  ticket starts a clock when none runs, due *Reply to Every Chat Message Within* operating minutes
  later (SOP Settings), or joins the running one; the agent's reply (sent, not an automated message,
  as Helpdesk's first response counts it) stops it and records the response time in operating
  seconds and whether it was in time. It runs before Helpdesk's own Communication handling saves
  the ticket, and that save plans the sweep's next look with the running clock
  (`cs_sop.core.ladder`): the same sweep warns the agent before the reply is due and escalates on
  breach. Every email passes here too: one primary-key read, then it returns.
- HD Ticket `on_update` (`on_ticket_update`): a ticket resolved or closed while the customer waits
  ends the clock without a reply.

Storage is set-based and system-owned: one *SOP Message Response* row per clock (named after the
message that started it, inserted with INSERT IGNORE and changed with one UPDATE), and the running
clock on the ticket (`sop_waiting_since`, `sop_message_due_on`, `sop_message_warned`, kept through
every save by `cs_sop.field_guard.keep_system_fields`). Both are written under the ticket's row lock,
taken first as the sweep and manual escalations do, in the transaction of the message: two messages
at once share one clock, and a crash leaves nothing half-written.
"""

import frappe
from frappe.query_builder import Case
from frappe.query_builder.functions import Coalesce, Count, Sum
from frappe.utils import get_datetime, now_datetime

from cs_sop import bulk, settings
from cs_sop import reports as r
from cs_sop.core import message_clock as clock
from cs_sop.core.report_stats import rate
from cs_sop.core.status import CLOSED_CATEGORIES
from cs_sop.setup.defaults import settings_defaults
from cs_sop.sla.calendar import cached_calendar

TICKET = "HD Ticket"
RESPONSE = "SOP Message Response"
FIELD = "chat_message_response_minutes"
# the ticket's columns a clock copies (the reports' filters and groups)
_TICKET_COLUMNS = (
	"name",
	"sop_channel",
	"agent_group",
	"sop_agent",
	"ticket_type",
	"priority",
	"sop_request_type",
	"last_agent_response",
	"sop_next_check",
	"sop_waiting_since",
	"sop_message_due_on",
)
_RESPONSE_FIELDS = (
	*bulk.STANDARD_COLUMNS,
	"ticket",
	"channel",
	"customer_message",
	"messages",
	"received_on",
	"due_on",
	"agent",
	"team",
	"category",
	"priority",
	"request_type",
	"met",
	"response_operating_seconds",
)


def on_communication(doc, method=None):
	"""Communication after_insert (see the module docstring)."""
	if doc.reference_doctype != TICKET or not doc.reference_name:
		return
	if doc.communication_type not in (None, "", "Communication"):
		return  # automated messages and notifications are nobody's reply
	if doc.sent_or_received not in (clock.RECEIVED, clock.SENT):
		return
	channel, waiting = frappe.db.get_value(
		TICKET, doc.reference_name, ["sop_channel", "sop_waiting_since"]
	) or (None, None)
	if not clock.is_chat(channel):
		return
	if doc.sent_or_received == clock.SENT and not waiting:
		return  # nobody waits: a second reply, or a message the agent starts
	at = get_datetime(doc.communication_date or doc.creation) or now_datetime()
	ticket = _locked_ticket(doc.reference_name)
	if doc.sent_or_received == clock.RECEIVED:
		_received(ticket, doc.name, at)
	else:
		_answered(ticket, doc, at)


def _locked_ticket(name: str) -> frappe._dict:
	"""The ticket row, locked: the clock's writes happen in the sweep's lock order (ticket first)."""
	T = frappe.qb.DocType(TICKET)
	row = frappe.qb.from_(T).select(*(T[c] for c in _TICKET_COLUMNS)).where(T.name == name).for_update()
	found = row.run(as_dict=True)
	return found[0] if found else frappe._dict()


def _calendar():
	calendar = cached_calendar()
	timed = bool(calendar.hours)
	return (calendar.add if timed else None), (calendar.elapsed if timed else None)


def minutes() -> int:
	return settings.int_value(FIELD) or int(settings_defaults()[FIELD])  # 0: not set


def _running(m):
	return m.answered_on.isnull() & m.closed_on.isnull()


def _received(ticket: frappe._dict, message: str, at) -> None:
	if not ticket.name:
		return
	last_reply = get_datetime(ticket.last_agent_response) if ticket.last_agent_response else None
	if last_reply and at <= last_reply:
		return  # a late-delivered message the agent has answered since
	m = frappe.qb.DocType(RESPONSE)
	add, _elapsed = _calendar()
	if ticket.sop_waiting_since:
		# one clock for consecutive messages: count it, and start it at the oldest one
		query = frappe.qb.update(m).set(m.messages, m.messages + 1).where(m.ticket == ticket.name)
		since = get_datetime(ticket.sop_waiting_since)
		if at < since:
			due = clock.due(at, minutes(), add)
			query = query.set(m.received_on, at).set(m.due_on, due).set(m.customer_message, message)
			_set_ticket(ticket, {"sop_waiting_since": at, "sop_message_due_on": due})
		query.where(_running(m)).run()
		return
	started = clock.start(at, minutes(), add)
	now = now_datetime()
	bulk.insert(
		RESPONSE,
		_RESPONSE_FIELDS,
		[
			(
				message,
				now,
				now,
				"Administrator",
				"Administrator",
				ticket.name,
				ticket.sop_channel,
				message,
				1,
				started.received_on,
				started.due_on,
				ticket.sop_agent,
				ticket.agent_group,
				ticket.ticket_type,
				ticket.priority,
				ticket.sop_request_type,
				0,
				0,
			)
		],
		ignore_duplicates=True,  # the same message twice is one clock
	)
	_set_ticket(
		ticket,
		{
			"sop_waiting_since": started.received_on,
			"sop_message_due_on": started.due_on,
			"sop_message_warned": 0,
		},
	)


def _set_ticket(ticket: frappe._dict, values: dict) -> None:
	"""The running clock on the ticket, without `modified`; the sweep looks again by the due moment
	at the latest (the ticket's save that follows plans the exact moment)."""
	due = values.get("sop_message_due_on")
	current = get_datetime(ticket.sop_next_check) if ticket.sop_next_check else None
	if due and (not current or due < current):
		values["sop_next_check"] = due
	T = frappe.qb.DocType(TICKET)
	query = frappe.qb.update(T).where(T.name == ticket.name)
	for column, value in values.items():
		query = query.set(T[column], value)
	query.run()


def _answered(ticket: frappe._dict, doc, at) -> None:
	if not ticket.sop_waiting_since:
		return  # another reply stopped it while this one waited for the lock
	_add, elapsed = _calendar()
	waited = clock.Response(
		received_on=get_datetime(ticket.sop_waiting_since), due_on=get_datetime(ticket.sop_message_due_on)
	)
	done = clock.answer(waited, at, elapsed)
	user = doc.owner if doc.owner and doc.owner != "Guest" else frappe.session.user
	m = frappe.qb.DocType(RESPONSE)
	(
		frappe.qb.update(m)
		.set(m.answered_on, done.answered_on)
		.set(m.response_operating_seconds, done.seconds)
		.set(m.met, 1 if done.met else 0)
		.set(m.reply, doc.name)
		.set(m.answered_by, user)
		.set(m.agent, user or ticket.sop_agent)
		# the reports group by what the ticket is when it was answered
		.set(m.team, ticket.agent_group)
		.set(m.category, ticket.ticket_type)
		.set(m.priority, ticket.priority)
		.set(m.request_type, ticket.sop_request_type)
		.set(m.modified, now_datetime())
		.where(m.ticket == ticket.name)
		.where(_running(m))
		.run()
	)
	_set_ticket(ticket, {"sop_waiting_since": None, "sop_message_due_on": None, "sop_message_warned": 0})


def on_ticket_update(doc, method=None):
	"""HD Ticket on_update: resolved or closed while the customer waits ends the clock unanswered."""
	if doc.status_category not in CLOSED_CATEGORIES or not doc.get("sop_waiting_since"):
		return
	ticket = _locked_ticket(doc.name)
	if not ticket.sop_waiting_since:
		return
	now = now_datetime()
	m = frappe.qb.DocType(RESPONSE)
	(
		frappe.qb.update(m)
		.set(m.closed_on, now)
		.set(m.met, 0)
		.set(m.modified, now)
		.where(m.ticket == doc.name)
		.where(_running(m))
		.run()
	)
	values = {"sop_waiting_since": None, "sop_message_due_on": None, "sop_message_warned": 0}
	_set_ticket(ticket, dict(values))
	doc.update(values)


# ---------- reports ----------

# report "group by" option / filter name -> SOP Message Response column
GROUPS = {
	"Team": "team",
	"Agent": "agent",
	"Channel": "channel",
	"Priority": "priority",
	"Category": "category",
	"Request Type": "request_type",
}
FILTERS = {
	"team": "team",
	"agent": "agent",
	"channel": "channel",
	"category": "category",
	"priority": "priority",
	"request_type": "request_type",
}


def _count(criterion):
	return Sum(Case().when(criterion, 1).else_(0))


def report_figures(f, group: str, closed_by_exception: bool = False) -> tuple[dict, dict]:
	"""The chat message responses of the messages received in the period, per value of the report's
	group and overall: clocks, decided (answered, or past due while waiting or when the ticket was
	closed), met, met %, breaches, median and 90th percentile of the response (operating seconds).
	One grouped scan of the covering index (`sop_message_report_index`), percentiles from its
	GROUP_CONCAT, as the ticket figures."""
	m = frappe.qb.DocType(RESPONSE)
	start, end = r.day_bounds(f)
	where = (m.received_on >= start) & (m.received_on < end)
	for key, column in FILTERS.items():
		if f.get(key):
			where &= m[column] == f.get(key)
	if closed_by_exception:
		T = frappe.qb.DocType(TICKET)
		where &= m.ticket.isin(frappe.qb.from_(T).select(T.name).where(T.sop_close_exception_on.isnotnull()))
	decided = m.answered_on.isnotnull() | (m.due_on < Coalesce(m.closed_on, now_datetime()))
	column = GROUPS[group]
	r.allow_long_concat()
	rows = (
		frappe.qb.from_(m)
		.select(
			m[column].as_("grp"),
			Count("*").as_("messages"),
			_count(decided).as_("decided"),
			_count(m.met == 1).as_("met"),
			r.concat_values(m.response_operating_seconds, m.answered_on.isnotnull()).as_("msg_values"),
		)
		.where(where)
		.groupby(m[column])
		.run(as_dict=True)
	)
	by_group, overall = r.percentiles_of(rows, "msg_values")
	figures = {row.grp: _figures(row, by_group.get(row.grp, {})) for row in rows}
	total = frappe._dict({k: sum(int(row[k] or 0) for row in rows) for k in ("messages", "decided", "met")})
	return figures, _figures(total, overall)


def _figures(row, percentiles: dict) -> dict:
	decided, met = int(row.decided or 0), int(row.met or 0)
	return {
		"msg_count": int(row.messages or 0),
		"msg_met_pct": rate(met, decided),
		"msg_median": r.minutes(percentiles.get(50)),
		"msg_p90": r.minutes(percentiles.get(90)),
		"msg_breaches": decided - met,
	}


EMPTY = {"msg_count": 0, "msg_met_pct": None, "msg_median": None, "msg_p90": None, "msg_breaches": 0}
