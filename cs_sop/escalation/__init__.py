"""The SLA escalation ladder, pre-breach warnings and customer-update reminders (SOP stages 3-5).

- `cs_sop.core.escalation` / `cs_sop.core.ladder`: the rules and the per-ticket plan (pure).
- `context`: the configuration a run reads once (levels, settings, operating-hours calendar).
- `sweep`: the set-based sweep every minute, the re-planning job, closing escalations.
- `notify`: receivers and one digest per receiver (Notification Log + email when mail is set up).
- `manual`: manual escalation and acknowledgement (ticket row locked first), called by
  `cs_sop.api.escalation`; the SOP Escalation controller keeps naming, transitions and `acknowledge`.
"""

from cs_sop.escalation.context import (
	LADDER_FIELDS,
	SWEEP_FIELDS,
	TICKET_COLUMNS,
	Context,
	escalation_name,
	next_check_for,
)
from cs_sop.escalation.notify import send_digest_emails
from cs_sop.escalation.sweep import (
	close_escalations,
	enqueue_replan,
	enqueue_sweep,
	replan_open_tickets,
	sweep,
)

__all__ = [
	"LADDER_FIELDS",
	"SWEEP_FIELDS",
	"TICKET_COLUMNS",
	"Context",
	"close_escalations",
	"enqueue_replan",
	"enqueue_sweep",
	"escalation_name",
	"next_check_for",
	"replan_open_tickets",
	"send_digest_emails",
	"sweep",
]
