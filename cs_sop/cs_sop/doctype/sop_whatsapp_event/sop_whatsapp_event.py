# Copyright (c) 2026, cs_sop developers
# For license information, please see license.txt

from frappe.model.document import Document


class SOPWhatsAppEvent(Document):
	"""A signed webhook call as received; cs_sop.whatsapp.jobs processes it in the background."""
