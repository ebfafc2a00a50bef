"""A local fake of the WhatsApp Business Cloud API (Meta's Graph API) for tests and benchmarks.

Serves on 127.0.0.1 (a free port), records every request, and answers with the documented
payload shapes: POST /<version>/<phone-number-id>/messages → {"messaging_product", "contacts",
"messages": [{"id": "wamid…"}]}; GET /<version>/<media-id> → {"url", "mime_type", "sha256",
"file_size", "id"}; GET <url> → the bytes (Bearer token required). Errors have Graph's shape
{"error": {"message", "type", "code", "error_data": {"details"}, "fbtrace_id"}}; queue them with
`fail_next` (e.g. 131047 re-engagement, 130429 / 80007 rate limit, 131026 undeliverable).

Messenger / Instagram (Send API): POST /<version>/<page-id>/messages with {"recipient": {"id"},
"messaging_type", "message"} → {"recipient_id", "message_id": "m_…"}; GET /<version>/<psid>
→ the profile registered with `add_profile`; errors 10 (subcode 2018278, outside the allowed
window), 551 (person not available), 613 (rate limit) as documented for the Messenger Platform.
"""

import hashlib
import json
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TOKEN = "fake-token-never-logged"

ERRORS = {
	131047: (
		400,
		"Re-engagement message",
		"Message failed to send because more than 24 hours have passed since the customer last replied to this number.",
	),
	130429: (429, "Rate limit hit", "Cloud API message throughput has been reached."),
	80007: (400, "Rate limit issues", "The WhatsApp Business Account has reached its rate limit."),
	131026: (400, "Message Undeliverable", "Unable to deliver message."),
	100: (400, "Invalid parameter", "Invalid parameter"),
	131000: (500, "Something went wrong", "Message failed to send due to an unknown error."),
	# Messenger Platform / Instagram Messaging Send API
	10: (400, "Message failed to send because it's outside the allowed window", ""),
	551: (400, "This person isn't available right now.", ""),
	613: (400, "Calls to this api have exceeded the rate limit.", ""),
}
SUBCODES = {10: 2018278, 551: 1545041}


class FakeGraph:
	def __init__(self, token: str = TOKEN):
		self.token = token
		self.requests: list[dict] = []
		self.media: dict[str, tuple[bytes, str]] = {}
		self.profiles: dict[str, dict] = {}
		self._fail: list[tuple[int, int]] = []
		self._lock = threading.Lock()
		# called with each request's record before it is answered (a test looks at the database
		# at the moment Meta would get the message)
		self.on_request = None
		fake = self

		class Handler(BaseHTTPRequestHandler):
			def log_message(self, *args):
				pass

			def do_GET(self):
				fake._handle(self, "GET")

			def do_POST(self):
				fake._handle(self, "POST")

		self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
		self.server.daemon_threads = True
		self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
		self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
		self.thread.start()

	def stop(self):
		self.server.shutdown()
		self.server.server_close()

	# scripting -----------------------------------------------------------------------------
	def fail_next(self, code: int, times: int = 1, status: int | None = None):
		with self._lock:
			for _i in range(times):
				self._fail.append((code, status or ERRORS[code][0]))

	def add_media(self, media_id: str, content: bytes, mime: str):
		self.media[media_id] = (content, mime)

	def add_profile(self, user_id: str, **fields):
		"""A Messenger / Instagram user's profile (first_name, last_name / name, username)."""
		self.profiles[user_id] = {"id": user_id, **fields}

	def sent(self) -> list[dict]:
		"""Bodies of the message sends that were accepted."""
		return [r["json"] for r in self.requests if r["path"].endswith("/messages") and r["answer"] == 200]

	def clear(self):
		with self._lock:
			self.requests.clear()
			self._fail.clear()

	# serving -------------------------------------------------------------------------------
	def _handle(self, h: BaseHTTPRequestHandler, method: str):
		length = int(h.headers.get("Content-Length") or 0)
		raw = h.rfile.read(length) if length else b""
		record = {"method": method, "path": h.path, "auth": h.headers.get("Authorization"), "raw": raw}
		try:
			record["json"] = json.loads(raw) if raw else None
		except ValueError:
			record["json"] = None
		if self.on_request:
			self.on_request(record)
		status, body, ctype = self._answer(method, h.path, record)
		record["answer"] = status
		with self._lock:
			self.requests.append(record)
		h.send_response(status)
		h.send_header("Content-Type", ctype)
		h.send_header("Content-Length", str(len(body)))
		if status == 429:
			h.send_header("Retry-After", "0")
		h.end_headers()
		h.wfile.write(body)

	def _answer(self, method: str, path: str, record: dict):
		if record["auth"] != f"Bearer {self.token}":
			return self._error(190, 401, "Invalid OAuth access token", "Error validating access token")
		if path.startswith("/media-bin/"):
			media_id = path.rsplit("/", 1)[1]
			if media_id not in self.media:
				return 404, b"not found", "text/plain"
			return 200, self.media[media_id][0], self.media[media_id][1]
		if method == "POST" and path.endswith("/messages"):
			with self._lock:
				failure = self._fail.pop(0) if self._fail else None
			if failure:
				code, status = failure
				return self._error(code, status, ERRORS[code][1], ERRORS[code][2])
			if "recipient" in (record["json"] or {}):
				recipient = record["json"]["recipient"].get("id")
				answer = {"recipient_id": recipient, "message_id": f"m_FAKE{uuid.uuid4().hex}"}
				return 200, json.dumps(answer).encode(), "application/json"
			to = (record["json"] or {}).get("to")
			answer = {
				"messaging_product": "whatsapp",
				"contacts": [{"input": to, "wa_id": to}],
				"messages": [{"id": f"wamid.FAKE{uuid.uuid4().hex}"}],
			}
			return 200, json.dumps(answer).encode(), "application/json"
		if method == "GET":
			media_id = path.split("?")[0].rstrip("/").rsplit("/", 1)[1]
			if media_id in self.profiles:
				return 200, json.dumps(self.profiles[media_id]).encode(), "application/json"
			if media_id in self.media:
				content, mime = self.media[media_id]
				answer = {
					"messaging_product": "whatsapp",
					"url": f"{self.url}/media-bin/{media_id}",
					"mime_type": mime,
					"sha256": hashlib.sha256(content).hexdigest(),
					"file_size": len(content),
					"id": media_id,
				}
				return 200, json.dumps(answer).encode(), "application/json"
		return self._error(100, 400, "Unsupported request", "Unsupported get request.")

	def _error(self, code: int, status: int, message: str, details: str):
		body = {
			"error": {
				"message": f"({'#' + str(code)}) {message}",
				"type": "OAuthException",
				"code": code,
				**({"error_subcode": SUBCODES[code]} if code in SUBCODES else {}),
				"error_data": {"messaging_product": "whatsapp", "details": details},
				"fbtrace_id": "AfakeTrace",
			}
		}
		return status, json.dumps(body).encode(), "application/json"


