"""Facebook Messenger and Instagram Direct as a ticket channel (channel Social Media), on the
WhatsApp channel's machinery: the same signed webhook handling and event store
(`cs_sop.whatsapp.events`, SOP WhatsApp Event with a platform), the same queue, send job,
retries and failure notes (`cs_sop.whatsapp.outbound` / `jobs`, SOP WhatsApp Message with a
platform), the same Graph API client base (`cs_sop.whatsapp.client.GraphClient`).

- `webhook` (this module): `/api/method/cs_sop.meta.webhook`, Meta's Page and Instagram webhooks;
- `inbound`: a DM → Communication on the sender's open ticket, or a new Social Media ticket;
- `outbound`: agents' replies and automatic notices → the Send API, within Meta's windows;
- `client`: POST /{page-id}/messages; `settings`: SOP Meta Settings.
"""

import frappe

from cs_sop.guest import webhook_limited


@frappe.whitelist(allow_guest=True, methods=["GET", "POST"])
@webhook_limited  # its own, higher limit: Meta bursts from few addresses (see cs_sop.guest)
def webhook():
	"""Meta's Page / Instagram webhook: GET is the verification handshake, POST a signed event."""
	# Guests may call this on purpose: Meta does not log in. GET answers only with the right verify
	# token; POST is accepted only with a valid X-Hub-Signature-256 of the body (app secret).
	from cs_sop.core import meta as rules
	from cs_sop.meta import settings
	from cs_sop.whatsapp import events

	if frappe.request.method == "GET":
		return events.handshake(settings.secret("verify_token"))
	return events.receive(settings.secret("app_secret"), rules.OBJECTS)
