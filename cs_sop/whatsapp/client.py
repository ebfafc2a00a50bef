"""A thin client for the WhatsApp Business Cloud API (Meta's Graph API) on `requests`.

Timeouts on every call; one attempt per call and no sleeping (the calls run in queue jobs): an
error says whether it is worth another try (429, 5xx, network errors, Meta's rate-limit codes) and
the caller schedules it (`next_attempt_at` of the message, the event's attempts) for the next
sweep. A network error after the request may have reached Meta is marked `maybe_sent`: a send is
then never repeated automatically. The access token goes in the Authorization header only and is
never part of an exception or a log line.
"""

import requests
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError

from cs_sop.core import whatsapp as rules

MAX_MEDIA_BYTES = 25 * 1024 * 1024


class WhatsAppError(Exception):
	"""An error of a Graph API call (WhatsApp, and the Messenger / Instagram subclass in cs_sop.meta)."""

	# Meta codes worth another try on this API (the rest: only HTTP 429 / 5xx / network)
	retry_codes = rules.RATE_LIMIT_CODES | rules.TRANSIENT_CODES

	def __init__(
		self,
		message: str,
		code: int | None = None,
		http_status: int | None = None,
		details="",
		maybe_sent: bool = False,
		subcode: int | None = None,
	):
		super().__init__(message)
		self.message = message
		self.code = code
		self.subcode = subcode
		self.http_status = http_status
		self.details = details
		# the connection broke after the request went out: Meta may have accepted it
		self.maybe_sent = maybe_sent
		# Meta's Retry-After (seconds), when it gave one
		self.retry_after: float | None = None

	@property
	def retryable(self) -> bool:
		return not self.maybe_sent and rules.is_retryable(self.http_status, self.code, self.retry_codes)

	@property
	def re_engagement(self) -> bool:
		return self.code == rules.RE_ENGAGEMENT

	def __str__(self):
		code = f" ({self.code})" if self.code is not None else ""
		details = f": {self.details}" if self.details else ""
		return f"{self.message}{code}{details}"


class GraphClient:
	"""One Graph API session: base URL with version, bearer token, timeout, Graph's error shape.
	The WhatsApp client below and the Messenger / Instagram client (cs_sop.meta.client) build on it."""

	error_class = WhatsAppError

	def __init__(self, base_url: str, version: str, token: str, timeout: float = 10):
		self.base = f"{base_url.rstrip('/')}/{version.strip('/')}"
		self.timeout = timeout
		self.session = requests.Session()
		self.session.headers["Authorization"] = f"Bearer {token}"

	def _call(self, method: str, url: str, **kwargs) -> requests.Response:
		"""One request; an error_class unless it succeeded (the caller decides about another try)."""
		try:
			response = self.session.request(method, url, timeout=self.timeout, **kwargs)
		except requests.RequestException as e:
			# the exception text may contain the URL, never the token (it is a header): name only
			raise self.error_class(
				f"Network error: {type(e).__name__}", maybe_sent=method == "POST" and not _not_sent(e)
			) from None
		if response.ok:
			return response
		error = _error_of(response, self.error_class)
		error.retry_after = _float(response.headers.get("Retry-After"))
		raise error


class Client(GraphClient):
	def __init__(self, base_url: str, version: str, phone_number_id: str, token: str, timeout: float = 10):
		super().__init__(base_url, version, token, timeout)
		self.phone_number_id = phone_number_id

	@classmethod
	def from_settings(cls) -> "Client":
		from cs_sop.whatsapp import settings

		conf = settings.get()
		return cls(
			conf.base_url, conf.version, conf.phone_number_id, settings.secret("access_token"), conf.timeout
		)

	# sending -----------------------------------------------------------------------------------
	def send_text(self, to: str, body: str) -> str:
		return self._send(
			{"to": to, "type": "text", "text": {"preview_url": False, "body": body[: rules.MAX_TEXT]}}
		)

	def send_template(
		self,
		to: str,
		name: str,
		language: str,
		parameters: list[str] | tuple = (),
		url_suffixes: list[str] | tuple = (),
	) -> str:
		"""An approved template; `parameters` fill the body's {{1}}, {{2}} …, `url_suffixes` the
		{{1}} of its URL buttons in order (button index 0, 1 …)."""
		template: dict = {"name": name, "language": {"code": language}}
		components = []
		if parameters:
			components.append(
				{"type": "body", "parameters": [{"type": "text", "text": p} for p in parameters]}
			)
		for index, suffix in enumerate(url_suffixes):
			components.append(
				{
					"type": "button",
					"sub_type": "url",
					"index": str(index),
					"parameters": [{"type": "text", "text": suffix}],
				}
			)
		if components:
			template["components"] = components
		return self._send({"to": to, "type": "template", "template": template})

	def _send(self, payload: dict) -> str:
		"""POST /<phone-number-id>/messages; the WhatsApp message id ("wamid…")."""
		data = self._call(
			"POST",
			f"{self.base}/{self.phone_number_id}/messages",
			json={"messaging_product": "whatsapp", "recipient_type": "individual", **payload},
		).json()
		try:
			return data["messages"][0]["id"]
		except (KeyError, IndexError, TypeError):
			raise WhatsAppError("Unexpected answer from the WhatsApp API", http_status=200) from None

	# media -------------------------------------------------------------------------------------
	def media_info(self, media_id: str) -> dict:
		return self._call("GET", f"{self.base}/{media_id}").json()

	def download(self, url: str, limit: int = MAX_MEDIA_BYTES) -> bytes:
		response = self._call("GET", url, stream=True)
		chunks, size = [], 0
		for chunk in response.iter_content(64 * 1024):
			size += len(chunk)
			if size > limit:
				response.close()
				raise WhatsAppError("Media file is larger than the limit", http_status=413)
			chunks.append(chunk)
		return b"".join(chunks)


def _not_sent(e: requests.RequestException) -> bool:
	"""True when the request never reached the server (no connection was made): safe to repeat."""
	if isinstance(e, requests.ConnectTimeout):
		return True
	reason = getattr(e.args[0], "reason", None) if e.args else None
	return isinstance(e, requests.ConnectionError) and isinstance(
		reason, NewConnectionError | ConnectTimeoutError
	)


def _float(value) -> float | None:
	try:
		return float(value)
	except (TypeError, ValueError):
		return None


def _error_of(response: requests.Response, error_class=WhatsAppError) -> WhatsAppError:
	"""Graph API errors: {"error": {"message", "type", "code", "error_subcode", "error_data": {"details"}}}."""
	try:
		error = response.json().get("error") or {}
	except ValueError:
		error = {}
	details = (error.get("error_data") or {}).get("details") or ""
	return error_class(
		error.get("message") or f"HTTP {response.status_code}",
		code=error.get("code"),
		http_status=response.status_code,
		details=details,
		subcode=error.get("error_subcode"),
	)
