"""What differs between the Helpdesk releases cs_sop supports (1.25.1 to 1.28.x), decided here only.

Each answer is a feature check on the installed Helpdesk (a role, a field, a function), never its
version string: a release that back-ports a change, or a later one that keeps it, is served
without touching this module. Everything else cs_sop does is written so that one code path works on
every supported release (README "Helpdesk versions"):

- Helpdesk's whitelisted methods that cs_sop wraps (cs_sop/i18n.py) take the request's arguments
  as they are (`**kwargs`), so a release that widens a signature (1.28: `get_list_data`'s
  `filters` may be a list) needs nothing here.
- A WhatsApp reply's attachments stay where the editor uploaded them (the ticket) and the
  Communication gets its own File row, on every release: what Helpdesk 1.28 does for email
  replies, and on 1.25 the same files end up on the same two documents.
- The teams cs_sop ships are inserted without members (1.28 makes a team's users mandatory).
- The SOP SLAs: cs_sop disables Helpdesk's previous default SLA when the SOP SLAs are on. 1.25
  applies an enabled non-default SLA without a condition to every ticket, 1.28 skips it; with the
  old default disabled both choose the same SLA. cs_sop's cached SLA choice follows whichever the
  installed release does (`blank_sla_condition_applies`).
"""

import functools
import inspect

import frappe

# Helpdesk 1.28 gives its portal customers ticket and knowledge-base access through these roles
# (Portal Settings' default role for sign-ups); 1.25 gives the same access to "All" and "Guest".
CUSTOMER_ROLE = "HD Customer"


def customer_roles() -> tuple[str, ...]:
	"""The roles a portal customer needs on this Helpdesk to raise and read tickets: none where
	Helpdesk grants that to every user (1.25), `HD Customer` where the role exists (1.28+)."""
	return (CUSTOMER_ROLE,) if frappe.db.exists("Role", CUSTOMER_ROLE) else ()


@functools.cache
def blank_sla_condition_applies() -> bool:
	"""Helpdesk's `utils.get_sla` applies an enabled non-default SLA with a blank condition to every
	ticket (1.25); 1.28 leaves it out in its query (`condition != ""`). Read from the installed
	function's own code, once per process: cs_sop's cached SLA choice must choose as it does."""
	from helpdesk.helpdesk.doctype.hd_service_level_agreement import utils

	return 'condition != ""' not in inspect.getsource(utils.get_sla)


def teams_can_be_disabled() -> bool:
	"""Helpdesk 1.28 can disable an HD Team (no assignment, no team-based ticket access)."""
	return frappe.get_meta("HD Team").has_field("disabled")


def active_teams(teams: list[str] | tuple[str, ...]) -> list[str]:
	"""`teams` without the disabled ones (all of them where teams cannot be disabled)."""
	teams = [t for t in teams if t]
	if not teams or not teams_can_be_disabled():
		return teams
	disabled = set(frappe.get_all("HD Team", filters={"name": ("in", teams), "disabled": 1}, pluck="name"))
	return [t for t in teams if t not in disabled]


def disable_empty_team_rule(doc, method=None) -> None:
	"""doc_events (HD Team after_insert, on_update): a team without members keeps its assignment rule
	disabled.

	Helpdesk 1.25 creates a team's round-robin rule disabled and disables it again when the last
	member leaves; 1.28 enables it whatever the members, and Frappe's round robin then fails on
	every ticket routed to the team (an IndexError on the empty user list: the ticket cannot be
	saved). cs_sop ships its teams empty (SOP categories route to them) and Helpdesk ships Billing
	and Product Experts empty, so an empty team's rule is disabled here, which is 1.25's own state
	(a no-op there). Adding members in Helpdesk enables the rule again (its HD Team.on_update).
	"""
	rule = doc.get("assignment_rule") or frappe.db.get_value("HD Team", doc.name, "assignment_rule")
	if not rule or any(row.get("user") for row in doc.get("users") or []):
		return
	if frappe.db.get_value("Assignment Rule", rule, "disabled") in (None, 1):
		return
	ar = frappe.get_doc("Assignment Rule", rule)
	ar.disabled = 1
	# the rule is the team's own (Helpdesk's HD Team.on_update saves it the same way): whoever may save
	# the team, or install / migrate, keeps it consistent without a right on Assignment Rule
	ar.save(ignore_permissions=True)


def disable_empty_team_rules() -> None:
	"""after_install / after_migrate: the same for every existing team (sites installed before)."""
	for name in frappe.get_all("HD Team", pluck="name"):
		disable_empty_team_rule(frappe.get_doc("HD Team", name))
