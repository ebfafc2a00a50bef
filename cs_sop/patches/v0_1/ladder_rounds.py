"""Escalation ladder rounds (reopened tickets) and SOP Escalation's round: the new columns, and
the open tickets' next check re-planned under the operating-time rules."""

import frappe
from frappe.custom.doctype.custom_field.custom_field import create_custom_fields
from frappe.query_builder.functions import IfNull

from cs_sop.setup.custom_fields import get_custom_fields


def execute():
	create_custom_fields({"HD Ticket": get_custom_fields()["HD Ticket"]}, ignore_validate=True)
	frappe.clear_cache(doctype="HD Ticket")
	E = frappe.qb.DocType("SOP Escalation")
	frappe.qb.update(E).set(E.escalation_round, 1).where(IfNull(E.escalation_round, 0) == 0).run()
	from cs_sop.escalation import replan_open_tickets

	replan_open_tickets()
