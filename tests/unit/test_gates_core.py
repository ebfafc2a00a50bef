from hypothesis import given
from hypothesis import strategies as st

from cs_sop.core import gates as g
from cs_sop.setup.custom_fields import get_custom_fields
from cs_sop.setup.defaults import records

NO_VALUE = ("Section Break", "Column Break", "Tab Break", "HTML", "Button", "Heading")


def ticket_fields() -> list[str]:
	return [f["fieldname"] for f in get_custom_fields()["HD Ticket"] if f["fieldtype"] not in NO_VALUE]


def test_every_ticket_field_is_user_entered_or_system_owned():
	fields = ticket_fields()
	assert g.unclassified(fields) == []
	assert not set(g.USER_FIELDS) & set(g.SYSTEM_FIELDS)
	# every classified field exists (a renamed field would silently lose its protection)
	assert set(g.USER_FIELDS) | set(g.SYSTEM_FIELDS) <= set(fields)


def test_system_owned_fields_are_read_only():
	by_name = {f["fieldname"]: f for f in get_custom_fields()["HD Ticket"]}
	for name in g.SYSTEM_FIELDS:
		assert by_name[name].get("read_only"), name
	for name in g.USER_FIELDS:
		if name != "sop_stage":
			assert not by_name[name].get("read_only"), name


def test_evidence_fields_are_system_owned():
	for name in (
		"sop_resolution_confirmed",
		"sop_confirmation_via",
		"sop_retention_until",
		"sop_applied_solution",
		"sop_ack_notice_sent_on",
		"sop_survey_due",
		"sop_closed_on",
		"sop_anonymised_on",
		"sop_close_exception_by",
		"sop_close_exception_reason",
	):
		assert name in g.SYSTEM_FIELDS


def test_complaint_needs_category_impact_urgency():
	assert g.classification_missing("Complaint", None, None, None) == [
		"ticket_type",
		"sop_impact",
		"sop_urgency",
	]
	assert g.classification_missing("Complaint", "Unspecified", "High", "Low") == ["ticket_type"]
	assert g.classification_missing("Complaint", "Pengiriman", "High", None) == ["sop_urgency"]
	assert g.classification_missing("Complaint", "Pengiriman", "High", "Low") == []
	assert g.classification_missing("Question", None, None, None) == []
	assert g.classification_missing(None, None, None, None) == []


@given(
	st.sampled_from(["Complaint", "Question", None]),
	st.booleans(),
	st.booleans(),
)
def test_solution_needed_only_for_complaints_of_such_categories(request_type, requires, sent):
	assert g.solution_missing(request_type, requires, sent) == (
		request_type == "Complaint" and requires and not sent
	)


@given(
	st.booleans(),
	st.sets(st.sampled_from(["Agent", "Agent Manager", *g.EXCEPTION_ROLES])),
	st.one_of(st.none(), st.text(max_size=5)),
)
def test_closing_by_hand(is_customer, roles, reason):
	allowed = g.may_close_by_hand(is_customer, roles, reason)
	if is_customer:
		assert allowed
	else:
		assert allowed == (bool(roles & set(g.EXCEPTION_ROLES)) and bool((reason or "").strip()))


def test_exception_problems():
	assert g.exception_problem({"Agent"}, "Duplikat", "Open") == "role"
	assert g.exception_problem({"SOP Supervisor"}, "  ", "Open") == "reason"
	assert g.exception_problem({"SOP Supervisor"}, "Duplikat", "Closed") == "closed"
	assert (
		g.exception_problem({"System Manager"}, "x" * (g.MAX_EXCEPTION_REASON + 1), "Resolved") == "too_long"
	)
	assert g.exception_problem({"SOP Operations Manager"}, "Duplikat tiket 12", "Resolved") is None


def test_shipped_complaint_categories_need_an_approved_solution():
	shipped = records("categories")
	assert shipped
	for r in shipped:
		if r.get("sop_complaint_type"):
			assert r.get("sop_requires_approved_solution") == 1, r["name"]
