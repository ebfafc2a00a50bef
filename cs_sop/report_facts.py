"""Facts the SOP reports read, stored on HD Ticket when the event happens (never recomputed per row).

- `sop_first_response_seconds`, `sop_resolution_seconds`: operating time (SOP operating hours and
  holidays, `cs_sop.sla.calendar.cached_calendar()`) from the ticket's creation to Helpdesk's
  `first_responded_on` / `resolution_date`, set in the save that records them;
- `sop_reopen_count`: +1 each time a Resolved/Closed ticket opens again;
- `sop_agent`: the first assignee, kept in step with Helpdesk's assignment (ToDo) so reports group
  and filter by agent over an index instead of parsing `_assign` JSON;
- `sop_subject_key`: the normalised subject (`cs_sop.core.report_stats.subject_key`).

`backfill()` (patch) computes them for tickets that existed before, with one select and bulk
updates. `add_indexes()` adds the indexes the reports filter on.
"""

import frappe
from frappe.utils import get_datetime

from cs_sop import bulk
from cs_sop.core.report_stats import subject_key
from cs_sop.core.status import CLOSED_CATEGORIES
from cs_sop.sla.calendar import cached_calendar
from cs_sop.users import first_assignee

TICKET = "HD Ticket"
SURVEY = "SOP Survey"

# what the period reports (SLA compliance, agent performance) filter on besides the period, and
# every column their aggregates read
_REPORT_FILTERS = ("agent_group", "sop_channel", "priority", "ticket_type", "sop_agent")
_REPORT_TARGETS = (
	"response_by",
	"first_responded_on",
	"resolution_by",
	"resolution_date",
	"sop_first_response_seconds",
	"sop_resolution_seconds",
)
_REPORT_AGENT_FACTS = ("sop_update_misses", "sop_reopen_count")


# MariaDB generated columns (VIRTUAL: computed, never stored in the row, kept in the indexes
# above), unknown to Frappe's meta: the root cause (a text column, which no index can hold) as a
# short key when it fits, and a flag for the rare longer ones, which the report reads from the rows
VIRTUAL_COLUMNS = (
	(
		TICKET,
		"sop_root_cause_key",
		"VARCHAR(140) AS (IF(CHAR_LENGTH(`sop_root_cause`) <= 140, `sop_root_cause`, NULL)) VIRTUAL",
	),
	(TICKET, "sop_root_cause_long", "TINYINT AS (CHAR_LENGTH(`sop_root_cause`) > 140) VIRTUAL"),
)
_CAUSES = ("sop_root_cause_key", "sop_applied_solution")
_SURVEY_GROUPS = ("agent", "team", "channel", "category")
_SURVEY_SCORES = ("csat", "nps", "ces", "problem_solved")


def _led_by(column: str, *more: str) -> tuple[str, ...]:
	"""`column`, the period, the other filters, then `more`."""
	return (column, "opening_date", *(c for c in _REPORT_FILTERS if c != column), *more)


