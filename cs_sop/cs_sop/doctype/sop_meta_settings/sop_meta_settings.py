# Copyright (c) 2026, cs_sop developers
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import get_url

from cs_sop.meta import settings as meta_settings


class SOPMetaSettings(Document):
	@property
	def webhook_url(self) -> str:
		return get_url("/api/method/cs_sop.meta.webhook")

	def validate(self):
		self.api_base_url = (self.api_base_url or "https://graph.facebook.com").strip().rstrip("/")
		if not self.api_base_url.startswith(("https://", "http://")):
			frappe.throw(_("The API Base URL must start with https://"))
		self.api_version = (self.api_version or "v21.0").strip().strip("/")
		self.page_id = (self.page_id or "").strip()
		self.instagram_account_id = (self.instagram_account_id or "").strip()
		if (self.messenger_enabled or self.instagram_enabled) and not self.page_id:
			frappe.throw(_("Enter the Page ID before enabling Messenger or Instagram"))
		if self.instagram_enabled and not self.instagram_account_id:
			frappe.throw(_("Enter the Instagram Account ID before enabling Instagram"))

	def on_update(self):
		meta_settings.clear_cache()
