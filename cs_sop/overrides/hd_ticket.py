"""HD Ticket as Helpdesk ships it, plus WhatsApp replies (issue 13).

`override_doctype_class` is the one extension point that covers the agent UI's reply: the UI calls
`run_doc_method(dt="HD Ticket", method="reply_via_agent")` on the document, so neither a whitelisted
method override (it is not a module-level API) nor a Communication hook (Helpdesk emails the reply
right after inserting the Communication, and throws without an email account) can stop the email.
On a WhatsApp ticket the reply goes to WhatsApp; every other ticket is Helpdesk's code unchanged.
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
		from cs_sop.whatsapp import outbound, settings

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
