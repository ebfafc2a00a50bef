import frappe


def ensure_holiday_years():
	"""Daily: keep this year's and next year's Indonesian holidays in the SOP holiday list.

	Idempotent: a no-op once both years are there (one document read).
	"""
	from cs_sop.sla import sync_holiday_list

	try:
		sync_holiday_list(frappe.get_single("SOP Settings"))
	except Exception:
		frappe.log_error(title="cs_sop: holiday list update failed")
		raise
