"""Closure (SOP stage 6, *Penyelesaian dan Penutupan*): closure form, customer confirmation, closing.

- Closure form: a ticket moved into a Resolved-category status needs a resolution summary
  (Helpdesk's `resolution_details`) and, for a complaint, its root cause (`sop_root_cause`).
- On resolution the customer gets the summary and two links (*Ya, sudah selesai* / *Belum
  selesai*). Yes closes the ticket, No reopens it with the customer's reason as a reply, no answer
  within N working days closes it (`auto_close_unconfirmed`, set-based). The portal customer and
  the agent (phone / in person) can answer too (`confirm`).
- Closing (by any path, also Helpdesk's own inactivity job) stamps `sop_closed_on`, schedules the
  survey (`sop_survey_due`) and the anonymisation date (`sop_retention_until`).

The links carry an HMAC token of the ticket and the moment the confirmation was asked: nothing is
stored, a new resolution makes older links invalid, and an answered ticket refuses them.
"""

from urllib.parse import quote

import frappe
from frappe import _
from frappe.utils import escape_html, get_url, now_datetime

from cs_sop import bulk
from cs_sop.core import closure as rules
from cs_sop.core import gates
from cs_sop.core import survey as survey_rules
from cs_sop.guest import as_customer, as_email_intake, limited

TICKET = "HD Ticket"
BATCH = 10000
MAX_REASON = 2000
OPEN_CATEGORIES = ("Open", "Paused")


def _settings():
	return frappe.get_cached_doc("SOP Settings")


def _int_setting(field: str, default: int) -> int:
	value = _settings().get(field)
	return default if value is None else int(value)


def _secret() -> str:
	from frappe.utils.password import get_encryption_key

	return get_encryption_key()


def _is_agent(user: str | None = None) -> bool:
	from helpdesk.utils import is_agent

	return bool(is_agent(user or frappe.session.user))


# ---------- HD Ticket hooks ----------


def before_validate(doc, method=None):
	"""Bookkeeping of resolution, reopening and closing. Runs also when Helpdesk closes a ticket
	itself (its inactivity job saves with ignore_validate, which skips `validate`)."""
	before = doc.get_doc_before_save()
	if doc.is_new() or not before or before.status == doc.status:
		return
	now = now_datetime()
	was_open = before.status_category in OPEN_CATEGORIES
	if doc.status == "Closed":
		_on_close(doc, now)
	elif doc.status_category == "Resolved" and was_open:
		_on_resolve(doc, now)
	elif doc.status_category in OPEN_CATEGORIES and not was_open:
		_on_reopen(doc)


def validate(doc, method=None):
	"""What a ticket needs before a person resolves or closes it: closing needs the customer's
	confirmation or a supervisor's exception; resolving needs the closure form and, for a
	complaint, its classification and (if its category says so) an approved solution sent.

	Helpdesk's own inactivity close saves with `ignore_validate` (Frappe skips `validate`); the
	customer's confirmation and the automatic close write in bulk (`close_resolved`)."""
	before = doc.get_doc_before_save()
	if doc.is_new() or not before:
		return  # Helpdesk opens every new ticket with its default open status
	if before.status == doc.status:
		return  # not a resolution: a re-save (e.g. Helpdesk re-applying SLAs after a holiday change)
	if doc.status == gates.CLOSED:
		if _merged_into_other(doc):
			return  # a duplicate: its conversation goes on in the ticket it was merged into
		check_close(doc)
	if doc.status_category != "Resolved" or before.status_category not in OPEN_CATEGORIES:
		return  # Resolved -> Closed: checked when it was resolved
	if not _settings().get("require_closure_form", 1):
		return
	if (_is_agent() or frappe.session.user == "Administrator") and not _is_portal_customer():
		missing = rules.closure_missing(
			doc.get("sop_request_type"), doc.resolution_details, doc.get("sop_root_cause")
		)
		if missing:
			labels = {"resolution_details": _("Resolution Summary"), "sop_root_cause": _("Root Cause")}
			frappe.throw(
				_("Before resolving ticket {0}, fill in: {1}.").format(
					doc.name, ", ".join(labels[m] for m in missing)
				),
				title=_("Closure form incomplete"),
			)
	if _person_at_work() and not _is_portal_customer():
		check_complaint_gates(doc)


