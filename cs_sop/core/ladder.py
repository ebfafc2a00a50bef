"""What the escalation sweep does to one open ticket now (pure: no `frappe`).

`plan(row, esc, cfg, now)` reads a ticket row (HD Ticket columns, datetimes already parsed) and
its current escalation (`esc`: creation and status of the row `<ticket>-L<level>`, or None),
and returns the decision (escalate to which level, which warnings, a customer-update reminder)
and the ticket's new sweep columns, among them `sop_next_check`: the earliest moment at which
anything could change. Called with `now = datetime.min` it decides nothing and only plans.

Rules beyond `cs_sop.core.escalation`:
- Only Open tickets are worked on. A Paused ticket (Helpdesk's clock on hold) gets no warning,
  escalation or reminder while paused, and no next check: it joins again when it is resumed
  (that save plans it). Resolved/Closed tickets leave the sweep.
- A ticket at level k whose level-k escalation row is missing (deleted) counts as acknowledged:
  the ladder goes on by its triggers instead of waiting for a deadline that no row holds.
- A reopened ticket runs a new round of the ladder (`sop_escalation_round`): from level 0,
  against the fresh resolution target set when it was reopened (`sop_ladder_resolution_by`,
  counted from `sop_ladder_start`), so an old breach does not re-escalate it at once.
- A chat customer message waiting for a reply (`sop_waiting_since`, due `sop_message_due_on`,
  `cs_sop.core.message_clock`) is a response target: past it, the ticket escalates as on a
  first-response breach (reason *Chat Response Breach*), and the agent is warned before it as
  before any target (warning "message"). While it runs it stands for the first-response warning,
  which would announce the same wait twice.
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from cs_sop.core import escalation as rules

OPEN = "Open"
PAUSED = "Paused"
SLA_BREACH = "SLA Breach"
CHAT_RESPONSE_BREACH = "Chat Response Breach"


@dataclass(frozen=True)
class Config:
	levels: Sequence[rules.Level] = ()
	enabled: bool = True
	warn_share: float = 0.25  # share of the target left when the agent is warned (0: never)
	add: rules.AddWorking | None = None  # operating-time arithmetic (None: wall clock)
	elapsed: rules.Elapsed | None = None
	intervals: Mapping[str, int] = field(default_factory=dict)  # priority -> update minutes


@dataclass
class Plan:
	escalate_to: int | None = None
	warn: list[str] = field(default_factory=list)  # "response" / "resolution" / "message"
	remind: bool = False
	updates: dict = field(default_factory=dict)


def clock_of(row: Mapping, esc: Mapping | None) -> rules.Clock:
	level = row.get("sop_escalation_level") or 0
	fresh_target = row.get("sop_ladder_resolution_by")
	round_start = row.get("sop_ladder_start")
	return rules.Clock(
		created=round_start or row.get("service_level_agreement_creation"),
		response_by=row.get("response_by"),
		responded=bool(row.get("first_responded_on")) or bool(round_start),
		resolution_by=fresh_target or row.get("resolution_by"),
		level=level,
		escalated_on=esc.get("creation") if esc else None,
		# a missing current row counts as acknowledged: never wait on a deadline nobody holds
		acknowledged=level < 1 or not esc or esc.get("status") != "Open",
		message_due=row.get("sop_message_due_on") if row.get("sop_waiting_since") else None,
	)


def breach_reason(row: Mapping, now: datetime) -> str:
	"""Why the sweep escalates a ticket now: a chat message past its reply target while neither the
	first response nor the resolution target is breached, else an SLA breach."""
	message_due = row.get("sop_message_due_on") if row.get("sop_waiting_since") else None
	if not message_due or now < message_due:
		return SLA_BREACH
	c = clock_of(row, None)
	first = None if c.responded else c.response_by
	if any(m and now >= m for m in (first, c.resolution_by)):
		return SLA_BREACH
	return CHAT_RESPONSE_BREACH


def plan(row: Mapping, esc: Mapping | None, cfg: Config, now: datetime) -> Plan:
	out = Plan()
	if row.get("status_category") != OPEN:
		out.updates["sop_next_check"] = None
		return out
	c = clock_of(row, esc)
	calc = (cfg.add, cfg.elapsed)
	ladder = cfg.enabled and bool(cfg.levels)
	if ladder:
		out.escalate_to = rules.due_level(cfg.levels, c, now, *calc)
	if out.escalate_to:
		c = rules.Clock(
			**{**c.__dict__, "level": out.escalate_to, "escalated_on": now, "acknowledged": False}
		)
		out.updates["sop_escalation_level"] = out.escalate_to

	moments: list[datetime | None] = []
	if ladder:
		moments.append(rules.next_escalation_moment(cfg.levels, c, *calc))

	for kind, start, target, flag in (
		("response", c.created, c.response_by, "sop_response_warned"),
		("resolution", c.created, c.resolution_by, "sop_resolution_warned"),
		("message", row.get("sop_waiting_since"), c.message_due, "sop_message_warned"),
	):
		if (kind == "response" and (c.responded or c.message_due)) or row.get(flag) or not cfg.warn_share:
			continue
		if not target or now >= target:
			continue  # no target, or already breached: nothing left to warn about
		moment = rules.warning_moment(start, target, cfg.warn_share, *calc)
		if moment and now >= moment:
			out.warn.append(kind)
			out.updates[flag] = 1
		elif moment:
			moments.append(moment)

	if c.responded:
		misses = row.get("sop_update_misses") or 0
		last = row.get("last_agent_response") or row.get("first_responded_on")
		interval = cfg.intervals.get(row.get("priority") or "", 0)
		due = rules.update_due_moment(last, interval, misses, cfg.add)
		if due and now >= due:
			out.remind = True
			misses += 1
			out.updates["sop_update_misses"] = misses
			due = rules.update_due_moment(last, interval, misses, cfg.add)
		moments.append(due)

	known = [m for m in moments if m]
	out.updates["sop_next_check"] = min(known) if known else None
	return out


def fallback_receivers(
	user: str | None,
	role_users: Sequence[str],
	team_users: Sequence[str],
	fallback: Callable[[], Sequence[str]],
) -> tuple[set[str], bool]:
	"""The receivers of an escalation; when the level's user, role and team give nobody, the
	fallback's users (a role), so an escalation never goes to silence. (users, fell_back)."""
	users = {u for u in (user, *role_users, *team_users) if u}
	if users:
		return users, False
	return set(fallback()), True
