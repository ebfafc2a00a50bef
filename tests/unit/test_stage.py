from hypothesis import given
from hypothesis import strategies as st

from cs_sop.core import stage as s

CLASSIFIED = dict(impact="High", urgency="Low", request_type="Complaint", category="Teknis")


def test_new_ticket_is_received():
	assert s.derive(None, s.Facts()) == s.RECEIVED


def test_classified_when_all_four_set():
	assert s.derive(s.RECEIVED, s.Facts(**CLASSIFIED)) == s.CLASSIFIED


def test_fallback_category_is_not_a_category():
	f = s.Facts(**{**CLASSIFIED, "category": "Unspecified"})
	assert s.derive(s.RECEIVED, f) == s.RECEIVED
	assert s.classification_missing(f) == ["ticket_type"]


def test_reply_before_classification_waits():
	f = s.Facts(first_responded=True, impact="High")
	assert s.derive(s.RECEIVED, f) == s.RECEIVED
	assert s.derive(s.RECEIVED, s.Facts(first_responded=True, **CLASSIFIED)) == s.INITIAL_HANDLING


def test_manual_initial_handling_kept_without_reply():
	f = s.Facts(**CLASSIFIED)
	assert s.requirements_missing(s.INITIAL_HANDLING, f) == []
	assert s.derive(s.INITIAL_HANDLING, f) == s.INITIAL_HANDLING


def test_cannot_skip_classification():
	assert set(s.requirements_missing(s.INITIAL_HANDLING, s.Facts())) == {
		"sop_request_type",
		"ticket_type",
		"sop_impact",
		"sop_urgency",
	}


def test_escalation_and_monitoring():
	f = s.Facts(escalation_level=1)
	assert s.derive(s.RECEIVED, f) == s.ESCALATED
	assert s.derive(s.MONITORING, f) == s.MONITORING
	assert s.requirements_missing(s.ESCALATED, s.Facts()) == ["escalation"]


def test_resolved_and_closed_follow_status():
	assert s.derive(s.INITIAL_HANDLING, s.Facts(status_category="Resolved", status="Resolved")) == s.RESOLVED
	assert s.derive(s.RESOLVED, s.Facts(status_category="Resolved", status="Closed")) == s.CLOSED
	assert s.requirements_missing(s.CLOSED, s.Facts(status="Open")) == ["status_closed"]
	assert s.requirements_missing(s.CLASSIFIED, s.Facts(status="Closed", **CLASSIFIED)) == ["status_open"]


def test_reopen_goes_back_to_facts():
	f = s.Facts(first_responded=True, status_category="Open", status="Open", **CLASSIFIED)
	assert s.derive(s.CLOSED, f) == s.INITIAL_HANDLING


facts = st.builds(
	s.Facts,
	impact=st.sampled_from([None, "Low", "High"]),
	urgency=st.sampled_from([None, "Medium"]),
	request_type=st.sampled_from([None, "Complaint"]),
	category=st.sampled_from([None, "Unspecified", "Teknis"]),
	first_responded=st.booleans(),
	escalation_level=st.integers(0, 3),
	status_category=st.sampled_from([None, "Open", "Paused", "Resolved"]),
	status=st.sampled_from([None, "Open", "Replied", "Resolved", "Closed"]),
)


@given(st.sampled_from((None, *s.STAGES)), facts)
def test_derived_stage_always_has_its_data(current, f):
	got = s.derive(current, f)
	assert got in s.STAGES
	assert s.requirements_missing(got, f) == []


@given(st.sampled_from(s.STAGES), facts)
def test_derive_is_idempotent(current, f):
	once = s.derive(current, f)
	assert s.derive(once, f) == once
