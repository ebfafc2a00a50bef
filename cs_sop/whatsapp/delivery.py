"""How a queued WhatsApp message goes out (called by the send job, `cs_sop.whatsapp.jobs.send`):
text inside the 24-hour customer-service window, else an approved template.
"""

import json

from frappe import _

from cs_sop.graph.outbox import Delivered, Undeliverable
from cs_sop.whatsapp import client, settings
from cs_sop.whatsapp.outbound import inside_window

NAME = "WhatsApp"


class TemplateMissing(Undeliverable):
	pass


def is_ready() -> bool:
	return settings.is_ready()


def not_ready_text() -> str:
	return _("WhatsApp is not enabled or not configured (SOP WhatsApp Settings).")


def error_text(error) -> str:
	return str(error)


def deliver(row) -> Delivered:
	"""Text inside the 24-hour window; outside it (or when Meta answers re-engagement) an approved
	template: the notice's own one with its URL buttons when set, else the general one."""
	conf = settings.get()
	api = client.Client.from_settings()
	use_template = row.is_template or not inside_window(row.phone)
	try:
		if use_template:
			wa_id, used = send_template(api, conf, row)
		else:
			wa_id = api.send_text(row.phone, row.body or "")
	except client.WhatsAppError as e:
		if not (e.re_engagement and not use_template):
			raise
		use_template = True  # Meta refused the text (window closed): the template may still go
		wa_id, used = send_template(api, conf, row)
	note = None
	if use_template and not row.is_template:
		note = _(
			"WhatsApp: the customer's last message is older than 24 hours, so the approved template "
			"{0} was sent instead of the message. The conversation continues when the customer answers."
		).format(used)
	return Delivered(
		id=wa_id,
		values={
			"is_template": 1 if use_template else 0,
			"message_type": "template" if use_template else "text",
		},
		note=note,
	)


def send_template(api, conf, row) -> tuple[str, str]:
	"""(message id, template name). A confirmation request or survey invitation goes as its own
	template, the links as the suffixes of its URL buttons; anything else as the general template."""
	own = conf.get(f"{(row.template_kind or '').lower()}_template") if row.template_kind else None
	if own:
		suffixes = json.loads(row.url_suffixes or "[]")
		parameters = [str(row.ticket)] if row.ticket else []
		language = conf.get(f"{row.template_kind.lower()}_template_language") or conf.template_language
		return api.send_template(row.phone, own, language, parameters, suffixes), own
	if not conf.template_name:
		raise TemplateMissing(
			_(
				"The customer's last WhatsApp message is older than 24 hours and no template is set in "
				"SOP WhatsApp Settings, so WhatsApp does not allow this message."
			)
		)
	parameters = []
	if conf.template_parameter == "Ticket Number" and row.ticket:
		parameters = [str(row.ticket)]
	elif conf.template_parameter == "Message":
		# template parameters may not contain line breaks or long runs of spaces
		parameters = [" ".join((row.body or "").split())[:1000] or "-"]
	name = conf.template_name
	return api.send_template(row.phone, name, conf.template_language, parameters), name
