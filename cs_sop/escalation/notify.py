"""Who hears about escalations, warnings and reminders, and one digest per receiver per run.

A digest is a Notification Log (always) and an email (when the site has outgoing mail; without
it the email is skipped with one Error Log entry per run, never a failing job). Each receiver
reads it in their own language. A receiver who no longer exists (a deleted user still in a
ticket's `_assign`) is skipped and logged once; everybody else is still told.
"""

from collections import defaultdict

import frappe
from frappe import _

from cs_sop import background, compat, messaging
from cs_sop.core.ladder import fallback_receivers
from cs_sop.escalation.context import TICKET, Context
from cs_sop.users import assignees as ticket_assignees
from cs_sop.users import role_users as users_with_role

DIGEST_LINES = 30  # a burst of breaches is one message per receiver, listing this many tickets
# who hears an escalation whose level's user, role and team give nobody (never silence)
FALLBACK_ROLES = ("SOP Operations Manager", "SOP Supervisor", "System Manager")


def category_team(ticket_type: str | None) -> str | None:
	if not ticket_type:
		return None
	return frappe.get_cached_value("HD Ticket Type", ticket_type, "sop_default_team")


class Notifications:
	"""Collects what each receiver must hear during one run; sends one digest per receiver."""

	def __init__(self, ctx: Context):
		self.ctx = ctx
		self.items: dict[str, list[tuple[str, str, tuple]]] = defaultdict(list)
		self._role_users: dict[str, list[str]] = {}
		self._team_users: dict[str, list[str]] = {}

	def role_users(self, role: str | None) -> list[str]:
		if role not in self._role_users:
			self._role_users[role] = users_with_role(role)
		return self._role_users[role]

	def team_users(self, team: str | None) -> list[str]:
		if not team:
			return []
		if team not in self._team_users:
			# a team Helpdesk (1.28+) has disabled gets no work: its level falls back as an empty team's
			active = compat.active_teams([team])
			self._team_users[team] = (
				frappe.get_all("HD Team Member", filters={"parent": team}, pluck="user") if active else []
			)
		return self._team_users[team]

	def fallback_users(self) -> list[str]:
		for role in FALLBACK_ROLES:
			users = self.role_users(role)
			if users:
				return users
		return []

	def level_receivers(self, lv: dict, ticket_type: str | None, team: str | None = None) -> set[str]:
		if team is None and lv.get("notify_category_team"):
			team = category_team(ticket_type)
		users, _fell_back = fallback_receivers(
			lv.get("notify_user"),
			self.role_users(lv.get("notify_role")),
			self.team_users(team),
			self.fallback_users,
		)
		return users

	@staticmethod
	def assignees(row) -> list[str]:
		return ticket_assignees(row.get("_assign"))

	def add(self, users, ticket, kind: str, args: tuple):
		for user in users:
			self.items[user].append((ticket, kind, args))

	def escalation(self, row, lv: dict, team: str | None = None):
		users = self.level_receivers(lv, row.get("ticket_type"), team)
		self.add(users, row["name"], "escalation", (lv["level"], lv["level_name"]))

	def warning(self, row, kind: str):
		if kind == "message":
			# a chat customer waits: the assigned agent, or the team when nobody has the ticket yet
			users = self.assignees(row) or self.team_users(row.get("agent_group"))
			args = (row.get("sop_waiting_since"), row.get("sop_message_due_on"))
			self.add(users, row["name"], kind, args)
			return
		target = row["response_by"] if kind == "response" else row["resolution_by"]
		# nobody assigned yet (a team without an assignment rule, an empty rotation): the team hears it
		users = self.assignees(row) or self.team_users(row.get("agent_group"))
		self.add(users, row["name"], kind, (target,))

	def reminder(self, row, misses: int):
		users = set(self.assignees(row))
		if misses >= 2:
			users.update(self.role_users("SOP Supervisor"))
		self.add(users, row["name"], "reminder", (misses,))

	def send(self):
		if not self.items:
			return
		U = frappe.qb.DocType("User")
		users = {
			name: (email, language)
			for name, email, language in frappe.qb.from_(U)
			.select(U.name, U.email, U.language)
			.where(U.name.isin(list(self.items)))
			.where(U.enabled == 1)
			.run()
		}
		gone = sorted(set(self.items) - set(users))
		if gone:
			frappe.log_error(
				title=_("cs_sop: escalation receivers skipped"),
				message=_("These users no longer exist or are disabled and were not notified: {0}").format(
					", ".join(gone)
				),
			)
		default = messaging.site_language()
		digests = []
		for user, items in self.items.items():
			if user not in users:
				continue
			email, lang = users[user]
			lang = lang or default
			lines = [self.line(ticket, kind, args, lang) for ticket, kind, args in items[:DIGEST_LINES]]
			if len(items) > DIGEST_LINES:
				lines.append(
					_("… and {0} more: see SOP Escalation and the Helpdesk ticket list.", lang=lang).format(
						len(items) - DIGEST_LINES
					)
				)
			subject = _("SOP: {0} ticket alert(s)", lang=lang).format(len(items))
			body = "<ul>" + "".join(f"<li>{line}</li>" for line in lines) + "</ul>"
			digests.append(
				{"user": user, "email": email, "subject": subject, "body": body, "ticket": items[0][0]}
			)
		if not digests:
			return
		# Delivered by a short job queued only once this run commits: a run that fails tells nobody,
		# and the sweep's transaction does not wait on a Notification Log insert (and the email that
		# Frappe does not send for "Alert" logs) per receiver.
		background.after_commit(
			"cs_sop.escalation.notify.deliver_digests",
			digests=digests,
		)

	@staticmethod
	def line(ticket: str, kind: str, args: tuple, lang: str) -> str:
		link = f'<a href="/helpdesk/tickets/{ticket}">#{ticket}</a>'
		if kind == "escalation":
			return _("{0}: escalated to you, level {1} ({2}). Please acknowledge.", lang=lang).format(
				link, *args
			)
		if kind == "response":
			return _("{0}: first response due at {1}.", lang=lang).format(link, args[0])
		if kind == "resolution":
			return _("{0}: resolution due at {1}.", lang=lang).format(link, args[0])
		if kind == "message":
			return _("{0}: a chat customer has been waiting since {1}; reply by {2}.", lang=lang).format(
				link, *args
			)
		return _(
			"{0}: the customer is waiting for a progress update (missed {1} time(s)).", lang=lang
		).format(link, args[0])


def deliver_digests(digests: list[dict]) -> None:
	"""Short job: one Notification Log per receiver (the bell in the desk and the agent UI), and
	its email when the receiver has one."""
	for d in digests:
		frappe.get_doc(
			{
				"doctype": "Notification Log",
				"for_user": d["user"],
				"type": "Alert",
				"document_type": TICKET,
				"document_name": d["ticket"],
				"subject": d["subject"],
				"email_content": d["body"],
			}
		).insert(ignore_permissions=True)  # a system notification to its receiver
	send_digest_emails([d for d in digests if d.get("email")])


def send_digest_emails(mails: list[dict]) -> None:
	"""Short job: queue one email per digest (Frappe's Email Queue sends it). Without outgoing
	mail the digests stay in the Notification Log and one Error Log entry says why."""
	for mail in mails:
		messaging.email(
			[mail["email"]],
			mail["subject"],
			mail["body"],
			ticket=mail["ticket"],
			what=_("Escalation digests"),
		)
