"""The live chat token, room and origin rules (cs_sop.core.livechat)."""

from hypothesis import given
from hypothesis import strategies as st

from cs_sop.core import livechat as rules

SECRET = b"k" * 32
NOW = 1_800_000_000
DAY = 86400


@given(ticket=st.text(min_size=1, max_size=20), email=st.emails())
def test_a_token_names_its_ticket_and_visitor(ticket, email):
	token = rules.sign(SECRET, ticket, email, NOW)
	assert rules.verify(SECRET, token, NOW + 10, DAY) == {"ticket": ticket, "email": email, "issued_at": NOW}


@given(position=st.integers(min_value=0, max_value=200), char=st.sampled_from("AQz09_-."))
def test_any_changed_character_breaks_the_token(position, char):
	token = rules.sign(SECRET, "42", "rina@example.net", NOW)
	i = position % len(token)
	forged = token[:i] + char + token[i + 1 :]
	if forged != token:
		assert rules.verify(SECRET, forged, NOW, DAY) is None


def test_expired_future_foreign_and_junk_tokens_are_refused():
	token = rules.sign(SECRET, "42", "rina@example.net", NOW)
	assert rules.verify(SECRET, token, NOW + DAY + 1, DAY) is None
	assert rules.verify(SECRET, rules.sign(SECRET, "42", "a@b.co", NOW + 3600), NOW, DAY) is None
	assert rules.verify(b"other", token, NOW, DAY) is None
	for junk in (None, "", "x", "a.b.c", "x" * 2000, "." + token.split(".")[1]):
		assert rules.verify(SECRET, junk, NOW, DAY) is None


def test_rooms_differ_per_ticket_and_secret():
	assert rules.room(SECRET, "1") != rules.room(SECRET, "2")
	assert rules.room(SECRET, "1") != rules.room(b"other", "1")
	assert rules.room(SECRET, "1") == rules.room(SECRET, "1")


def test_origins():
	allowed = rules.parse_origins("https://www.Example.co.id/\nhttp://localhost:8080, ftp://x  junk")
	assert allowed == ["https://www.example.co.id", "http://localhost:8080"]
	assert rules.origin_allowed("https://www.example.co.id", allowed)
	assert rules.origin_allowed("https://www.example.co.id:443", allowed)
	assert not rules.origin_allowed("https://evil.example", allowed)
	assert not rules.origin_allowed("https://www.example.co.id.evil.example", allowed)
	assert not rules.origin_allowed("null", allowed)
	assert rules.origin_allowed(None, allowed)  # not a browser's cross-origin request


def test_cursor_round_trip():
	assert rules.parse_cursor(rules.cursor_key("2026-12-07 10:00:00.123456", "abc")) == (
		"2026-12-07 10:00:00.123456",
		"abc",
	)
	assert rules.parse_cursor("nonsense") is None
