"""Customer notices of the complaint procedure: acknowledgement, out-of-hours reply, progress, solution.

- **Acknowledgement** (SOP stage 1, complaint procedure step 4): a ticket classified as a
  Complaint with a category gets, once, its ticket number, category and target resolution time
  ("paling lambat Senin, 2 Desember 2026 pukul 12.00 WIB").
- **Out-of-hours reply** (chat SOP stage 3): a customer message received while the desk is closed
  gets one reply per ticket and closed period, naming the next opening.
- **Progress update**: the agent's one-click update, prefilled with the ticket's state; it resets
  the customer-update cadence of the escalation sweep.
- **Solution**: the approved solution (`cs_sop.solution.send_solution`).

Texts are Email Template records (Jinja, Indonesian, editable; shipped once by the install). A
template that does not render falls back to the shipped text and logs an Error Log. Every notice
goes through `cs_sop.messaging.send_to_customer` (Email Queue, or the ticket's channel) and is
claimed on the ticket row first (locked read, then a marker column), so a rerun never sends twice.
"""

import html
import re

import frappe
from frappe import _
from frappe.utils import get_datetime, get_system_timezone, now_datetime, strip_html

from cs_sop.core import gates
from cs_sop.core import notices as rules
from cs_sop.core.id_dates import format_datetime

TICKET = "HD Ticket"
ACKNOWLEDGEMENT = "SOP - Tanda Terima Keluhan"
OUT_OF_HOURS = "SOP - Di Luar Jam Operasional"
PROGRESS = "SOP - Pembaruan Progres Tiket"
SOLUTION = "SOP - Penyampaian Solusi"
RECEIPT = "SOP - Tanda Terima Tiket"  # every new ticket's number (cs_sop.receipt)
CLOSING = "<p>Hormat kami,<br>Layanan Pelanggan</p>"
GREETING = "<p>Yth. Bapak/Ibu{% if customer_name %} {{ customer_name }}{% endif %},</p>"

# name: (subject, body) — shipped as Email Template records; also the fallback text
TEMPLATES = {
	ACKNOWLEDGEMENT: (
		"Keluhan Bapak/Ibu telah kami terima - Tiket #{{ ticket }}",
		GREETING + "<p>Terima kasih telah menyampaikan keluhan Bapak/Ibu. Keluhan tersebut telah kami "
		"catat dengan rincian berikut:</p><ul><li>Nomor tiket: <b>#{{ ticket }}</b></li>"
		"<li>Perihal: {{ subject }}</li><li>Kategori: {{ category }}</li>"
		"{% if target %}<li>Target penyelesaian: paling lambat {{ target }}</li>{% endif %}</ul>"
		"<p>Mohon sebutkan nomor tiket tersebut setiap kali Bapak/Ibu menghubungi kami mengenai "
		"keluhan ini. Kami akan mengabari Bapak/Ibu mengenai perkembangan penanganannya.</p>" + CLOSING,
	),
	OUT_OF_HOURS: (
		"Pesan Bapak/Ibu telah kami terima - Tiket #{{ ticket }}",
		GREETING + "<p>Terima kasih telah menghubungi layanan pelanggan kami. Pesan Bapak/Ibu telah "
		"kami terima dan tercatat pada tiket <b>#{{ ticket }}</b>.</p><p>Saat ini kami sedang di luar "
		"jam operasional. Kami akan membalas pada hari {{ next_opening }}.</p>" + CLOSING,
	),
	PROGRESS: (
		"Perkembangan penanganan tiket #{{ ticket }}",
		GREETING + "<p>Kami ingin menginformasikan perkembangan penanganan tiket <b>#{{ ticket }}</b> "
		"({{ subject }}).</p><p>Status saat ini: {{ stage }}.{% if solution_status %} "
		"Solusi: {{ solution_status }}.{% endif %}{% if target %} Target penyelesaian: paling lambat "
		"{{ target }}.{% endif %}</p><p>Kami akan terus memantau dan mengabari Bapak/Ibu hingga "
		"permasalahan selesai.</p>" + CLOSING,
	),
	RECEIPT: (
		"Pesan Bapak/Ibu telah kami terima - Tiket #{{ ticket }}",
		GREETING + "<p>Terima kasih telah menghubungi layanan pelanggan kami. Pesan Bapak/Ibu telah "
		"kami terima dan kami catat dengan nomor tiket <b>#{{ ticket }}</b>"
		"{% if subject %} ({{ subject }}){% endif %}.</p><p>Mohon sebutkan nomor tiket tersebut setiap "
		"kali Bapak/Ibu menghubungi kami mengenai hal ini. Kami akan segera menindaklanjutinya.</p>"
		+ CLOSING,
	),
	SOLUTION: (
		"Solusi atas keluhan Bapak/Ibu - Tiket #{{ ticket }}",
		GREETING + "<p>Terkait keluhan Bapak/Ibu pada tiket <b>#{{ ticket }}</b> ({{ subject }}), "
		"berikut solusi yang telah disetujui oleh perusahaan:</p>{{ solution }}"
		"<p>Apabila ada pertanyaan mengenai solusi ini, silakan membalas pesan ini dengan menyebutkan "
		"nomor tiket tersebut.</p>" + CLOSING,
	),
}
# what every template may use, for the check when an admin saves a template
SAMPLE = {
	"ticket": "123",
	"subject": "Pesanan belum diterima",
	"customer_name": "Budi",
	"category": "Pengiriman",
	"target": "Senin, 2 Desember 2026 pukul 12.00 WIB",
	"next_opening": "Senin, 2 Desember 2026 pukul 08.00 WIB",
	"stage": "Penanganan Awal",
	"status": "Open",
	"solution_status": "Menunggu persetujuan",
	"solution": "<p>Kami kirim ulang pesanan Bapak/Ibu.</p>",
}
# the notice markers: system-owned, kept through every save (cs_sop.ticket.keep_system_fields)
NOTICE_FIELDS = gates.NOTICE_FIELDS


