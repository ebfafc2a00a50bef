"""Every string the app shows has an Indonesian translation in cs_sop/translations/id.csv."""

import csv
import json
import re
from pathlib import Path

from cs_sop.setup.custom_fields import get_custom_fields

APP = Path(__file__).resolve().parents[2] / "cs_sop"
CALL = re.compile(r"(?<![\w.])_{1,2}\(\s*((?:\"(?:[^\"\\]|\\.)*\"\s*)+)")
PART = re.compile(r"\"((?:[^\"\\]|\\.)*)\"")


def translations() -> dict[str, str]:
	with open(APP / "translations" / "id.csv", newline="", encoding="utf-8") as f:
		return {row[0]: row[1] for row in csv.reader(f) if row}


def _field_strings(field: dict) -> set[str]:
	out = {field[k] for k in ("label", "description") if field.get(k)}
	if field.get("fieldtype") == "Select":
		out |= {o for o in field["options"].split("\n") if o}
	return out


def app_strings() -> set[str]:
	found: set[str] = set()
	for path in [*APP.rglob("*.py"), *APP.rglob("*.js")]:
		if "tests" in path.parts or "benchmarks" in path.parts:
			continue
		for m in CALL.finditer(path.read_text(encoding="utf-8")):
			found.add("".join(PART.findall(m.group(1))))
	for path in APP.glob("*/doctype/*/*.json"):
		meta = json.loads(path.read_text(encoding="utf-8"))
		found.add(meta["name"])
		if meta.get("description"):
			found.add(meta["description"])
		for field in meta["fields"]:
			found |= _field_strings(field)
	for fields in get_custom_fields().values():
		for field in fields:
			found |= _field_strings(field)
	return found


def test_every_string_has_an_indonesian_translation():
	have = translations()
	missing = sorted(s for s in app_strings() if s not in have)
	assert not missing, missing


def test_translations_keep_placeholders():
	for source, target in translations().items():
		assert sorted(re.findall(r"\{\d\}", source)) == sorted(re.findall(r"\{\d\}", target)), source
		assert target.strip(), source
