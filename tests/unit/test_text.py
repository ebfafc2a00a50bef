"""HTML <-> text of customer messages (cs_sop.core.text)."""

from hypothesis import given
from hypothesis import strategies as st

from cs_sop.core.text import html_to_text, text_to_html


def test_notice_html_as_text():
	html = "<p>Yth. Budi,</p><ul><li>Nomor: <b>#12</b></li><li>A &amp; B</li></ul><p>Baris 1<br>Baris 2</p>"
	assert html_to_text(html) == "Yth. Budi,\n\n- Nomor: #12\n\n- A & B\n\nBaris 1\nBaris 2"


def test_text_as_html_is_escaped():
	assert text_to_html("a <b>\nc\n\nd & e") == "<p>a &lt;b&gt;<br>c</p><p>d &amp; e</p>"


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=200))
def test_round_trip_keeps_the_words(text):
	words = text.split()
	assert html_to_text(text_to_html(text)).split() == words
