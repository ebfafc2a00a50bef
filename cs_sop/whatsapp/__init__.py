"""WhatsApp Business Cloud API as a ticket channel (issue 13).

- `webhook` (this module): the endpoint Meta calls, `/api/method/cs_sop.whatsapp.webhook`;
- `events`: verify, store the raw event, queue; `jobs`: process events, send, sweep;
- `inbound`: a customer's message → Communication on the ticket; `outbound`: agent replies and
  automatic notices → WhatsApp; `client`: the Graph API on `requests`; `settings`; `api`: retry.
"""

import frappe

from cs_sop.guest import webhook_limited


@frappe.whitelist(allow_guest=True, methods=["GET", "POST"])
@webhook_limited  # its own, higher limit: Meta bursts from few addresses (see cs_sop.guest)
def webhook():
	"""Meta's webhook: GET is the verification handshake, POST a signed event (answered fast)."""
	# Guests may call this on purpose: Meta does not log in. GET answers only with the right verify
	# token; POST is accepted only with a valid X-Hub-Signature-256 of the body (app secret).
	from cs_sop.whatsapp import events

	if frappe.request.method == "GET":
		return events.handshake()
	return events.receive()
