"""The customer notices' texts: Email Template records (Jinja, Indonesian, editable; shipped once
by the install), rendered with a ticket's context. A template that does not render falls back to
the shipped text and logs an Error Log; an admin cannot save one that does not render."""

import frappe
from frappe import _
from frappe.utils import get_datetime, get_system_timezone

from cs_sop import messaging
from cs_sop.core.id_dates import format_datetime

TICKET = "HD Ticket"

ACKNOWLEDGEMENT = "SOP - Tanda Terima Keluhan"

OUT_OF_HOURS = "SOP - Di Luar Jam Operasional"

PROGRESS = "SOP - Pembaruan Progres Tiket"

SOLUTION = "SOP - Penyampaian Solusi"

RECEIPT = "SOP - Tanda Terima Tiket"  # every new ticket's number (cs_sop.intake.receipt)

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


def send(ticket: str, template: str, context: dict, what: str) -> bool:
	subject, body = render(template, context)
	return messaging.send_to_customer(ticket, subject, body, what=what)
