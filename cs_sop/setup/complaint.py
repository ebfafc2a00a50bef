"""Install/migrate part of the complaint procedure: insert-if-missing, never overwrite.

- role *SOP Department Head* (approvers who are not agents decide in the desk form);
- the notice texts as Email Template records (Indonesian, editable).
"""

import frappe

from cs_sop.complaint.templates import TEMPLATES
from cs_sop.users import DEPARTMENT_HEAD


def install():
	create_role()
	create_email_templates()


def create_role():
	if not frappe.db.exists("Role", DEPARTMENT_HEAD):
		frappe.get_doc({"doctype": "Role", "role_name": DEPARTMENT_HEAD, "desk_access": 1}).insert(
			ignore_permissions=True  # install runs as Administrator
		)


def create_email_templates():
	for name, (subject, body) in TEMPLATES.items():
		if frappe.db.exists("Email Template", name):
			continue
		frappe.get_doc(
			{
				"doctype": "Email Template",
				"name": name,
				"subject": subject,
				"use_html": 1,
				"response_html": body,
			}
		).insert(ignore_permissions=True)  # install runs as Administrator
