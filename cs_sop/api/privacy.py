"""UU PDP for the SOP admins (System Manager, SOP Operations Manager): what the next anonymisation
run would change (SOP Settings' preview button), and a data subject's request: find and erase
everything held about an email address or phone number (the desk's *Data Subject Request* dialog).
Everyone else is refused here, on the server."""

import frappe

from cs_sop.privacy import subject
from cs_sop.privacy.retention import check_admin, preview


@frappe.whitelist(methods=["GET"])
def preview_anonymisation(on: str | None = None) -> dict:
	"""What the next anonymisation run would change (nothing is written)."""
	check_admin()
	return preview(on)


@frappe.whitelist(methods=["POST"])
def find_data(key: str) -> dict:
	"""Everything held about an email address or phone number: counts and links (logged)."""
	check_admin()
	return subject.find(key)


@frappe.whitelist(methods=["POST"])
def erase_data(key: str, include_open_tickets: bool = False) -> dict:
	"""Anonymise everything held about an email address or phone number (logged); open tickets
	only when `include_open_tickets` confirms it."""
	check_admin()
	return subject.erase_key(key, include_open_tickets)
