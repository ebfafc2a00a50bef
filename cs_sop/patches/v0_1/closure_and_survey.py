"""One-off: tickets closed before closure and survey existed get their closing date and their
anonymisation date. Creates only its own columns; every other field is after_migrate's
(cs_sop.setup.sync)."""

from frappe.custom.doctype.custom_field.custom_field import create_custom_fields

from cs_sop.privacy.retention import recompute_retention
from cs_sop.setup.closure_fields import TICKET_FIELDS


def execute():
	create_custom_fields({"HD Ticket": list(TICKET_FIELDS)}, ignore_validate=True)
	recompute_retention(backfill=True)
