"""Satisfaction survey rules: answer validation, scoring and survey-link tokens (pure Python).

Scores (SOP stage 7, *Evaluasi dan Monitoring Kinerja*):
- CSAT 1-5: the share of answers that are 4 or 5 ("satisfied"), and the average;
- NPS 0-10 (optional): % promoters (9-10) minus % detractors (0-6), from -100 to 100;
- CES 1-7 (optional): the average effort;
- response rate: answered surveys out of the surveys sent.

Tokens: a survey link carries a token derived with HMAC-SHA256 from a site secret and the
survey's id, so it is unguessable without the secret and the same link can be re-sent in the
reminder; only its SHA-256 hash is stored, so the database alone does not reveal a valid link.
"""

import hashlib
import hmac
import re
from base64 import urlsafe_b64encode
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

CSAT_RANGE = (1, 5)
NPS_RANGE = (0, 10)
CES_RANGE = (1, 7)
LOW_CSAT = 2  # a CSAT at or below this asks for a reason and notifies the supervisor
SATISFIED = 4  # CSAT 4 and 5 count as satisfied

SENT, ANSWERED, EXPIRED = "Sent", "Answered", "Expired"
STATUSES = (SENT, ANSWERED, EXPIRED)

TOKEN_LENGTH = 43  # 32 bytes in URL-safe base64 without padding
_TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{%d}$" % TOKEN_LENGTH)


class InvalidAnswer(ValueError):
	"""An answer out of range or not a number; `field` names the question."""

	def __init__(self, field: str, message: str):
		super().__init__(message)
		self.field = field


# ---------- tokens ----------


def make_token(secret: bytes | str, purpose: str, key: str) -> str:
	"""The link token for `key` (a survey id, a ticket) and `purpose` ("survey", "confirm")."""
	if isinstance(secret, str):
		secret = secret.encode()
	if not secret:
		raise ValueError("a secret is required")
	digest = hmac.new(secret, f"{purpose}:{key}".encode(), hashlib.sha256).digest()
	return urlsafe_b64encode(digest).rstrip(b"=").decode()


def hash_token(token: str) -> str:
	"""What is stored: SHA-256 hex of the token."""
	return hashlib.sha256(token.encode()).hexdigest()


def is_well_formed(token: str | None) -> bool:
	"""A token has the exact shape make_token gives; anything else is refused before any lookup."""
	return bool(token) and isinstance(token, str) and bool(_TOKEN_RE.match(token))


def tokens_match(expected: str, given: str) -> bool:
	return hmac.compare_digest(expected.encode(), (given or "").encode())


def is_expired(expires_on: datetime | None, now: datetime) -> bool:
	return expires_on is not None and now >= expires_on


# ---------- answers ----------


def parse_score(field: str, value, low: int, high: int, required: bool) -> int | None:
	"""An integer score in [low, high]; None when optional and empty. Raises InvalidAnswer."""
	if value is None or (isinstance(value, str) and not value.strip()):
		if required:
			raise InvalidAnswer(field, "required")
		return None
	if isinstance(value, bool):
		raise InvalidAnswer(field, "not a number")
	if isinstance(value, float):
		if not value.is_integer():
			raise InvalidAnswer(field, "not a whole number")
		value = int(value)
	if isinstance(value, str):
		text = value.strip()
		if not re.fullmatch(r"[+-]?\d{1,3}", text):
			raise InvalidAnswer(field, "not a number")
		value = int(text)
	if not isinstance(value, int):
		raise InvalidAnswer(field, "not a number")
	if not low <= value <= high:
		raise InvalidAnswer(field, "out of range")
	return value


def parse_yes_no(field: str, value) -> str:
	if value in ("Yes", "No"):
		return value
	raise InvalidAnswer(field, "must be Yes or No")


def is_low(csat: int | None) -> bool:
	return csat is not None and 0 < csat <= LOW_CSAT


def feedback_rating(csat: int) -> float:
	"""Helpdesk's `feedback_rating` (a Rating field: 0-1, five stars = 1.0) for a CSAT 1-5."""
	return round(csat / CSAT_RANGE[1], 2)


# ---------- scoring ----------


@dataclass(frozen=True)
class Scores:
	sent: int
	answered: int
	response_rate: float | None  # percent of sent surveys that were answered
	csat_percent: float | None  # percent of CSAT answers that are 4-5
	csat_average: float | None
	nps: float | None  # -100..100
	promoters: int
	passives: int
	detractors: int
	ces_average: float | None
	solved_percent: float | None  # percent of "was your problem solved" answers that are Yes


def _pct(part: int, whole: int) -> float | None:
	return round(100.0 * part / whole, 1) if whole else None


def _avg(values: list[int]) -> float | None:
	return round(sum(values) / len(values), 2) if values else None


def csat_percent(values: Iterable[int]) -> float | None:
	vals = [v for v in values if v]
	return _pct(sum(1 for v in vals if v >= SATISFIED), len(vals))


def csat_average(values: Iterable[int]) -> float | None:
	return _avg([v for v in values if v])


def nps(values: Iterable[int | None]) -> float | None:
	vals = [v for v in values if v is not None and v >= 0]
	if not vals:
		return None
	promoters = sum(1 for v in vals if v >= 9)
	detractors = sum(1 for v in vals if v <= 6)
	return round(100.0 * (promoters - detractors) / len(vals), 1)


def ces_average(values: Iterable[int | None]) -> float | None:
	return _avg([v for v in values if v])


def response_rate(sent: int, answered: int) -> float | None:
	return _pct(answered, sent)


def score(rows: Iterable[dict]) -> Scores:
	"""Scores of survey rows (dicts with status, csat, nps, ces, problem_solved).

	Every row counts as sent; only Answered rows count for the scores. `csat` 0 and `nps` -1 or
	None mean "not answered", as stored in SOP Survey.
	"""
	sent = answered = 0
	csats: list[int] = []
	npss: list[int] = []
	cess: list[int] = []
	solved = asked = 0
	for row in rows:
		sent += 1
		if row.get("status") != ANSWERED:
			continue
		answered += 1
		if row.get("csat"):
			csats.append(int(row["csat"]))
		value = row.get("nps")
		if value is not None and value >= 0:
			npss.append(int(value))
		if row.get("ces"):
			cess.append(int(row["ces"]))
		if row.get("problem_solved") in ("Yes", "No"):
			asked += 1
			solved += row["problem_solved"] == "Yes"
	return Scores(
		sent=sent,
		answered=answered,
		response_rate=response_rate(sent, answered),
		csat_percent=csat_percent(csats),
		csat_average=csat_average(csats),
		nps=nps(npss),
		promoters=sum(1 for v in npss if v >= 9),
		passives=sum(1 for v in npss if 7 <= v <= 8),
		detractors=sum(1 for v in npss if v <= 6),
		ces_average=ces_average(cess),
		solved_percent=_pct(solved, asked),
	)
