# Copyright (c) 2026, cs_sop developers
# For license information, please see license.txt

from frappe.model.document import Document


class SOPWhatsAppMessage(Document):
	"""Written by cs_sop.whatsapp only (inbound processing, sends, status webhooks)."""
