"""Separation of duties on solutions over HTTP: nobody approves their own proposal, the people a
control governs cannot rewrite it (PUT /api/resource, frappe.client.set_value / save,
run_doc_method), and only managers name a category's approvers, never everyone or a customer."""

import json

import frappe

from cs_sop.api import complaint as api_complaint
from cs_sop.tests.rest import Client, error_text, message
from cs_sop.tests.test_complaint import (
	AGENT,
	CATEGORY,
	HEAD,
	MANAGER,
	OUTSIDER,
	PROPOSER,
	SUPERVISOR,
	complaint,
)
from cs_sop.tests.test_complaint_rest import PORTAL, ComplaintRESTCase
from cs_sop.tests.utils import PASSWORD, make_user

SOLUTION = "SOP Solution"
TYPE = "HD Ticket Type"
OPS_AGENT = "cs-sop-sod-opsagent@example.com"  # an SOP Operations Manager who works in Helpdesk
AGENT_MANAGER = "cs-sop-sod-agentmanager@example.com"
NEW_HEAD = "cs-sop-sod-newhead@example.com"  # a desk user without any role on solutions
DESK_ROLE = "Uji Peran Desk SOP"  # a desk role that gives nothing on solutions
PORTAL_ROLE = "Uji Peran Portal SOP"  # a role without desk access, as customer roles are


def stored(name: str) -> dict:
	frappe.db.rollback()  # see what the server committed
	return frappe.db.get_value(SOLUTION, name, "*", as_dict=True)


def approvers(category: str = CATEGORY) -> tuple:
	frappe.db.rollback()
	return tuple(frappe.db.get_value(TYPE, category, ["sop_approver", "sop_approver_role", "modified"]))


