"""Multi-row writes as single parameterised statements.

frappe.db.bulk_insert / bulk_update build their SQL with pypika, which costs about half a
millisecond per row: too slow for a sweep that writes thousands of rows a minute. These build
only the placeholders; every value goes to the driver as a parameter. Table and column names
come from code, never from input.
"""

from collections.abc import Iterable, Sequence
from itertools import islice

import frappe

CHUNK = 1000
# every table's own columns, first in each row a caller builds: name, creation, modified, owner, modified_by
STANDARD_COLUMNS = ("name", "creation", "modified", "owner", "modified_by")


def chunks(items: Iterable, size: int = CHUNK):
	"""Lists of at most `size` items (an IN (...) list or a VALUES list per statement)."""
	it = iter(items)
	while chunk := list(islice(it, size)):
		yield chunk


def locked_due(query, due, key, limit: int, only: list[str] | None = None) -> list:
	"""A job's batch: the `limit` rows of `query` due first (ordered by `due`), locked FOR UPDATE, so a
	second run at the same time waits and then finds them done. `only`: rows whose `key` is one of
	these and no others (tests, the demo's simulated days); None: every due row."""
	query = query.orderby(due).limit(limit).for_update()
	if only is not None:
		query = query.where(key.isin(only or [""]))
	return query.run(as_dict=True)


def insert(doctype: str, fields: Sequence[str], rows: Iterable[Sequence], ignore_duplicates: bool = False):
	"""INSERT [IGNORE] INTO `tab<doctype>` (fields) VALUES (...), (...) in chunks."""
	columns = ", ".join(f"`{f}`" for f in fields)
	one = "(" + ", ".join(["%s"] * len(fields)) + ")"
	verb = "INSERT IGNORE" if ignore_duplicates else "INSERT"
	for chunk in chunks(rows, CHUNK):
		values = [v for row in chunk for v in row]
		frappe.db.sql(
			f"{verb} INTO `tab{doctype}` ({columns}) VALUES {', '.join([one] * len(chunk))}",  # nosemgrep
			values,
		)


def update(doctype: str, updates: dict[str, dict]):
	"""Set columns of many documents; `updates` maps a name to its columns. `modified` is left alone.

	Documents getting the same values share one `UPDATE .. SET .. WHERE name IN (..)` (a burst of
	escalations all get the same level, stage and next check); the rest go through
	`SET col = CASE name WHEN .. THEN .. ELSE col END`, a chunk per statement.
	"""
	groups: dict[tuple, list[str]] = {}
	for name, values in updates.items():
		groups.setdefault(tuple(sorted(values.items())), []).append(name)
	singles = {}
	for values, names in groups.items():
		if len(names) == 1:
			singles[names[0]] = dict(values)
			continue
		sets = ", ".join(f"`{column}` = %s" for column, _ in values)
		for chunk in chunks(names, CHUNK):
			frappe.db.sql(
				f"UPDATE `tab{doctype}` SET {sets} WHERE `name` IN ({', '.join(['%s'] * len(chunk))})",  # nosemgrep
				[v for _, v in values] + chunk,
			)
	_case_update(doctype, singles)


def _case_update(doctype: str, updates: dict[str, dict]):
	for chunk in chunks(updates.items(), CHUNK):
		columns = sorted({c for _, values in chunk for c in values})
		sets, params = [], []
		for column in columns:
			cases = []
			for name, values in chunk:
				if column in values:
					cases.append("WHEN %s THEN %s")
					params += [name, values[column]]
			sets.append(f"`{column}` = CASE `name` {' '.join(cases)} ELSE `{column}` END")
		names = [name for name, _ in chunk]
		params += names
		frappe.db.sql(
			f"UPDATE `tab{doctype}` SET {', '.join(sets)} "  # nosemgrep
			f"WHERE `name` IN ({', '.join(['%s'] * len(names))})",
			params,
		)
