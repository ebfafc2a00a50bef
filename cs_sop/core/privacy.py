"""Pure rules of data protection (UU PDP 27/2022): the forms of an Indonesian phone number, the
search key of a data-subject request (email or phone), how it is masked and hashed for the log,
and the patterns that find the key in stored text.

No frappe here: the privacy package turns these into queries.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass

# A national significant number (without the trunk "0" or the country code "62"): mobile numbers
# have 9-12 digits ("812 3456 7890"), fixed lines 7-10 with the area code ("21 555 1234").
MIN_NATIONAL = 7
MAX_NATIONAL = 13
# separators people write between digits: "0812-3456-7890", "+62 812 3456 7890", "(021) 555.1234"
SEPARATORS = "[-. ()]*"
# the prefix of any of the three forms, not preceded by another digit, and the end of the number
PHONE_PREFIX = r"(?<![0-9])(\+62|62|0)"
PHONE_SUFFIX = r"(?![0-9])"
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class PhoneForms:
	"""The three ways an Indonesian number is written: `08…`, `+62…`, `62…` (WhatsApp's id)."""

	national: str  # "81234567890"

	@property
	def local(self) -> str:
		return "0" + self.national

	@property
	def international(self) -> str:
		return "+62" + self.national

	@property
	def digits(self) -> str:
		return "62" + self.national

	@property
	def forms(self) -> tuple[str, str, str]:
		return (self.local, self.international, self.digits)


def national_number(value: str | None) -> str:
	"""The digits of `value` without "00", the country code 62 or the trunk 0 (may be invalid)."""
	digits = re.sub(r"\D", "", value or "")
	if digits.startswith("00"):
		digits = digits[2:]
	if digits.startswith("62"):
		return digits[2:]
	if digits.startswith("0"):
		return digits[1:]
	return digits


def phone_forms(value: str | None) -> PhoneForms | None:
	"""The three forms of an Indonesian phone number written any usual way, or None when `value`
	is not one (too short or long, another country code, letters around the digits)."""
	text = (value or "").strip()
	if not text or re.search(r"[^0-9+\-. ()]", text) or text.count("+") > 1 or "+" in text[1:]:
		return None
	if text.startswith("+") and not re.sub(r"\D", "", text).startswith("62"):
		return None
	national = national_number(text)
	if not (MIN_NATIONAL <= len(national) <= MAX_NATIONAL) or national.startswith("0"):
		return None
	return PhoneForms(national)


def phone_pattern(forms: PhoneForms) -> str:
	"""A PCRE/`re` pattern matching the number in any of its forms, separators allowed between
	digits; MariaDB's REGEXP_REPLACE and Python's `re` read it alike."""
	return PHONE_PREFIX + SEPARATORS + SEPARATORS.join(forms.national) + PHONE_SUFFIX


def literal_pattern(text: str) -> str:
	"""A case-insensitive pattern matching `text` literally (an email address, a name)."""
	return "(?i)" + re.escape(text)


def like_escape(text: str) -> str:
	"""`text` for a SQL LIKE '%…%' search: its own % and _ match only themselves."""
	return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


@dataclass(frozen=True)
class SubjectKey:
	"""What a data-subject request searches for: an email address or a phone number."""

	kind: str  # "Email" or "Phone"
	value: str  # the email in lower case, or the phone's 62… form
	phone: PhoneForms | None = None

	@property
	def terms(self) -> tuple[str, ...]:
		"""The strings whose presence in a text means the subject is mentioned."""
		return self.phone.forms if self.phone else (self.value,)


def subject_key(value: str | None) -> SubjectKey | None:
	"""The key of a request from what the manager typed, or None when it is neither an email
	address nor an Indonesian phone number."""
	text = (value or "").strip()
	if "@" in text:
		return SubjectKey("Email", text.lower()) if EMAIL.match(text) else None
	forms = phone_forms(text)
	return SubjectKey("Phone", forms.digits, forms) if forms else None


def mask(key: SubjectKey) -> str:
	"""What the log shows of the key: enough to tell requests apart, not enough to read it.
	"budi.santoso@example.com" → "bu***@e***.com", "+6281234567890" → "+62812****890"."""
	if key.kind == "Email":
		local, _, domain = key.value.partition("@")
		host, dot, tld = domain.rpartition(".")
		return f"{local[:2]}***@{host[:1]}***{dot}{tld}"
	national = key.phone.national
	return f"+62{national[:3]}{'*' * (len(national) - 6)}{national[-3:]}"


def digest(key: SubjectKey, secret: str) -> str:
	"""Keyed hash of the key (HMAC-SHA256 with the site's secret): the log can be searched for a
	known subject, but the key cannot be read back or guessed from the log alone."""
	return hmac.new(secret.encode(), f"{key.kind}:{key.value}".encode(), hashlib.sha256).hexdigest()
