"""A response clock per customer message on chat channels (pure: no `frappe`).

The SOP "Layanan Chat dan WhatsApp" asks for a reply to a chat within minutes of operating time,
and a chat customer keeps writing on the same ticket: Helpdesk's first response measures only the
first message. Rules:

- Only tickets of a chat channel (`CHAT_CHANNELS`) are clocked.
- A customer message that arrives while no clock runs starts one, due N operating minutes later
  (`due`). Further customer messages before an agent answers share it: the customer has waited
  since the oldest unanswered message.
- The agent's next reply stops it (`answer`): the response time is the operating seconds from the
  start to the reply; it is met when the reply came at or before the due moment (the moment the
  sweep escalates at, so an escalated clock is always a breached one).
- A ticket resolved or closed while a clock runs ends it without a reply (`close`): a breach when
  it was already past due, otherwise not counted at all.
- Operating time: `add` / `elapsed` of the SOP calendar (`cs_sop.core.business_time.Calendar`);
  without them (a calendar with no hours) wall-clock time.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

CHAT_CHANNELS = ("WhatsApp", "Live Chat", "Social Media")
RECEIVED, SENT, CLOSED = "Received", "Sent", "Closed"

AddWorking = Callable[[datetime, float], datetime]
Elapsed = Callable[[datetime, datetime], float]


def is_chat(channel: str | None) -> bool:
	return channel in CHAT_CHANNELS


@dataclass(frozen=True)
class Response:
	"""One clock: from the oldest unanswered customer message to the agent's reply."""

	received_on: datetime
	due_on: datetime
	messages: int = 1
	answered_on: datetime | None = None
	closed_on: datetime | None = None  # the ticket was resolved/closed without a reply
	seconds: int | None = None  # operating seconds to the reply
	met: bool = False

	@property
	def running(self) -> bool:
		return self.answered_on is None and self.closed_on is None


def due(received_on: datetime, minutes: float, add: AddWorking | None = None) -> datetime:
	"""When the reply to a message received at `received_on` is due."""
	seconds = max(minutes or 0, 0) * 60
	return add(received_on, seconds) if add else received_on + timedelta(seconds=seconds)


def start(received_on: datetime, minutes: float, add: AddWorking | None = None) -> Response:
	return Response(received_on=received_on, due_on=due(received_on, minutes, add))


def answer(r: Response, answered_on: datetime, elapsed: Elapsed | None = None) -> Response:
	"""The agent replied: the response time and whether it was in time."""
	if elapsed:
		seconds = round(elapsed(r.received_on, answered_on))
	else:
		seconds = max(round((answered_on - r.received_on).total_seconds()), 0)
	return replace(r, answered_on=answered_on, seconds=seconds, met=answered_on <= r.due_on)


def close(r: Response, closed_on: datetime) -> Response:
	"""The ticket was resolved or closed while the customer still waited."""
	return replace(r, closed_on=closed_on, met=False)


def decided(r: Response, now: datetime) -> bool:
	"""Whether the clock counts in met %: answered, or past due (still waiting or closed after it)."""
	if r.answered_on is not None:
		return True
	end = r.closed_on or now
	return r.due_on < end


def breached(r: Response, now: datetime) -> bool:
	return decided(r, now) and not r.met


def replay(
	events: Iterable[tuple[datetime, str]],
	minutes: float,
	add: AddWorking | None = None,
	elapsed: Elapsed | None = None,
) -> list[Response]:
	"""The clocks of a ticket's messages in time order: (moment, RECEIVED / SENT / CLOSED).

	What the hooks do one message at a time, in one function (for the tests and a back-fill).
	"""
	done: list[Response] = []
	current: Response | None = None
	for at, kind in events:
		if kind == RECEIVED:
			if current is None:
				current = start(at, minutes, add)
			else:
				current = replace(current, messages=current.messages + 1)
		elif current is not None and kind in (SENT, CLOSED):
			done.append(answer(current, at, elapsed) if kind == SENT else close(current, at))
			current = None
	if current is not None:
		done.append(current)
	return done
