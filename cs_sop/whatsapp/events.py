"""The webhook's work inside the request: verify, store the raw event, queue its processing.

Nothing heavy happens here (no ticket, no Communication, no download): the event is one row in
SOP WhatsApp Event, committed with the request; a queue job after the commit processes it, and the
sweep picks up any event a lost job left behind. Invalid or missing signature → 403, nothing written.
"""

import hmac
import json

import frappe
from frappe.utils import now_datetime
from werkzeug.wrappers import Response

from cs_sop.core import whatsapp as rules
from cs_sop.whatsapp import settings

MAX_BODY = 1024 * 1024  # Meta batches up to 1000 updates per call; a real call is a few kB
EVENT = "SOP WhatsApp Event"


def handshake() -> Response:
	args = frappe.request.args
	token = settings.secret("verify_token")
	if (
		args.get("hub.mode") == "subscribe"
		and token
		and hmac.compare_digest(str(args.get("hub.verify_token") or ""), token)
	):
		return Response(args.get("hub.challenge") or "", status=200, mimetype="text/plain")
	return Response("forbidden", status=403, mimetype="text/plain")


def receive() -> Response:
	request = frappe.request
	if (request.content_length or 0) > MAX_BODY:
		return Response("payload too large", status=413, mimetype="text/plain")
	body = request.get_data(cache=True)
	if len(body) > MAX_BODY:
		return Response("payload too large", status=413, mimetype="text/plain")
	secret = settings.secret("app_secret")
	if not rules.signature_valid(secret, body, request.headers.get("X-Hub-Signature-256")):
		return Response("invalid signature", status=403, mimetype="text/plain")
	try:
		payload = json.loads(body)
	except ValueError:
		return Response("invalid json", status=400, mimetype="text/plain")
	if not isinstance(payload, dict) or payload.get("object") != "whatsapp_business_account":
		return Response("ignored", status=200, mimetype="text/plain")
	store(body.decode("utf-8", "replace"))
	return Response("ok", status=200, mimetype="text/plain")


def store(raw: str) -> str:
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
	).insert(name, now, now, "Guest", "Guest", "Pending", now, 0, raw).run()
	from cs_sop.whatsapp import jobs

	jobs.enqueue_drain()
	return name
