"""An owner per channel (CS SOP standard 1: the head of CS names an owner for every channel).

SOP Settings' *Channel Owners* table names a team per channel (and, optionally, an Assignment
Rule). A new ticket of that channel that arrives without a team goes to the owner team
(`agent_group`) before Helpdesk chooses its SLA, so Helpdesk's own team assignment (the team's
assignment rule) assigns it. A row that names an Assignment Rule assigns the ticket with that rule
instead. The category's default team still wins: once the ticket is classified, a ticket still with
its channel's owner team moves to the category's team (`cs_sop.ticket.route_by_category`).

Only an SOP Operations Manager or a System Manager changes the table (Agent Manager may write the
rest of SOP Settings); the check is on the server, so it holds over REST too.
"""

import frappe
from frappe import _

from cs_sop import settings as sop_settings
from cs_sop import users
from cs_sop.compat import active_teams
from cs_sop.setup import defaults as d

SETTINGS = "SOP Settings"
TABLE = "channel_owners"
# who names the channel owners (CS SOP standard 1: the head of CS)


def owner_of(channel: str | None) -> frappe._dict | None:
	"""The Channel Owners row of a channel (team, assignment rule), if any."""
	if not channel:
		return None
	for row in sop_settings.get().get(TABLE) or []:
		if row.channel == channel and row.team:
			return frappe._dict(team=row.team, assignment_rule=row.assignment_rule)
	return None


def owner_team(channel: str | None) -> str | None:
	row = owner_of(channel)
	return row.team if row else None


def route_by_channel(doc) -> bool:
	"""A new ticket without a team goes to its channel's owner team. True when routed."""
	if doc.agent_group or not doc.is_new():
		return False
	row = owner_of(doc.get("sop_channel"))
	if not row:
		return False
	if not active_teams([row.team]):
		return False  # a team Helpdesk (1.28+) has disabled takes no new work
	doc.agent_group = row.team
	doc.flags.cs_sop_channel_owner = row
	return True


def after_insert(doc, method=None):
	"""HD Ticket after_insert: a row that names an Assignment Rule assigns the routed ticket with it.

	Runs before Frappe applies the assignment rules (on_update): the ticket then has an assignment
	and the team's own rule leaves it alone. The row itself is the rule's condition (the rule's own
	assign condition is not asked)."""
	row = doc.flags.cs_sop_channel_owner
	if not row or not row.assignment_rule or doc.agent_group != row.team:
		return
	if not frappe.db.exists("Assignment Rule", row.assignment_rule):
		return
	rule = frappe.get_cached_doc("Assignment Rule", row.assignment_rule)
	if rule.disabled or rule.document_type != doc.doctype or rule.is_rule_not_applicable_today():
		return
	pool = rule.get("weighted_users") if rule.get("rule") == "Weighted Distribution" else rule.get("users")
	if rule.rule != "Based on Field" and not pool:
		return  # Frappe's round robin fails on an empty user list: leave it to the team
	rule.do_assignment(doc.as_dict())  # as Frappe applies rules: to a dict of the ticket


def _rows(doc) -> list[tuple]:
	return sorted((r.channel or "", r.team or "", r.assignment_rule or "") for r in doc.get(TABLE) or [])


def may_change_owners(user: str) -> bool:
	return users.is_admin(user)


def validate_settings(doc, method=None):
	"""SOP Settings validate (hooks.py): the channel owners table, by managers only, one row a channel."""
	before = doc.get_doc_before_save()
	previous = _rows(before) if before else []
	if _rows(doc) != previous and not (
		frappe.flags.in_install or frappe.flags.in_migrate or may_change_owners(frappe.session.user)
	):
		frappe.throw(
			_("Only an SOP Operations Manager or a System Manager changes the channel owners."),
			frappe.PermissionError,
			title=_("Not permitted"),
		)
	seen = set()
	for row in doc.get(TABLE) or []:
		if row.channel in seen:
			frappe.throw(
				_("Channel {0} has more than one owner row. Keep one row per channel.").format(
					_(row.channel)
				),
				title=_("Channel owners"),
			)
		seen.add(row.channel)
		if row.assignment_rule:
			rule_doctype = frappe.db.get_value("Assignment Rule", row.assignment_rule, "document_type")
			if rule_doctype != "HD Ticket":
				frappe.throw(
					_("Assignment Rule {0} of channel {1} does not assign tickets (HD Ticket).").format(
						row.assignment_rule, _(row.channel)
					),
					title=_("Channel owners"),
				)


def install_defaults() -> list[str]:
	"""Install and every migrate: the shipped channel owners (cs_sop/fixtures/defaults/
	channel_owners.json) for channels that have no row yet, once; an admin's rows (or a row the admin
	deleted after it was shipped) are never touched again. Returns the channels added."""
	done = set(frappe.parse_json(frappe.db.get_default("cs_sop_channel_owners_shipped") or "[]"))
	settings = frappe.get_single(SETTINGS)
	have = {row.channel for row in settings.get(TABLE) or []}
	added = []
	for channel, team in d.CHANNEL_OWNERS:
		if channel in have or channel in done or not frappe.db.exists("HD Team", team):
			continue
		settings.append(TABLE, {"channel": channel, "team": team})
		added.append(channel)
	if added:
		# only the table changes: the SLA sync and the other settings' checks need not run again
		for row in settings.get(TABLE):
			if row.channel in added:
				row.db_insert()
		frappe.clear_document_cache(SETTINGS, SETTINGS)
	shipped = sorted(done | {c for c, _t in d.CHANNEL_OWNERS if c in have or c in added})
	frappe.db.set_default("cs_sop_channel_owners_shipped", frappe.as_json(shipped))
	return added
