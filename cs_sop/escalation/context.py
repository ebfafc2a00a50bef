"""What one sweep (or one ticket save) reads once: levels, settings, calendar, update intervals."""

from datetime import datetime

import frappe
from frappe.utils import get_datetime

from cs_sop import settings as sop_settings
from cs_sop.core import ladder

# SWEEP_FIELDS: written only by the sweep; LADDER_FIELDS: the ladder's round, set when a ticket is
# reopened. Both system-owned: kept through every save (cs_sop.field_guard.keep_system_fields)
from cs_sop.core.gates import LADDER_FIELDS, SWEEP_FIELDS  # noqa: F401 (re-exported)
from cs_sop.cs_sop.doctype.sop_escalation_level.sop_escalation_level import as_rules, get_levels
from cs_sop.sla.calendar import cached_calendar

TICKET = "HD Ticket"
ESCALATION = "SOP Escalation"
DATETIME_COLUMNS = (
	"service_level_agreement_creation",
	"response_by",
	"first_responded_on",
	"resolution_by",
	"last_agent_response",
	"sop_ladder_start",
	"sop_ladder_resolution_by",
	"sop_waiting_since",
	"sop_message_due_on",
)
TICKET_COLUMNS = (
	"name",
	"subject",
	"priority",
	"ticket_type",
	"status_category",
	"_assign",
	"agent_group",
	*DATETIME_COLUMNS,
	*SWEEP_FIELDS,
	"sop_escalation_round",
	"sop_message_warned",
)
INTERVALS_KEY = "cs_sop:update_intervals"


def escalation_name(ticket: str, level: int, round_: int | None = 1) -> str:
	"""One escalation per ticket, ladder round and level (the primary key enforces it)."""
	if (round_ or 1) <= 1:
		return f"{ticket}-L{level}"
	return f"{ticket}-R{round_}-L{level}"


def parse(row: dict) -> dict:
	"""A ticket row with its datetime columns as datetimes (as the pure plan expects)."""
	for column in DATETIME_COLUMNS:
		value = row.get(column)
		if value and not isinstance(value, datetime):
			row[column] = get_datetime(value)
	return row


def update_intervals() -> dict[str, int]:
	"""Priority -> customer-update interval (operating minutes), cached until a priority changes."""
	return frappe.cache.get_value(
		INTERVALS_KEY,
		generator=lambda: dict(
			frappe.get_all("HD Ticket Priority", fields=["name", "sop_update_interval"], as_list=True)
		),
	)


def clear_update_intervals(doc=None, method=None):
	frappe.cache.delete_value(INTERVALS_KEY)


class Context:
	"""Configuration read once per sweep (or per ticket save)."""

	def __init__(self):
		self.levels = get_levels()
		self.by_level = {lv["level"]: lv for lv in self.levels}
		settings = sop_settings.get()
		self.calendar = cached_calendar()
		timed = bool(self.calendar.hours)
		self.config = ladder.Config(
			levels=as_rules(self.levels),
			enabled=bool(settings.enable_escalation),
			warn_share=(settings.warning_share_left or 0) / 100,
			add=self.calendar.add if timed else None,
			elapsed=self.calendar.elapsed if timed else None,
			intervals={k: v or 0 for k, v in (update_intervals() or {}).items()},
		)

	def ack_due(self, level: int, start: datetime) -> datetime | None:
		"""The acknowledgement deadline of an escalation to `level` made at `start` (operating time)."""
		minutes = (self.by_level.get(level) or {}).get("ack_minutes") or 0
		if not minutes:
			return None
		if self.config.add:
			return self.config.add(start, minutes * 60)
		return frappe.utils.add_to_date(start, minutes=minutes)

	def plan(self, row: dict, esc: dict | None, now: datetime) -> ladder.Plan:
		return ladder.plan(row, esc, self.config, now)


def next_check_for(doc, ctx: Context | None = None) -> datetime | None:
	"""The ticket's next sweep moment, for a ticket being saved (decides nothing)."""
	esc = None
	level = doc.get("sop_escalation_level") or 0
	if level:
		esc = frappe.db.get_value(
			ESCALATION,
			escalation_name(doc.name, level, doc.get("sop_escalation_round")),
			["creation", "status"],
			as_dict=True,
		)
	row = parse({c: doc.get(c) for c in TICKET_COLUMNS})
	# far past `now`: only moments, no decisions, are wanted here
	return (ctx or Context()).plan(row, esc, datetime.min).updates["sop_next_check"]
