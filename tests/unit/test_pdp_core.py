"""Data protection rules: Indonesian phone forms, the key of a data-subject request, masks, patterns."""

import re

from hypothesis import given
from hypothesis import strategies as st

from cs_sop.core import privacy as p

nationals = st.from_regex(r"\A[1-9][0-9]{6,12}\Z")
separators = st.sampled_from(["", " ", "-", ".", " - "])


def written(national: str, prefix: str, sep: str) -> str:
	"""The number as people write it: a prefix, then groups of digits with a separator."""
	groups = [national[i : i + 4] for i in range(0, len(national), 4)]
	return prefix + sep.join(groups)


def test_the_three_forms():
	f = p.phone_forms("0812-3456-7890")
	assert f.forms == ("081234567890", "+6281234567890", "6281234567890")
	assert p.phone_forms("+62 812 3456 7890") == f
	assert p.phone_forms("6281234567890") == f
	assert p.phone_forms("0062 812 3456 7890") == f
	assert p.phone_forms("(021) 555-1234").forms == ("0215551234", "+62215551234", "62215551234")


def test_not_indonesian_numbers():
	for value in ("", None, "12345", "+1 415 555 0100", "0812abc34567", "budi@example.com", "+62+812345678"):
		assert p.phone_forms(value) is None, value
	assert p.phone_forms("0" * 12) is None


@given(nationals, st.sampled_from(["0", "+62", "62", "+62 ", "0062"]), separators)
def test_any_writing_gives_the_same_forms(national, prefix, sep):
	forms = p.phone_forms(written(national, prefix, sep))
	assert forms is not None
	assert forms.national == national
	assert forms.local == "0" + national
	assert forms.international == "+62" + national
	assert forms.digits == "62" + national
	# each form reads back as the same number (idempotent)
	for form in forms.forms:
		assert p.phone_forms(form) == forms


@given(nationals, st.sampled_from(["0", "+62", "62", "+62 "]), separators, st.text(max_size=20))
def test_pattern_finds_every_writing_in_text(national, prefix, sep, noise):
	forms = p.phone_forms("0" + national)
	pattern = p.phone_pattern(forms)
	noise = re.sub(r"[0-9]", "", noise)
	text = f"{noise} hubungi {written(national, prefix, sep)}, {noise}"
	cleaned = re.sub(pattern, "[phone]", text)
	assert cleaned == f"{noise} hubungi [phone], {noise}"


@given(nationals)
def test_pattern_does_not_take_a_longer_number(national):
	pattern = p.phone_pattern(p.phone_forms("0" + national))
	assert not re.search(pattern, "0" + national + "9")
	assert not re.search(pattern, "1" + "0" + national)


def test_subject_key():
	k = p.subject_key("  Budi.Santoso@Example.com ")
	assert (k.kind, k.value, k.terms) == ("Email", "budi.santoso@example.com", ("budi.santoso@example.com",))
	k = p.subject_key("0812 3456 7890")
	assert (k.kind, k.value) == ("Phone", "6281234567890")
	assert k.terms == ("081234567890", "+6281234567890", "6281234567890")
	for bad in ("", None, "budi", "budi@", "@example.com", "12345", "a b@example.com"):
		assert p.subject_key(bad) is None, bad


def test_mask_hides_the_key():
	assert p.mask(p.subject_key("budi.santoso@example.com")) == "bu***@e***.com"
	assert p.mask(p.subject_key("081234567890")) == "+62812*****890"


@given(nationals)
def test_mask_of_a_phone_does_not_show_it(national):
	masked = p.mask(p.subject_key("0" + national))
	assert national not in masked
	assert masked.count("*") == len(national) - 6


def test_digest_is_keyed_and_stable():
	k = p.subject_key("budi@example.com")
	assert p.digest(k, "s1") == p.digest(p.subject_key("BUDI@example.com"), "s1")
	assert p.digest(k, "s1") != p.digest(k, "s2")
	assert "budi" not in p.digest(k, "s1")
	# the same phone written two ways is the same subject
	assert p.digest(p.subject_key("+62 812-3456-7890"), "s") == p.digest(p.subject_key("081234567890"), "s")


def test_like_escape_and_literal_pattern():
	assert p.like_escape("a_b%c\\") == "a\\_b\\%c\\\\"
	assert re.search(p.literal_pattern("Budi.S@x.id"), "dari BUDI.S@X.ID kemarin")
	assert not re.search(p.literal_pattern("Budi.S@x.id"), "BudixS@x.id")