# ---------- gates ----------


def _person_at_work() -> bool:
	"""A person's request (agent UI, desk, REST), or a job a person started (Frappe's bulk edit):
	the gates apply. Not a scheduler job, the email pull, a console or a test run as
	Administrator, nor install and migrate: those are the system."""
	if frappe.flags.in_install or frappe.flags.in_migrate or frappe.flags.in_patch:
		return False
	if frappe.session.user == "Guest":
		return False  # a guest writes no ticket: only server code that checked a token or key does
	if getattr(frappe.local, "request", None):
		return True
	return frappe.session.user != "Administrator"


def _is_portal_customer(user: str | None = None) -> bool:
	"""A portal customer (a Website User): Helpdesk lets them write only their own tickets."""
	user = user or frappe.session.user
	if user in ("Administrator", "Guest"):
		return False
	return frappe.get_cached_value("User", user, "user_type") == "Website User"


def _merged_into_other(doc) -> bool:
	"""Helpdesk's merge closes the duplicate and points it at the ticket that goes on."""
	return bool(
		doc.get("is_merged")
		and doc.get("merged_with")
		and doc.merged_with != doc.name
		and frappe.db.exists(TICKET, doc.merged_with)
	)


def check_close(doc) -> None:
	"""A person moves a ticket to Closed: only its customer (Helpdesk's portal Close is their
	confirmation), Helpdesk's merge of a duplicate into another ticket, or a supervisor's exception
	(`close_with_exception`). The customer's confirmation by link, portal or phone and the
	automatic close after N working days are `close_resolved`."""
	if not _settings().get("close_needs_confirmation", 1) or not _person_at_work():
		return
	if gates.may_close_by_hand(
		_is_portal_customer(),
		set(frappe.get_roles()),
		doc.flags.get("cs_sop_close_exception"),
		_merged_into_other(doc),
	):
		return
	days = _int_setting("confirmation_days", 3)
	frappe.throw(
		_(
			"Ticket {0} cannot be closed yet: it needs the customer's confirmation. It closes when "
			"the customer confirms (link, portal, or an agent's Record Confirmation of a phone call "
			"or visit), automatically after {1} working days without an answer, or by a supervisor's "
			"exception with a reason (Close with Exception)."
		).format(doc.name, days),
		title=_("Customer confirmation needed"),
	)


def check_complaint_gates(doc) -> None:
	"""A complaint is resolved only once classified and, when its category requires it, once an
	approved SOP Solution was sent to the customer."""
	if doc.get("sop_request_type") != gates.COMPLAINT:
		return
	check_classified(doc, _("Before resolving complaint {0}, classify it: {1}."))
	requires = frappe.get_cached_value("HD Ticket Type", doc.ticket_type, "sop_requires_approved_solution")
	if gates.solution_missing(doc.sop_request_type, requires, solution_sent(doc.name)):
		frappe.throw(
			_(
				"Complaint {0} (category {1}) can be resolved only after an approved solution was "
				"sent to the customer: propose an SOP Solution, have it approved, then send it."
			).format(doc.name, _(doc.ticket_type)),
			title=_("Approved solution needed"),
		)


def check_classified(doc, message: str) -> None:
	"""A complaint has a real category, impact and urgency; else `message` names what is missing."""
	missing = gates.classification_missing(
		doc.get("sop_request_type"), doc.get("ticket_type"), doc.get("sop_impact"), doc.get("sop_urgency")
	)
	if missing:
		labels = {"ticket_type": _("Category"), "sop_impact": _("Impact"), "sop_urgency": _("Urgency")}
		frappe.throw(
			message.format(doc.name, ", ".join(labels[m] for m in missing)),
			title=_("Complaint not classified"),
		)


def solution_sent(ticket: str) -> bool:
	"""An approved SOP Solution of the ticket was sent to the customer (cs_sop.solution)."""
	return bool(frappe.db.exists("SOP Solution", {"ticket": ticket, "status": "Sent"}))


