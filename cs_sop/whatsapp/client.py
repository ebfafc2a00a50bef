"""A thin client for the WhatsApp Business Cloud API (Meta's Graph API) on `requests`.

Timeouts on every call; retries with exponential backoff (and the server's Retry-After) for 429,
5xx, network errors and Meta's rate-limit codes; no retry for permanent errors. The access token
goes in the Authorization header only and is never part of an exception or a log line.
"""

import time

import requests

from cs_sop.core import whatsapp as rules

BACKOFF_BASE = 1.0  # seconds; tests make it small
ATTEMPTS = 3  # in-process attempts per call; the sweep tries a rate-limited send again later
MAX_MEDIA_BYTES = 25 * 1024 * 1024


class WhatsAppError(Exception):
	def __init__(self, message: str, code: int | None = None, http_status: int | None = None, details=""):
		super().__init__(message)
		self.message = message
		self.code = code
		self.http_status = http_status
		self.details = details

	@property
	def retryable(self) -> bool:
		return rules.is_retryable(self.http_status, self.code)

	@property
	def re_engagement(self) -> bool:
		return self.code == rules.RE_ENGAGEMENT

	def __str__(self):
		code = f" ({self.code})" if self.code is not None else ""
		details = f": {self.details}" if self.details else ""
		return f"{self.message}{code}{details}"


class Client:
	def __init__(self, base_url: str, version: str, phone_number_id: str, token: str, timeout: float = 10):
		self.base = f"{base_url.rstrip('/')}/{version.strip('/')}"
		self.phone_number_id = phone_number_id
		self.timeout = timeout
		self.session = requests.Session()
		self.session.headers["Authorization"] = f"Bearer {token}"

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

	def send_template(self, to: str, name: str, language: str, parameters: list[str] | tuple = ()) -> str:
		template: dict = {"name": name, "language": {"code": language}}
		if parameters:
			template["components"] = [
				{"type": "body", "parameters": [{"type": "text", "text": p} for p in parameters]}
			]
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

	# transport ---------------------------------------------------------------------------------
	def _call(self, method: str, url: str, **kwargs) -> requests.Response:
		last: WhatsAppError | None = None
		for attempt in range(ATTEMPTS):
			retry_after = None
			try:
				response = self.session.request(method, url, timeout=self.timeout, **kwargs)
			except requests.RequestException as e:
				# the exception text may contain the URL, never the token (it is a header)
				last = WhatsAppError(f"Network error: {type(e).__name__}")
			else:
				if response.ok:
					return response
				last = _error_of(response)
				retry_after = _float(response.headers.get("Retry-After"))
			if not last.retryable or attempt == ATTEMPTS - 1:
				break
			time.sleep(rules.backoff_seconds(attempt, BACKOFF_BASE, retry_after=retry_after))
		raise last


def _float(value) -> float | None:
	try:
		return float(value)
	except (TypeError, ValueError):
		return None


def _error_of(response: requests.Response) -> WhatsAppError:
	"""Graph API errors: {"error": {"message", "type", "code", "error_subcode", "error_data": {"details"}}}."""
	try:
		error = response.json().get("error") or {}
	except ValueError:
		error = {}
	details = (error.get("error_data") or {}).get("details") or ""
	return WhatsAppError(
		error.get("message") or f"HTTP {response.status_code}",
		code=error.get("code"),
		http_status=response.status_code,
		details=details,
	)
