"""Messenger / Instagram rules (cs_sop.core.meta): windows, webhook parsing, retryable errors."""

from datetime import datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from cs_sop.core import meta
from cs_sop.core import whatsapp as wa

NOW = datetime(2026, 12, 7, 10, 0)


@given(st.integers(min_value=0, max_value=30 * 24 * 3600))
def test_send_mode_follows_metas_windows(age_seconds):
	last = NOW - timedelta(seconds=age_seconds)
	human = meta.send_mode(last, NOW, human=True)
	automatic = meta.send_mode(last, NOW, human=False)
	if age_seconds < 24 * 3600:
		assert human == automatic == ("RESPONSE", None)
	elif age_seconds < 7 * 24 * 3600:
		assert human == ("MESSAGE_TAG", "HUMAN_AGENT")
		assert automatic is None  # an automatic message may not use the tag
	else:
		assert human is None and automatic is None


def test_no_customer_message_no_send():
	assert meta.send_mode(None, NOW, human=True) is None


def test_boundaries():
	assert meta.send_mode(NOW - timedelta(hours=24), NOW, True) == ("MESSAGE_TAG", "HUMAN_AGENT")
	assert meta.send_mode(NOW - timedelta(days=7), NOW, True) is None


def _payload(obj, account, events):
	return {"object": obj, "entry": [{"id": account, "time": 1, "messaging": events}]}


def test_messages_of_a_page_webhook():
	events = [
		{
			"sender": {"id": "U1"},
			"recipient": {"id": "P1"},
			"timestamp": 5,
			"message": {"mid": "m1", "text": "hai"},
		},
		# the page's own message echoed back, a read receipt, a delivery: not customer messages
		{
			"sender": {"id": "P1"},
			"recipient": {"id": "U1"},
			"message": {"mid": "m2", "is_echo": True, "text": "x"},
		},
		{"sender": {"id": "U1"}, "recipient": {"id": "P1"}, "read": {"watermark": 1}},
		{
			"sender": {"id": "U1"},
			"recipient": {"id": "P1"},
			"message": {
				"mid": "m3",
				"attachments": [{"type": "image", "payload": {"url": "https://cdn/x.jpg"}}],
			},
		},
		{"sender": {"id": "U1"}, "recipient": {"id": "P1"}, "postback": {"mid": "m4", "title": "Mulai"}},
	]
	got = meta.messages(_payload("page", "P1", events), {"Messenger": "P1"})
	assert [m["mid"] for m in got] == ["m1", "m3", "m4"]
	assert got[0]["platform"] == "Messenger" and got[0]["sender"] == "U1" and got[0]["text"] == "hai"
	assert got[1]["attachments"] == [{"type": "image", "url": "https://cdn/x.jpg", "name": ""}]
	assert got[2]["text"] == "Mulai"
	# another page of the same app: not ours
	assert meta.messages(_payload("page", "P2", events), {"Messenger": "P1"}) == []
	assert meta.messages(_payload("instagram", "IG1", events[:1]), {})[0]["platform"] == "Instagram"
	assert meta.messages({"object": "whatsapp_business_account"}) == []


def test_retryable_codes():
	assert wa.is_retryable(400, 613, meta.RETRY_CODES)
	assert wa.is_retryable(400, 4, meta.RETRY_CODES)
	assert not wa.is_retryable(400, 551, meta.RETRY_CODES)
	assert not wa.is_retryable(400, 10, meta.RETRY_CODES)
	assert not wa.is_retryable(400, 613)  # not a WhatsApp code
	assert meta.outside_window(2018278) and not meta.outside_window(None)


def test_plain_text_without_marks():
	assert wa.html_to_text("<p><b>Halo</b> <i>kak</i></p>", marks=False) == "Halo kak"
	assert wa.html_to_text("<p><b>Halo</b></p>") == "*Halo*"
