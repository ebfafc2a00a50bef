"""Messenger and Instagram Direct rules in pure Python (no frappe): which platform a webhook is
for, the customer's messages in it, Meta's messaging windows and which Send API errors are worth
another try. The signature check is WhatsApp's (`cs_sop.core.whatsapp.signature_valid`): every
webhook of a Meta app is signed the same way.
"""

from datetime import datetime, timedelta

MESSENGER = "Messenger"
INSTAGRAM = "Instagram"
CHANNEL = "Social Media"  # the ticket channel of both platforms (the platform is sop_social_platform)
# the webhook's `object` → the platform (the WhatsApp channel has "whatsapp_business_account")
OBJECTS = {"page": MESSENGER, "instagram": INSTAGRAM}

# Meta's windows: a normal RESPONSE within 24 h of the customer's last message; a person's reply
# with the HUMAN_AGENT tag up to 7 days; after that nothing may be sent.
RESPONSE_WINDOW = timedelta(hours=24)
HUMAN_AGENT_WINDOW = timedelta(days=7)
RESPONSE = "RESPONSE"
MESSAGE_TAG = "MESSAGE_TAG"
HUMAN_AGENT = "HUMAN_AGENT"

# Send API limits of a text message
MAX_TEXT = {MESSENGER: 2000, INSTAGRAM: 1000}

# Graph API errors of the Send API (developers.facebook.com/docs/messenger-platform/error-codes)
RATE_LIMIT_CODES = frozenset(
	{
		4,  # application request limit reached
		17,  # user request limit reached
		32,  # page request limit reached
		613,  # calls to this API have exceeded the rate limit
	}
)
TRANSIENT_CODES = frozenset({1, 2})  # unknown error / service temporarily unavailable
RETRY_CODES = RATE_LIMIT_CODES | TRANSIENT_CODES
OUTSIDE_WINDOW_SUBCODES = frozenset({2018278, 2018065})  # outside the allowed window / tag not allowed
USER_UNAVAILABLE = 551  # "This person isn't available right now"


def pseudo_email(platform: str, sender: str) -> str:
	"""The customer's address: their sender id on the reserved, never deliverable `.invalid` domain
	of the platform (Helpdesk needs an address per ticket)."""
	return f"{sender}@{platform.lower()}.invalid"


def is_pseudo_email(email: str | None) -> bool:
	return bool(email) and email.lower().endswith(("@messenger.invalid", "@instagram.invalid"))


def platform_of(payload) -> str | None:
	if not isinstance(payload, dict):
		return None
	return OBJECTS.get(payload.get("object"))


def send_mode(last_inbound: datetime | None, now: datetime, human: bool) -> tuple[str, str | None] | None:
	"""(messaging_type, tag) for a message now, or None when Meta does not allow one: within 24 h a
	RESPONSE; up to 7 days only a person's reply, tagged HUMAN_AGENT (automatic messages may not
	use that tag)."""
	if last_inbound is None:
		return None
	age = now - last_inbound
	if age < RESPONSE_WINDOW:
		return RESPONSE, None
	if human and age < HUMAN_AGENT_WINDOW:
		return MESSAGE_TAG, HUMAN_AGENT
	return None


def outside_window(subcode: int | None) -> bool:
	"""Meta refused the message for the window (code 10 / 100 with one of these subcodes)."""
	return subcode in OUTSIDE_WINDOW_SUBCODES


def messages(payload: dict, account_ids: dict[str, str] | None = None) -> list[dict]:
	"""The customer's messages in a Messenger / Instagram webhook body, in order: dicts with
	platform, account (page or Instagram account id), sender, mid, timestamp (ms), text,
	attachments [{type, url, name}]. Echoes of the page's own messages, reads, deliveries and
	entries of other accounts (`account_ids`: platform → the configured id) are left out."""
	platform = platform_of(payload)
	if not platform:
		return []
	expected = (account_ids or {}).get(platform)
	out = []
	for entry in payload.get("entry") or []:
		account = str(entry.get("id") or "")
		if expected and account != str(expected):
			continue
		for event in entry.get("messaging") or []:
			sender = str((event.get("sender") or {}).get("id") or "")
			message = event.get("message") or {}
			postback = event.get("postback") or {}
			if not sender or sender == account or message.get("is_echo"):
				continue
			mid = message.get("mid") or postback.get("mid")
			if not mid or message.get("is_deleted"):
				continue
			text = message.get("text") or postback.get("title") or ""
			attachments = []
			for a in message.get("attachments") or []:
				data = a.get("payload") or {}
				attachments.append(
					{
						"type": a.get("type") or "file",
						"url": data.get("url") or "",
						"name": a.get("title") or "",
					}
				)
			out.append(
				{
					"platform": platform,
					"account": account,
					"sender": sender,
					"mid": str(mid)[:140],
					"timestamp": event.get("timestamp"),
					"text": text,
					"attachments": attachments,
					"reply_to": (message.get("reply_to") or {}).get("mid"),
				}
			)
	return out
