"""One-off: the report facts (operating seconds, reopen count, agent, subject key) on tickets saved
before cs_sop stored them. Creates only its own columns; the report indexes and every other field are
after_migrate's (cs_sop.setup.sync)."""

from frappe.custom.doctype.custom_field.custom_field import create_custom_fields

from cs_sop.core.gates import REPORT_FIELDS
from cs_sop.report_facts import backfill
from cs_sop.setup.custom_fields import get_custom_fields


def execute():
	fields = [f for f in get_custom_fields()["HD Ticket"] if f["fieldname"] in REPORT_FIELDS]
	create_custom_fields({"HD Ticket": fields}, ignore_validate=True)
	backfill()
