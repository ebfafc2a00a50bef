"""SOP stage rules: which stage a ticket is in, and which stages an agent may set.

Stages follow the SOP's six steps. The app derives the stage from ticket facts; an agent may
move a ticket to a stage by hand only when the data that stage needs is there.
"""

from dataclasses import dataclass

RECEIVED = "Received"
CLASSIFIED = "Classified"
INITIAL_HANDLING = "Initial Handling"
ESCALATED = "Escalated"
MONITORING = "Monitoring"
RESOLVED = "Resolved"
CLOSED = "Closed"

STAGES: tuple[str, ...] = (
	RECEIVED,
	CLASSIFIED,
	INITIAL_HANDLING,
	ESCALATED,
	MONITORING,
	RESOLVED,
	CLOSED,
)

FALLBACK_CATEGORY = "Unspecified"
"""Helpdesk's fallback HD Ticket Type: a ticket still on it has no real category."""


@dataclass(frozen=True)
class Facts:
	"""What the stage depends on, read off an HD Ticket."""

	impact: str | None = None
	urgency: str | None = None
	request_type: str | None = None
	category: str | None = None
	first_responded: bool = False
	escalation_level: int = 0
	status_category: str | None = None  # Helpdesk: Open / Paused / Resolved
	status: str | None = None  # Helpdesk: Open / Replied / Resolved / Closed ...


def classification_missing(f: Facts) -> list[str]:
	"""Fields (ticket fieldnames) still needed before a ticket counts as classified."""
	missing = []
	if not f.request_type:
		missing.append("sop_request_type")
	if not f.category or f.category == FALLBACK_CATEGORY:
		missing.append("ticket_type")
	if not f.impact:
		missing.append("sop_impact")
	if not f.urgency:
		missing.append("sop_urgency")
	return missing


def is_closed(f: Facts) -> bool:
	return f.status == "Closed"


def is_resolved(f: Facts) -> bool:
	return f.status_category == "Resolved" and not is_closed(f)


def requirements_missing(stage: str, f: Facts) -> list[str]:
	"""What stops a ticket from being in `stage`: fieldnames, or a reason keyword.

	Reason keywords: "escalation", "status_resolved", "status_closed", "status_open".
	"""
	if stage not in STAGES:
		raise ValueError(stage)
	if stage == CLOSED:
		return [] if is_closed(f) else ["status_closed"]
	if stage == RESOLVED:
		return [] if is_resolved(f) else ["status_resolved"]
	if is_closed(f) or is_resolved(f):
		return ["status_open"]
	if stage == RECEIVED:
		return []
	missing = classification_missing(f)
	if stage in (ESCALATED, MONITORING):
		# An SLA breach may escalate a ticket that nobody has classified yet.
		return [] if f.escalation_level > 0 else ["escalation"]
	return missing


def derive(current: str | None, f: Facts) -> str:
	"""The stage a ticket should be in after a change.

	- Resolved / Closed follow Helpdesk's status.
	- An escalated ticket is Escalated, or Monitoring once an agent (or the escalation ladder's
	  acknowledgement) moved it there.
	- Otherwise the furthest of Received -> Classified -> Initial Handling whose data is there;
	  a stage set by hand is kept while its data is there (it never moves back on its own).
	- A reopened ticket (Resolved/Closed -> open) goes back to the stage its facts give.
	"""
	if is_closed(f):
		return CLOSED
	if is_resolved(f):
		return RESOLVED
	if f.escalation_level > 0:
		return MONITORING if current == MONITORING else ESCALATED
	auto = RECEIVED
	if not classification_missing(f):
		auto = INITIAL_HANDLING if f.first_responded else CLASSIFIED
	if current in (CLASSIFIED, INITIAL_HANDLING) and not requirements_missing(current, f):
		return max(current, auto, key=STAGES.index)
	return auto