def on_update(doc, method=None):
	if doc.flags.get("sop_confirmation_requested"):
		doc.flags.sop_confirmation_requested = False
		send_confirmation_request(doc.name)
	if doc.flags.get("sop_send_survey_now"):
		doc.flags.sop_send_survey_now = False
		from cs_sop.survey import send_due

		send_due(only=[doc.name])


def _on_resolve(doc, now):
	days = _int_setting("confirmation_days", 3)
	doc.sop_resolution_confirmed = rules.AWAITING
	doc.sop_confirmation_via = None
	doc.sop_confirmation_requested_on = now
	doc.sop_confirmation_due = _confirmation_due(now, days) if days else None
	doc.flags.sop_confirmation_requested = True


def _confirmation_due(now, days: int):
	from cs_sop.sla import cached_calendar

	return rules.add_working_days(cached_calendar(), now, days)


def _on_reopen(doc):
	if doc.get("sop_resolution_confirmed") == rules.AWAITING:
		doc.sop_resolution_confirmed = None  # the customer wrote back instead of answering
	doc.sop_confirmation_due = None
	doc.sop_survey_due = None
	doc.sop_retention_until = None


def _on_close(doc, now):
	if doc.get("sop_resolution_confirmed") == rules.AWAITING:
		if frappe.session.user not in ("Guest", "Administrator") and not _is_agent():
			# the customer pressed Helpdesk's own Close in the portal: that is their Yes
			doc.sop_resolution_confirmed = rules.CONFIRMED
			doc.sop_confirmation_via = rules.VIA_PORTAL
		else:
			# closed by an agent or by Helpdesk while the confirmation was open: nobody answered
			doc.sop_resolution_confirmed = rules.NO_ANSWER
	doc.sop_confirmation_due = None
	doc.sop_closed_on = now
	doc.sop_retention_until = retention_until(doc.ticket_type, now)
	if survey_wanted(doc.name, doc.raised_by):
		delay = _int_setting("survey_delay_minutes", 0)
		doc.sop_survey_due = rules.survey_due(now, delay)
		doc.flags.sop_send_survey_now = not delay


def survey_wanted(ticket: str, email: str | None) -> bool:
	return bool(
		_settings().get("survey_enabled") and email and not frappe.db.exists("SOP Survey", {"ticket": ticket})
	)


def retention_years_by_category() -> dict[str, int]:
	return {r.category: r.years for r in (_settings().get("retention_rules") or []) if r.years}


def retention_until(category: str | None, closed_on, per_category: dict | None = None, default=None):
	if per_category is None:
		per_category = retention_years_by_category()
	if default is None:
		default = _int_setting("retention_years", 2)
	years = rules.retention_years(category, per_category, default)
	return rules.retention_until(closed_on, years)


# ---------- the confirmation request ----------


def confirmation_token(ticket: str, requested_on) -> str:
	return survey_rules.make_token(_secret(), "confirm", f"{ticket}:{requested_on}")


def confirmation_url(ticket: str, requested_on, answer: str | None = None) -> str:
	url = get_url(f"/sop-confirm/{ticket}/{confirmation_token(ticket, requested_on)}")
	return f"{url}?answer={answer}" if answer else url


