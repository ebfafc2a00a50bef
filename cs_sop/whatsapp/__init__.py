"""WhatsApp Business Cloud API as a ticket channel.

- `webhook` (this module): the endpoint Meta calls, `/api/method/cs_sop.whatsapp.webhook`
  (`cs_sop.graph.webhook`: verify, store the raw event, queue);
- `jobs`: process events, send, sweep (for Messenger / Instagram too);
- `inbound`: a customer's message → Communication on the ticket; `outbound`: agent replies and
  automatic notices, queued; `delivery`: text or template, by the send job; `client`: the Cloud
  API; `settings`; `api`: retry.
"""

import frappe

from cs_sop.graph import webhook as graph_webhook
from cs_sop.guest import webhook_limited
from cs_sop.whatsapp import settings

# the webhook's `object` → the platform
OBJECTS = {"whatsapp_business_account": "WhatsApp"}


@frappe.whitelist(allow_guest=True, methods=["GET", "POST"])
@webhook_limited  # its own, higher limit: Meta bursts from few addresses (see cs_sop.guest)
def webhook():
	"""Meta's webhook: GET is the verification handshake, POST a signed event (answered fast)."""
	# Guests may call this on purpose: Meta does not log in. GET answers only with the right verify
	# token; POST is accepted only with a valid X-Hub-Signature-256 of the body (app secret).
	if frappe.request.method == "GET":
		return graph_webhook.handshake(settings.secret("verify_token"))
	return graph_webhook.receive(settings.secret("app_secret"), OBJECTS)
