# Copyright (c) 2026, cs_sop developers
# For license information, please see license.txt

import frappe
from frappe.model.document import Document


class SOPSurvey(Document):
	"""One survey per closed ticket; made and answered by `cs_sop.closure.survey` and `cs_sop.closure.answers` (never by hand)."""

	pass


def on_doctype_update():
	# the jobs' queries: reminders (status, sent_on) and expiry (status, expires_on)
	frappe.db.add_index("SOP Survey", ["status", "sent_on"])
	frappe.db.add_index("SOP Survey", ["status", "expires_on"])
