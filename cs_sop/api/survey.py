"""The satisfaction survey's public page (no login: the link's token is the permission) and the
scores for supervisors."""

import frappe
from frappe import _

from cs_sop.closure import answers
from cs_sop.core import survey as rules
from cs_sop.guest import limited

SURVEY = "SOP Survey"


@frappe.whitelist(allow_guest=True, methods=["POST"])
@limited
def submit_answer(
	token: str,
	csat: str | int,
	problem_solved: str,
	nps: str | int | None = None,
	ces: str | int | None = None,
	comment: str | None = None,
	low_score_reason: str | None = None,
) -> dict:
	"""The public survey page's answer (no login: the link's token is the permission)."""
	answers.submit(token, csat, problem_solved, nps, ces, comment, low_score_reason)
	return {"ok": True, "redirect": f"/sop-survey/{token}?done=1"}


@frappe.whitelist(allow_guest=True, methods=["POST"])
@limited
def submit_form(
	token: str,
	csat: str | None = None,
	problem_solved: str | None = None,
	nps: str | None = None,
	ces: str | None = None,
	comment: str | None = None,
	low_score_reason: str | None = None,
) -> None:
	"""The same, for the page's plain HTML form (no JavaScript): redirects back to the page."""
	try:
		answers.submit(token, csat, problem_solved, nps, ces, comment, low_score_reason)
		location = f"/sop-survey/{token}?done=1"
	except (frappe.ValidationError, frappe.PermissionError):
		frappe.clear_messages()
		frappe.db.rollback()
		# a code, not the message: the page shows its own fixed text for it
		code = answers.error_code(token, csat, problem_solved, nps, ces, comment, low_score_reason)
		location = "/sop-survey/{}?{}".format(
			token if rules.is_well_formed(token) else "invalid", frappe.utils.urlencode({"error": code})
		)
	frappe.local.response["type"] = "redirect"
	frappe.local.response["location"] = location


@frappe.whitelist(methods=["GET"])
def scores(from_date: str | None = None, to_date: str | None = None) -> dict:
	"""CSAT %, averages, NPS, CES, response rate of the surveys sent in a period (supervisors)."""
	if not frappe.has_permission(SURVEY, "read"):
		frappe.throw(_("You cannot read surveys."), frappe.PermissionError)
	filters = {}
	if from_date and to_date:
		filters["sent_on"] = ["between", [from_date, to_date]]
	rows = frappe.get_all(SURVEY, filters=filters, fields=["status", "csat", "nps", "ces", "problem_solved"])
	return rules.score(rows).__dict__
