"""The demo data (cs_sop.demo): a week of it loads through cs_sop's own code, fills every SOP report,
and `remove` deletes exactly it (nothing else, nothing of it left).

A site that has the full demo loaded runs this too: the test removes it inside its transaction,
which the test case rolls back at the end."""

import frappe
from frappe.desk.query_report import run as run_report
from frappe.tests.utils import FrappeTestCase
from frappe.utils import add_days, getdate, nowdate

import cs_sop.demo as demo
from cs_sop.demo import cleanup
from cs_sop.setup.custom_fields import CHANNELS
from cs_sop.tests.utils import CUSTOMER

REPORTS = (
	"SOP SLA Compliance",
	"SOP Escalation Register",
	"SOP Satisfaction",
	"SOP Recurring Complaints",
	"SOP Agent Performance",
)
# tables the demo writes to besides its own records: their other rows must survive `remove`
SHARED = (
	"HD Ticket",
	"Communication",
	"ToDo",
	"Notification Log",
	"Version",
	"Comment",
	"HD Ticket Activity",
	"SOP WhatsApp Message",
	"SOP Escalation",
	"SOP Solution",
	"SOP Survey",
	"Email Queue",
	"Contact",
	"User",
	"HD Agent",
	"HD Team Member",
	"Assignment Rule User",
	"Tag Link",
	"Has Role",
)


class TestDemo(FrappeTestCase):
	def setUp(self):
		frappe.set_user("Administrator")
		if cleanup.is_loaded():
			demo.remove()  # undone by the test case's rollback

	def test_load_reports_remove(self):
		other = frappe.get_doc(
			{"doctype": "HD Ticket", "subject": "Bukan data demo", "raised_by": CUSTOMER}
		).insert(ignore_permissions=True)
		other_modified = frappe.db.get_value("HD Ticket", other.name, "modified")
		before = {doctype: frappe.db.count(doctype) for doctype in SHARED}

		made = demo.load(days=7, per_day=6)
		self.assertEqual(made["errors"], 0, made["first_errors"])
		tickets = cleanup.tagged("HD Ticket")
		self.assertEqual(len(tickets), made["tickets"])
		self.assertGreater(len(tickets), 20)
		self._check_records(tickets, made)

		with self.assertRaises(frappe.ValidationError):
			demo.load(days=1)

		since = add_days(nowdate(), -8)
		for report in REPORTS:
			result = run_report(report, {"from_date": since, "to_date": nowdate()})
			self.assertTrue(result["result"], f"{report} has no rows")
		from cs_sop import management_report

		today = getdate(nowdate())
		self.assertIn("<", management_report.render_html(today.year, today.month))

		removed = demo.remove()
		self.assertEqual(removed["HD Ticket"], len(tickets))
		self.assertFalse(cleanup.is_loaded())
		self.assertFalse(frappe.db.exists("User", {"name": ("like", f"%@{demo.DOMAIN}")}))
		self.assertEqual({doctype: frappe.db.count(doctype) for doctype in SHARED}, before)
		self.assertEqual(frappe.db.get_value("HD Ticket", other.name, "modified"), other_modified)
		self._check_nothing_links_to(tickets)

	def _check_records(self, tickets: list[str], made: dict):
		rows = frappe.get_all(
			"HD Ticket",
			filters={"name": ("in", tickets)},
			fields=["sop_channel", "opening_date", "ticket_type", "sop_agent", "status"],
		)
		channels = {r.sop_channel for r in rows}
		self.assertLessEqual(channels, set(CHANNELS))
		self.assertGreaterEqual(len(channels), 4)
		days = {r.opening_date for r in rows}
		self.assertGreaterEqual(len(days), 4)
		self.assertGreaterEqual(min(days), getdate(add_days(nowdate(), -7)))
		self.assertTrue(all(r.ticket_type and r.sop_agent for r in rows if r.status == "Closed"))
		self.assertIn("Closed", {r.status for r in rows})

		def count(doctype, **filters):
			return frappe.db.count(doctype, {"ticket": ("in", tickets), **filters})

		self.assertGreaterEqual(count("SOP Escalation", is_automatic=0), made.get("escalations", 0))
		self.assertEqual(count("SOP Solution"), made.get("solutions", 0))
		self.assertEqual(count("SOP Solution", status="Rejected"), made.get("rejected", 0))
		self.assertEqual(count("SOP Survey", status="Answered"), made.get("surveys_answered", 0))
		self.assertGreater(count("SOP Survey"), 0)
		logins = demo.logins()
		self.assertEqual(len(logins), made["users"] + 8)
		self.assertTrue(all(row["password"] == demo.PASSWORD for row in logins))
		roles = " ".join(row["roles"] for row in logins)
		for role in ("SOP Supervisor", "SOP Operations Manager", "SOP Department Head", "Agent"):
			self.assertIn(role, roles)

	def _check_nothing_links_to(self, tickets: list[str]):
		"""No row of any doctype still links to a removed ticket."""
		links = frappe.get_all(
			"DocField",
			filters={"fieldtype": "Link", "options": "HD Ticket"},
			fields=["parent", "fieldname"],
		)
		links += frappe.get_all(
			"Custom Field",
			filters={"fieldtype": "Link", "options": "HD Ticket"},
			fields=["dt as parent", "fieldname"],
		)
		for link in links:
			if frappe.get_meta(link.parent).issingle or not frappe.db.table_exists(link.parent):
				continue
			self.assertFalse(
				frappe.db.exists(link.parent, {link.fieldname: ("in", tickets)}),
				f"{link.parent}.{link.fieldname}",
			)
		for doctype, dt_column, column in cleanup.BY_REFERENCE:
			if frappe.db.table_exists(doctype):
				self.assertFalse(
					frappe.db.exists(doctype, {dt_column: "HD Ticket", column: ("in", tickets)}), doctype
				)
