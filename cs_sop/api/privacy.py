"""UU PDP: what the next anonymisation run would change (SOP Settings' preview button)."""

import frappe

from cs_sop.privacy.retention import check_admin, preview


@frappe.whitelist(methods=["GET"])
def preview_anonymisation(on: str | None = None) -> dict:
	"""What the next anonymisation run would change (nothing is written). Admins only."""
	check_admin()
	return preview(on)
