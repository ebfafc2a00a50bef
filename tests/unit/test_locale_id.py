"""cs_sop/locale/id.po (Helpdesk's strings in Indonesian) next to cs_sop/translations/id.csv.

No frappe here: a small reader of the gettext file is enough for these checks.
"""

import ast
import csv
import re
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parents[2] / "cs_sop"
PO = APP / "locale" / "id.po"
CSV = APP / "translations" / "id.csv"

PLACEHOLDERS = re.compile(r"\{\{.*?\}\}|\{\d*\}|%\(\w+\)[sd]|%[sd]|</?\s*[a-zA-Z][^>]*>")
# glossary (docs/glossary-id.md): renderings that must not come back
AVOID = {
	r"\brespons\b": "tanggapan (first response = tanggapan pertama)",
	r"\bresolusi\b": "penyelesaian",
	r"\bsurel\b": "email",
	r"\bumpan balik\b": "masukan",
	r"\btipe\b": "jenis",
	r"\blevel\b": "tingkat",
	r"\bdefault\b": "bawaan",
}


def _unquote(s: str) -> str:
	return ast.literal_eval(s)


def read_po(path: Path = PO) -> list[tuple[str, str]]:
	"""(msgid, msgstr) pairs of a .po file, header excluded."""
	entries, key, parts = [], None, {"msgid": [], "msgstr": []}
	for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
		line = line.strip()
		if line.startswith("msgid "):
			if parts["msgid"] or parts["msgstr"]:
				entries.append(("".join(parts["msgid"]), "".join(parts["msgstr"])))
			parts, key = {"msgid": [], "msgstr": []}, "msgid"
			parts[key].append(_unquote(line[6:]))
		elif line.startswith("msgstr "):
			key = "msgstr"
			parts[key].append(_unquote(line[7:]))
		elif line.startswith('"') and key:
			parts[key].append(_unquote(line))
		elif line.startswith("msgctxt"):
			raise AssertionError("no msgctxt expected in cs_sop/locale/id.po")
	if parts["msgid"] or parts["msgstr"]:
		entries.append(("".join(parts["msgid"]), "".join(parts["msgstr"])))
	return [(i, s) for i, s in entries if i]


def read_csv() -> dict[str, str]:
	with open(CSV, newline="", encoding="utf-8") as f:
		return {row[0]: row[1] for row in csv.reader(f) if row}


def tokens(text: str) -> list[str]:
	out = []
	for t in PLACEHOLDERS.findall(text):
		tag = re.match(r"</?\s*([a-zA-Z0-9]+)", t)
		# HTML tags by name (attributes such as href stay, their text may be translated)
		out.append(("</" if t.startswith("</") else "<") + tag.group(1).lower() if tag else t)
	return sorted(out)


ENTRIES = read_po()


def test_catalogue_is_big_and_fully_translated():
	assert len(ENTRIES) > 1300
	empty = [i for i, s in ENTRIES if not s.strip()]
	assert not empty, empty


def test_no_duplicate_msgids():
	ids = [i for i, _ in ENTRIES]
	assert len(ids) == len(set(ids))


@pytest.mark.parametrize("msgid,msgstr", ENTRIES, ids=[i[:40] for i, _ in ENTRIES])
def test_placeholders_and_markup_match(msgid, msgstr):
	assert tokens(msgid) == tokens(msgstr)
	# a literal percent sign stays (e.g. "% SLA Fulfilled", "Uploading {0}%")
	assert msgid.count("%") == msgstr.count("%")
	# the UI joins fragments such as " commented" and "Status " with their neighbours
	assert msgid[:1].isspace() == msgstr[:1].isspace()
	assert msgid[-1:].isspace() == msgstr[-1:].isspace()
	assert msgid.count("\n") == msgstr.count("\n")


def test_csv_placeholders_match():
	for msgid, msgstr in read_csv().items():
		assert tokens(msgid) == tokens(msgstr), msgid


def test_one_source_of_truth_per_msgid():
	"""cs_sop's own strings live in the CSV; the .po must not repeat them (its .mo would win)."""
	both = sorted({i for i, _ in ENTRIES} & set(read_csv()))
	assert not both, both


@pytest.mark.parametrize("pattern", sorted(AVOID))
def test_glossary_terms(pattern):
	bad = [
		(i, s)
		for i, s in [*ENTRIES, *read_csv().items()]
		if re.search(pattern, s, re.IGNORECASE) and not re.search(pattern, i, re.IGNORECASE)
	]
	assert not bad, f"use {AVOID[pattern]}: {bad[:10]}"


def test_corrected_helpdesk_translations():
	po = dict(ENTRIES)
	assert po["Collapse"] == "Ciutkan"
	assert po["Expand"] == "Bentangkan"
	assert po["Reply"] == "Balas"
	assert po["First Response Due"] == "Batas Tanggapan Pertama"
