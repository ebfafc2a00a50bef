"""HD Ticket as Helpdesk ships it, plus WhatsApp replies (issue 13).

`override_doctype_class` is the one extension point that covers the agent UI's reply: the UI calls
`run_doc_method(dt="HD Ticket", method="reply_via_agent")` on the document, so neither a whitelisted
method override (it is not a module-level API) nor a Communication hook (Helpdesk emails the reply
right after inserting the Communication, and throws without an email account) can stop the email.
On a WhatsApp ticket the reply goes to WhatsApp, on a Messenger / Instagram ticket to Meta's Send API
(cs_sop.meta); every other ticket is Helpdesk's code unchanged.
"""

import frappe
from frappe import _
from helpdesk.helpdesk.doctype.hd_ticket.hd_ticket import HDTicket


class CSSOPHDTicket(HDTicket):
	@frappe.whitelist()
	def reply_via_agent(
		self,
		message: str,
		from_email: dict | None = None,
		to: str | None = None,
		cc: str | None = None,
		bcc: str | None = None,
		attachments: list | None = None,
	):
		from cs_sop.livechat import service as livechat
		from cs_sop.whatsapp import outbound, settings

		if livechat.is_livechat_ticket(self):
			# the website chat: the visitor reads the reply in the chat (realtime or polling), no email
			return livechat.reply(self, message, attachments)
		if self._social_reply(message, attachments):
			return
		if outbound.is_whatsapp_ticket(self) and (
			settings.is_ready() or outbound.is_pseudo_email(self.raised_by)
		):
			if not settings.is_ready():
				frappe.throw(
					_("WhatsApp is not enabled or not configured, so this reply cannot reach the customer.")
				)
			outbound.reply(self, message, attachments)
			return
		return super().reply_via_agent(
			message, from_email=from_email, to=to, cc=cc, bcc=bcc, attachments=attachments or []
		)

	def _social_reply(self, message: str, attachments: list | None) -> bool:
		"""A Messenger / Instagram ticket: the reply goes to the Send API (cs_sop.meta), not email."""
		from cs_sop.meta import outbound, settings

		if not outbound.is_social_ticket(self):
			return False
		if not settings.is_ready(self.sop_social_platform):
			if not outbound.is_pseudo_email(self.raised_by):
				return False  # the customer also has a real address: Helpdesk emails the reply
			frappe.throw(
				_("{0} is not enabled or not configured, so this reply cannot reach the customer.").format(
					self.sop_social_platform
				)
			)
		outbound.reply(self, message, attachments)
		return True
