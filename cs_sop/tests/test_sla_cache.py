"""The cached SLA calendar (cs_sop.overrides.hd_service_level_agreement): same targets as
Helpdesk's engine, no query once cached, and a new holiday or new working hours move
`response_by` at once (also after a rolled-back edit)."""

import datetime
import uuid

import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils import get_datetime

from cs_sop.overrides.hd_service_level_agreement import HOLIDAYS_KEY, SOPServiceLevelAgreement

SLA = "HD Service Level Agreement"
HOLIDAY_LIST = "HD Service Holiday List"
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")
FRIDAY_4PM = datetime.datetime(2030, 6, 14, 16, 0)  # a Friday; 2 working hours left: 1 today
MONDAY, TUESDAY = datetime.date(2030, 6, 17), datetime.date(2030, 6, 18)


class _Queries:
	def __enter__(self):
		self.n, self._sql = 0, frappe.db.sql

		def sql(*args, **kwargs):
			self.n += 1
			return self._sql(*args, **kwargs)

		frappe.db.sql = sql
		return self

	def __exit__(self, *exc):
		frappe.db.sql = self._sql


class TestSLACalendarCache(FrappeTestCase):
	def setUp(self):
		tag = uuid.uuid4().hex[:8]
		self.subject = f"SLA cache {tag}"
		holidays = frappe.get_doc(
			{
				"doctype": HOLIDAY_LIST,
				"holiday_list_name": f"cs_sop cache test {tag}",
				"from_date": "2030-01-01",
				"to_date": "2030-12-31",
			}
		).insert(ignore_permissions=True)
		self.holiday_list = holidays.name
		self.priority = frappe.get_all("HD Ticket Priority", filters={"disabled": 0}, pluck="name")[0]
		sla = frappe.new_doc(SLA)
		sla.service_level = f"cs_sop cache test {tag}"
		sla.enabled = 1
		sla.default_sla = 0
		sla.apply_sla_for_resolution = 0
		sla.holiday_list = self.holiday_list
		sla.condition = f"doc.subject == {self.subject!r}"  # only this test's tickets
		for p in frappe.get_all("HD Ticket Priority", filters={"disabled": 0}, pluck="name"):
			sla.append(
				"priorities",
				{
					"priority": p,
					"response_time": 2 * 3600,
					"resolution_time": 8 * 3600,
					"default_priority": int(p == self.priority),
				},
			)
		for day in WEEKDAYS:
			sla.append("support_and_resolution", {"workday": day, "start_time": "09:00", "end_time": "17:00"})
		sla.insert(ignore_permissions=True)
		self.sla = sla.name

	def tearDown(self):
		frappe.db.rollback()

	def _response_by(self) -> datetime.datetime:
		"""response_by of a new ticket on this SLA, opened Friday 16:00 (2 working hours)."""
		ticket = frappe.get_doc(
			{
				"doctype": "HD Ticket",
				"subject": self.subject,
				"raised_by": "sla-cache@example.com",
				"priority": self.priority,
				"service_level_agreement_creation": FRIDAY_4PM,
			}
		).insert(ignore_permissions=True)
		self.assertEqual(ticket.sla, self.sla)
		return get_datetime(ticket.response_by)

	def _add_holiday(self, day: datetime.date):
		doc = frappe.get_doc(HOLIDAY_LIST, self.holiday_list)
		doc.append("holidays", {"holiday_date": day, "description": "Libur uji"})
		doc.save(ignore_permissions=True)

	def test_the_override_is_helpdesks_sla_class(self):
		self.assertIsInstance(frappe.get_doc(SLA, self.sla), SOPServiceLevelAgreement)

	def test_cached_holidays_cost_no_query_and_match_helpdesk(self):
		self._add_holiday(MONDAY)
		sla = frappe.get_doc(SLA, self.sla)
		uncached = super(SOPServiceLevelAgreement, sla).get_holidays()  # Helpdesk's own
		self.assertEqual(sla.get_holidays(), uncached)
		with _Queries() as q:
			self.assertEqual(sla.get_holidays(), [MONDAY])
			sla.calc_time(FRIDAY_4PM, self.priority, "response_time")
		self.assertEqual(q.n, 0)
		sla.get_holidays().append(TUESDAY)  # a caller changing the list changes no cache
		self.assertEqual(sla.get_holidays(), [MONDAY])

	def test_new_holiday_moves_response_by(self):
		self.assertEqual(self._response_by(), datetime.datetime(2030, 6, 17, 10, 0))
		self._add_holiday(MONDAY)
		self.assertEqual(self._response_by(), datetime.datetime(2030, 6, 18, 10, 0))
		doc = frappe.get_doc(HOLIDAY_LIST, self.holiday_list)
		doc.set("holidays", [])
		doc.save(ignore_permissions=True)
		self.assertEqual(self._response_by(), datetime.datetime(2030, 6, 17, 10, 0))

	def test_new_working_hours_move_response_by(self):
		self._add_holiday(MONDAY)
		self.assertEqual(self._response_by(), datetime.datetime(2030, 6, 18, 10, 0))
		sla = frappe.get_doc(SLA, self.sla)
		for row in sla.support_and_resolution:
			row.start_time = "08:00"
		sla.save(ignore_permissions=True)
		self.assertEqual(self._response_by(), datetime.datetime(2030, 6, 18, 9, 0))

	def test_saving_a_ticket_again_uses_the_new_holiday(self):
		ticket = frappe.get_doc(
			{
				"doctype": "HD Ticket",
				"subject": self.subject,
				"raised_by": "sla-cache@example.com",
				"priority": self.priority,
				"service_level_agreement_creation": FRIDAY_4PM,
			}
		).insert(ignore_permissions=True)
		self.assertEqual(get_datetime(ticket.response_by), datetime.datetime(2030, 6, 17, 10, 0))
		self._add_holiday(MONDAY)
		ticket = frappe.get_doc("HD Ticket", ticket.name)
		ticket.save(ignore_permissions=True)  # Helpdesk re-applies the SLA on every save
		self.assertEqual(get_datetime(ticket.response_by), datetime.datetime(2030, 6, 18, 10, 0))

	def test_rolled_back_holiday_is_not_served(self):
		frappe.db.commit()  # the list and the SLA must outlive the rollback below
		try:
			self._add_holiday(MONDAY)
			self.assertEqual(frappe.get_doc(SLA, self.sla).get_holidays(), [MONDAY])
			frappe.db.rollback()
			self.assertIsNone(frappe.cache.hget(HOLIDAYS_KEY, self.holiday_list))
			self.assertEqual(frappe.get_doc(SLA, self.sla).get_holidays(), [])
		finally:
			frappe.db.rollback()
			frappe.delete_doc(SLA, self.sla, ignore_permissions=True, force=True)
			frappe.delete_doc(HOLIDAY_LIST, self.holiday_list, ignore_permissions=True, force=True)
			frappe.db.commit()  # clean-up of what this test committed

	def test_sop_settings_save_clears_the_cache(self):
		frappe.get_doc(SLA, self.sla).get_holidays()
		self.assertIsNotNone(frappe.cache.hget(HOLIDAYS_KEY, self.holiday_list))
		settings = frappe.get_doc("SOP Settings")
		settings.flags.skip_sla_sync = True
		settings.save(ignore_permissions=True)
		self.assertIsNone(frappe.cache.hget(HOLIDAYS_KEY, self.holiday_list))
