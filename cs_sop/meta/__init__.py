"""Facebook Messenger and Instagram Direct as a ticket channel (channel Social Media), on the Graph
layer WhatsApp uses too (`cs_sop.graph`): the same signed webhook handling and event store (SOP
WhatsApp Event with a platform), the same queue, send job, retries and failure notes (SOP WhatsApp
Message with a platform, `cs_sop.whatsapp.jobs`), the same Graph API client base.

- `webhook` (this module): `/api/method/cs_sop.meta.webhook`, Meta's Page and Instagram webhooks;
- `inbound`: a DM → Communication on the sender's open ticket, or a new Social Media ticket;
- `outbound`: agents' replies and automatic notices → the Send API, within Meta's windows;
- `client`: POST /{page-id}/messages; `settings`: SOP Meta Settings.
"""

import frappe

from cs_sop.core import meta as rules
from cs_sop.graph import webhook as graph_webhook
from cs_sop.guest import webhook_limited
from cs_sop.meta import settings


@frappe.whitelist(allow_guest=True, methods=["GET", "POST"])
@webhook_limited  # its own, higher limit: Meta bursts from few addresses (see cs_sop.guest)
def webhook():
	"""Meta's Page / Instagram webhook: GET is the verification handshake, POST a signed event."""
	# Guests may call this on purpose: Meta does not log in. GET answers only with the right verify
	# token; POST is accepted only with a valid X-Hub-Signature-256 of the body (app secret).
	if frappe.request.method == "GET":
		return graph_webhook.handshake(settings.secret("verify_token"))
	return graph_webhook.receive(settings.secret("app_secret"), rules.OBJECTS)