def send_confirmation_request(ticket: str) -> bool:
	"""The solution summary and the Yes / No links, in the customer's language."""
	from cs_sop import messaging

	row = frappe.db.get_value(
		TICKET,
		ticket,
		["name", "subject", "resolution_details", "sop_confirmation_requested_on"],
		as_dict=True,
	)
	lang = messaging.customer_of(ticket).language
	yes = confirmation_url(ticket, row.sop_confirmation_requested_on, "yes")
	no = confirmation_url(ticket, row.sop_confirmation_requested_on, "no")
	subject = _("Is your issue resolved? Ticket #{0}", lang=lang).format(ticket)
	days = _int_setting("confirmation_days", 3)
	html = frappe.render_template(
		"cs_sop/templates/emails/sop_confirmation_request.html",
		{
			"greeting": _("Dear Customer,", lang=lang),
			"intro": _("We have resolved your ticket #{0}: {1}", lang=lang).format(
				ticket, escape_html(row.subject or "")
			),
			"summary_label": _("Solution", lang=lang),
			"summary": frappe.utils.sanitize_html(row.resolution_details or ""),
			"question": _("Is your issue resolved?", lang=lang),
			"yes_label": _("Yes, it is resolved", lang=lang),
			"no_label": _("No, not yet", lang=lang),
			"yes_url": yes,
			"no_url": no,
			"note": (
				_(
					"If we do not hear from you within {0} working days, we will close the ticket.",
					lang=lang,
				).format(days)
				if days
				else ""
			),
			"thanks": _("Thank you,", lang=lang),
			"team": _("Customer Service", lang=lang),
		},
	)
	# WhatsApp after 24 hours: the approved template's two URL buttons (Yes, No) carry the links
	path = f"{ticket}/{confirmation_token(ticket, row.sop_confirmation_requested_on)}"
	buttons = {"kind": "Confirmation", "suffixes": [f"{path}?answer=yes", f"{path}?answer=no"]}
	return messaging.send_to_customer(ticket, subject, html, what=_("Confirmation requests"), buttons=buttons)


# ---------- answering ----------


def ticket_for_token(ticket: str, token: str, lock: bool = False):
	"""The ticket a confirmation link is for, or None when the link is not (or no longer) valid."""
	if not survey_rules.is_well_formed(token) or not ticket or len(ticket) > 140:
		return None
	row = frappe.db.get_value(
		TICKET,
		ticket,
		[
			"name",
			"subject",
			"status",
			"status_category",
			"resolution_details",
			"raised_by",
			"ticket_type",
			"sop_resolution_confirmed",
			"sop_confirmation_requested_on",
		],
		as_dict=True,
		for_update=lock,
	)
	if not row or not row.sop_confirmation_requested_on:
		return None
	expected = confirmation_token(row.name, row.sop_confirmation_requested_on)
	return row if survey_rules.tokens_match(expected, token) else None


def confirm_by_token(ticket: str, token: str, resolved: bool, reason: str | None = None) -> str:
	"""The customer's answer from the link (no login). Returns the new confirmation state."""
	row = ticket_for_token(ticket, token, lock=True)
	if not row:
		frappe.throw(_("This confirmation link is not valid."), frappe.PermissionError)
	with as_customer(row.raised_by):  # written in the customer's name, not Guest's
		return _answer(row, resolved, reason, rules.VIA_LINK, by=row.raised_by)


def confirm(ticket: str, resolved: bool, reason: str | None = None, via: str | None = None) -> str:
	"""The portal customer's answer, or the agent recording the customer's answer by phone or in
	person. Permission is checked here; the ticket is then written as the system (portal customers
	may not set sop_* fields themselves)."""
	if not ticket or not frappe.db.exists(TICKET, ticket):
		frappe.throw(_("Ticket {0} does not exist.").format(ticket), frappe.DoesNotExistError)
	user = frappe.session.user
	if user == "Guest":
		frappe.throw(_("Please log in to confirm the resolution."), frappe.PermissionError)
	if _is_agent(user):
		if not frappe.has_permission(TICKET, "write", doc=ticket, user=user):
			frappe.throw(_("You cannot update ticket {0}.").format(ticket), frappe.PermissionError)
		if via not in rules.AGENT_CHANNELS:
			frappe.throw(
				_("Say how the customer confirmed: {0}.").format(
					", ".join(_(c) for c in rules.AGENT_CHANNELS)
				)
			)
	else:
		doc = frappe.get_doc(TICKET, ticket)
		if not _is_customer_of(doc, user):
			frappe.throw(_("You cannot confirm ticket {0}.").format(ticket), frappe.PermissionError)
		via = rules.VIA_PORTAL
	row = frappe.db.get_value(
		TICKET,
		ticket,
		["name", "status", "status_category", "raised_by", "ticket_type", "sop_resolution_confirmed"],
		as_dict=True,
		for_update=True,
	)
	return _answer(row, resolved, reason, via, by=user)


