"""The two SLAs cs_sop manages on Helpdesk's own engine (*SOP Standar*, *SOP Chat & WhatsApp*).

SOP Settings is the one place an admin sets operating hours, the holiday policy and the
chat/WhatsApp first response; saving it writes them into the two SLAs. Per-priority targets stay
editable on the SLAs themselves (Helpdesk > SLA).
"""

import frappe
from frappe import _

from cs_sop.setup import defaults as d

SLA = "HD Service Level Agreement"


def chat_condition() -> str:
	channels = ", ".join(repr(c) for c in d.CHAT_CHANNELS)
	return f"doc.sop_channel in ({channels})"


def _priorities() -> list[str]:
	return frappe.get_all(
		"HD Ticket Priority", filters={"disabled": 0}, pluck="name", order_by="integer_value"
	)


def build_sla(settings, name: str, default: bool):
	"""A new (unsaved) SLA: the standard one, or the chat/WhatsApp one when not default."""
	doc = frappe.new_doc(SLA)
	doc.service_level = name
	doc.enabled = 1
	doc.default_sla = 1 if default else 0
	doc.apply_sla_for_resolution = 1
	doc.holiday_list = settings.holiday_list
	if default:
		doc.description = _("Customer Service SOP: standard targets by priority, in operating hours")
	else:
		doc.description = _("Customer Service SOP: chat and WhatsApp, first response in minutes")
		doc.condition = chat_condition()
	chat_response = (
		settings.chat_first_response_minutes or int(d.settings_defaults()["chat_first_response_minutes"])
	) * 60
	for priority in _priorities():
		response, resolution = d.STANDARD_TARGETS.get(priority, d.STANDARD_TARGETS[d.DEFAULT_PRIORITY])
		if not default:
			response = chat_response
			resolution = max(resolution, response)
		doc.append(
			"priorities",
			{
				"priority": priority,
				"response_time": response,
				"resolution_time": resolution,
				"default_priority": 1 if priority == d.DEFAULT_PRIORITY else 0,
			},
		)
	if not any(p.default_priority for p in doc.priorities) and doc.priorities:
		doc.priorities[0].default_priority = 1
	_set_hours(doc, settings)
	return doc


def _set_hours(sla, settings):
	sla.set("support_and_resolution", [])
	for row in settings.operating_hours:
		sla.append(
			"support_and_resolution",
			{"workday": row.workday, "start_time": row.start_time, "end_time": row.end_time},
		)


def sync_slas(settings):
	"""Write operating hours, holiday list and chat first response into the managed SLAs."""
	chat_response = (
		settings.chat_first_response_minutes or int(d.settings_defaults()["chat_first_response_minutes"])
	) * 60
	for name in (settings.standard_sla, settings.chat_sla):
		if not name or not frappe.db.exists(SLA, name):
			continue
		sla = frappe.get_doc(SLA, name)
		sla.holiday_list = settings.holiday_list
		_set_hours(sla, settings)
		if name == settings.chat_sla:
			for row in sla.priorities:
				row.response_time = chat_response
				if (row.resolution_time or 0) < chat_response:
					row.resolution_time = chat_response
		# the gate is SOP Settings (SOP Operations Manager may save it); the SLA is Helpdesk's
		sla.save(ignore_permissions=True)
