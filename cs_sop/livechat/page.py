"""The chat page `/sop-chat` (cs_sop/www/sop-chat.html): its texts and who may frame it."""

import frappe
from frappe import _

from cs_sop.livechat import access, hours, service

PATH = "/sop-chat"


def frame_headers(response, request) -> None:
	"""after_request: the browser shows the chat page in a frame only on the allowed websites
	(CSP frame-ancestors); any other page keeps Frappe's headers."""
	if request.path.rstrip("/") != PATH or not frappe.db:
		return
	try:
		allowed = " ".join(access.allowed_origins())
	except Exception:
		allowed = ""  # no settings readable (e.g. during install): same origin only
	response.headers["Content-Security-Policy"] = f"frame-ancestors 'self' {allowed}".strip()
	response.headers.pop("X-Frame-Options", None)


def language() -> str:
	lang = frappe.form_dict.get("lang")
	if lang in ("id", "en"):
		return lang
	accepted = (frappe.get_request_header("Accept-Language") or "").lower()
	return "en" if accepted.startswith("en") else "id"


def texts() -> dict:
	"""Every text the chat shows, in the page's language."""
	return {
		"title": _("Customer Service"),
		"subtitle_open": _("We usually reply within a few minutes."),
		"closed": _(
			"We are outside our operating hours. We open again on {0}. Leave your message: we will reply then."
		),
		"intro": _("Hello! Tell us your name and how we can reach you, then write your question."),
		"known": _("Hello {0}! Write your question and we will reply here."),
		"name": _("Name"),
		"email": _("Email"),
		"phone": _("Phone number"),
		"email_or_phone": _("Email or phone number (at least one)"),
		"message": _("Message"),
		"placeholder": _("Type your message…"),
		"start": _("Start chat"),
		"send": _("Send"),
		"attach": _("Attach a file"),
		"close": _("Close chat"),
		"you": _("You"),
		"agent": _("Customer Service"),
		"sending": _("Sending…"),
		"failed": _("The message could not be sent. Please try again."),
		"expired": _("This chat link is not valid or has expired. Please start a new chat."),
		"too_large": _("The file is too large: at most {0} MB."),
		"new_chat": _("Start a new chat"),
		"closed_conversation": _(
			"This conversation has been closed. A new message starts a new conversation."
		),
		"not_allowed": _("This website is not allowed to use the live chat."),
		"disabled": _("The live chat is not available at the moment."),
		"privacy": _(
			"Your details are used only to answer your question, as described in our privacy policy."
		),
	}


def context(context) -> dict:
	lang = language()
	frappe.local.lang = lang
	context.no_cache = 1
	context.lang = lang
	context.embed = bool(frappe.form_dict.get("embed"))
	context.title = _("Customer Service")
	context.texts = texts()
	context.enabled = access.enabled()
	context.state = hours.opening_state(lang)
	context.visitor = access.session_visitor()
	context.max_file_size = access.max_file_size()
	context.max_text = service.MAX_TEXT
	context.socketio_port = frappe.conf.get("socketio_port") or 9000
	context.sitename = frappe.local.site
	context.csrf_token = frappe.sessions.get_csrf_token() if frappe.session.user != "Guest" else ""
	return context
