# Copyright (c) 2026, cs_sop developers
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document


class SOPDataSubjectRequest(Document):
	"""The log of one data-subject request; written only by cs_sop.privacy.subject."""

	def validate(self):
		# a log line records what happened: made once by the request itself, never edited
		if not self.is_new() or not self.flags.ignore_permissions:
			frappe.throw(_("A data subject request is recorded by the Find and Erase actions only."))
