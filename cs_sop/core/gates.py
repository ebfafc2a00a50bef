"""Gates of the ticket lifecycle (pure Python): which ticket fields record what happened, and what
a ticket needs before a person may escalate, resolve or close it.

- System-owned fields record what happened (confirmation, closing, notices sent, the sweep's
  counters, report facts ...): no person writes them; a save keeps their stored values unless
  cs_sop's own code set them. User-entered fields are what an agent classifies and fills in.
- A *Complaint* is escalated or resolved only once classified: a real category (not Helpdesk's
  fallback *Unspecified*), impact and urgency.
- A complaint whose category requires an approved solution is resolved only once an approved
  SOP Solution was sent to the customer.
- A person closes a ticket only as its customer (Helpdesk's portal *Close* is the customer's
  confirmation), by merging it into another ticket (Helpdesk's merge: the conversation goes on
  there) or with a supervisor's recorded exception; the customer's confirmation and the automatic
  close after N working days are cs_sop's own code.
"""

COMPLAINT = "Complaint"
UNSPECIFIED = "Unspecified"
"""Helpdesk's fallback HD Ticket Type: a ticket still on it has no real category."""

CLOSED = "Closed"
# who may close a ticket without the customer's confirmation, with a reason
EXCEPTION_ROLES = ("SOP Supervisor", "SOP Operations Manager", "System Manager")
MAX_EXCEPTION_REASON = 1000

# sop_* fields of HD Ticket an agent enters (classification, closure form). sop_stage may be
# requested by hand; cs_sop.core.stage checks it and corrects it to the facts.
USER_FIELDS = (
	"sop_channel",
	"sop_request_type",
	"sop_stage",
	"sop_impact",
	"sop_urgency",
	"sop_root_cause",
)

# sop_* fields of HD Ticket that record what happened: written only by cs_sop's code
SWEEP_FIELDS = ("sop_escalation_level", "sop_response_warned", "sop_resolution_warned", "sop_update_misses")
LADDER_FIELDS = ("sop_escalation_round", "sop_ladder_start", "sop_ladder_resolution_by")
CLOSURE_FIELDS = (
	"sop_resolution_confirmed",
	"sop_confirmation_via",
	"sop_confirmation_requested_on",
	"sop_confirmation_due",
	"sop_closed_on",
	"sop_survey_due",
	"sop_retention_until",
	"sop_anonymised_on",
	"sop_close_exception_by",
	"sop_close_exception_on",
	"sop_close_exception_reason",
)
NOTICE_FIELDS = (
	"sop_ack_notice_sent_on",
	"sop_ooh_reply_period",
	"sop_applied_solution",
	"sop_last_customer_update",
	"sop_receipt_sent_on",
)
REPORT_FIELDS = (
	"sop_first_response_seconds",
	"sop_resolution_seconds",
	"sop_reopen_count",
	"sop_agent",
	"sop_subject_key",
)
# the response clock of a chat ticket's waiting customer message (cs_sop.intake.message_clock): set by the
# Communication hooks, the warning flag by the sweep
MESSAGE_CLOCK_FIELDS = ("sop_waiting_since", "sop_message_due_on", "sop_message_warned")
# where a message came from, set by the channel that made the ticket (Messenger / Instagram)
CHANNEL_FIELDS = ("sop_social_platform",)
# recomputed on every save from other fields (the sweep's next look, the category's type)
DERIVED_FIELDS = ("sop_next_check", "sop_complaint_type")
SYSTEM_FIELDS = (
	*SWEEP_FIELDS,
	*LADDER_FIELDS,
	*CLOSURE_FIELDS,
	*NOTICE_FIELDS,
	*REPORT_FIELDS,
	*MESSAGE_CLOCK_FIELDS,
	*DERIVED_FIELDS,
	*CHANNEL_FIELDS,
)


def unclassified(fieldnames: list[str] | tuple[str, ...]) -> list[str]:
	"""The sop_* fieldnames that are neither user-entered nor system-owned (must stay empty)."""
	return [f for f in fieldnames if f.startswith("sop_") and f not in USER_FIELDS and f not in SYSTEM_FIELDS]


def is_classified(category: str | None) -> bool:
	return bool(category) and category != UNSPECIFIED


def classification_missing(
	request_type: str | None, category: str | None, impact: str | None, urgency: str | None
) -> list[str]:
	"""Ticket fieldnames a complaint still needs before it is escalated or resolved."""
	if request_type != COMPLAINT:
		return []
	missing = []
	if not is_classified(category):
		missing.append("ticket_type")
	if not impact:
		missing.append("sop_impact")
	if not urgency:
		missing.append("sop_urgency")
	return missing


def solution_missing(request_type: str | None, requires_approved_solution: bool, solution_sent: bool) -> bool:
	"""True when a complaint of a category that requires it has no approved solution sent yet."""
	return request_type == COMPLAINT and bool(requires_approved_solution) and not solution_sent


def may_close_by_hand(
	is_customer: bool,
	roles: set[str] | frozenset[str],
	exception_reason: str | None,
	merged_into_other: bool = False,
) -> bool:
	"""A person's move of a ticket to Closed: the customer's own close is their confirmation; a
	duplicate merged into another ticket (Helpdesk's merge) lives on there; anyone else needs a
	supervisor's exception with a reason."""
	if is_customer or merged_into_other:
		return True
	return bool(set(roles) & set(EXCEPTION_ROLES)) and bool((exception_reason or "").strip())


def exception_problem(roles: set[str] | frozenset[str], reason: str | None, status: str | None) -> str | None:
	"""Why a close with a supervisor's exception is refused: "role", "reason", "too_long", "closed",
	or None when it may go ahead."""
	if not set(roles) & set(EXCEPTION_ROLES):
		return "role"
	if status == CLOSED:
		return "closed"
	text = (reason or "").strip()
	if not text:
		return "reason"
	if len(text) > MAX_EXCEPTION_REASON:
		return "too_long"
	return None
