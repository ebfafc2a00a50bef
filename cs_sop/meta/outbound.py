"""Messages to a Messenger / Instagram customer: agents' replies and automatic notices, queued and
sent as WhatsApp's are (`cs_sop.graph.outbox`, `cs_sop.whatsapp.jobs.send`: Sending before the HTTP
call, retries at a next-attempt time, failures said on the ticket). Only the platform's delivery is
here, with Meta's windows (`cs_sop.core.meta.send_mode`):

- within 24 h of the customer's last message: a normal RESPONSE;
- 24 h – 7 days: only a person's reply, tagged HUMAN_AGENT (said on the ticket);
- older, or an automatic notice after 24 h: not sent; the message is Failed and a note on the
  ticket says why (never silent). Meta's own refusal (code 10, subcode 2018278) is treated alike.
"""

import frappe
from frappe import _
from frappe.utils import now_datetime

from cs_sop import chat
from cs_sop.core import meta as rules
from cs_sop.core import whatsapp as wa_rules
from cs_sop.core.meta import CHANNEL, is_pseudo_email, pseudo_email
from cs_sop.graph import outbox
from cs_sop.meta import client, settings

TICKET = "HD Ticket"


def is_social_ticket(ticket) -> bool:
	return ticket.get("sop_channel") == CHANNEL and ticket.get("sop_social_platform") in rules.MAX_TEXT


def sender_of(ticket: str, platform: str) -> str | None:
	"""The sender id the customer wrote from on this ticket, else the one of its pseudo address."""
	last = outbox.latest("phone", ticket=ticket, platform=platform, direction="Inbound")
	if last:
		return last
	raised_by = frappe.db.get_value(TICKET, ticket, "raised_by")
	if is_pseudo_email(raised_by) and raised_by.lower().endswith(f"@{platform.lower()}.invalid"):
		return raised_by.split("@")[0]
	return None


def mode_for(sender: str, platform: str, human: bool):
	return rules.send_mode(outbox.last_inbound_at(sender, platform), now_datetime(), human)


def window_text(platform: str, human: bool) -> str:
	if human:
		return _(
			"{0}: the customer's last message is older than 7 days, so Meta does not allow a reply "
			"any more. The message was not sent; contact the customer another way (phone, email)."
		).format(platform)
	return _(
		"{0}: the customer's last message is older than 24 hours, so Meta does not allow an "
		"automatic message. It was not sent; an agent may still reply (up to 7 days) or contact the "
		"customer another way."
	).format(platform)


def tag_text(platform: str) -> str:
	return _(
		"{0}: the customer's last message is older than 24 hours, so the reply goes with Meta's "
		"HUMAN_AGENT tag (allowed for a person's reply up to 7 days after the customer's message)."
	).format(platform)


def plain_text(html: str) -> str:
	"""Messenger and Instagram show no emphasis marks; their own length limits apply."""
	return wa_rules.html_to_text(html, marks=False, limit=100_000)


# replies and notices ----------------------------------------------------------------------------
def reply(ticket, message: str, attachments: list | None = None) -> str:
	"""An agent's reply on a Messenger / Instagram ticket: the Communication Helpdesk would make,
	queued for the Send API."""
	chat.require_agent()
	platform = ticket.sop_social_platform
	sender = sender_of(ticket.name, platform)
	if not sender:
		frappe.throw(_("This {0} ticket has no sender to reply to.").format(platform))
	text = plain_text(message)
	limit = rules.MAX_TEXT[platform]
	if len(text) > limit:
		frappe.throw(
			_(
				"{0} allows at most {1} characters in a message; this reply has {2}. Please shorten it."
			).format(platform, limit, len(text))
		)
	communication, urls = chat.record_reply(
		ticket,
		message,
		attachments,
		recipient=ticket.raised_by or pseudo_email(platform, sender),
		delivery_status="Sending",
		empty=not text,
	)
	text = chat.attachments_note(text, ticket.name, urls)
	log = outbox.queue(ticket.name, sender, text[:limit], communication=communication, platform=platform)
	mode = mode_for(sender, platform, human=True)
	if mode is None:
		frappe.msgprint(window_text(platform, human=True), alert=True)
	elif mode[1]:
		frappe.msgprint(tag_text(platform), alert=True)
	return log


def send_notice(ticket: str, subject: str, message_html: str) -> bool | None:
	"""The Social Media ticket's sender of customer notices (`cs_sop.channels`): over Messenger /
	Instagram when the ticket came from there (not a Communication: a notice is not the agent's
	response). A Social Media ticket an agent entered by hand (no platform): None, emailed as any
	ticket unless its address is a platform's pseudo address."""
	row = frappe.db.get_value(TICKET, ticket, ["sop_social_platform", "raised_by"], as_dict=True) or {}
	platform = row.get("sop_social_platform")
	sender = sender_of(ticket, platform) if platform else None
	if not sender:
		return False if is_pseudo_email(row.get("raised_by")) else None
	body = plain_text(message_html)
	if subject and subject.strip() and subject.strip() not in body:
		body = f"{subject.strip()}\n\n{body}"
	limit = rules.MAX_TEXT[platform]
	if len(body) > limit:
		body = body[: limit - 1] + "…"
	outbox.queue(ticket, sender, body, subject=subject, platform=platform)
	return True


send_notice.is_ready = settings.is_ready


# sending (called by cs_sop.whatsapp.jobs.send in the queue job) ---------------------------------
class _Channel:
	def __init__(self, platform: str):
		self.name = platform

	def is_ready(self) -> bool:
		return settings.is_ready(self.name)

	def not_ready_text(self) -> str:
		return _("{0} is not enabled or not configured (SOP Meta Settings).").format(self.name)

	def error_text(self, error) -> str:
		if getattr(error, "outside_window", False):
			return window_text(self.name, human=True) + f" ({error})"
		if error.code == rules.USER_UNAVAILABLE:
			return _(
				"{0}: this person is not available right now (they may have blocked the page or "
				"deleted their account); Meta did not deliver the message ({1})."
			).format(self.name, str(error))
		return str(error)

	def deliver(self, row) -> outbox.Delivered:
		human = bool(row.communication)
		mode = mode_for(row.phone, self.name, human)
		if mode is None:
			raise outbox.Undeliverable(window_text(self.name, human))
		messaging_type, tag = mode
		mid = client.MessengerClient.from_settings().send_text(row.phone, row.body or "", messaging_type, tag)
		return outbox.Delivered(
			id=mid,
			values={"message_type": "text", "is_template": 0},
			note=tag_text(self.name) if tag else None,
		)


CHANNELS = {platform: _Channel(platform) for platform in rules.MAX_TEXT}


def channel(platform: str) -> _Channel:
	return CHANNELS[platform]
