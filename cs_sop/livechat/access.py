"""Who may use the website live chat and as whom: the feature switch, the allowed websites, the
visitor's signed token (`cs_sop.core.livechat`), the visitor's details, contact and ticket.
"""

import hashlib
import re
import time

import frappe
from frappe import _
from frappe.utils import cint, validate_email_address
from frappe.utils.file_manager import get_max_file_size
from frappe.utils.password import get_encryption_key

from cs_sop import settings as sop_settings
from cs_sop.core import livechat as rules
from cs_sop.core.livechat import pseudo_email
from cs_sop.core.whatsapp import normalize_phone

TICKET = "HD Ticket"
CHANNEL = "Live Chat"
MAX_NAME = 140
MAX_FILE = 5 * 1024 * 1024
TOKEN_DAYS = 30


# settings ---------------------------------------------------------------------------------------
def secret() -> bytes:
	"""The HMAC key: derived from the site's encryption key (site config, never in the database), so
	it is per site and survives restarts; rotating the encryption key invalidates every token."""
	return hashlib.sha256(("cs_sop livechat:" + get_encryption_key()).encode()).digest()


def max_file_size() -> int:
	return min(cint(frappe.conf.get("cs_sop_livechat_max_file_size")) or MAX_FILE, get_max_file_size())


def token_max_age() -> int:
	return (cint(frappe.conf.get("cs_sop_livechat_token_days")) or TOKEN_DAYS) * 86400


def enabled() -> bool:
	value = sop_settings.get().get("livechat_enabled")
	return value is None or bool(cint(value))


def allowed_origins() -> list[str]:
	"""The configured origins plus the site's own (the chat page calls the API from there)."""
	own = rules.origin_of(frappe.utils.get_url())
	configured = rules.parse_origins(sop_settings.get().get("livechat_allowed_origins"))
	request = getattr(frappe.local, "request", None)
	request_host = rules.origin_of(request.host_url) if request else None
	return [o for o in dict.fromkeys([own, request_host, *configured]) if o]


def check_origin() -> None:
	"""Refuse a browser request made from a page on a website that is not allowed to embed the chat."""
	request = getattr(frappe.local, "request", None)
	origin = request.headers.get("Origin") if request else None  # no request: a job or the console
	if not rules.origin_allowed(origin, allowed_origins()):
		frappe.throw(_("This website is not allowed to use the live chat."), frappe.PermissionError)


# tokens -----------------------------------------------------------------------------------------
def issue_token(ticket: str, email: str) -> str:
	return rules.sign(secret(), ticket, email, int(time.time()))


def conversation(token: str | None) -> frappe._dict:
	"""The conversation a token is for; 403 (nothing said about any ticket) when it is not genuine,
	expired, or its ticket is gone or no longer the visitor's."""
	claims = rules.verify(secret(), token, int(time.time()), token_max_age())
	row = None
	if claims:
		row = frappe.db.get_value(
			TICKET,
			claims["ticket"],
			["name", "raised_by", "contact", "status", "status_category", "sop_channel", "subject"],
			as_dict=True,
		)
	if not row or (row.raised_by or "").lower() != claims["email"].lower():
		frappe.throw(
			_("This chat link is not valid or has expired. Please start a new chat."), frappe.PermissionError
		)
	return row


def room(ticket: str) -> str:
	return rules.room(secret(), ticket)


# visitors ---------------------------------------------------------------------------------------
def visitor_phone(phone: str | None) -> str | None:
	"""The number in international form without "+" (0812… → 62812…), None when it is not one."""
	digits = normalize_phone(phone)
	return digits if 8 <= len(digits) <= 15 else None


def session_visitor() -> dict | None:
	"""A logged-in customer is recognised: their name and address, not asked again."""
	user = frappe.session.user
	if user in ("Guest", None):
		return None
	row = frappe.db.get_value("User", user, ["email", "full_name", "mobile_no"], as_dict=True)
	if not row or not row.email:
		return None
	return {"name": row.full_name or row.email, "email": row.email.lower(), "phone": row.mobile_no}


def clean_visitor(name: str | None, email: str | None, phone: str | None) -> dict:
	"""The visitor's details as typed, checked: a name and an email address or a phone number."""
	name = re.sub(r"\s+", " ", (name or "")).strip()
	email = (email or "").strip().lower()
	if not name:
		frappe.throw(_("Please enter your name."))
	if len(name) > MAX_NAME or len(email) > 140 or len(phone or "") > 40:
		frappe.throw(_("Your name, email or phone number is too long."))
	if email and not validate_email_address(email):
		frappe.throw(_("Please enter a valid email address."))
	number = visitor_phone(phone) if phone else None
	if phone and not number:
		frappe.throw(_("Please enter a valid phone number."))
	if not email and not number:
		frappe.throw(_("Please enter your email address or phone number."))
	if email and frappe.db.get_value("User", email, "user_type") == "System User":
		# a staff address typed by a guest would make the chat speak in the staff member's name
		frappe.throw(_("Please use your own email address."), frappe.PermissionError)
	return {"name": name, "email": email or pseudo_email(number), "phone": number}


def find_or_create_contact(visitor: dict) -> str:
	contact = frappe.db.get_value("Contact", {"email_id": visitor["email"]})
	if contact:
		return contact
	frappe.db.savepoint("cs_sop_livechat_contact")
	try:
		return _new_contact(visitor).insert(ignore_permissions=True).name  # the chat records the guest
	except frappe.DuplicateEntryError:
		# Frappe names a contact after the person and numbers namesakes; two visitors of the same name
		# starting at once race for the same number: the second gets a random suffix instead
		frappe.db.rollback(save_point="cs_sop_livechat_contact")
		doc = _new_contact(visitor)
		return doc.insert(
			ignore_permissions=True, set_name=f"{visitor['name'][:100]}-{frappe.generate_hash(length=6)}"
		).name


def _new_contact(visitor: dict):
	first, _sep, last = visitor["name"].partition(" ")
	doc = frappe.new_doc("Contact")
	doc.first_name = first[:100]
	doc.last_name = last[:100] or None
	doc.append("email_ids", {"email_id": visitor["email"], "is_primary": 1})
	if visitor.get("phone"):
		doc.append("phone_nos", {"phone": f"+{visitor['phone']}", "is_primary_mobile_no": 1})
	return doc


def new_ticket(visitor: dict, subject: str) -> str:
	ticket = frappe.new_doc(TICKET)
	ticket.subject = subject[:140]
	ticket.raised_by = visitor["email"]
	ticket.sop_channel = CHANNEL
	ticket.flags.cs_sop_trusted = True  # the channel is set by this code, not by the guest
	# a guest has no right on HD Ticket; the chat creates the visitor's ticket as the email pull does
	ticket.insert(ignore_permissions=True)
	return ticket.name
