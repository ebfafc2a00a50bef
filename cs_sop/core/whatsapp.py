"""WhatsApp channel rules in pure Python (no frappe): signatures, phone numbers, the 24-hour
customer-service window, delivery-state order, which Graph API errors are worth retrying, and
HTML → WhatsApp text.
"""

import hashlib
import hmac
import re
from datetime import datetime, timedelta
from html import unescape
from html.parser import HTMLParser

# Meta's customer-service window: free-form messages only within 24 h of the customer's last message.
WINDOW = timedelta(hours=24)

# Delivery states in the order they can only move forward. A late "sent" after "read" or after
# "failed" never moves a message back; "failed" is final for that WhatsApp message id.
STATUS_RANK = {"Queued": 0, "Sending": 0, "Sent": 1, "Delivered": 2, "Read": 3, "Failed": 4}
META_STATUS = {"sent": "Sent", "delivered": "Delivered", "read": "Read", "failed": "Failed"}

# Graph API error codes (developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes)
RE_ENGAGEMENT = 131047  # more than 24 h since the customer's last message: only a template may go
RATE_LIMIT_CODES = frozenset(
	{
		4,  # application request limit reached
		80007,  # WhatsApp Business Account rate limit
		130429,  # Cloud API throughput reached
		131056,  # pair rate limit (too many messages to one number)
	}
)
TRANSIENT_CODES = frozenset({1, 2, 131000, 133004})  # unknown / service unavailable / server busy

MAX_TEXT = 4096  # Cloud API limit of a text message body

# RFC 2606: never deliverable; Helpdesk needs an address per ticket, a WhatsApp customer has a number
EMAIL_DOMAIN = "whatsapp.invalid"


def pseudo_email(phone: str) -> str:
	return f"{phone}@{EMAIL_DOMAIN}"


def is_pseudo_email(email: str | None) -> bool:
	return bool(email) and email.lower().endswith("@" + EMAIL_DOMAIN)


def signature_valid(secret: str, body: bytes, header: str | None) -> bool:
	"""X-Hub-Signature-256 is "sha256=" + hex HMAC-SHA256 of the raw body with the app secret."""
	if not secret or not header or not header.startswith("sha256="):
		return False
	expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
	return hmac.compare_digest(expected, header[len("sha256=") :].strip().lower())


def sign(secret: str, body: bytes) -> str:
	return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def normalize_phone(value: str | None) -> str:
	"""Digits only, international form without "+" (WhatsApp's wa_id); "0812…" → "62812…"."""
	digits = re.sub(r"\D", "", value or "")
	if digits.startswith("00"):
		digits = digits[2:]
	elif digits.startswith("0"):
		digits = "62" + digits[1:]  # Indonesian national format
	return digits


def inside_window(last_inbound: datetime | None, now: datetime) -> bool:
	"""May a free-form message go now? Only within 24 h of the customer's last message."""
	return last_inbound is not None and now - last_inbound < WINDOW


def moves_forward(current: str | None, new: str) -> bool:
	return STATUS_RANK[new] > STATUS_RANK.get(current or "Queued", 0)


def is_retryable(http_status: int | None, code: int | None, codes: frozenset | None = None) -> bool:
	"""429, 5xx, network errors (no status) and Meta's rate-limit/transient codes (`codes`: another
	API's list, e.g. Messenger's); nothing else."""
	if codes is None:
		codes = RATE_LIMIT_CODES | TRANSIENT_CODES
	if code in codes:
		return True
	if http_status is None:
		return True
	return http_status == 429 or http_status >= 500


def backoff_seconds(
	attempt: int, base: float = 1.0, cap: float = 60.0, retry_after: float | None = None
) -> float:
	"""Exponential backoff (base · 2^attempt, capped); a server's Retry-After wins when larger."""
	delay = min(cap, base * (2 ** max(0, attempt)))
	if retry_after:
		delay = max(delay, min(cap, retry_after))
	return delay


def retry_delay_minutes(retry_count: int) -> int:
	"""When a queued send that hit a rate limit is tried again by the sweep: 1, 2, 4 … 60 min."""
	return min(60, 2 ** max(0, retry_count - 1))


class _ToWhatsApp(HTMLParser):
	BLOCK = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "ul", "ol"}
	MARK = {"b": "*", "strong": "*", "i": "_", "em": "_", "s": "~", "strike": "~", "del": "~"}

	def __init__(self, marks: bool = True):
		super().__init__(convert_charrefs=True)
		self.marks = marks
		self.out: list[str] = []
		self.href: list[str | None] = []
		self.link_text: list[int] = []
		self.skip = 0

	def handle_starttag(self, tag, attrs):
		if tag in ("script", "style"):
			self.skip += 1
		elif tag == "br":
			self.out.append("\n")
		elif tag in self.BLOCK:
			self.out.append("\n")
			if tag == "li":
				self.out.append("• ")
		elif tag in self.MARK:
			self.out.append(self.MARK[tag] if self.marks else "")
		elif tag == "a":
			self.href.append(dict(attrs).get("href"))
			self.link_text.append(len(self.out))

	def handle_endtag(self, tag):
		if tag in ("script", "style"):
			self.skip = max(0, self.skip - 1)
		elif tag in self.BLOCK and tag not in ("br", "li"):
			self.out.append("\n")
		elif tag in self.MARK:
			self.out.append(self.MARK[tag] if self.marks else "")
		elif tag == "a" and self.href:
			href = self.href.pop()
			start = self.link_text.pop()
			text = "".join(self.out[start:]).strip()
			if href and href != text and not href.startswith(("mailto:", "#", "javascript:")):
				self.out.append(f" ({href})")

	def handle_data(self, data):
		if not self.skip:
			self.out.append(re.sub(r"\s+", " ", data))


def html_to_text(html: str | None, marks: bool = True, limit: int = MAX_TEXT) -> str:
	"""HTML (an email body, an editor's reply) as WhatsApp text: *bold*, _italic_, ~strike~, bullets,
	links as "text (url)", paragraphs separated by one blank line; at most `limit` characters.
	`marks=False`: plain text without the emphasis marks (Messenger and Instagram show none)."""
	if not html:
		return ""
	if "<" not in html:
		return unescape(html).strip()[:limit]
	parser = _ToWhatsApp(marks)
	parser.feed(html)
	parser.close()
	text = "".join(parser.out)
	text = re.sub(r"[ \t]+\n", "\n", text)
	text = re.sub(r"\n[ \t]+", "\n", text)
	text = re.sub(r"\*\s*\*|_\s*_", "", text)  # empty emphasis left by <b></b>
	text = re.sub(r"\n{3,}", "\n\n", text)
	return text.strip()[:limit]
