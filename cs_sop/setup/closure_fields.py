"""What closure, confirmation, survey and retention add to a site: the ticket fields, HD Ticket
Type's *Complaints Need an Approved Solution* and its first value for the shipped categories.

No `frappe` import at module level: custom_fields (and the pure translation test) import TICKET_FIELDS.
"""

from cs_sop.core.confirmation import CONFIRMATION_CHANNELS, CONFIRMATION_STATES
from cs_sop.setup.defaults import records


def _hidden(**field) -> dict:
	return {"hidden": 1, "read_only": 1, "no_copy": 1, **field}


# HD Ticket custom fields, inserted after sop_root_cause (see custom_fields.get_custom_fields)
TICKET_FIELDS: tuple[dict, ...] = (
	{
		"fieldname": "sop_resolution_confirmed",
		"fieldtype": "Select",
		"label": "Customer Confirmation",
		"options": "\n".join(("", *CONFIRMATION_STATES)),
		"read_only": 1,
		"no_copy": 1,
		"in_standard_filter": 1,
		"insert_after": "sop_root_cause",
		"description": "Did the customer confirm the resolution (SOP stage 6)",
	},
	{
		"fieldname": "sop_confirmation_via",
		"fieldtype": "Select",
		"label": "Confirmed Via",
		"options": "\n".join(("", *CONFIRMATION_CHANNELS)),
		"read_only": 1,
		"no_copy": 1,
		"insert_after": "sop_resolution_confirmed",
	},
	{
		"fieldname": "sop_confirmation_requested_on",
		"fieldtype": "Datetime",
		"label": "Confirmation Requested On",
		"read_only": 1,
		"no_copy": 1,
		"insert_after": "sop_confirmation_via",
	},
	_hidden(
		fieldname="sop_confirmation_due",
		fieldtype="Datetime",
		label="Close Without Confirmation On",
		search_index=1,
		insert_after="sop_confirmation_requested_on",
	),
	{
		"fieldname": "sop_closed_on",
		"fieldtype": "Datetime",
		"label": "Closed On",
		"read_only": 1,
		"no_copy": 1,
		"search_index": 1,
		"insert_after": "sop_confirmation_due",
	},
	_hidden(
		fieldname="sop_survey_due",
		fieldtype="Datetime",
		label="Survey Due On",
		search_index=1,
		insert_after="sop_closed_on",
	),
	_hidden(
		fieldname="sop_retention_until",
		fieldtype="Date",
		label="Personal Data Kept Until",
		search_index=1,
		insert_after="sop_survey_due",
	),
	{
		"fieldname": "sop_anonymised_on",
		"fieldtype": "Datetime",
		"label": "Personal Data Anonymised On",
		"read_only": 1,
		"no_copy": 1,
		"insert_after": "sop_retention_until",
	},
	# a supervisor's exception: closed without the customer's confirmation (cs_sop.closure)
	{
		"fieldname": "sop_close_exception_by",
		"fieldtype": "Link",
		"label": "Closed by Exception By",
		"options": "User",
		"read_only": 1,
		"no_copy": 1,
		"in_standard_filter": 1,
		"insert_after": "sop_anonymised_on",
		"description": "The supervisor who closed the ticket without the customer's confirmation",
	},
	{
		"fieldname": "sop_close_exception_on",
		"fieldtype": "Datetime",
		"label": "Closed by Exception On",
		"read_only": 1,
		"no_copy": 1,
		"search_index": 1,
		"insert_after": "sop_close_exception_by",
	},
	{
		"fieldname": "sop_close_exception_reason",
		"fieldtype": "Small Text",
		"label": "Close Exception Reason",
		"read_only": 1,
		"no_copy": 1,
		"insert_after": "sop_close_exception_on",
	},
)

# HD Ticket Type: a complaint of the category is resolved only after an approved solution was sent
TICKET_TYPE_FIELDS: tuple[dict, ...] = (
	{
		"fieldname": "sop_requires_approved_solution",
		"fieldtype": "Check",
		"label": "Complaints Need an Approved Solution",
		"default": "0",
		"insert_after": "sop_approver_role",
		"description": "A complaint of this category is resolved only after an approved SOP Solution "
		"was sent to the customer",
	},
)


def require_approved_solutions() -> list[str]:
	"""The shipped complaint categories need an approved solution (categories.json): set on the
	ones that exist, when the site gets the field (install, or the migrate that adds it); an
	admin's choice afterwards is never touched. Returns the categories set."""
	import frappe

	names = [r["name"] for r in records("categories") if r.get("sop_requires_approved_solution")]
	T = frappe.qb.DocType("HD Ticket Type")
	found = (
		frappe.qb.from_(T)
		.select(T.name)
		.where(T.name.isin(names) & (T.sop_requires_approved_solution == 0))
		.run(pluck=True)
		if names
		else []
	)
	if found:
		frappe.qb.update(T).set(T.sop_requires_approved_solution, 1).where(T.name.isin(found)).run()
		for name in found:
			frappe.clear_document_cache("HD Ticket Type", name)
	return found
