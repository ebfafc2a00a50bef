"""Pure WhatsApp rules: signature, phone numbers, 24-hour window, status order, retry, HTML → text."""

from datetime import datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from cs_sop.core import whatsapp as wa
from cs_sop.core.text import text_to_html


@given(st.binary(max_size=2000), st.text(min_size=1, max_size=40))
def test_signature_roundtrip_and_tamper(body, secret):
	header = wa.sign(secret, body)
	assert wa.signature_valid(secret, body, header)
	assert not wa.signature_valid(secret, body + b"x", header)
	assert not wa.signature_valid(secret + "x", body, header)


def test_signature_missing_or_malformed():
	assert not wa.signature_valid("s", b"{}", None)
	assert not wa.signature_valid("s", b"{}", "sha1=abc")
	assert not wa.signature_valid("", b"{}", wa.sign("", b"{}"))  # no secret configured: refuse


def test_normalize_phone():
	assert wa.normalize_phone("+62 812-3456-7890") == "6281234567890"
	assert wa.normalize_phone("0812 3456 7890") == "6281234567890"
	assert wa.normalize_phone("0062812") == "62812"
	assert wa.normalize_phone("6281234567890") == "6281234567890"
	assert wa.normalize_phone(None) == ""


def test_window():
	now = datetime(2026, 12, 2, 12, 0)
	assert wa.inside_window(now - timedelta(hours=23, minutes=59), now)
	assert not wa.inside_window(now - timedelta(hours=24), now)
	assert not wa.inside_window(None, now)


@given(st.lists(st.sampled_from(list(wa.STATUS_RANK)), max_size=12))
def test_status_never_moves_backwards(updates):
	state = "Queued"
	for new in updates:
		if wa.moves_forward(state, new):
			state = new
	assert wa.STATUS_RANK[state] == max([0, *(wa.STATUS_RANK[u] for u in updates)])


def test_retryable():
	assert wa.is_retryable(429, 130429)
	assert wa.is_retryable(400, 80007)  # rate limit with a 400
	assert wa.is_retryable(503, None)
	assert wa.is_retryable(None, None)  # network error
	assert not wa.is_retryable(400, 131047)  # re-engagement: a template, not a retry
	assert not wa.is_retryable(400, 131026)
	assert not wa.is_retryable(401, 190)


@given(st.integers(0, 30), st.floats(0.01, 5))
def test_backoff_grows_and_is_capped(attempt, base):
	assert 0 < wa.backoff_seconds(attempt, base) <= 60
	assert wa.backoff_seconds(attempt + 1, base) >= wa.backoff_seconds(attempt, base)
	assert wa.backoff_seconds(0, base, retry_after=30) >= 30


def test_html_to_text():
	html = (
		"<p>Selamat siang <b>Bapak</b>,</p><ul><li>satu</li><li>dua</li></ul>"
		"<p>Lihat <a href='https://x.id/a'>tautan</a> &amp; <i>catatan</i>.</p><script>x()</script>"
	)
	assert wa.html_to_text(html) == (
		"Selamat siang *Bapak*,\n\n• satu\n• dua\n\nLihat tautan (https://x.id/a) & _catatan_."
	)
	assert wa.html_to_text("plain &amp; simple") == "plain & simple"
	assert wa.html_to_text("<p><b></b>x</p>") == "x"
	assert len(wa.html_to_text("<p>" + "a" * 5000 + "</p>")) == wa.MAX_TEXT


@given(st.text(max_size=300))
def test_a_customers_text_is_safe_html(text):
	html = text_to_html(text)
	assert "<" not in html.replace("<p>", "").replace("</p>", "").replace("<br>", "")
