"""Pure helpers of the per-day report summary (`SOP Report Day`): time keys, value lists, merging.

No frappe here. A summary row holds, for one day and one value of one dimension (a team, an
agent, a channel ...), counts that add up across days, and lists that keep what an exact figure
needs: every stored duration (the percentiles are computed from all of them, exactly as from the
tickets) and the deadlines still pending (a target is decided once its deadline has passed, so
the report counts the deadlines before its own `now`).

Lists are comma-joined integers (MariaDB's `GROUP_CONCAT`); a deadline is its `time_key`, the
microseconds since 2000-01-01 of the naive datetime, as MariaDB's
`TIMESTAMPDIFF(MICROSECOND, '2000-01-01', deadline)` gives it.
"""

from collections.abc import Iterable, Mapping
from datetime import date, datetime

EPOCH = datetime(2000, 1, 1)


def time_key(moment: datetime) -> int:
	"""`moment` as microseconds since `EPOCH` (naive; the same clock as the stored deadlines)."""
	delta = moment - EPOCH
	return (delta.days * 86400 + delta.seconds) * 1_000_000 + delta.microseconds


def parse_values(joined: str | None) -> list[int]:
	"""'3,1,2' -> [3, 1, 2]; None or '' -> []."""
	return list(map(int, joined.split(","))) if joined else []


def count_before(joined: str | None, key: int) -> int:
	"""How many of the comma-joined time keys are strictly before `key`."""
	return sum(1 for v in parse_values(joined) if v < key)


def stale_days(live: Mapping[date, tuple], stored: Mapping[date, tuple]) -> set[date]:
	"""Days whose stamp differs: tickets changed, added or removed since the day was summarised.

	`live`: day -> stamp of the tickets now; `stored`: day -> stamp the summary was built from.
	A day with tickets and no summary, or a summary and no tickets any more, is stale too.
	"""
	return {day for day in set(live) | set(stored) if live.get(day) != stored.get(day)}


def merge(rows: Iterable[Mapping], counts: Iterable[str], lists: Iterable[str], key: str = "value") -> dict:
	"""Add up rows of the same `key` value: counts summed, comma-joined lists concatenated.

	Returns {key value: {count field: int, list field: [str, ...]}}; the lists stay joined strings
	(parsed once per group by the caller) so merging a year of days costs one pass.
	"""
	counts, lists = tuple(counts), tuple(lists)
	out: dict = {}
	for row in rows:
		group = out.get(row[key])
		if group is None:
			group = out[row[key]] = {**{c: 0 for c in counts}, **{name: [] for name in lists}}
		for c in counts:
			group[c] += int(row.get(c) or 0)
		for name in lists:
			if row.get(name):
				group[name].append(row[name])
	return out


def joined_values(parts: Iterable[str]) -> list[int]:
	"""Every integer of several comma-joined strings, sorted."""
	values: list[int] = []
	for part in parts:
		if part:
			values.extend(map(int, part.split(",")))
	values.sort()
	return values


def count_pending_before(parts: Iterable[str], key: int) -> int:
	"""How many deadlines of several comma-joined strings are before `key`."""
	return sum(count_before(part, key) for part in parts)
