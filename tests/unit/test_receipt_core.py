"""The receipt rule: once, when on, for a request type that is not switched off, with a customer."""

from hypothesis import given
from hypothesis import strategies as st

from cs_sop.core.receipt import receipt_due, switched_off_types

TYPES = ("Question", "Information Request", "Complaint", "Special Request", "Feedback")


def due(**kw):
	base = dict(sent=False, enabled=True, request_type=None, switched_off=frozenset(), has_customer=True)
	base.update(kw)
	return receipt_due(**base)


def test_default_every_new_ticket_gets_one():
	assert due()
	for rt in TYPES:
		assert due(request_type=rt)


def test_never_twice_never_when_off_never_without_a_customer():
	assert not due(sent=True)
	assert not due(enabled=False)
	assert not due(has_customer=False)
	assert not due(acknowledgement_due=True)


def test_switched_off_request_types():
	off = switched_off_types([("Feedback", 0), ("Complaint", 1), ("", 0)])
	assert off == {"Feedback"}
	assert not due(request_type="Feedback", switched_off=off)
	assert due(request_type="Complaint", switched_off=off)
	assert due(request_type=None, switched_off=off)  # no request type yet: the default, all


@given(
	sent=st.booleans(),
	enabled=st.booleans(),
	request_type=st.sampled_from((None, *TYPES)),
	off=st.sets(st.sampled_from(TYPES)),
	has_customer=st.booleans(),
	ack=st.booleans(),
)
def test_sent_only_when_every_condition_holds(sent, enabled, request_type, off, has_customer, ack):
	result = receipt_due(
		sent=sent,
		enabled=enabled,
		request_type=request_type,
		switched_off=frozenset(off),
		has_customer=has_customer,
		acknowledgement_due=ack,
	)
	expected = (
		not sent and enabled and has_customer and not ack and not (request_type and request_type in off)
	)
	assert result == bool(expected)
