"""The WhatsApp Business Cloud API on the Graph client (`cs_sop.graph.client`): text and template
messages, media downloads. Which Meta codes are worth another try, and re-engagement (the 24-hour
window is closed: only a template may go), are WhatsApp's own.
"""

from cs_sop.core import whatsapp as rules
from cs_sop.graph.client import GraphClient, GraphError
from cs_sop.whatsapp import settings

MAX_MEDIA_BYTES = 25 * 1024 * 1024


class WhatsAppError(GraphError):
	retry_codes = rules.RATE_LIMIT_CODES | rules.TRANSIENT_CODES

	@property
	def re_engagement(self) -> bool:
		return self.code == rules.RE_ENGAGEMENT


class Client(GraphClient):
	error_class = WhatsAppError
	settings = settings
	account_field = "phone_number_id"
	token_field = "access_token"

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
			f"{self.base}/{self.account_id}/messages",
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
