"""The room the demo runs in: a settable clock, no outgoing email, jobs run in-process, WhatsApp
answered locally. Everything is restored on exit, also after an error.

- **Clock.** Frappe, Helpdesk and cs_sop read the time through `frappe.utils.now_datetime`
  (`now()`, `nowdate()`, `get_datetime()` call it too), mostly imported by name. The demo swaps that
  one function's code for "return the demo clock", so every caller sees the simulated moment:
  creation dates, SLA targets, operating-time facts and report dates are what cs_sop computes
  at that moment. (freezegun would do the same but is a development dependency only.)
- **Mail.** `frappe.flags.mute_emails` is set, so cs_sop's `messaging` takes the mail paths it
  takes on a site with outgoing email; `frappe.sendmail` only counts, so nothing reaches the Email
  Queue (a muted queue would still be sent later by the scheduler).
- **Jobs.** `frappe.enqueue` keeps the job and runs it here after the current step, at the same
  simulated moment (a worker would run it at the real time, with mail on).
- **One transaction.** Code that commits (WhatsApp's send job) marks a savepoint instead; the
  caller commits the whole load (`bench execute`) or rolls it back (tests, a failure).
- **WhatsApp.** Outgoing messages go to a local stand-in of the Cloud API that answers with a
  message id: the messages get the status Sent and nothing leaves the machine.
"""

from contextlib import contextmanager
from datetime import datetime

import frappe
import frappe.utils.data

from cs_sop.whatsapp import client, outbound, settings

DEMO_SENDER = "support@demo.cs-sop.invalid"
COMMIT_MARK = "cs_sop_demo_commit"


def _demo_now():  # pragma: no cover - its code runs as frappe.utils.data.now_datetime
	return frappe.flags.cs_sop_demo_now


class Sandbox:
	def __init__(self):
		self.jobs: list[tuple] = []
		self.mails = 0
		self.whatsapp = 0
		self._undo: list = []

	# ---------- clock ----------

	def set_time(self, moment: datetime) -> None:
		# never a whole second: str() of such a datetime drops the fraction, and Frappe's
		# check_if_latest then sees '12:00:00' and the database's '12:00:00.000000' as two moments
		frappe.flags.cs_sop_demo_now = moment.replace(microsecond=1)

	@property
	def now(self) -> datetime:
		return frappe.flags.cs_sop_demo_now

	# ---------- jobs ----------

	def _enqueue(self, method, *args, **kwargs):
		self.jobs.append((method, kwargs))

	def run_jobs(self) -> None:
		while self.jobs:
			method, kwargs = self.jobs.pop(0)
			for key in _ENQUEUE_ARGS:
				kwargs.pop(key, None)
			if isinstance(method, str):
				method = frappe.get_attr(method)
			user = frappe.session.user
			self.mark()
			try:
				method(**kwargs)
			finally:
				if frappe.session.user != user:
					frappe.set_user(user)

	# ---------- one transaction ----------

	def mark(self) -> None:
		"""Where a rollback without a savepoint goes back to (the start of a step or job, or the
		last "commit" inside it)."""
		frappe.db.savepoint(COMMIT_MARK)

	def _commit(self, *args, **kwargs) -> None:
		self.mark()

	def _rollback(self, *args, save_point: str | None = None, **kwargs) -> None:
		self._db_rollback(save_point=save_point or COMMIT_MARK)

	def _sendmail(self, *args, **kwargs):
		self.mails += 1

	# ---------- entering / leaving ----------

	def _patch(self, owner, name: str, value) -> None:
		self._undo.append((owner, name, getattr(owner, name)))
		setattr(owner, name, value)

	def __enter__(self):
		import frappe.utils.background_jobs as jobs
		from helpdesk.helpdesk.doctype.hd_ticket.hd_ticket import HDTicket

		data = frappe.utils.data
		self.set_time(data.now_datetime())
		self._undo.append((data.now_datetime, "__code__", data.now_datetime.__code__))
		data.now_datetime.__code__ = _demo_now.__code__
		self._undo.append((frappe.flags, "mute_emails", frappe.flags.mute_emails))
		frappe.flags.mute_emails = True
		self._patch(frappe, "sendmail", self._sendmail)
		self._patch(frappe, "enqueue", self._enqueue)
		self._patch(jobs, "enqueue", self._enqueue)
		self._patch(settings, "is_ready", lambda: True)
		self._patch(outbound.send_notice, "is_ready", lambda: True)
		self._patch(settings, "get", _whatsapp_settings(settings.get))
		self._patch(client, "Client", _local_whatsapp(self))
		sender = HDTicket.sender_email
		self._patch(HDTicket, "sender_email", lambda doc: sender(doc) or frappe._dict(email_id=DEMO_SENDER))
		# queue jobs (WhatsApp sending) own their transaction and commit; here everything is one
		# transaction that the caller commits (bench execute) or rolls back (tests, an error):
		# a commit marks a savepoint, a rollback goes back to the last mark
		self._db_rollback = frappe.db.rollback
		frappe.db.commit, frappe.db.rollback = self._commit, self._rollback
		self.mark()
		self._user = frappe.session.user
		return self

	def __exit__(self, *exc):
		self.jobs.clear()
		for name in ("commit", "rollback"):
			frappe.db.__dict__.pop(name, None)
		for owner, name, value in reversed(self._undo):
			setattr(owner, name, value)
		self._undo.clear()
		frappe.flags.pop("cs_sop_demo_now", None)
		if frappe.session.user != self._user:
			frappe.set_user(self._user)
		return False


_ENQUEUE_ARGS = (
	"queue",
	"timeout",
	"event",
	"is_async",
	"job_name",
	"now",
	"enqueue_after_commit",
	"on_success",
	"on_failure",
	"at_front",
	"job_id",
	"deduplicate",
)


def _whatsapp_settings(original):
	def get():
		conf = original()
		conf.phone_number_id = conf.phone_number_id or "demo"
		conf.template_name = conf.template_name or "cs_sop_demo"
		return conf

	return get


def _local_whatsapp(sandbox: Sandbox):
	class LocalClient:
		"""Answers like the Cloud API's send endpoint; sends nothing."""

		@classmethod
		def from_settings(cls):
			return cls()

		def send_text(self, to: str, body: str) -> str:
			return self._id()

		def send_template(self, to: str, name: str, language: str, parameters=()) -> str:
			return self._id()

		def _id(self) -> str:
			sandbox.whatsapp += 1
			return f"wamid.demo-{frappe.generate_hash(length=16)}"

	return LocalClient


@contextmanager
def as_user(user: str):
	"""Act as `user` (their permissions apply), then as whoever acted before."""
	before = frappe.session.user
	if user != before:
		frappe.set_user(user)
	try:
		yield
	finally:
		if frappe.session.user != before:
			frappe.set_user(before)
