"""One-off: escalation ladder rounds (reopened tickets). SOP Escalations made before rounds existed
are round 1; the open tickets' next check is re-planned under the operating-time rules. Creates
only its own columns; every other field is after_migrate's (cs_sop.setup.sync)."""

import frappe
from frappe.custom.doctype.custom_field.custom_field import create_custom_fields
from frappe.query_builder.functions import IfNull

from cs_sop.core.gates import LADDER_FIELDS
from cs_sop.escalation import replan_open_tickets
from cs_sop.setup.custom_fields import get_custom_fields


def execute():
	fields = [f for f in get_custom_fields()["HD Ticket"] if f["fieldname"] in LADDER_FIELDS]
	create_custom_fields({"HD Ticket": fields}, ignore_validate=True)
	frappe.clear_cache(doctype="HD Ticket")
	E = frappe.qb.DocType("SOP Escalation")
	frappe.qb.update(E).set(E.escalation_round, 1).where(IfNull(E.escalation_round, 0) == 0).run()
	replan_open_tickets()
