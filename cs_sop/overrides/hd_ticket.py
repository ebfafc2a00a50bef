"""HD Ticket as Helpdesk ships it, with the SOP's lifecycle steps and chat-channel replies.

The lifecycle. Every SOP step of a ticket's insert, save and delete is a named method here, called
from the controller method of its event, so the order is this file's order (hooks.py has no HD
Ticket `doc_events`). Each step delegates to the module that owns the rule (`cs_sop.ticket`,
`complaint.notices`, `closure.lifecycle`, `report_facts`, `intake.message_clock`, `intake.channel_owner`,
`intake.receipt`, `permissions`).
Frappe's `"*"` handlers (assignment rules, …) still run after each controller method.

`before_validate` runs the steps that decide the channel, the priority and the team BEFORE
Helpdesk's own (`super().before_validate()`), whose `set_sla` then chooses the SLA once, with the
final values; the steps that read what Helpdesk fills in (status category, SLA, first response)
run after it. `set_sla` and `apply_sla` are Helpdesk's, on the SLA configuration cached by
`cs_sop.overrides.hd_service_level_agreement` (same choice as `helpdesk...utils.get_sla`).

Replies. `override_doctype_class` is the one extension point that covers the agent UI's reply: the
UI calls `run_doc_method(dt="HD Ticket", method="reply_via_agent")` on the document, so neither a
whitelisted method override (it is not a module-level API) nor a Communication hook (Helpdesk
emails the reply right after inserting the Communication, and throws without an email account)
can stop the email. On a WhatsApp ticket the reply goes to WhatsApp, on a Messenger / Instagram
ticket to Meta's Send API (cs_sop.meta), on a Live Chat ticket to the chat; every other ticket is
Helpdesk's code unchanged.
"""

import frappe
from frappe import _
from helpdesk.helpdesk.doctype.hd_ticket.hd_ticket import HDTicket

from cs_sop import field_guard, permissions, report_facts, ticket
from cs_sop.closure import lifecycle as closure
from cs_sop.complaint import notices
from cs_sop.intake import channel_owner, message_clock, receipt
from cs_sop.livechat import service as livechat
from cs_sop.meta import outbound as meta_outbound
from cs_sop.meta import settings as meta_settings
from cs_sop.overrides import hd_service_level_agreement as sla_cache
from cs_sop.whatsapp import outbound as whatsapp_outbound
from cs_sop.whatsapp import settings as whatsapp_settings


