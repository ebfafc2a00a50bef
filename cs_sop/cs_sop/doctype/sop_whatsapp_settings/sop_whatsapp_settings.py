# Copyright (c) 2026, cs_sop developers
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import get_url

from cs_sop.whatsapp import settings as wa_settings


class SOPWhatsAppSettings(Document):
	@property
	def webhook_url(self) -> str:
		return get_url("/api/method/cs_sop.whatsapp.webhook")

	def validate(self):
		self.api_base_url = (self.api_base_url or "https://graph.facebook.com").strip().rstrip("/")
		if not self.api_base_url.startswith(("https://", "http://")):
			frappe.throw(_("The API Base URL must start with https://"))
		self.api_version = (self.api_version or "v21.0").strip().strip("/")
		if self.enabled and not self.phone_number_id:
			frappe.throw(_("Enter the Phone Number ID before enabling WhatsApp"))

	def on_update(self):
		wa_settings.clear_cache()
