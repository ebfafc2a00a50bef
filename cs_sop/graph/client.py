"""A thin Graph API client on `requests`, the base of WhatsApp's (`cs_sop.whatsapp.client`) and
Messenger / Instagram's (`cs_sop.meta.client`).

Timeouts on every call; one attempt per call and no sleeping (the calls run in queue jobs): an
error says whether it is worth another try (429, 5xx, network errors, the API's rate-limit codes)
and the caller schedules it (`next_attempt_at` of the message, the event's attempts) for the next
sweep. A network error after the request may have reached Meta is marked `maybe_sent`: a send is
then never repeated automatically. The access token goes in the Authorization header only and is
never part of an exception or a log line.
"""

import requests
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError

from cs_sop.core import whatsapp as rules


class GraphError(Exception):
	"""An error of a Graph API call; each API's subclass says which Meta codes are worth another try."""

	retry_codes: frozenset = frozenset()

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
		"""Meta refused a text because the customer-service window is closed (WhatsApp only)."""
		return False

	def __str__(self):
		code = f" ({self.code})" if self.code is not None else ""
		details = f": {self.details}" if self.details else ""
		return f"{self.message}{code}{details}"


class GraphClient:
	"""One Graph API session for one account (a WhatsApp phone number id, a Facebook page id): base
	URL with version, bearer token, timeout, Graph's error shape. A subclass names its settings
	module (`get()`, `secret()`) and which of their fields are the account and the token."""

	error_class = GraphError
	settings = None
	account_field = ""
	token_field = ""

	def __init__(self, base_url: str, version: str, account_id: str, token: str, timeout: float = 10):
		self.base = f"{base_url.rstrip('/')}/{version.strip('/')}"
		self.account_id = account_id
		self.timeout = timeout
		self.session = requests.Session()
		self.session.headers["Authorization"] = f"Bearer {token}"

	@classmethod
	def from_settings(cls):
		conf = cls.settings.get()
		return cls(
			conf.base_url,
			conf.version,
			conf[cls.account_field],
			cls.settings.secret(cls.token_field),
			conf.timeout,
		)

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


def _error_of(response: requests.Response, error_class=GraphError) -> GraphError:
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
