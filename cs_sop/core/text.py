"""HTML and plain text of customer messages (pure): a notice as an agent edits it or a text-only
channel shows it, and an agent's text as the HTML a message carries."""

import html
import re

_TAG = re.compile(r"<[^>]*>")


def html_to_text(value: str | None) -> str:
	"""Readable plain text of HTML: line breaks and paragraphs kept, list items as "- "."""
	value = re.sub(r"(?i)<br\s*/?>", "\n", value or "")
	value = re.sub(r"(?i)</(p|li|ul|div)>", "\n\n", value)
	value = re.sub(r"(?i)<li>", "- ", value)
	text = html.unescape(_TAG.sub("", value))
	return re.sub(r"\n{3,}", "\n\n", "\n".join(line.strip() for line in text.splitlines())).strip()


def text_to_html(text: str) -> str:
	"""Paragraphs (blank-line separated) as <p>, single line breaks as <br>, everything escaped."""
	paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
	return "".join("<p>" + html.escape(p).replace("\n", "<br>") + "</p>" for p in paragraphs)