# (table, index name, columns)
INDEXES = (
	# the period, and each day's stamp of the per-day summary (SOP Report Day): the tickets of a
	# day with what its stamp reads (`modified`, and the two report columns written without it)
	(TICKET, "sop_report_stamp_index", ("opening_date", "modified", "sop_agent", "sop_update_misses")),
	# recurring complaints by category / subject / customer: grouped in index order, customers
	# counted, root causes and applied solutions grouped from the index (`VIRTUAL_COLUMNS`)
	(TICKET, "sop_recurring_by_category_index", ("ticket_type", "opening_date", "raised_by", *_CAUSES)),
	(TICKET, "sop_recurring_by_subject_index", ("sop_subject_key", "opening_date", "raised_by", *_CAUSES)),
	(TICKET, "sop_recurring_by_customer_index", ("raised_by", "opening_date", *_CAUSES)),
	# the few root causes longer than the key: found without reading the other rows
	(TICKET, "sop_root_cause_long_index", ("sop_root_cause_long", "opening_date")),
	# covering index of the period reports: the period, the filters and groups (all but request
	# type) and every column their aggregates read, so a month or a year of tickets is read from
	# the index alone, never from the wide ticket rows
	(
		TICKET,
		"sop_report_index",
		("opening_date", *_REPORT_FILTERS, *_REPORT_TARGETS, *_REPORT_AGENT_FACTS),
	),
	# the same, led by the report's default group (SLA compliance by team; agent performance and
	# SLA compliance by agent): MariaDB then groups in index order. Grouping a year through a
	# temporary table, with the percentiles' GROUP_CONCAT, costs ~1 s; in index order ~0.1 s
	(TICKET, "sop_team_report_index", _led_by("agent_group", *_REPORT_TARGETS)),
	(TICKET, "sop_agent_report_index", _led_by("sop_agent", *_REPORT_TARGETS, *_REPORT_AGENT_FACTS)),
	# satisfaction by agent (its default group, and agent performance's CSAT), covering its filters
	(SURVEY, "sop_survey_agent_index", ("agent", "sent_on", "team", "channel", "category", *_SURVEY_SCORES)),
	# workspace cards: open tickets and their running target
	(
		TICKET,
		"sop_open_targets_index",
		("status_category", "first_responded_on", "response_by", "resolution_by"),
	),
)
INDEXES += (
	# the per-day summary: one dimension's rows of a period
	("SOP Report Day", "sop_report_day_index", ("dimension", "day", "value")),
)
INDEXES += (
	# the escalation register's summary and page (newest first), and agent performance's
	# escalations raised / received: a year of escalations from the index alone
	(
		"SOP Escalation",
		"sop_escalation_register_index",
		("creation", "level", "reason", "status", "ack_due", "acknowledged_on"),
	),
	(
		"SOP Escalation",
		"sop_escalation_people_index",
		("creation", "is_automatic", "escalated_by", "escalated_to_user", "acknowledged_by"),
	),
	# satisfaction grouped by channel, category, team (by agent: `sop_survey_agent_index`)
	*(
		(
			SURVEY,
			f"sop_survey_{col}_index",
			(col, "sent_on", *(c for c in _SURVEY_GROUPS if c != col), *_SURVEY_SCORES),
		)
		for col in ("channel", "category", "team")
	),
)
# SOP Escalation is read by its `creation` (Frappe indexes it) and `ticket` (search_index)


def operating_seconds(start, end) -> int:
	if not start or not end:
		return 0
	return int(cached_calendar().elapsed(get_datetime(start), get_datetime(end)))


def before_save(doc, method=None):
	"""HD Ticket before_save (after Helpdesk's own, which set first response and resolution)."""
	before = doc.get_doc_before_save()
	start = doc.creation or doc.opening_date
	if doc.first_responded_on:
		if not before or str(before.first_responded_on or "") != str(doc.first_responded_on):
			doc.sop_first_response_seconds = operating_seconds(start, doc.first_responded_on)
	else:
		doc.sop_first_response_seconds = 0
	if doc.resolution_date:
		if not before or str(before.resolution_date or "") != str(doc.resolution_date):
			doc.sop_resolution_seconds = operating_seconds(start, doc.resolution_date)
	else:
		doc.sop_resolution_seconds = 0
	if before:
		# set by the assignment hook without touching `modified`: an older copy must not undo it
		doc.sop_agent = before.get("sop_agent")
		if before.status_category in CLOSED_CATEGORIES and doc.status_category == "Open":
			doc.sop_reopen_count = (before.get("sop_reopen_count") or 0) + 1
	if not before or before.subject != doc.subject or not doc.sop_subject_key:
		doc.sop_subject_key = subject_key(doc.subject)