# ---------- templates ----------


def _render_string(source: str, context: dict) -> str:
	return frappe.get_jenv().from_string(source or "").render(context)


def render(name: str, context: dict) -> tuple[str, str]:
	"""(subject, html) of a notice: the Email Template, else the shipped text (logged)."""
	try:
		row = frappe.db.get_value(
			"Email Template", name, ["subject", "use_html", "response_html", "response"], as_dict=True
		)
		if not row:
			raise frappe.DoesNotExistError(name)
		body = row.response_html if row.use_html else row.response
		return _render_string(row.subject, context), _render_string(body, context)
	except Exception:
		frappe.log_error(
			title=_("cs_sop: notice template {0} failed, the shipped text was used").format(name),
			reference_doctype="Email Template",
			reference_name=name,
		)
		subject, body = TEMPLATES[name]
		return _render_string(subject, context), _render_string(body, context)


def validate_email_template(doc, method=None):
	"""Email Template validate (hooks.py): a notice template must render before it is saved."""
	if doc.name not in TEMPLATES and doc.get("__newname") not in TEMPLATES:
		return
	body = doc.response_html if doc.use_html else doc.response
	try:
		_render_string(doc.subject, SAMPLE)
		_render_string(body, SAMPLE)
	except Exception as e:
		frappe.throw(_("This notice template does not render: {0}").format(str(e)), title=_("Template error"))


def html_to_text(value: str) -> str:
	"""Readable plain text of a notice (for the agent's edit box and text-only channels)."""
	value = re.sub(r"(?i)<br\s*/?>", "\n", value or "")
	value = re.sub(r"(?i)</(p|li|ul|div)>", "\n\n", value)
	value = re.sub(r"(?i)<li>", "- ", value)
	text = html.unescape(strip_html(value))
	return re.sub(r"\n{3,}", "\n\n", "\n".join(line.strip() for line in text.splitlines())).strip()


def text_to_html(text: str) -> str:
	paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
	return "".join("<p>" + html.escape(p).replace("\n", "<br>") + "</p>" for p in paragraphs)


def when(dt) -> str | None:
	"""A moment as the notices write it: 'Senin, 2 Desember 2026 pukul 12.00 WIB'."""
	return format_datetime(get_datetime(dt), "id", get_system_timezone()) if dt else None


