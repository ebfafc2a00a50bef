"""The website live chat page: /sop-chat (framed by /assets/cs_sop/js/livechat.js, ?embed=1)."""

from cs_sop.livechat.page import context as chat_context

no_cache = 1


def get_context(context):
	return chat_context(context)