def on_assignment_change(todo, method=None):
	"""ToDo on_update / after_delete: the ticket's first assignee into `sop_agent` (no `modified`)."""
	if todo.reference_type != TICKET or not todo.reference_name:
		return
	assign = frappe.db.get_value(TICKET, todo.reference_name, "_assign")
	agent = first_assignee(assign)
	if frappe.db.get_value(TICKET, todo.reference_name, "sop_agent") != agent:
		frappe.db.set_value(TICKET, todo.reference_name, "sop_agent", agent, update_modified=False)


# indexes an earlier version added, now covered by the ones above
OBSOLETE_INDEXES = (
	(TICKET, "sop_subject_key_index"),
	(TICKET, "sop_opening_date_index"),
	(TICKET, "sop_recurring_category_index"),
	(TICKET, "sop_recurring_subject_index"),
	(TICKET, "sop_recurring_customer_index"),
)


def _column_exists(doctype: str, column: str) -> bool:
	"""From the schema itself: Frappe's column cache knows only its own fields, not these."""
	return bool(
		frappe.db.sql(
			"""select 1 from information_schema.columns
			where table_schema = database() and table_name = %s and column_name = %s""",
			(f"tab{doctype}", column),
		)
	)


def add_indexes():
	for doctype, name, definition in VIRTUAL_COLUMNS:
		# only when missing: any ALTER commits the open transaction (MariaDB), even a no-op one
		if not _column_exists(doctype, name):
			# fixed names and definitions; a virtual column is added without copying the table
			frappe.db.sql_ddl(f"ALTER TABLE `tab{doctype}` ADD COLUMN `{name}` {definition}")  # nosemgrep
	for doctype, name, columns in INDEXES:
		frappe.db.add_index(doctype, list(columns), index_name=name)
	for doctype, name in OBSOLETE_INDEXES:
		if frappe.db.has_index(f"tab{doctype}", name):
			frappe.db.sql_ddl(f"ALTER TABLE `tab{doctype}` DROP INDEX `{name}`")  # nosemgrep: fixed names


def drop_indexes():
	"""Uninstall: the indexes and virtual columns cs_sop added to HD Ticket go (its own doctypes'
	tables are dropped by Frappe); the `sop_*` data columns stay, as the uninstall keeps them."""
	for doctype, name, _columns in INDEXES:
		if doctype == TICKET and frappe.db.has_index(f"tab{doctype}", name):
			frappe.db.sql_ddl(f"ALTER TABLE `tab{doctype}` DROP INDEX `{name}`")  # nosemgrep: fixed names
	for doctype, name, _definition in VIRTUAL_COLUMNS:
		if _column_exists(doctype, name):
			frappe.db.sql_ddl(f"ALTER TABLE `tab{doctype}` DROP COLUMN `{name}`")  # nosemgrep: fixed names


def backfill():
	"""Set the facts on tickets saved before cs_sop stored them. Idempotent; one select per chunk."""
	t = frappe.qb.DocType(TICKET)
	last = ""
	while True:
		rows = (
			frappe.qb.from_(t)
			.select(
				t.name,
				t.creation,
				t.subject,
				t.first_responded_on,
				t.resolution_date,
				t._assign,
				t.sop_first_response_seconds,
				t.sop_resolution_seconds,
				t.sop_agent,
				t.sop_subject_key,
			)
			.where(t.name > last)
			.orderby(t.name)
			.limit(5000)
			.run(as_dict=True)
		)
		if not rows:
			break
		last = rows[-1].name
		updates = {}
		for row in rows:
			values = {
				"sop_first_response_seconds": operating_seconds(row.creation, row.first_responded_on),
				"sop_resolution_seconds": operating_seconds(row.creation, row.resolution_date),
				"sop_agent": first_assignee(row._assign),
				"sop_subject_key": subject_key(row.subject),
			}
			changed = {k: v for k, v in values.items() if row.get(k) != v}
			if changed:
				updates[row.name] = changed
		bulk.update(TICKET, updates)