def ticket_context(ticket: str) -> dict:
	row = frappe.db.get_value(
		TICKET,
		ticket,
		["name", "subject", "ticket_type", "resolution_by", "status", "sop_stage", "contact", "raised_by"],
		as_dict=True,
	)
	name = frappe.db.get_value("Contact", row.contact, "full_name") if row.contact else None
	solution = frappe.get_all(
		"SOP Solution",
		filters={"ticket": ticket, "status": ("!=", "Rejected")},
		fields=["status"],
		order_by="creation desc",
		limit=1,
	)
	return {
		"ticket": row.name,
		"subject": row.subject,
		"customer_name": name or "",
		"category": row.ticket_type if row.ticket_type != "Unspecified" else "",
		"target": when(row.resolution_by),
		"stage": _(row.sop_stage or "Received", lang="id"),
		"status": row.status,
		"solution_status": _solution_status(solution[0].status) if solution else "",
	}


def _solution_status(status: str) -> str:
	return {
		"Proposed": "sedang disiapkan oleh tim terkait",
		"Pending Approval": "menunggu persetujuan kepala bidang",
		"Approved": "telah disetujui dan segera kami sampaikan",
		"Sent": "telah kami sampaikan",
	}.get(status, "")


def _send(ticket: str, template: str, context: dict, what: str) -> bool:
	from cs_sop.messaging import send_to_customer

	subject, body = render(template, context)
	return send_to_customer(ticket, subject, body, what=what)


# ---------- acknowledgement ----------


def keep_notice_fields(doc, method=None):
	"""HD Ticket before_validate: a progress update moves the last agent response without
	`modified`; an agent's save of an older copy must not move it back. (The notice markers are
	system-owned fields, kept by cs_sop.ticket.keep_system_fields.)"""
	before = doc.get_doc_before_save()
	if not before:
		return
	if before.last_agent_response and (
		not doc.last_agent_response
		or get_datetime(before.last_agent_response) > get_datetime(doc.last_agent_response)
	):
		doc.last_agent_response = before.last_agent_response


def on_ticket_update(doc, method=None):
	"""HD Ticket on_update (also on insert): acknowledge a complaint once it has its category."""
	if doc.sop_request_type != "Complaint" or doc.get("sop_ack_notice_sent_on"):
		return
	if not doc.ticket_type or doc.ticket_type == "Unspecified":
		return
	if not frappe.db.get_single_value("SOP Settings", "send_complaint_acknowledgement"):
		return
	# building the mail costs ~0.2 s (rendering, CSS inlining): a short job once the save commits;
	# the job itself is idempotent (locked read of the marker)
	frappe.enqueue(
		"cs_sop.notices.send_acknowledgement",
		queue="short",
		enqueue_after_commit=True,
		now=bool(frappe.flags.in_test),
		ticket=doc.name,
	)


def send_acknowledgement(ticket: str) -> bool:
	"""Send the complaint acknowledgement unless it was sent; True when sent now."""
	if frappe.db.get_value(TICKET, ticket, "sop_ack_notice_sent_on", for_update=True):
		return False
	now = now_datetime()
	if not _send(ticket, ACKNOWLEDGEMENT, ticket_context(ticket), _("Complaint acknowledgements")):
		return False
	frappe.db.set_value(TICKET, ticket, "sop_ack_notice_sent_on", now, update_modified=False)
	_activity(ticket, _("sent the complaint acknowledgement to the customer"))
	return True


# ---------- out-of-hours reply ----------


def on_communication(doc, method=None):
	"""Communication after_insert: a customer's message on a ticket (email, portal, WhatsApp)."""
	if doc.reference_doctype != TICKET or not doc.reference_name:
		return
	if doc.sent_or_received != "Received" or doc.communication_type not in (None, "", "Communication"):
		return
	received_at = doc.communication_date or doc.creation or now_datetime()
	from cs_sop.sla import cached_calendar

	if rules.closed_period(cached_calendar(), get_datetime(received_at)) is None:
		return  # open: nothing to do, no job
	frappe.enqueue(
		"cs_sop.notices.after_customer_message",
		queue="short",
		enqueue_after_commit=True,
		now=bool(frappe.flags.in_test),
		ticket=doc.reference_name,
		received_at=str(received_at),
	)


