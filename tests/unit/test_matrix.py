import pytest
from hypothesis import given
from hypothesis import strategies as st

from cs_sop.core import matrix

levels = st.sampled_from(matrix.LEVELS)


def test_sixteen_default_rules_cover_the_matrix():
	rules = matrix.default_rules()
	assert len(rules) == 16
	assert matrix.missing_pairs((i, u) for i, u, _ in rules) == []
	assert {p for _, _, p in rules} == set(matrix.PRIORITIES)


def test_corners():
	assert matrix.default_priority("Low", "Low") == "Low"
	assert matrix.default_priority("Critical", "Critical") == "Urgent"
	assert matrix.default_priority("High", "High") == "High"
	assert matrix.default_priority("Critical", "Low") == "Medium"


@given(levels, levels)
def test_symmetric(i, u):
	assert matrix.default_priority(i, u) == matrix.default_priority(u, i)


@given(levels, levels, levels)
def test_monotone_in_each_axis(i, u, other):
	rank = matrix.PRIORITIES.index
	if matrix.level_index(other) >= matrix.level_index(i):
		assert rank(matrix.default_priority(other, u)) >= rank(matrix.default_priority(i, u))
	if matrix.level_index(other) >= matrix.level_index(u):
		assert rank(matrix.default_priority(i, other)) >= rank(matrix.default_priority(i, u))


def test_lookup_unclassified_is_none():
	rules = {(i, u): p for i, u, p in matrix.default_rules()}
	assert matrix.lookup(rules, None, "High") is None
	assert matrix.lookup(rules, "High", "") is None
	assert matrix.lookup(rules, "High", "Low") == "Medium"


def test_lookup_missing_rule_raises():
	with pytest.raises(KeyError):
		matrix.lookup({}, "High", "Low")


def test_unknown_level():
	with pytest.raises(matrix.UnknownLevel):
		matrix.rule_name("Huge", "Low")
	assert matrix.rule_name("High", "Low") == "High-Low"


def test_missing_pairs():
	assert ("Low", "Low") in matrix.missing_pairs([("Low", "Medium")])
