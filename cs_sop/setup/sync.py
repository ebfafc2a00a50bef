"""After every `bench migrate`: what a newer cs_sop adds to an existing site, idempotently.

- Custom fields: `create_custom_fields` with the current definitions (it creates missing ones and
  updates changed ones), so a field added by a later version never waits for a one-off patch.
- The shipped HD Form Scripts (agent-UI and portal actions): their script text follows the app.
- Shipped records a later version adds (teams, notice templates, channel owners): inserted when
  missing, never overwritten (`add_shipped_records`).
- HD Ticket Type's *Complaints Need an Approved Solution*: on for the shipped complaint categories
  once, in the migrate that adds the field (`cs_sop.setup.closure.require_approved_solutions`).
- SOP Settings: a field added by a later version gets its default once. Frappe gives a new field of
  a Single doctype no value on migrate, and an empty number (a survey expiry of 0 days, say) would
  change behaviour; values an admin saved are never touched.
"""

import frappe
from frappe.custom.doctype.custom_field.custom_field import create_custom_fields

from cs_sop.setup.custom_fields import get_custom_fields

SETTINGS = "SOP Settings"
NO_VALUE = (
	"Section Break",
	"Column Break",
	"Tab Break",
	"HTML",
	"Button",
	"Heading",
	"Table",
	"Table MultiSelect",
)


def after_migrate():
	# a Check column gets 0 on every existing row: whether the site had the field must be read first
	had_solution_switch = frappe.db.has_column("HD Ticket Type", "sop_requires_approved_solution")
	create_custom_fields(get_custom_fields(), ignore_validate=True)
	# a new ticket column alters the table, and Frappe's alter drops a one-column index on a field
	# the doctype does not mark for indexing (the reports' `sop_opening_date_index`): add it back
	from cs_sop.report_facts import add_indexes

	add_indexes()
	fill_new_settings_defaults()
	refresh_form_scripts()
	add_shipped_records()
	if not had_solution_switch:
		from cs_sop.setup.closure import require_approved_solutions

		require_approved_solutions()


def refresh_form_scripts():
	from cs_sop.setup import closure, complaint, install
	from cs_sop.setup.form_scripts import install_form_script

	install_form_script(install.FORM_SCRIPT, "escalate_action.js")
	install_form_script(complaint.FORM_SCRIPT, "solution_action.js")
	install_form_script(closure.FORM_SCRIPT, "closure_action.js")
	install_form_script(closure.PORTAL_SCRIPT, "portal_confirm.js", portal=True)
	install_form_script("SOP WhatsApp Retry", "whatsapp_action.js")
	install_form_script(install.RECEIPT_FORM_SCRIPT, "receipt_action.js")


def add_shipped_records():
	"""Records a later version ships, inserted when missing (never overwritten): new teams, the
	notice templates, the channel owners of channels without one."""
	from cs_sop import channel_owner
	from cs_sop.setup import complaint, install

	install.create_teams()
	complaint.create_email_templates()
	channel_owner.install_defaults()


def fill_new_settings_defaults() -> list[str]:
	"""Set the default of every SOP Settings field that has never had a value. Returns them."""
	stored = frappe.db.get_singles_dict(SETTINGS)
	filled = []
	for df in frappe.get_meta(SETTINGS).fields:
		if df.fieldtype in NO_VALUE or df.default in (None, "") or df.fieldname in stored:
			continue
		frappe.db.set_single_value(SETTINGS, df.fieldname, df.default)
		filled.append(df.fieldname)
	if filled:
		frappe.clear_document_cache(SETTINGS, SETTINGS)
	return filled
