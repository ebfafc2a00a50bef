"""Records cs_sop ships: inserted once if missing, never overwritten (admins edit them).

The records themselves are data: JSON files in `cs_sop/fixtures/defaults/` (priority matrix,
categories, teams, channel owners, saved replies, escalation levels, SLA targets, update intervals). They sit in a
sub-folder on purpose: Frappe's `sync_fixtures` imports and overwrites every top-level `*.json` of
`cs_sop/fixtures/` on each `bench migrate`; `cs_sop.setup.install` loads these insert-if-missing.

This module reads them (no `frappe` import: the unit tests use it too) and keeps the names the
code refers to. Names of categories, teams, SLAs and saved replies are Indonesian: they are the
company's data.
"""

import json
from functools import cache
from pathlib import Path

from cs_sop.core import message_clock

DATA_DIR = Path(__file__).resolve().parent.parent / "fixtures" / "defaults"
SETTINGS_JSON = (
	Path(__file__).resolve().parent.parent / "cs_sop" / "doctype" / "sop_settings" / "sop_settings.json"
)
NO_VALUE = (
	"Section Break",
	"Column Break",
	"Tab Break",
	"HTML",
	"Button",
	"Heading",
	"Table",
	"Table MultiSelect",
)


@cache
def load(name: str) -> dict:
	"""The shipped data file `<name>.json` of `cs_sop/fixtures/defaults/`."""
	with open(DATA_DIR / f"{name}.json", encoding="utf-8") as f:
		return json.load(f)


def records(name: str) -> list[dict]:
	return load(name)["records"]


@cache
def settings_defaults() -> dict[str, str]:
	"""SOP Settings' defaults: the `default` of each field in the doctype's JSON, the one place
	they are written (the form shows them, install and migrate store them, code falls back on them)."""
	with open(SETTINGS_JSON, encoding="utf-8") as f:
		fields = json.load(f)["fields"]
	return {
		f["fieldname"]: f["default"]
		for f in fields
		if f.get("fieldtype") not in NO_VALUE and f.get("default") not in (None, "")
	}


OPERATING_HOURS = [
	(d, "08:00:00", "17:00:00") for d in ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")
]
OPERATING_HOURS.append(("Saturday", "08:00:00", "12:00:00"))

HOLIDAY_LIST = "Hari Libur Indonesia"
STANDARD_SLA = "SOP Standar"
CHAT_SLA = "SOP Chat & WhatsApp"
# the chat SOP's channels (website chat and messaging apps): the chat SLA and the per-message clock
CHAT_CHANNELS = message_clock.CHAT_CHANNELS
ROLES = ("SOP Supervisor", "SOP Operations Manager")

MINUTE = 60
HOUR = 60 * MINUTE

# priority: (first response, resolution) in seconds of operating time
STANDARD_TARGETS = {
	t["priority"]: (t["response_minutes"] * MINUTE, t["resolution_minutes"] * MINUTE)
	for t in load("sla_targets")["targets"]
}
DEFAULT_PRIORITY = load("sla_targets")["default_priority"]

TEAMS = tuple(r["team_name"] for r in records("teams"))

# channel, team: the channel's owner (CS SOP standard 1), SOP Settings' channel owners table
CHANNEL_OWNERS = tuple((r["channel"], r["team"]) for r in records("channel_owners"))

# name, description (Indonesian: company data, shown as is), complaint type, default team
CATEGORIES = tuple(
	(r["name"], r["description"], r["sop_complaint_type"], r["sop_default_team"])
	for r in records("categories")
)

# title, message
SAVED_REPLIES = tuple((r["title"], r["message"]) for r in records("saved_replies"))

# operating minutes between progress updates to the customer, by priority (SOP stage 3/5)
UPDATE_INTERVALS = dict(load("update_intervals")["values"])

# level, name, trigger, share, hours, role, category team, ack minutes
ESCALATION_LEVELS = tuple(
	(
		r["level"],
		r["level_name"],
		r["trigger"],
		r["trigger_share"],
		r["trigger_hours"],
		r["notify_role"],
		r["notify_category_team"],
		r["ack_minutes"],
	)
	for r in records("escalation_levels")
)

# impact, urgency, priority (the same as cs_sop.core.matrix.default_rules(); a unit test checks)
PRIORITY_RULES = tuple((r["impact"], r["urgency"], r["priority"]) for r in records("priority_rules"))