class TestSolutionSeparationOfDuties(ComplaintRESTCase):
	restrict_by_team = False  # every agent reads the ticket: the row-level check alone decides

	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		make_user(OPS_AGENT, "Manajer Operasional", roles=("Agent", "SOP Operations Manager"))
		make_user(AGENT_MANAGER, "Manajer Agen", roles=("Agent Manager",))
		for role, desk in ((PORTAL_ROLE, 0), (DESK_ROLE, 1)):
			if not frappe.db.exists("Role", role):
				frappe.get_doc({"doctype": "Role", "role_name": role, "desk_access": desk}).insert(
					ignore_permissions=True
				)
		make_user(NEW_HEAD, "Kepala Baru", roles=(DESK_ROLE,))
		cls.separate = frappe.db.get_single_value("SOP Settings", "separate_approver")
		frappe.db.commit()

	@classmethod
	def tearDownClass(cls):
		frappe.set_user("Administrator")
		frappe.db.set_single_value("SOP Settings", "separate_approver", cls.separate)
		frappe.db.commit()
		super().tearDownClass()

	def setUp(self):
		frappe.set_user("Administrator")
		frappe.db.set_single_value("SOP Settings", "separate_approver", 1)
		frappe.db.set_value(TYPE, CATEGORY, {"sop_approver": HEAD, "sop_approver_role": None})
		frappe.clear_document_cache(TYPE, CATEGORY)
		for user in (PROPOSER, AGENT, HEAD):
			frappe.db.set_value("User", user, "language", None)
		frappe.db.commit()

	def approved(self):
		ticket, name = self.ticket_with_proposal(submit=True)
		frappe.set_user(HEAD)
		api_complaint.approve(name)
		frappe.set_user("Administrator")
		frappe.db.commit()
		return ticket, name

	def assertRefused(self, response, name: str, before: dict, *texts: str):
		"""Refused (403/417), with the server's words, and nothing written."""
		self.assertIn(response.status_code, (403, 417), error_text(response))
		said = error_text(response)
		for text in texts:
			self.assertIn(text, said)
		self.assertEqual(stored(name), before)

	def attacks(self, client: Client, name: str, values: dict) -> list:
		"""The same change through every generic write path of the REST API."""
		doc = stored(name)
		doc.update(values)
		doc["doctype"] = SOLUTION
		doc = json.loads(frappe.as_json(doc))
		fieldname, value = next(iter(values.items()))
		return [
			client.put(f"/api/resource/{SOLUTION}/{name}", json=values),
			client.method("frappe.client.set_value", doctype=SOLUTION, name=name, fieldname=values),
			client.method(
				"frappe.client.set_value", doctype=SOLUTION, name=name, fieldname=fieldname, value=value
			),
			client.method("frappe.client.save", doc=doc),
			client.method("frappe.desk.form.save.savedocs", doc=json.dumps(doc), action="Save"),
			# no method of the solution is callable this way (the actions are module functions)
			client.method("run_doc_method", docs=doc, method="save"),
		]

	def assertAllRefused(self, client: Client, name: str, values: dict, text: str | None = None):
		before = stored(name)
		*writes, run_doc_method = self.attacks(client, name, values)
		for r in writes:
			self.assertRefused(r, name, before, *([text] if text else []))
		self.assertRefused(run_doc_method, name, before, "is not whitelisted")

	# ---------- self-approval and system fields ----------

	def test_proposer_cannot_make_himself_the_approver(self):
		_ticket, name = self.ticket_with_proposal(submit=True)
		before = stored(name)
		proposer = Client(PROPOSER, PASSWORD)
		for values in ({"approver_user": PROPOSER}, {"approver_role": "Agent"}, {"status": "Approved"}):
			self.assertAllRefused(proposer, name, values, "it changes only through its actions")
		r = proposer.put(f"/api/resource/{SOLUTION}/{name}", json={"approver_user": PROPOSER})
		self.assertRefused(r, name, before, "it changes only through its actions")
		r = proposer.method("cs_sop.api.complaint.approve", solution=name)
		self.assertRefused(r, name, before, "you proposed or submitted")

	def test_refusal_in_the_users_language(self):
		_ticket, name = self.ticket_with_proposal(submit=True)
		before = stored(name)
		frappe.db.set_value("User", PROPOSER, "language", "id")
		frappe.db.commit()
		proposer = Client(PROPOSER, PASSWORD)
		r = proposer.put(f"/api/resource/{SOLUTION}/{name}", json={"approver_user": PROPOSER})
		self.assertRefused(r, name, before, "hanya berubah melalui tindakannya")
		r = proposer.method("cs_sop.api.complaint.approve", solution=name)
		self.assertRefused(r, name, before, "Anda tidak dapat memutuskan solusi")

	def test_system_fields_refused_while_proposed(self):
		_ticket, name = self.ticket_with_proposal()
		before = stored(name)
		proposer = Client(PROPOSER, PASSWORD)
		for values in (
			{"status": "Approved"},
			{"approver_user": PROPOSER},
			{"decided_by": PROPOSER},
			{"sent_on": "2026-12-01 10:00:00"},
			{"proposed_by": AGENT},
		):
			self.assertAllRefused(proposer, name, values, "change only through its actions")
		# a request cannot set the flag the actions use
		r = proposer.put(
			f"/api/resource/{SOLUTION}/{name}",
			json={"approver_user": PROPOSER, "flags": {"sop_action": 1}, "__islocal": 1},
		)
		self.assertRefused(r, name, before, "change only through its actions", "Approver")
		r = proposer.put(f"/api/resource/{SOLUTION}/{name}", json={"status": "Approved", "decided_by": HEAD})
		self.assertRefused(r, name, before, "change only through its actions", "Status", "Decided By")

	def test_insert_with_system_fields_refused(self):
		ticket, _name = self.ticket_with_proposal()
		count = frappe.db.count(SOLUTION, {"ticket": ticket})
		proposer = Client(PROPOSER, PASSWORD)
		for extra in ({"status": "Approved"}, {"approver_user": PROPOSER}, {"decided_by": PROPOSER}):
			r = proposer.post(
				f"/api/resource/{SOLUTION}", json={"ticket": ticket, "description": "Refund penuh.", **extra}
			)
			self.assertIn(r.status_code, (403, 417), error_text(r))
			self.assertIn("change only through its actions", error_text(r))
		frappe.db.rollback()
		self.assertEqual(frappe.db.count(SOLUTION, {"ticket": ticket}), count)

	def test_ticket_is_set_once(self):
		ticket, name = self.approved()
		frappe.set_user("Administrator")
		other = complaint(raised_by="cs-sop-sod-other-customer@example.com").name
		frappe.db.commit()
		for user in (PROPOSER, AGENT, OPS_AGENT):
			self.assertAllRefused(
				Client(user, PASSWORD), name, {"ticket": other}, "changes only through its actions"
			)
		# even while Proposed, by its proposer
		_t, fresh = self.ticket_with_proposal()
		before = stored(fresh)
		r = Client(PROPOSER, PASSWORD).put(f"/api/resource/{SOLUTION}/{fresh}", json={"ticket": other})
		self.assertRefused(r, fresh, before, "its ticket cannot be changed")
		self.assertEqual(frappe.db.count(SOLUTION, {"ticket": other}), 0)

	# ---------- the proposal's content ----------

	def test_only_the_proposer_or_a_manager_edits_the_proposal(self):
		_ticket, name = self.ticket_with_proposal()
		before = stored(name)
		for user in (AGENT, OUTSIDER, SUPERVISOR, HEAD, AGENT_MANAGER):
			self.assertAllRefused(
				Client(user, PASSWORD), name, {"description": "Diubah orang lain"}, "Only the proposer"
			)
		r = Client(AGENT, PASSWORD).put(f"/api/resource/{SOLUTION}/{name}", json={"cost_impact": "Gratis"})
		self.assertRefused(r, name, before, f"Only the proposer ({PROPOSER})")
		for user in (PORTAL, None):
			client = Client(user, PASSWORD) if user else Client()
			r = client.put(f"/api/resource/{SOLUTION}/{name}", json={"description": "Saya ubah"})
			self.assertRefused(r, name, before)
		# the proposer and an SOP Operations Manager may
		r = Client(PROPOSER, PASSWORD).put(
			f"/api/resource/{SOLUTION}/{name}", json={"description": "Kirim ulang, ongkir kami tanggung."}
		)
		self.assertEqual(r.status_code, 200, error_text(r))
		r = Client(OPS_AGENT, PASSWORD).put(
			f"/api/resource/{SOLUTION}/{name}", json={"cost_impact": "Rp60.000"}
		)
		self.assertEqual(r.status_code, 200, error_text(r))
		row = stored(name)
		self.assertEqual(
			(row.description, row.cost_impact), ("Kirim ulang, ongkir kami tanggung.", "Rp60.000")
		)
		self.assertEqual((row.status, row.proposed_by), ("Proposed", PROPOSER))

	def test_frozen_after_submission_even_for_its_proposer(self):
		_ticket, name = self.ticket_with_proposal(submit=True)
		for user in (PROPOSER, OPS_AGENT):
			self.assertAllRefused(
				Client(user, PASSWORD),
				name,
				{"description": "Diubah setelah diajukan"},
				"changes only through its actions",
			)

	# ---------- who decides ----------

	def test_nobody_but_the_approver_decides(self):
		_ticket, name = self.ticket_with_proposal(submit=True)
		before = stored(name)
		for user in (PROPOSER, AGENT, OUTSIDER, SUPERVISOR, MANAGER, PORTAL):
			client = Client(user, PASSWORD)
			self.assertRefused(client.method("cs_sop.api.complaint.approve", solution=name), name, before)
			r = client.method("cs_sop.api.complaint.reject", solution=name, reason="Tidak")
			self.assertRefused(r, name, before)
		r = Client().method("cs_sop.api.complaint.approve", solution=name)
		self.assertIn(r.status_code, (401, 403), error_text(r))
		self.assertEqual(stored(name), before)

	def test_approver_who_submitted_does_not_decide(self):
		# the department head picks the proposal himself: someone else must decide
		ticket, name = self.ticket_with_proposal()
		head = Client(HEAD, PASSWORD)
		before = stored(name)
		r = head.method("cs_sop.api.complaint.submit_for_approval", solution=name)
		self.assertRefused(r, name, before, "someone else must decide")
		# the category has a role too: the head submits, another holder decides
		frappe.db.set_value(TYPE, CATEGORY, "sop_approver_role", "SOP Operations Manager")
		frappe.clear_document_cache(TYPE, CATEGORY)
		frappe.db.commit()
		self.assertEqual(
			message(head.method("cs_sop.api.complaint.submit_for_approval", solution=name))["status"],
			"Pending Approval",
		)
		before = stored(name)
		self.assertRefused(
			head.method("cs_sop.api.complaint.approve", solution=name),
			name,
			before,
			"someone else must decide",
		)
		self.assertNotIn(
			name,
			[
				w["name"]
				for w in message(head.method("cs_sop.api.complaint.waiting_for_my_approval", http="GET"))
			],
		)
		self.assertEqual(
			message(Client(MANAGER, PASSWORD).method("cs_sop.api.complaint.approve", solution=name))[
				"status"
			],
			"Approved",
		)

	def test_tiny_team_may_allow_it(self):
		frappe.db.set_single_value("SOP Settings", "separate_approver", 0)
		frappe.db.commit()
		_ticket, name = self.ticket_with_proposal()
		head = Client(HEAD, PASSWORD)
		self.assertEqual(
			message(head.method("cs_sop.api.complaint.submit_for_approval", solution=name))["status"],
			"Pending Approval",
		)
		self.assertEqual(
			message(head.method("cs_sop.api.complaint.approve", solution=name))["status"], "Approved"
		)
		self.assertEqual(stored(name).decided_by, HEAD)

	def test_only_approver_admins_switch_the_separation_off(self):
		frappe.db.set_single_value("SOP Settings", "default_approver_role", "SOP Operations Manager")
		frappe.db.commit()
		url = "/api/resource/SOP Settings/SOP Settings"
		for values in ({"separate_approver": 0}, {"default_approver_role": "Agent"}):
			r = Client(AGENT_MANAGER, PASSWORD).put(url, json=values)
			self.assertEqual(r.status_code, 403, error_text(r))
			self.assertIn("changes who approves solutions", error_text(r))
		frappe.db.rollback()
		self.assertEqual(frappe.db.get_single_value("SOP Settings", "separate_approver"), 1)
		self.assertEqual(
			frappe.db.get_single_value("SOP Settings", "default_approver_role"), "SOP Operations Manager"
		)
		r = Client(OPS_AGENT, PASSWORD).put(url, json={"default_approver_role": "All"})
		self.assertEqual(r.status_code, 417, error_text(r))
		self.assertIn("cannot approve solutions", error_text(r))

	def test_legitimate_path(self):
		frappe.set_user("Administrator")
		ticket = complaint(raised_by=PORTAL).name
		frappe.db.commit()
		proposer, agent, head = Client(PROPOSER, PASSWORD), Client(AGENT, PASSWORD), Client(HEAD, PASSWORD)
		name = message(
			proposer.method("cs_sop.api.complaint.propose", ticket=ticket, description="Kirim ulang barang.")
		)
		self.assertEqual(
			message(agent.method("cs_sop.api.complaint.submit_for_approval", solution=name))["approver_user"],
			HEAD,
		)
		self.assertEqual(
			message(head.method("cs_sop.api.complaint.approve", solution=name))["status"], "Approved"
		)
		self.assertEqual(
			message(agent.method("cs_sop.api.complaint.send_solution", solution=name))["status"], "Sent"
		)
		row = stored(name)
		self.assertEqual(
			(row.ticket, row.proposed_by, row.submitted_by, row.decided_by, row.sent_by),
			(ticket, PROPOSER, AGENT, HEAD, AGENT),
		)
		# and a rejection
		other = message(
			proposer.method("cs_sop.api.complaint.propose", ticket=ticket, description="Voucher.")
		)
		message(agent.method("cs_sop.api.complaint.submit_for_approval", solution=other))
		self.assertEqual(
			message(head.method("cs_sop.api.complaint.reject", solution=other, reason="Tidak sesuai"))[
				"status"
			],
			"Rejected",
		)

	# ---------- who names the approvers ----------

	def test_agent_cannot_configure_approvers(self):
		before = approvers()
		agent = Client(AGENT, PASSWORD)
		url = f"/api/resource/{TYPE}/{CATEGORY}"
		for values in ({"sop_approver": AGENT}, {"sop_approver_role": "All"}, {"sop_approver": None}):
			for r in (
				agent.put(url, json=values),
				agent.method("frappe.client.set_value", doctype=TYPE, name=CATEGORY, fieldname=values),
			):
				self.assertEqual(r.status_code, 403, error_text(r))
				self.assertIn("sets the approvers of category", error_text(r))
				self.assertEqual(approvers(), before)
		doc = frappe.get_doc(TYPE, CATEGORY).as_dict()
		doc.update(sop_approver=AGENT, doctype=TYPE)
		for r in (
			agent.method("frappe.client.save", doc=json.loads(frappe.as_json(doc))),
			agent.method("frappe.desk.form.save.savedocs", doc=frappe.as_json(doc), action="Save"),
		):
			self.assertEqual(r.status_code, 403, error_text(r))
			self.assertIn("sets the approvers of category", error_text(r))
			self.assertEqual(approvers(), before)
		# nor through a new category
		r = agent.post(f"/api/resource/{TYPE}", json={"name": "Uji SoD Baru", "sop_approver": AGENT})
		self.assertEqual(r.status_code, 403, error_text(r))
		frappe.db.rollback()
		self.assertFalse(frappe.db.exists(TYPE, "Uji SoD Baru"))
		# other fields of the category stay the agents' to edit
		r = agent.put(url, json={"description": "Keluhan pengiriman (uji)"})
		self.assertEqual(r.status_code, 200, error_text(r))

	def test_manager_configures_approvers_but_never_everyone_or_a_customer(self):
		manager = Client(OPS_AGENT, PASSWORD)
		url = f"/api/resource/{TYPE}/{CATEGORY}"
		before = approvers()
		for values in (
			{"sop_approver_role": "All"},
			{"sop_approver_role": "Guest"},
			{"sop_approver_role": "Desk User"},
			{"sop_approver_role": PORTAL_ROLE},
			{"sop_approver": PORTAL},
			{"sop_approver": "Guest"},
		):
			r = manager.put(url, json=values)
			self.assertEqual(r.status_code, 417, error_text(r))
			self.assertIn("cannot approve solutions", error_text(r))
			self.assertEqual(approvers(), before)
		frappe.db.rollback()
		self.assertEqual(frappe.db.get_value("User", PORTAL, "user_type"), "Website User")
		self.assertNotIn("SOP Department Head", frappe.get_roles(PORTAL))
		# a desk user without a role on solutions: saved, and the admin is told who lacks the role
		r = manager.put(url, json={"sop_approver": NEW_HEAD, "sop_approver_role": "SOP Supervisor"})
		self.assertEqual(r.status_code, 200, error_text(r))
		self.assertIn("give them the role SOP Department Head", error_text(r))
		self.assertEqual(approvers()[:2], (NEW_HEAD, "SOP Supervisor"))
		self.assertNotIn("SOP Department Head", frappe.get_roles(NEW_HEAD))  # cs_sop grants nothing
		check = message(manager.method("cs_sop.api.complaint.approver_check", http="GET"))
		self.assertIn(CATEGORY, [row["category"] for row in check])
		r = Client(AGENT, PASSWORD).method("cs_sop.api.complaint.approver_check", http="GET")
		self.assertEqual(r.status_code, 403, error_text(r))