class CSSOPHDTicket(HDTicket):
	# ---------- the lifecycle, in the order Frappe runs it ----------

	def before_insert(self):
		super().before_insert()
		# what Helpdesk's SLA choice (before_validate) reads, before it chooses
		self._sop_guard_fields()
		self._sop_default_channel()
		self._sop_apply_matrix()
		self._sop_route_by_category()
		self._sop_route_by_channel()

	def before_validate(self):
		self._sop_guard_fields()
		self._sop_default_channel()
		self._sop_helpdesk_defaults()
		self._sop_apply_matrix()
		self._sop_route_by_category()
		super().before_validate()  # Helpdesk: status category, first response, set_sla (once)
		self._sop_keep_system_fields()
		self._sop_derive_complaint_type()
		self._sop_restart_ladder_on_reopen()
		self._sop_update_stage()
		self._sop_keep_notice_fields()
		self._sop_closure_bookkeeping()

	def validate(self):
		super().validate()
		self._sop_closure_gates()

	def before_save(self):
		super().before_save()  # Helpdesk: apply_sla (response_by, resolution_by, agreement status)
		self._sop_plan_next_check()
		self._sop_report_facts()

	def after_insert(self):
		super().after_insert()
		self._sop_channel_owner_assignment()
		self._sop_queue_receipt()

	def on_update(self):
		super().on_update()
		self._sop_close_escalations()
		self._sop_log_stage_change()
		self._sop_complaint_acknowledgement()
		self._sop_closure_messages()
		self._sop_end_message_clock()

	def on_trash(self):
		super().on_trash()
		self._sop_take_sop_records()

	# ---------- the steps (each one module's rule) ----------

	def _sop_guard_fields(self):
		"""Only SOP staff set or change `sop_*` fields; system-owned ones start empty."""
		field_guard.guard_sop_fields(self)

	def _sop_default_channel(self):
		ticket.set_default_channel(self)

	def _sop_helpdesk_defaults(self):
		"""Helpdesk's own fill-ins (the default ticket type, the priority of the type) that the
		matrix and the routing read. Helpdesk's before_validate calls them again: they keep a set
		value, so they run once in effect."""
		self.set_ticket_type()
		self.set_priority()

	def _sop_apply_matrix(self):
		"""The priority from (impact, urgency) (SOP Priority Rule)."""
		ticket.apply_priority_matrix(self)

	def _sop_route_by_category(self):
		ticket.route_by_category(self)

	def _sop_route_by_channel(self):
		ticket.route_by_channel(self)

	def _sop_keep_system_fields(self):
		field_guard.keep_system_fields(self)

	def _sop_derive_complaint_type(self):
		ticket.derive_complaint_type(self)

	def _sop_restart_ladder_on_reopen(self):
		ticket.restart_ladder_on_reopen(self)

	def _sop_update_stage(self):
		ticket.update_stage(self)

	def _sop_keep_notice_fields(self):
		"""A progress update moved `last_agent_response` without `modified`: a stale save keeps it."""
		notices.keep_notice_fields(self)

	def _sop_closure_bookkeeping(self):
		"""Resolution asks the customer to confirm; closing schedules the survey."""
		closure.before_validate(self)

	def _sop_closure_gates(self):
		"""The closure form: resolution summary, root cause and solution for complaints."""
		closure.validate(self)

	def _sop_plan_next_check(self):
		"""After Helpdesk applied the SLA: when the escalation sweep looks at the ticket again."""
		ticket.before_save(self)

	def _sop_report_facts(self):
		"""Operating-time first response / resolution, reopen count, subject key (reports)."""
		report_facts.before_save(self)

	def _sop_channel_owner_assignment(self):
		"""A channel owner's own assignment rule, before Frappe applies the team's (on_update)."""
		channel_owner.after_insert(self)

	def _sop_queue_receipt(self):
		"""Every new ticket's number to its customer, once the insert commits."""
		receipt.after_insert(self)

	def _sop_close_escalations(self):
		ticket.close_escalations_on_close(self)

	def _sop_log_stage_change(self):
		ticket.log_stage_change(self)

	def _sop_complaint_acknowledgement(self):
		"""Once, when a Complaint has its category."""
		notices.on_ticket_update(self)

	def _sop_closure_messages(self):
		"""The confirmation request; the survey when it is due at once."""
		closure.on_update(self)

	def _sop_end_message_clock(self):
		"""Resolved or closed while a chat customer waits: the reply clock ends unanswered."""
		message_clock.on_ticket_update(self)

	def _sop_take_sop_records(self):
		"""A spam ticket: a System Manager's delete takes its SOP records along, others are refused."""
		permissions.on_ticket_trash(self)

	# ---------- Helpdesk's SLA engine on the cached configuration ----------

	def set_sla(self):
		"""Helpdesk's choice (`utils.get_sla`), from the cached SLA configuration."""
		if sla := sla_cache.select_sla(self):
			self.sla = sla

	def apply_sla(self):
		"""Helpdesk's `apply_sla` on the cached SLA document (`apply` keeps no state on it)."""
		sla = sla_cache.cached_sla(self.sla)
		if sla is None:
			return super().apply_sla()  # Helpdesk's own error for a missing SLA
		sla.apply(self)

	def get_sla(self):
		"""The ticket's SLA document, read-only (working hours, outside-hours check), cached."""
		return sla_cache.cached_sla(self.sla) or super().get_sla()

	# ---------- replies ----------

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
		if livechat.is_livechat_ticket(self):
			# the website chat: the visitor reads the reply in the chat (realtime or polling), no email
			return livechat.reply(self, message, attachments)
		if self._social_reply(message, attachments):
			return
		if whatsapp_outbound.is_whatsapp_ticket(self) and (
			whatsapp_settings.is_ready() or whatsapp_outbound.is_pseudo_email(self.raised_by)
		):
			if not whatsapp_settings.is_ready():
				frappe.throw(
					_("WhatsApp is not enabled or not configured, so this reply cannot reach the customer.")
				)
			whatsapp_outbound.reply(self, message, attachments)
			return
		return super().reply_via_agent(
			message, from_email=from_email, to=to, cc=cc, bcc=bcc, attachments=attachments or []
		)

	def _social_reply(self, message: str, attachments: list | None) -> bool:
		"""A Messenger / Instagram ticket: the reply goes to the Send API (cs_sop.meta), not email."""
		if not meta_outbound.is_social_ticket(self):
			return False
		if not meta_settings.is_ready(self.sop_social_platform):
			if not meta_outbound.is_pseudo_email(self.raised_by):
				return False  # the customer also has a real address: Helpdesk emails the reply
			frappe.throw(
				_("{0} is not enabled or not configured, so this reply cannot reach the customer.").format(
					self.sop_social_platform
				)
			)
		meta_outbound.reply(self, message, attachments)
		return True
