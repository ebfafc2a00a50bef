"""What the public endpoints (no login: survey, resolution confirmation, WhatsApp webhook) share.

- Rate limits: Frappe's `rate_limit`, per IP address and endpoint. A customer answers a survey or
  a confirmation once; 30 requests a minute from one address (many customers may share one behind
  a mobile carrier's NAT) is far above that and far below what a script needs to hammer the site.
  Meta's webhook gets its own, much higher limit: Meta delivers from a few addresses and may burst
  (a status per sent message, retries after an outage); a 429 only makes Meta deliver again later,
  and every accepted POST is signature-checked before anything is written.
  Site config `cs_sop_guest_rate_limit` / `cs_sop_webhook_rate_limit` change the limits.
- The actor: what a portal customer does from a public page is written in their name (their user as
  owner / modified by), never as Guest; an email-only customer has no User to name, so Guest it is
  (the ticket's own records still carry their address: raised_by, the Communication's sender).
"""

from contextlib import contextmanager
from email.utils import parseaddr

import frappe
from frappe.rate_limiter import rate_limit
from frappe.utils import cint, validate_email_address

GUEST_LIMIT = 30  # requests per minute, per IP address and endpoint
WEBHOOK_LIMIT = 6000  # per minute and IP address: 100/s, above the Cloud API's 80 messages/s
WINDOW = 60


def guest_limit() -> int:
	return cint(frappe.conf.get("cs_sop_guest_rate_limit")) or GUEST_LIMIT


def webhook_limit() -> int:
	return cint(frappe.conf.get("cs_sop_webhook_rate_limit")) or WEBHOOK_LIMIT


def limited(fn):
	"""A public endpoint's rate limit (answers 429 past the limit); under `frappe.whitelist`."""
	return rate_limit(limit=guest_limit, seconds=WINDOW)(fn)


def webhook_limited(fn):
	return rate_limit(limit=webhook_limit, seconds=WINDOW)(fn)


def customer_actor(email: str | None) -> str | None:
	"""The customer's address to name as the actor, or None. Never a staff user's identity: a link
	proves only that its holder got the customer's message."""
	address = parseaddr(email or "")[1].strip().lower()
	if not address or not validate_email_address(address):
		return None
	# only a customer who is a (portal) User: Frappe and Helpdesk write the session user into Link
	# fields to User (notifications, assignments), which an email-only customer's address would fail
	user = frappe.db.get_value("User", address, ["user_type", "enabled"], as_dict=True)
	if not user or user.user_type == "System User" or not user.enabled:
		return None
	return address


@contextmanager
def as_customer(email: str | None):
	"""Writes inside are made in the customer's name (owner, modified by, activity) instead of
	Guest's. Only the name changes: the caller has already checked the link, and a customer's
	session has no more rights than the guest's there (their own tickets, as a portal user)."""
	actor = customer_actor(email)
	previous = frappe.session.user
	if actor and previous == "Guest":
		frappe.session.user = actor
	try:
		yield frappe.session.user
	finally:
		frappe.session.user = previous


@contextmanager
def as_email_intake():
	"""A customer's message recorded from a public page as Frappe's email intake records one (the
	customer is the Communication's sender): Helpdesk's Communication hook saves the ticket with the
	session's rights, which Guest (an email-only customer) does not have."""
	previous = frappe.session.user
	if previous == "Guest":
		frappe.session.user = "Administrator"
	try:
		yield
	finally:
		frappe.session.user = previous
