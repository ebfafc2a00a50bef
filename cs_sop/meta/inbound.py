"""A Messenger / Instagram DM → a received Communication on the sender's open Social Media ticket,
or a new ticket with channel Social Media and the platform (`sop_social_platform`).

Everything the WhatsApp channel guarantees holds here too, with the same code (`cs_sop.graph.inbox`):
one SOP WhatsApp Message row per Meta message id ("mid", unique), so a re-delivered event makes one
Communication; the messages of one sender are handled one at a time; the customer owns their
message's records. The customer is a Contact keyed by the platform's sender id: its email is
`<sender id>@messenger.invalid` / `@instagram.invalid` (`cs_sop.core.meta.pseudo_email`).
"""

from datetime import datetime, timezone

import frappe
import requests
from frappe import _
from frappe.utils import convert_utc_to_system_timezone, escape_html, now_datetime

from cs_sop.chat import add_received
from cs_sop.core import meta as rules
from cs_sop.core.meta import CHANNEL, pseudo_email
from cs_sop.core.text import text_to_html
from cs_sop.graph import inbox
from cs_sop.meta import settings
from cs_sop.meta.client import MessengerClient

TICKET = "HD Ticket"
MAX_FILE_BYTES = 25 * 1024 * 1024


def handle(payload: dict) -> None:
	"""Every customer message of a Page / Instagram webhook body (platforms that are on only)."""
	conf = settings.get()
	accounts = {rules.MESSENGER: conf.page_id, rules.INSTAGRAM: conf.instagram_account_id}
	for message in rules.messages(payload, accounts):
		if conf.enabled.get(message["platform"]):
			receive(message)


def receive(message: dict) -> str | None:
	"""Record one DM (as parsed by `cs_sop.core.meta.messages`); its ticket, None when known."""
	mid, sender, platform = message["mid"], message["sender"], message["platform"]
	if inbox.is_recorded(mid):
		return None
	with inbox.sender_lock(f"{platform[:2]}{sender}"):
		if inbox.is_recorded(mid):
			return None
		received_at = _timestamp(message.get("timestamp"))
		kind = "attachment" if message["attachments"] and not message["text"] else "text"
		log = inbox.record(platform, mid, sender, kind, received_at, message)
		address = pseudo_email(platform, sender)
		contact, name = find_or_create_contact(platform, sender)
		ticket = inbox.open_ticket_for(sender, platform) or new_ticket(platform, address, contact, name)
		communication = add_received(
			ticket, address, name or sender, render(message), _("{0} message").format(platform), received_at
		)
		for attachment in message["attachments"]:
			attach(ticket, communication, attachment, platform)
		inbox.link(log, ticket, communication)
		inbox.name_customer(contact, log, communication, address)
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
	esc = escape_html
	html = text_to_html(message["text"]) if message["text"] else ""
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
		inbox.note(
			communication,
			_("The file of this {0} message could not be downloaded: {1}").format(platform, type(e).__name__),
		)
		return
	path = attachment["url"].split("?")[0].rstrip("/").rsplit("/", 1)[-1][:80]
	filename = attachment["name"] or path or f"{platform.lower()}-{attachment['type']}"
	inbox.store_file(ticket, communication, filename, content, platform)


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
