"""After every `bench migrate`: what a newer cs_sop adds to an existing site, idempotently.

- Custom fields: `create_custom_fields` with the current definitions (it creates missing ones and
  updates changed ones), so a field added by a later version never waits for a one-off patch.
- The shipped HD Form Scripts (agent-UI and portal actions): their script text follows the app.
- Shipped records a later version adds (teams, notice templates, channel owners): inserted when
  missing, never overwritten (`add_shipped_records`).
- HD Ticket Type's *Complaints Need an Approved Solution*: on for the shipped complaint categories
  once, in the migrate that adds the field (`cs_sop.setup.closure_fields.require_approved_solutions`).
- SOP Settings: a field added by a later version gets its default once. Frappe gives a new field of
  a Single doctype no value on migrate, and an empty number (a survey expiry of 0 days, say) would
  change behaviour; values an admin saved are never touched.
"""

import frappe
from frappe.custom.doctype.custom_field.custom_field import create_custom_fields

from cs_sop.intake import channel_owner
from cs_sop.report_facts import add_indexes
from cs_sop.settings import fill_new_settings_defaults
from cs_sop.setup import complaint, install
from cs_sop.setup.closure_fields import require_approved_solutions
from cs_sop.setup.custom_fields import get_custom_fields
from cs_sop.setup.form_scripts import install_all as install_form_scripts


def after_migrate():
	# a Check column gets 0 on every existing row: whether the site had the field must be read first
	had_solution_switch = frappe.db.has_column("HD Ticket Type", "sop_requires_approved_solution")
	create_custom_fields(get_custom_fields(), ignore_validate=True)
	# a new ticket column alters the table, and Frappe's alter drops a one-column index on a field
	# the doctype does not mark for indexing (the reports' `sop_opening_date_index`): add it back
	add_indexes()
	fill_new_settings_defaults()
	install_form_scripts()
	add_shipped_records()
	if not had_solution_switch:
		require_approved_solutions()


def add_shipped_records():
	"""Records a later version ships, inserted when missing (never overwritten): new teams, the
	notice templates, the channel owners of channels without one."""
	install.create_teams()
	complaint.create_email_templates()
	channel_owner.install_defaults()
