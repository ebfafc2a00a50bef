"""A Messenger / Instagram DM → a received Communication on the sender's open Social Media ticket,
or a new ticket with channel Social Media and the platform (`sop_social_platform`).

Everything the WhatsApp channel guarantees holds here too, with its code: one SOP WhatsApp Message
row per Meta message id ("mid", unique), so a re-delivered event makes one Communication; the
messages of one sender are handled one at a time (the same database lock); the customer owns
their message's records. The customer is a Contact keyed by the platform's sender id: its email
is `<sender id>@messenger.invalid` / `@instagram.invalid` (reserved, never deliverable; Helpdesk
needs an address per ticket).
"""

import json
from datetime import datetime, timezone

import frappe
import requests
from frappe import _
from frappe.utils import convert_utc_to_system_timezone, now_datetime

from cs_sop.core import meta as rules
from cs_sop.core import whatsapp as wa_rules
from cs_sop.whatsapp import inbound as wa_inbound

LOG = "SOP WhatsApp Message"
TICKET = "HD Ticket"
CHANNEL = "Social Media"
MAX_FILE_BYTES = 25 * 1024 * 1024


def pseudo_email(platform: str, sender: str) -> str:
	return f"{sender}@{platform.lower()}.invalid"


def is_pseudo_email(email: str | None) -> bool:
	return bool(email) and email.lower().endswith(("@messenger.invalid", "@instagram.invalid"))


def handle(payload: dict) -> None:
	"""Every customer message of a Page / Instagram webhook body (platforms that are on only)."""
	from cs_sop.meta import settings

	conf = settings.get()
	accounts = {rules.MESSENGER: conf.page_id, rules.INSTAGRAM: conf.instagram_account_id}
	for message in rules.messages(payload, accounts):
		if conf.enabled.get(message["platform"]):
			receive(message)


def receive(message: dict) -> str | None:
	"""Record one DM (as parsed by `cs_sop.core.meta.messages`); its ticket, None when known."""
	mid, sender, platform = message["mid"], message["sender"], message["platform"]
	if frappe.db.exists(LOG, {"wa_message_id": mid}):
		return None
	with wa_inbound.phone_lock(f"{platform[:2]}{sender}"):
		if frappe.db.exists(LOG, {"wa_message_id": mid}):
			return None
		received_at = _timestamp(message.get("timestamp"))
		log = frappe.get_doc(
			{
				"doctype": LOG,
				"platform": platform,
				"wa_message_id": mid,
				"direction": "Inbound",
				"phone": sender,
				"message_type": "attachment" if message["attachments"] and not message["text"] else "text",
				"status": "Received",
				"status_at": received_at,
				"raw_event": json.dumps(message, ensure_ascii=False),
			}
		)
		log.insert(ignore_permissions=True)  # system record written by the webhook job
		address = pseudo_email(platform, sender)
		contact, name = find_or_create_contact(platform, sender)
		ticket = wa_inbound.open_ticket_for(sender, contact, platform) or new_ticket(
			platform, address, contact, name
		)
		communication = wa_inbound.add_communication(
			ticket,
			sender,
			name,
			render(message),
			received_at,
			address=address,
			subject=_("{0} message").format(platform),
		)
		for attachment in message["attachments"]:
			attach(ticket, communication, attachment, platform)
		frappe.db.set_value(
			LOG, log.name, {"ticket": ticket, "communication": communication}, update_modified=False
		)
		wa_inbound.name_customer(sender, contact, log.name, communication, address=address)
	wa_inbound.notify_notices(ticket, received_at)
	return ticket


def _timestamp(value) -> datetime:
	"""Meta's event time (milliseconds since the epoch) in the system time zone."""
	try:
		utc = datetime.fromtimestamp(int(value) / 1000, tz=timezone.utc).replace(tzinfo=None)
	except (TypeError, ValueError, OverflowError):
		return now_datetime()
	return convert_utc_to_system_timezone(utc).replace(tzinfo=None)


def find_or_create_contact(platform: str, sender: str) -> tuple[str, str]:
	"""(contact, display name) of the sender, found by their platform address or created with the
	profile name Meta gives (else "<platform> <id>")."""
	address = pseudo_email(platform, sender)
	found = frappe.db.get_value("Contact", {"email_id": address}, ["name", "full_name"], as_dict=True)
	if found:
		return found.name, found.full_name or f"{platform} {sender}"
	from cs_sop.meta.client import MessengerClient

	name = MessengerClient.from_settings().profile_name(platform, sender)[:100] or f"{platform} {sender}"
	doc = frappe.new_doc("Contact")
	doc.first_name = name
	doc.append("email_ids", {"email_id": address, "is_primary": 1})
	doc.insert(ignore_permissions=True)  # the customer writes as a guest; the job records them
	return doc.name, name


def new_ticket(platform: str, address: str, contact: str, name: str) -> str:
	ticket = frappe.get_doc(
		{
			"doctype": TICKET,
			"subject": _("{0} message from {1}").format(platform, name)[:140],
			"raised_by": address,
			"contact": contact,
			"sop_channel": CHANNEL,
			"sop_social_platform": platform,
		}
	)
	# the platform records where the message came from: system-owned (cs_sop.core.gates)
	ticket.flags.cs_sop_system_set = ("sop_social_platform",)
	ticket.insert(ignore_permissions=True)  # created for a guest (the customer), as the email pull does
	return ticket.name


def render(message: dict) -> str:
	"""The DM as safe HTML: its text, one line per attachment (links of shared posts / locations)."""
	esc = wa_rules.escape_html
	html = wa_rules.text_to_html(message["text"]) if message["text"] else ""
	labels = {
		"image": _("Image"),
		"video": _("Video"),
		"audio": _("Voice message or audio"),
		"file": _("Document"),
	}
	for a in message["attachments"]:
		label = labels.get(a["type"]) or _("Attachment ({0})").format(a["type"])
		url = a["url"]
		line = f"<em>[{esc(label)}]</em>"
		if a["type"] not in labels and url:
			line += f' <a href="{esc(url)}">{esc(a["name"] or url)}</a>'
		html += f"<p>{line}</p>"
	return html or "<p></p>"


def attach(ticket: str, communication: str, attachment: dict, platform: str) -> None:
	"""Media (image, video, audio, file) from Meta's CDN into a private File; a failed download
	is said on the message. The CDN URL is signed itself: no token is sent with it."""
	if attachment["type"] not in ("image", "video", "audio", "file") or not attachment["url"]:
		return
	try:
		content = _download(attachment["url"])
	except (requests.RequestException, ValueError) as e:
		wa_inbound.note(
			communication,
			_("The file of this {0} message could not be downloaded: {1}").format(platform, type(e).__name__),
		)
		return
	path = attachment["url"].split("?")[0].rstrip("/").rsplit("/", 1)[-1][:80]
	filename = attachment["name"] or path or f"{platform.lower()}-{attachment['type']}"
	wa_inbound.store_file(ticket, communication, filename, content, platform)


def _download(url: str) -> bytes:
	if not url.startswith(("https://", "http://")):
		raise ValueError("not a web address")
	with requests.get(url, timeout=15, stream=True) as response:
		response.raise_for_status()
		chunks, size = [], 0
		for chunk in response.iter_content(64 * 1024):
			size += len(chunk)
			if size > MAX_FILE_BYTES:
				raise ValueError("file too large")
			chunks.append(chunk)
	return b"".join(chunks)
