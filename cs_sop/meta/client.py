"""The Messenger Platform / Instagram Messaging Send API on the Graph client (`cs_sop.graph.client`):
same session, timeouts, one attempt per call, token only in the Authorization header, Graph's
error shape. Only what differs is here: the endpoint, the payload and which codes are retryable.
"""

from cs_sop.core import meta as rules
from cs_sop.graph.client import GraphClient, GraphError
from cs_sop.meta import settings


class MetaError(GraphError):
	retry_codes = rules.RETRY_CODES

	@property
	def outside_window(self) -> bool:
		return rules.outside_window(self.subcode)


class MessengerClient(GraphClient):
	error_class = MetaError
	settings = settings
	account_field = "page_id"
	token_field = "page_access_token"

	def send_text(self, recipient: str, text: str, messaging_type: str, tag: str | None = None) -> str:
		"""POST /{page-id}/messages (Messenger and Instagram alike); the message id ("mid")."""
		payload: dict = {
			"recipient": {"id": recipient},
			"messaging_type": messaging_type,
			"message": {"text": text},
		}
		if tag:
			payload["tag"] = tag
		data = self._call("POST", f"{self.base}/{self.account_id}/messages", json=payload).json()
		mid = (data or {}).get("message_id") if isinstance(data, dict) else None
		if not mid:
			raise MetaError("Unexpected answer from the Send API", http_status=200)
		return mid

	def profile_name(self, platform: str, user_id: str) -> str:
		"""The sender's name (Messenger: first and last name; Instagram: name or username), "" when
		Meta does not give it (the contact is then named by platform and id)."""
		fields = "first_name,last_name" if platform == rules.MESSENGER else "name,username"
		try:
			data = self._call("GET", f"{self.base}/{user_id}", params={"fields": fields}).json()
		except (GraphError, ValueError):
			return ""
		if platform == rules.MESSENGER:
			return " ".join(p for p in (data.get("first_name"), data.get("last_name")) if p).strip()
		return (data.get("name") or data.get("username") or "").strip()
