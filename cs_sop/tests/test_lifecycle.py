"""The HD Ticket lifecycle in its class (cs_sop.overrides.hd_ticket) and the cached SLA choice.

- hooks.py registers no doc_events for the doctypes cs_sop overrides (HD Ticket, HD Service Level
  Agreement): their lifecycle is the class, in one file each.
- The steps run in the documented order (docs/architecture.md §2), with Helpdesk's SLA choice
  (`set_sla`, inside `HDTicket.before_validate`) after the steps that decide the channel, the
  priority and the team, once per save.
- The cached choice (`select_sla`) equals Helpdesk's `utils.get_sla` for tickets across channels
  and priorities, and after the SLA configuration changes (a new SLA, a date window, a disabled SLA,
  a priority row removed, a rolled-back edit).
"""

import uuid
from unittest import mock

import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils import add_days, get_datetime, nowdate
from helpdesk.helpdesk.doctype.hd_service_level_agreement.utils import get_sla

import cs_sop.hooks
from cs_sop.overrides import hd_service_level_agreement as sla_cache
from cs_sop.overrides.hd_ticket import CSSOPHDTicket
from cs_sop.setup import defaults as d
from cs_sop.tests.utils import make_ticket

SLA = "HD Service Level Agreement"

# docs/architecture.md §2, per event: the class's steps (and Helpdesk's SLA choice) in order
BEFORE_INSERT = [
	"_sop_guard_fields",
	"_sop_default_channel",
	"_sop_apply_matrix",
	"_sop_route_by_category",
	"_sop_route_by_channel",
]
BEFORE_VALIDATE = [
	"_sop_guard_fields",
	"_sop_default_channel",
	"_sop_helpdesk_defaults",
	"_sop_apply_matrix",
	"_sop_route_by_category",
	"set_sla",  # Helpdesk's HDTicket.before_validate
	"_sop_keep_system_fields",
	"_sop_derive_complaint_type",
	"_sop_restart_ladder_on_reopen",
	"_sop_update_stage",
	"_sop_keep_notice_fields",
	"_sop_closure_bookkeeping",
]
VALIDATE = ["_sop_closure_gates"]
BEFORE_SAVE = ["apply_sla", "_sop_plan_next_check", "_sop_report_facts"]  # apply_sla: Helpdesk's
AFTER_INSERT = ["_sop_channel_owner_assignment", "_sop_queue_receipt"]
ON_UPDATE = [
	"_sop_close_escalations",
	"_sop_log_stage_change",
	"_sop_complaint_acknowledgement",
	"_sop_closure_messages",
	"_sop_end_message_clock",
]
ON_TRASH = ["_sop_take_sop_records"]


class _Recorder:
	"""Records the calls of the class's steps (and set_sla / apply_sla) while running them."""

	def __init__(self):
		self.calls: list[str] = []
		names = [n for n in vars(CSSOPHDTicket) if n.startswith("_sop_")] + ["set_sla", "apply_sla"]
		self._patches = [mock.patch.object(CSSOPHDTicket, n, self._wrap(n)) for n in names]

	def _wrap(self, name):
		original = getattr(CSSOPHDTicket, name)
		calls = self.calls

		def step(doc, *args, **kwargs):
			calls.append(name)
			return original(doc, *args, **kwargs)

		return step

	def __enter__(self):
		for p in self._patches:
			p.start()
		return self

	def __exit__(self, *exc):
		for p in self._patches:
			p.stop()


class TestLifecycleInTheClass(FrappeTestCase):
	def tearDown(self):
		frappe.db.rollback()

	def test_no_doc_events_for_overridden_doctypes(self):
		overridden = set(cs_sop.hooks.override_doctype_class)
		self.assertIn("HD Ticket", overridden)
		self.assertFalse(overridden & set(cs_sop.hooks.doc_events), cs_sop.hooks.doc_events.keys())
		# and nobody else's hook adds one behind the class's back (Helpdesk has none on HD Ticket)
		registered = frappe.get_hooks("doc_events", app_name="cs_sop") or {}
		self.assertNotIn("HD Ticket", registered)

	def test_own_doctypes_use_their_controllers(self):
		own = set(frappe.get_all("DocType", filters={"module": "CS SOP"}, pluck="name"))
		# the one exception, explained in hooks.py: the escalation package reads the levels
		self.assertEqual(own & set(cs_sop.hooks.doc_events), {"SOP Escalation Level"})

	def test_every_step_is_in_the_documented_order(self):
		documented = set(BEFORE_INSERT + BEFORE_VALIDATE + VALIDATE + BEFORE_SAVE + AFTER_INSERT)
		documented |= set(ON_UPDATE + ON_TRASH)
		defined = {n for n in vars(CSSOPHDTicket) if n.startswith("_sop_")}
		self.assertEqual(defined, documented - {"set_sla", "apply_sla"})

	def test_save_runs_the_steps_in_order_and_chooses_the_sla_once(self):
		t = make_ticket(sop_channel="Email", sop_impact="Low", sop_urgency="Low")
		t.sop_urgency = "Critical"  # a reclassification: new priority, new targets
		with _Recorder() as r:
			t.save(ignore_permissions=True)
		self.assertEqual(r.calls, BEFORE_VALIDATE + VALIDATE + BEFORE_SAVE + ON_UPDATE)
		self.assertEqual(t.priority, frappe.db.get_value("SOP Priority Rule", "Low-Critical", "priority"))
		self.assertEqual(t.sla, get_sla(t).name)

	def test_insert_runs_the_steps_in_order(self):
		doc = frappe.get_doc(
			{
				"doctype": "HD Ticket",
				"subject": "Urutan langkah",
				"raised_by": "cs-sop-order@example.com",
				"sop_channel": "WhatsApp",
				"sop_impact": "High",
				"sop_urgency": "High",
			}
		)
		with _Recorder() as r:
			doc.insert(ignore_permissions=True)
		before = BEFORE_INSERT + BEFORE_VALIDATE + VALIDATE + BEFORE_SAVE
		self.assertEqual(r.calls[: len(before)], before)
		# Helpdesk's after_insert may save the ticket again (its first Communication) before
		# cs_sop's after_insert steps: they come in order, then on_update's
		rest = [c for c in r.calls[len(before) :] if c in AFTER_INSERT + ON_UPDATE]
		self.assertEqual(rest[-len(AFTER_INSERT + ON_UPDATE) :], AFTER_INSERT + ON_UPDATE)
		self.assertEqual(doc.sla, d.CHAT_SLA)

	def test_trash_takes_the_sop_records(self):
		t = make_ticket()
		with _Recorder() as r:
			frappe.delete_doc("HD Ticket", t.name, ignore_permissions=True)
		self.assertEqual(r.calls, ON_TRASH)