def _is_customer_of(doc, user: str) -> bool:
	"""The portal customer the ticket belongs to (Helpdesk's own rule for customers)."""
	from helpdesk.helpdesk.doctype.hd_ticket.hd_ticket import has_permission

	return bool(has_permission(doc, user))


def _answer(row, resolved: bool, reason: str | None, via: str, by: str | None) -> str:
	if row.status == "Closed" or row.status_category != "Resolved":
		frappe.throw(
			_("Ticket {0} is not waiting for a confirmation: it is {1}.").format(row.name, _(row.status))
		)
	if row.sop_resolution_confirmed not in (rules.AWAITING, None, ""):
		frappe.throw(_("The resolution of ticket {0} was already answered.").format(row.name))
	reason = (reason or "").strip()
	if len(reason) > MAX_REASON:
		frappe.throw(_("The reason is too long (at most {0} characters).").format(MAX_REASON))
	if not resolved and not reason:
		frappe.throw(_("Please tell us what is not resolved yet."))
	if resolved:
		note = _("the customer confirmed the resolution ({0})").format(_(via))
		due_now = close_resolved([row], now_datetime(), rules.CONFIRMED, via, note)
		frappe.get_doc(TICKET, row.name).publish_update()  # the agent UI shows the new status
		if due_now:
			from cs_sop.survey import send_due

			send_due(only=due_now)
		return rules.CONFIRMED
	from cs_sop.ticket import set_system_fields

	doc = frappe.get_doc(TICKET, row.name)
	doc.flags.ignore_permissions = True  # the caller's right to answer was checked above
	doc.flags.cs_sop_trusted = True  # sop_* fields written by the system, not by the caller
	set_system_fields(doc, {"sop_confirmation_via": via, "sop_resolution_confirmed": rules.NOT_RESOLVED})
	doc.status = doc.ticket_reopen_status or "Open"
	doc.save()
	_log(row.name, _("the customer says the issue is not resolved ({0})").format(_(via)))
	_reply_as_customer(row.name, by or row.raised_by, reason)
	return rules.NOT_RESOLVED


def _reply_as_customer(ticket: str, sender: str, reason: str):
	"""The customer's reason as their reply on the ticket (Helpdesk then notifies the agents)."""
	content = "<p><b>{}</b></p><p>{}</p>".format(
		escape_html(_("Not resolved yet")), escape_html(reason).replace("\n", "<br>")
	)
	with as_email_intake():
		frappe.get_doc(
			{
				"doctype": "Communication",
				"communication_type": "Communication",
				"communication_medium": "Email",
				"sent_or_received": "Received",
				"status": "Linked",
				"subject": _("Re: ticket #{0}").format(ticket),
				"content": content,
				"sender": sender,
				"reference_doctype": TICKET,
				"reference_name": ticket,
			}
		).insert(ignore_permissions=True)  # the customer's answer, checked by the caller


def _log(ticket: str, action: str):
	from helpdesk.helpdesk.doctype.hd_ticket_activity.hd_ticket_activity import log_ticket_activity

	log_ticket_activity(ticket, action)


# ---------- the automatic closure (scheduler) ----------


def auto_close_unconfirmed(now=None, limit: int = BATCH, only: list[str] | None = None) -> int:
	"""Close resolved tickets whose customer did not answer within the confirmation window.

	One indexed, locking query on `sop_confirmation_due` takes the due tickets; the close is one
	UPDATE per group of equal values guarded by `sop_resolution_confirmed = 'Awaiting'` (a second
	run at the same time waits for the lock, then finds nothing due); activity lines are one insert.
	Helpdesk does nothing more on Resolved -> Closed (its SLA ignores that move).
	"""
	now = now or now_datetime()
	T = frappe.qb.DocType(TICKET)
	query = (
		frappe.qb.from_(T)
		.select(T.name, T.ticket_type, T.raised_by)
		.where(T.sop_confirmation_due <= now)
		.where(T.sop_resolution_confirmed == rules.AWAITING)
		.where(T.status_category == "Resolved")
		.where(T.status != "Closed")
		.orderby(T.sop_confirmation_due)
		.limit(limit)
		.for_update()
	)
	if only:
		query = query.where(T.name.isin(only))
	rows = query.run(as_dict=True)
	if not rows:
		return 0
	days = _int_setting("confirmation_days", 3)
	note = _("closed automatically: the customer did not answer the confirmation within {0} working days")
	close_resolved(rows, now, rules.NO_ANSWER, rules.VIA_AUTO, note.format(days))
	return len(rows)


