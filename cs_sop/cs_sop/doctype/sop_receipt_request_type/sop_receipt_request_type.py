# Copyright (c) 2026, cs_sop developers
# For license information, please see license.txt

from frappe.model.document import Document


class SOPReceiptRequestType(Document):
	pass
