from frappe.custom.doctype.custom_field.custom_field import create_custom_fields

from cs_sop.report_facts import add_indexes, backfill
from cs_sop.setup.custom_fields import get_custom_fields


def execute():
	"""Reports (issue #12): stored report facts on HD Ticket, their indexes, back-filled."""
	create_custom_fields(get_custom_fields(), ignore_validate=True)
	add_indexes()
	backfill()
