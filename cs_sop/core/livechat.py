"""Website live chat rules without Frappe: the visitor's signed token, the realtime room, origins.

A visitor's token is `<payload>.<signature>`: the payload (base64url JSON) names the ticket, the
visitor's address and when it was issued; the signature is HMAC-SHA256 of the payload under the
site's secret. Nothing in it is guessable or forgeable without the secret, and it binds to one
ticket: a token can only ever read or write the conversation it was issued for.
"""

import base64
import hashlib
import hmac
import json
from urllib.parse import urlsplit

VERSION = 1
MAX_TOKEN_LENGTH = 1024
# RFC 2606: never deliverable; the address of a visitor who gave only a phone number
EMAIL_DOMAIN = "livechat.invalid"


def pseudo_email(phone: str) -> str:
	return f"{phone}@{EMAIL_DOMAIN}"


def is_pseudo_email(email: str | None) -> bool:
	return bool(email) and email.lower().endswith("@" + EMAIL_DOMAIN)


def _b64(data: bytes) -> str:
	return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
	return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(secret: bytes, purpose: str, data: str) -> str:
	return hmac.new(secret, f"{purpose}:{data}".encode(), hashlib.sha256).hexdigest()


def sign(secret: bytes, ticket: str, email: str, issued_at: int) -> str:
	"""A token for the conversation on `ticket` of the visitor `email`."""
	payload = _b64(
		json.dumps(
			{"v": VERSION, "t": str(ticket), "e": email, "i": int(issued_at)}, separators=(",", ":")
		).encode()
	)
	return f"{payload}.{_mac(secret, 'token', payload)}"


def verify(secret: bytes, token: str | None, now: int, max_age: int) -> dict | None:
	"""The token's claims {ticket, email, issued_at} when it is genuine and not expired, else None."""
	if not token or not isinstance(token, str) or len(token) > MAX_TOKEN_LENGTH or token.count(".") != 1:
		return None
	payload, signature = token.split(".")
	if not hmac.compare_digest(_mac(secret, "token", payload), signature):
		return None
	try:
		claims = json.loads(_unb64(payload))
		ticket, email, issued_at = str(claims["t"]), str(claims["e"]), int(claims["i"])
	except (ValueError, KeyError, TypeError):
		return None
	if claims.get("v") != VERSION or issued_at > now + 300 or now - issued_at > max_age:
		return None
	return {"ticket": ticket, "email": email, "issued_at": issued_at}


def room(secret: bytes, ticket: str) -> str:
	"""The realtime room of a conversation: derived from the secret, so only a token holder learns it."""
	return "cs_sop_livechat:" + _mac(secret, "room", str(ticket))[:40]


def origin_of(url: str | None) -> str | None:
	"""scheme://host[:port] of a URL or an Origin header, lower case; None when it has none."""
	if not url:
		return None
	try:
		parts = urlsplit(url.strip())
	except ValueError:
		return None
	if parts.scheme not in ("http", "https") or not parts.hostname:
		return None
	port = parts.port
	default = {"http": 80, "https": 443}[parts.scheme]
	host = parts.hostname.lower()
	return f"{parts.scheme}://{host}" + (f":{port}" if port and port != default else "")


def parse_origins(text: str | None) -> list[str]:
	"""The allowed origins of the settings' text (one a line, commas or spaces also separate)."""
	found = []
	for word in (text or "").replace(",", " ").split():
		origin = origin_of(word)
		if origin and origin not in found:
			found.append(origin)
	return found


def origin_allowed(origin: str | None, allowed: list[str]) -> bool:
	"""True when the origin (of a header) is one of the allowed ones. No origin: not a browser's
	cross-origin request (a browser always sends Origin on POST), allowed."""
	if not origin:
		return True
	return origin_of(origin) in allowed


def cursor_key(creation: str, name: str) -> str:
	return f"{creation}|{name}"


def parse_cursor(cursor: str | None) -> tuple[str, str] | None:
	if not cursor or "|" not in cursor or len(cursor) > 200:
		return None
	creation, name = cursor.split("|", 1)
	return creation, name