class TestCachedSLAChoice(FrappeTestCase):
	def setUp(self):
		self.priorities = frappe.get_all("HD Ticket Priority", filters={"disabled": 0}, pluck="name")
		self.tag = uuid.uuid4().hex[:8]
		sla_cache.clear_sla_cache()

	def tearDown(self):
		frappe.db.rollback()
		sla_cache.clear_sla_cache()

	def _tickets(self):
		"""New (unsaved) tickets over every channel × priority (and no priority)."""
		channels = frappe.get_meta("HD Ticket").get_field("sop_channel").options.split("\n")
		for channel in [c for c in channels if c] + [None]:
			for priority in [*self.priorities, None]:
				doc = frappe.new_doc("HD Ticket")
				doc.subject = f"SLA choice {self.tag}"
				doc.sop_channel = channel
				doc.priority = priority
				yield doc

	def assertSameChoice(self, when: str):
		for doc in self._tickets():
			expected = get_sla(doc).name
			self.assertEqual(sla_cache.select_sla(doc), expected, (when, doc.sop_channel, doc.priority))

	def _sla(self, condition: str | None, **values) -> str:
		sla = frappe.new_doc(SLA)
		sla.service_level = f"cs_sop choice {self.tag} {uuid.uuid4().hex[:4]}"
		sla.enabled = 1
		sla.default_sla = 0
		sla.apply_sla_for_resolution = 0
		sla.condition = condition
		sla.holiday_list = frappe.db.get_single_value("SOP Settings", "holiday_list")
		for p in self.priorities:
			sla.append(
				"priorities",
				{"priority": p, "response_time": 3600, "default_priority": int(p == self.priorities[0])},
			)
		for day in ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday"):
			sla.append("support_and_resolution", {"workday": day, "start_time": "08:00", "end_time": "17:00"})
		sla.update(values)
		sla.insert(ignore_permissions=True)
		return sla.name

	def test_same_choice_as_helpdesk_across_channels_and_priorities(self):
		self.assertSameChoice("shipped SLAs")
		self.assertSameChoice("cached")  # the second pass reads the cache

	def test_same_choice_after_the_configuration_changes(self):
		self.assertSameChoice("before")
		subject = f"doc.subject == 'SLA choice {self.tag}'"
		self._sla(subject, start_date=add_days(nowdate(), 1))  # not yet in force
		self.assertSameChoice("starts tomorrow")
		self._sla(subject, end_date=add_days(nowdate(), -1))  # over
		self.assertSameChoice("ended yesterday")
		self._sla(subject, end_date=nowdate())  # Helpdesk: the end day counts from 00:00 only
		self.assertSameChoice("ends today")
		name = self._sla(subject)
		self.assertSameChoice("new SLA for these tickets")
		self.assertEqual(sla_cache.select_sla(next(self._tickets())), name)
		frappe.db.set_value(SLA, name, "enabled", 0)  # behind the class: the cache is cleared by hand
		sla_cache.clear_sla_cache()
		self.assertSameChoice("disabled")
		sla = frappe.get_doc(SLA, name)
		sla.enabled = 1
		sla.priorities = [p for p in sla.priorities if p.priority != self.priorities[-1]]
		sla.priorities[0].default_priority = 1
		sla.save(ignore_permissions=True)
		self.assertSameChoice("a priority row removed")
		self._sla("")  # 1.25 applies a blank condition to every ticket, 1.28 skips it
		self.assertSameChoice("blank condition")

	def test_rolled_back_sla_is_not_served(self):
		self.assertSameChoice("before")
		self._sla(f"doc.subject == 'SLA choice {self.tag}'")
		self.assertSameChoice("inside the transaction")
		frappe.db.rollback()
		self.assertSameChoice("after the rollback")

	def test_cached_document_serves_many_tickets_alike(self):
		"""`apply` keeps nothing of a ticket on the SLA: two tickets, same targets as a fresh load."""
		a = make_ticket(sop_channel="Email", sop_impact="Low", sop_urgency="Low")
		b = make_ticket(sop_channel="Email", sop_impact="Critical", sop_urgency="Critical")
		for t in (a, b):
			fresh = frappe.get_doc(SLA, t.sla)
			copy = frappe.copy_doc(t)
			copy.name = t.name
			copy.service_level_agreement_creation = t.service_level_agreement_creation
			fresh.set_response_by(copy)
			self.assertEqual(get_datetime(copy.response_by), get_datetime(t.response_by))
