from datetime import datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cs_sop.core import survey as s

SECRET = b"site-secret"


def test_token_is_deterministic_unguessable_and_well_formed():
	t = s.make_token(SECRET, "survey", "SRV-1")
	assert t == s.make_token(SECRET, "survey", "SRV-1")
	assert t != s.make_token(SECRET, "survey", "SRV-2")
	assert t != s.make_token(SECRET, "confirm", "SRV-1")
	assert t != s.make_token(b"other", "survey", "SRV-1")
	assert s.is_well_formed(t) and len(t) == s.TOKEN_LENGTH


def test_token_needs_a_secret():
	with pytest.raises(ValueError):
		s.make_token(b"", "survey", "x")


@pytest.mark.parametrize(
	"bad", [None, "", "abc", "x" * 42, "x" * 44, "<script>alert(1)</script>" + "x" * 18, "a/" + "x" * 41]
)
def test_malformed_tokens_refused(bad):
	assert not s.is_well_formed(bad)


@given(st.text(min_size=1, max_size=40))
def test_hash_is_stable_and_not_the_token(key):
	t = s.make_token(SECRET, "survey", key)
	assert s.hash_token(t) == s.hash_token(t)
	assert s.hash_token(t) != t and len(s.hash_token(t)) == 64
	assert s.tokens_match(t, t) and not s.tokens_match(t, t[:-1] + ("A" if t[-1] != "A" else "B"))


def test_expiry():
	now = datetime(2026, 12, 1, 10)
	assert s.is_expired(now, now)
	assert not s.is_expired(now + timedelta(seconds=1), now)
	assert not s.is_expired(None, now)


@pytest.mark.parametrize("value,expected", [(1, 1), ("5", 5), (" 3 ", 3), (4.0, 4)])
def test_parse_score_accepts(value, expected):
	assert s.parse_score("csat", value, 1, 5, True) == expected


@pytest.mark.parametrize("value", [0, 6, "6", "-1", "abc", "3.5", 2.5, True, "1e1", [3], "<b>5</b>"])
def test_parse_score_refuses(value):
	with pytest.raises(s.InvalidAnswer) as exc:
		s.parse_score("csat", value, 1, 5, True)
	assert exc.value.field == "csat"


def test_optional_scores():
	assert s.parse_score("nps", "", 0, 10, False) is None
	assert s.parse_score("nps", None, 0, 10, False) is None
	assert s.parse_score("nps", 0, 0, 10, False) == 0
	with pytest.raises(s.InvalidAnswer):
		s.parse_score("csat", "", 1, 5, True)


@given(st.integers(min_value=-1000, max_value=1000))
def test_parse_score_range_property(v):
	if 1 <= v <= 7:
		assert s.parse_score("ces", v, 1, 7, True) == v
		assert s.parse_score("ces", str(v), 1, 7, True) == v
	else:
		with pytest.raises(s.InvalidAnswer):
			s.parse_score("ces", v, 1, 7, True)


def test_yes_no_and_low():
	assert s.parse_yes_no("problem_solved", "Yes") == "Yes"
	with pytest.raises(s.InvalidAnswer):
		s.parse_yes_no("problem_solved", "maybe")
	assert s.is_low(1) and s.is_low(2) and not s.is_low(3) and not s.is_low(0) and not s.is_low(None)
	assert s.feedback_rating(5) == 1.0 and s.feedback_rating(1) == 0.2


def rows(*answers, unanswered=0):
	out = [
		{"status": "Answered", "csat": c, "nps": n, "ces": e, "problem_solved": p} for c, n, e, p in answers
	]
	out += [{"status": "Sent", "csat": 0, "nps": -1, "ces": 0, "problem_solved": ""}] * unanswered
	return out


def test_scores_worked_example():
	sc = s.score(rows((5, 10, 2, "Yes"), (4, 9, 3, "Yes"), (3, 7, 5, "No"), (1, 0, 7, "No"), unanswered=4))
	assert sc.sent == 8 and sc.answered == 4
	assert sc.response_rate == 50.0
	assert sc.csat_percent == 50.0  # 5 and 4 of four answers
	assert sc.csat_average == 3.25
	assert sc.nps == 25.0  # 2 promoters, 1 passive, 1 detractor of 4
	assert (sc.promoters, sc.passives, sc.detractors) == (2, 1, 1)
	assert sc.ces_average == 4.25
	assert sc.solved_percent == 50.0


def test_scores_empty_and_optional_missing():
	sc = s.score([])
	assert sc.sent == 0 and sc.response_rate is None and sc.csat_percent is None and sc.nps is None
	sc = s.score(rows((5, None, None, ""), (2, -1, 0, "")))
	assert sc.nps is None and sc.ces_average is None and sc.solved_percent is None
	assert sc.csat_percent == 50.0


answer = st.tuples(
	st.integers(1, 5),
	st.one_of(st.none(), st.integers(0, 10)),
	st.one_of(st.none(), st.integers(1, 7)),
	st.sampled_from(["Yes", "No", ""]),
)


@given(st.lists(answer, max_size=50), st.integers(0, 20))
def test_scores_bounds(answers, unanswered):
	sc = s.score(rows(*answers, unanswered=unanswered))
	assert sc.sent == len(answers) + unanswered and sc.answered == len(answers)
	if answers:
		assert 0 <= sc.csat_percent <= 100
		assert 1 <= sc.csat_average <= 5
		assert 0 <= sc.response_rate <= 100
	if sc.nps is not None:
		assert -100 <= sc.nps <= 100
		assert sc.promoters + sc.passives + sc.detractors == sum(1 for a in answers if a[1] is not None)
	if sc.ces_average is not None:
		assert 1 <= sc.ces_average <= 7


@given(st.lists(st.integers(0, 10), min_size=1))
def test_nps_all_promoters_or_detractors(values):
	if all(v >= 9 for v in values):
		assert s.nps(values) == 100.0
	if all(v <= 6 for v in values):
		assert s.nps(values) == -100.0