def after_customer_message(ticket: str, received_at) -> bool:
	"""Reply once per closed period when a customer message arrives outside operating hours.

	Callable by any channel that records a customer message (the WhatsApp channel does). True
	when a reply was queued now.
	"""
	from cs_sop.sla import cached_calendar

	if not frappe.db.get_single_value("SOP Settings", "send_out_of_hours_reply"):
		return False
	received_at = get_datetime(received_at)
	calendar = cached_calendar()
	if rules.closed_period(calendar, received_at) is None:
		return False
	last = frappe.db.get_value(TICKET, ticket, "sop_ooh_reply_period", for_update=True)
	period = rules.out_of_hours_reply_due(calendar, received_at, get_datetime(last) if last else None)
	if period is None:
		return False
	context = ticket_context(ticket)
	context["next_opening"] = when(period)
	if not _send(ticket, OUT_OF_HOURS, context, _("Out-of-hours replies")):
		return False
	frappe.db.set_value(TICKET, ticket, "sop_ooh_reply_period", period, update_modified=False)
	_activity(ticket, _("sent the out-of-hours reply (next opening {0})").format(context["next_opening"]))
	return True


# ---------- progress update ----------


@frappe.whitelist(methods=["GET", "POST"])  # read only; the agent UI calls with POST
def progress_update_preview(ticket: str) -> dict:
	"""The progress update prefilled with the ticket's state, for the agent to edit."""
	from cs_sop.solution import check_can_handle

	check_can_handle(ticket, frappe.session.user)
	subject, body = render(PROGRESS, ticket_context(ticket))
	return {"subject": subject, "message": html_to_text(body)}


@frappe.whitelist(methods=["POST"])
def send_progress_update(ticket: str, message: str | None = None) -> dict:
	"""Send a progress update (the agent's text, or the prefilled one); resets the update cadence."""
	from cs_sop.solution import check_can_handle

	check_can_handle(ticket, frappe.session.user)
	frappe.db.get_value(TICKET, ticket, "name", for_update=True)
	subject, body = render(PROGRESS, ticket_context(ticket))
	if message is not None:
		if not message.strip():
			frappe.throw(_("The progress update is empty."))
		body = text_to_html(message)
	from cs_sop.messaging import send_to_customer

	if not send_to_customer(ticket, subject, body, what=_("Progress updates")):
		frappe.throw(
			_(
				"The progress update could not be sent: the customer's channel or outgoing email is not set up."
			)
		)
	now = now_datetime()
	reset_update_cadence(ticket, now)
	frappe.get_doc(
		{
			"doctype": "HD Ticket Comment",
			"reference_ticket": ticket,
			"commented_by": frappe.session.user,
			"content": "<p><b>" + html.escape(_("Progress update sent to the customer")) + "</b></p>" + body,
		}
	).insert(ignore_permissions=True)  # the record of what was sent, for the agents (checked above)
	_activity(ticket, _("sent a progress update to the customer"))
	return {
		"sent_on": str(now),
		"sop_next_check": str(frappe.db.get_value(TICKET, ticket, "sop_next_check") or ""),
	}


def reset_update_cadence(ticket: str, now) -> None:
	"""A customer update was sent: the cadence starts again (misses 0, next check recomputed).

	The escalation sweep measures the cadence from the last agent response, so that moves too:
	the agent did answer the customer.
	"""
	from cs_sop.escalation import next_check_for

	frappe.db.set_value(
		TICKET,
		ticket,
		{"sop_update_misses": 0, "last_agent_response": now, "sop_last_customer_update": now},
		update_modified=False,
	)
	doc = frappe.get_doc(TICKET, ticket)
	frappe.db.set_value(TICKET, ticket, "sop_next_check", next_check_for(doc), update_modified=False)


# ---------- solution ----------


def send_solution_notice(sol) -> bool:
	context = ticket_context(sol.ticket)
	context["solution"] = sol.description
	return _send(sol.ticket, SOLUTION, context, _("Solution notices"))


def _activity(ticket: str, action: str) -> None:
	from helpdesk.helpdesk.doctype.hd_ticket_activity.hd_ticket_activity import log_ticket_activity

	log_ticket_activity(ticket, action)
