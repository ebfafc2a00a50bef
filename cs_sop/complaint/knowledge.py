"""An approved solution as a Knowledge Base draft for its category (complaint procedure step 12)."""

import frappe
from frappe import _

from cs_sop import activity
from cs_sop.complaint.solution import TICKET, lock_solution, save_solution
from cs_sop.users import is_agent, is_manager


def create_kb_draft(solution: str) -> str:
	"""Turn an approved solution into a Knowledge Base draft for its category (step 12)."""
	user = frappe.session.user
	sol = lock_solution(solution)
	if not sol.has_permission("read"):
		frappe.throw(_("You cannot read solution {0}.").format(sol.name), frappe.PermissionError)
	if not (is_agent(user) or is_manager(user)) or not frappe.has_permission(
		"HD Article", "create", user=user
	):
		frappe.throw(_("Only agents write Knowledge Base articles."), frappe.PermissionError)
	if sol.status not in ("Approved", "Sent"):
		frappe.throw(
			_("Solution {0} is {1}: only an approved solution becomes an article.").format(
				sol.name, _(sol.status)
			)
		)
	if sol.kb_article:
		frappe.throw(
			_("Solution {0} already has the Knowledge Base draft {1}.").format(sol.name, sol.kb_article)
		)
	category = sol.category or frappe.db.get_value(TICKET, sol.ticket, "ticket_type")
	article = frappe.get_doc(
		{
			"doctype": "HD Article",
			"title": _("Solution: {0}").format(sol.subject or sol.ticket)[:140],
			"category": _article_category(category),
			"status": "Draft",
			"author": user,
			# the customer-facing part only: no cost/impact note, no customer data
			"content": sol.description,
		}
	)
	article.insert()
	sol.kb_article = article.name
	save_solution(sol)
	activity.log(
		sol.ticket, _("made Knowledge Base draft {0} from solution {1}").format(article.name, sol.name)
	)
	return article.name


def _article_category(category: str | None) -> str | None:
	"""The HD Article Category named like the ticket category (made once when missing)."""
	if not category:
		return None
	found = frappe.db.get_value("HD Article Category", {"category_name": category}, "name")
	if found:
		return found
	doc = frappe.get_doc({"doctype": "HD Article Category", "category_name": category})
	doc.insert(
		ignore_permissions=True
	)  # a category named after a ticket category; agents may not create categories
	return doc.name
