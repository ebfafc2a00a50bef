"""Timing rules of the complaint procedure's customer notices and approvals (pure, no `frappe`).

- Out-of-hours reply (chat SOP stage 3): a customer message that arrives while the desk is closed
  gets one reply per closed period. A closed period is named by the moment it ends, the next
  opening: two messages on the same night share it, a message after the next closing does not.
- Approval timeout (complaint procedure step 7): a solution waiting for the department head gets a
  reminder after one span of operating time and goes to the SOP Operations Manager after another.
"""

from collections.abc import Callable
from datetime import datetime, timedelta

from cs_sop.core.business_time import Calendar, NoWorkingTime

AddWorking = Callable[[datetime, float], datetime]

# approval stages of a solution waiting for a decision
WAITING, REMINDED, ESCALATED = 0, 1, 2


def closed_period(calendar: Calendar, at: datetime) -> datetime | None:
	"""The next opening when the desk is closed at `at` (that names the closed period), else None.

	A calendar without any operating hours counts as always open: no out-of-hours replies.
	"""
	if not calendar.hours or calendar.is_open(at):
		return None
	try:
		return calendar.next_open(at)
	except NoWorkingTime:
		return None


def out_of_hours_reply_due(
	calendar: Calendar, received_at: datetime, last_replied_period: datetime | None
) -> datetime | None:
	"""The closed period to reply for, or None: open now, or already replied in this period."""
	period = closed_period(calendar, received_at)
	if period is None or period == last_replied_period:
		return None
	return period


def approval_next_step(
	submitted_on: datetime,
	stage: int,
	remind_after_hours: float,
	escalate_after_hours: float,
	add: AddWorking | None = None,
) -> tuple[int, datetime] | None:
	"""(stage to move to, when) for a pending approval at `stage`, or None when nothing is left.

	Hours are operating hours when `add` (working-time addition) is given, wall-clock otherwise.
	0 switches a step off. Escalation never comes before the reminder.
	"""

	def at(hours: float) -> datetime:
		seconds = hours * 3600
		return add(submitted_on, seconds) if add else submitted_on + timedelta(seconds=seconds)

	if stage == WAITING:
		if remind_after_hours > 0 and not 0 < escalate_after_hours <= remind_after_hours:
			return REMINDED, at(remind_after_hours)
		if escalate_after_hours > 0:
			return ESCALATED, at(escalate_after_hours)
		return None
	if stage == REMINDED and escalate_after_hours > 0:
		return ESCALATED, at(max(escalate_after_hours, remind_after_hours))
	return None


def due_steps(
	submitted_on: datetime,
	stage: int,
	now: datetime,
	remind_after_hours: float,
	escalate_after_hours: float,
	add: AddWorking | None = None,
) -> tuple[int, datetime | None]:
	"""The stage a pending approval reaches by `now` (one step per call) and its next check.

	Returns (new stage, next check); new stage == stage when nothing is due yet.
	"""
	step = approval_next_step(submitted_on, stage, remind_after_hours, escalate_after_hours, add)
	if step is None:
		return stage, None
	new_stage, moment = step
	if now < moment:
		return stage, moment
	after = approval_next_step(submitted_on, new_stage, remind_after_hours, escalate_after_hours, add)
	return new_stage, after[1] if after else None
