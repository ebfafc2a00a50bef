"""A Meta webhook's work inside the request: verify, store the raw event, queue its processing.
WhatsApp (`cs_sop.whatsapp.webhook`) and Messenger / Instagram (`cs_sop.meta.webhook`) call it with
their own verify token, app secret and webhook objects; every event is one row with its platform.

Nothing heavy happens here (no ticket, no Communication, no download): the event is one row in
SOP WhatsApp Event, committed with the request; a queue job after the commit processes it
(`cs_sop.whatsapp.jobs.drain`), and the sweep picks up any event a lost job left behind. Invalid or
missing signature → 403, nothing written.
"""

import hmac
import json

import frappe
from frappe.utils import now_datetime
from werkzeug.wrappers import Response

from cs_sop.core import whatsapp as rules

MAX_BODY = 1024 * 1024  # Meta batches up to 1000 updates per call; a real call is a few kB
EVENT = "SOP WhatsApp Event"
# who writes an event: Meta's signed delivery, recorded by the system (no guest acts here); the
# customers it carries are named on their messages (`cs_sop.graph.inbox.name_customer`)
SYSTEM = "Administrator"


def handshake(token: str) -> Response:
	"""Meta's GET handshake: the challenge back only with the channel's verify token."""
	args = frappe.request.args
	if (
		args.get("hub.mode") == "subscribe"
		and token
		and hmac.compare_digest(str(args.get("hub.verify_token") or ""), token)
	):
		return Response(args.get("hub.challenge") or "", status=200, mimetype="text/plain")
	return Response("forbidden", status=403, mimetype="text/plain")


def receive(secret: str, objects: dict[str, str]) -> Response:
	"""A signed POST: stored when its `object` is one of `objects` (object → platform) and signed
	with `secret` (the app secret of that channel's settings)."""
	request = frappe.request
	if (request.content_length or 0) > MAX_BODY:
		return Response("payload too large", status=413, mimetype="text/plain")
	body = request.get_data(cache=True)
	if len(body) > MAX_BODY:
		return Response("payload too large", status=413, mimetype="text/plain")
	if not rules.signature_valid(secret, body, request.headers.get("X-Hub-Signature-256")):
		return Response("invalid signature", status=403, mimetype="text/plain")
	try:
		payload = json.loads(body)
	except ValueError:
		return Response("invalid json", status=400, mimetype="text/plain")
	platform = objects.get(payload.get("object")) if isinstance(payload, dict) else None
	if not platform:
		return Response("ignored", status=200, mimetype="text/plain")
	store(body.decode("utf-8", "replace"), platform)
	return Response("ok", status=200, mimetype="text/plain")


def store(raw: str, platform: str = "WhatsApp") -> str:
	"""One Pending event row (committed with the request), processed by a queue job afterwards."""
	name = frappe.generate_hash(length=12)
	event = frappe.qb.DocType(EVENT)
	now = now_datetime()
	frappe.qb.into(event).columns(
		event.name,
		event.creation,
		event.modified,
		event.owner,
		event.modified_by,
		event.status,
		event.received_at,
		event.attempts,
		event.payload,
		event.platform,
	).insert(name, now, now, SYSTEM, SYSTEM, "Pending", now, 0, raw, platform).run()
	enqueue_drain()
	return name


def enqueue_drain() -> None:
	"""The drain job after the commit; deduplicated: at most one waits per site and it works through
	everything pending."""
	frappe.enqueue(
		"cs_sop.whatsapp.jobs.drain",
		queue="short",
		enqueue_after_commit=True,
		job_id="cs_sop_wa_drain",
		deduplicate=True,
	)
