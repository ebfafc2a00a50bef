"""Impact × urgency priority matrix (SOP stage 2: "Matriks Prioritas Keluhan")."""

from collections.abc import Iterable, Mapping

LEVELS: tuple[str, ...] = ("Low", "Medium", "High", "Critical")
"""Impact and urgency levels, lowest first (the Select options of `sop_impact`/`sop_urgency`)."""

PRIORITIES: tuple[str, ...] = ("Low", "Medium", "High", "Urgent")
"""Helpdesk's shipped HD Ticket Priority names, lowest first."""


class UnknownLevel(ValueError):
	"""An impact or urgency that is not one of LEVELS."""


def level_index(level: str) -> int:
	try:
		return LEVELS.index(level)
	except ValueError:
		raise UnknownLevel(level) from None


def default_priority(impact: str, urgency: str) -> str:
	"""The shipped matrix: the sum of both levels (0..6) banded into four priorities.

	score 0-1 Low, 2-3 Medium, 4 High, 5-6 Urgent. Symmetric and monotone in both axes.
	"""
	score = level_index(impact) + level_index(urgency)
	if score <= 1:
		return "Low"
	if score <= 3:
		return "Medium"
	if score == 4:
		return "High"
	return "Urgent"


def default_rules() -> list[tuple[str, str, str]]:
	"""The 16 shipped (impact, urgency, priority) rows."""
	return [(i, u, default_priority(i, u)) for i in LEVELS for u in LEVELS]


def rule_name(impact: str, urgency: str) -> str:
	"""Document name of an SOP Priority Rule: unique per (impact, urgency) pair."""
	level_index(impact)
	level_index(urgency)
	return f"{impact}-{urgency}"


def lookup(rules: Mapping[tuple[str, str], str], impact: str | None, urgency: str | None) -> str | None:
	"""Priority for a ticket, or None when it is not yet classified (impact or urgency unset).

	Raises KeyError when both are set but no rule covers the pair: the caller turns that into
	a translated error instead of silently keeping a default.
	"""
	if not impact or not urgency:
		return None
	return rules[(impact, urgency)]


def missing_pairs(rules: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
	"""Pairs of the full matrix that have no rule."""
	have = set(rules)
	return [(i, u) for i in LEVELS for u in LEVELS if (i, u) not in have]