def close_resolved(rows: list, now, state: str, via: str, note: str) -> list[str]:
	"""Resolved -> Closed for these tickets (dicts with name, ticket_type, raised_by), set-based.

	Helpdesk does nothing on this move (its SLA ignores Resolved -> Closed, the resolution was
	recorded on Resolved), so a direct update is what a save would store, without Helpdesk's
	"feedback is mandatory" check that would refuse the customer's own confirmation: the survey
	brings the feedback. Returns the tickets whose survey is due at once.
	"""
	per_category = retention_years_by_category()
	default_years = _int_setting("retention_years", 2)
	delay = _int_setting("survey_delay_minutes", 0)
	survey_due = rules.survey_due(now, delay) if _settings().get("survey_enabled") else None
	has_survey = _tickets_with_survey([r.name for r in rows])
	updates = {}
	due_now = []
	for r in rows:
		wants_survey = bool(survey_due and r.raised_by and r.name not in has_survey)
		updates[r.name] = {
			"status": "Closed",
			"sop_stage": "Closed",
			"sop_resolution_confirmed": state,
			"sop_confirmation_via": via,
			"sop_confirmation_due": None,
			"sop_closed_on": now,
			"sop_retention_until": retention_until(r.ticket_type, now, per_category, default_years),
			"sop_survey_due": survey_due if wants_survey else None,
			"modified": now,
			"modified_by": frappe.session.user,
		}
		if wants_survey and not delay:
			due_now.append(r.name)
	bulk.update(TICKET, updates)
	log_lines([(r.name, note) for r in rows], now)
	return due_now


def _tickets_with_survey(tickets: list[str]) -> set[str]:
	if not tickets:
		return set()
	S = frappe.qb.DocType("SOP Survey")
	found = set()
	for i in range(0, len(tickets), 1000):
		found |= set(
			frappe.qb.from_(S).select(S.ticket).where(S.ticket.isin(tickets[i : i + 1000])).run(pluck=True)
		)
	return found


def log_lines(lines: list[tuple[str, str]], now=None):
	"""HD Ticket Activity lines in one insert."""
	if not lines:
		return
	now = now or now_datetime()
	user = frappe.session.user
	bulk.insert(
		"HD Ticket Activity",
		[*bulk.STANDARD_COLUMNS, "ticket", "action"],
		[(frappe.generate_hash(length=12), now, now, user, user, t, a) for t, a in lines],
	)


# ---------- the agent's closure form (agent UI action) ----------


def resolve(ticket: str, resolution: str, root_cause: str | None = None, status: str | None = None) -> str:
	"""Fill the closure form and resolve the ticket (the agent UI's Resolve dialog)."""
	if not frappe.db.exists(TICKET, ticket):
		frappe.throw(_("Ticket {0} does not exist.").format(ticket), frappe.DoesNotExistError)
	if not _is_agent() or not frappe.has_permission(TICKET, "write", doc=ticket):
		frappe.throw(_("You cannot resolve ticket {0}.").format(ticket), frappe.PermissionError)
	status = status or "Resolved"
	if status == "Closed" or frappe.db.get_value("HD Ticket Status", status, "category") != "Resolved":
		frappe.throw(_("{0} is not a resolved status.").format(status))
	doc = frappe.get_doc(TICKET, ticket)  # the agent's own permissions apply to the save
	doc.resolution_details = frappe.utils.sanitize_html(resolution or "")
	if root_cause is not None:
		doc.sop_root_cause = root_cause.strip()
	doc.status = status
	doc.save()
	return doc.status


# ---------- a supervisor's exception ----------