def inbound_payload(
	messages: list[dict], phone_number_id: str = "1234567890", contacts=None, statuses=None
) -> dict:
	"""A webhook body as Meta sends it (object whatsapp_business_account, entry → changes → value)."""
	value: dict = {
		"messaging_product": "whatsapp",
		"metadata": {"display_phone_number": "6281100000000", "phone_number_id": phone_number_id},
	}
	if contacts:
		value["contacts"] = contacts
	if messages:
		value["messages"] = messages
	if statuses:
		value["statuses"] = statuses
	return {
		"object": "whatsapp_business_account",
		"entry": [{"id": "WABA_ID", "changes": [{"value": value, "field": "messages"}]}],
	}


def text_message(
	phone: str, body: str, wa_id: str | None = None, timestamp: int | None = None, name: str = ""
):
	"""(message, contact) for a customer's text."""
	import time

	message = {
		"from": phone,
		"id": wa_id or f"wamid.IN{uuid.uuid4().hex}",
		"timestamp": str(timestamp or int(time.time())),
		"type": "text",
		"text": {"body": body},
	}
	contact = {"profile": {"name": name or f"Pelanggan {phone[-4:]}"}, "wa_id": phone}
	return message, contact


def status_update(wa_id: str, status: str, phone: str, errors=None) -> dict:
	import time

	row = {"id": wa_id, "status": status, "timestamp": str(int(time.time())), "recipient_id": phone}
	if errors:
		row["errors"] = errors
	return row


def dm_payload(
	platform: str,
	account_id: str,
	sender: str,
	text: str = "",
	mid: str | None = None,
	timestamp_ms=None,
	attachments=None,
) -> dict:
	"""A Messenger (object "page") or Instagram (object "instagram") webhook body with one DM."""
	import time

	now = int(timestamp_ms or time.time() * 1000)
	message: dict = {"mid": mid or f"m_IN{uuid.uuid4().hex}"}
	if text:
		message["text"] = text
	if attachments:
		message["attachments"] = attachments
	return {
		"object": "page" if platform == "Messenger" else "instagram",
		"entry": [
			{
				"id": account_id,
				"time": now,
				"messaging": [
					{
						"sender": {"id": sender},
						"recipient": {"id": account_id},
						"timestamp": now,
						"message": message,
					}
				],
			}
		],
	}
