"""Meta's Graph API as WhatsApp and Messenger / Instagram share it.

- `client`: one HTTP session per call site, timeouts, Graph's error shape, no retry inside a call;
- `webhook`: verify the signed POST (or the GET handshake), store the raw event, queue its processing;
- `outbox`: the outbound message row (SOP WhatsApp Message), Queued → Sending before the HTTP call →
  Sent / Failed, delivery statuses that only move forward, retries, failure notes on the ticket;
- `inbox`: what an inbound message of either platform does the same way (one lock per sender, the
  received Communication, its files, the customer owning their records).

The platforms build on it (`cs_sop.whatsapp`, `cs_sop.meta`); the queue jobs that run both are in
`cs_sop.whatsapp.jobs`.
"""