def close_with_exception(ticket: str, reason: str) -> str:
	"""A supervisor closes a ticket without the customer's confirmation. The reason, who and when
	stay on the ticket (system-owned fields, in the reports) and in its activity log."""
	if not ticket or not frappe.db.exists(TICKET, ticket):
		frappe.throw(_("Ticket {0} does not exist.").format(ticket), frappe.DoesNotExistError)
	user = frappe.session.user
	roles = set(frappe.get_roles(user)) if user != "Guest" else set()
	if not roles & set(gates.EXCEPTION_ROLES):
		frappe.throw(
			_(
				"Only an SOP Supervisor, an SOP Operations Manager or a System Manager can close a "
				"ticket without the customer's confirmation."
			),
			frappe.PermissionError,
		)
	if not frappe.has_permission(TICKET, "write", doc=ticket, user=user):
		frappe.throw(_("You cannot close ticket {0}.").format(ticket), frappe.PermissionError)
	status = frappe.db.get_value(TICKET, ticket, "status", for_update=True)
	problem = gates.exception_problem(roles, reason, status)
	if problem == "closed":
		frappe.throw(_("Ticket {0} is already closed.").format(ticket))
	if problem == "reason":
		frappe.throw(
			_("A reason is required to close ticket {0} without the customer's confirmation.").format(ticket)
		)
	if problem == "too_long":
		frappe.throw(_("The reason is too long (at most {0} characters).").format(gates.MAX_EXCEPTION_REASON))
	from cs_sop.ticket import set_system_fields

	reason = reason.strip()
	doc = frappe.get_doc(TICKET, ticket)  # the supervisor's own permissions apply to the save
	# the exception fields are system-owned: written here, after the checks above
	doc.flags.cs_sop_trusted = True
	set_system_fields(
		doc,
		{
			"sop_close_exception_by": user,
			"sop_close_exception_on": now_datetime(),
			"sop_close_exception_reason": reason,
		},
	)
	doc.flags.cs_sop_close_exception = reason  # what check_close accepts (flags are not REST input)
	doc.status = gates.CLOSED
	doc.save()
	_log(
		ticket,
		_("closed the ticket without the customer's confirmation (supervisor's exception): {0}").format(
			reason
		),
	)
	return doc.status


# ---------- whitelisted ----------


@frappe.whitelist(methods=["POST"])
def resolve_ticket(
	ticket: str, resolution: str, root_cause: str | None = None, status: str | None = None
) -> str:
	"""The agent UI's closure form: resolution summary (+ root cause) and a resolved status."""
	return resolve(ticket, resolution, root_cause, status)


@frappe.whitelist(allow_guest=True, methods=["POST"])
@limited
def confirm_link(ticket: str, token: str, resolved: bool | int | str, reason: str | None = None) -> str:
	"""The customer's Yes / No from the confirmation page (no login: the link's token is the permission)."""
	return confirm_by_token(ticket, token, _truthy(resolved), reason)


def _truthy(value) -> bool:
	if isinstance(value, str):
		if value.strip().lower() in ("1", "true", "yes"):
			return True
		if value.strip().lower() in ("0", "false", "no"):
			return False
		frappe.throw(_("Answer Yes or No."))
	return bool(value)


@frappe.whitelist(allow_guest=True, methods=["POST"])
@limited
def confirm_form(ticket: str, token: str, resolved: str, reason: str | None = None) -> None:
	"""The confirmation page's plain HTML forms: answer, then back to the page."""
	base = f"/sop-confirm/{quote(str(ticket))}/{token if survey_rules.is_well_formed(token) else 'invalid'}"
	try:
		confirm_by_token(ticket, token, _truthy(resolved), reason)
		location = base
	except (frappe.ValidationError, frappe.PermissionError):
		frappe.clear_messages()
		frappe.db.rollback()
		from cs_sop.www.sop_confirm import error_code

		# a code, not the message: the page shows its own fixed text for it
		location = base + "?" + frappe.utils.urlencode({"error": error_code(ticket, token, resolved, reason)})
	frappe.local.response["type"] = "redirect"
	frappe.local.response["location"] = location
