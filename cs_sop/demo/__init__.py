"""Demo data: about 90 days of an Indonesian helpdesk, made through cs_sop's own code paths.

    bench --site <site> execute cs_sop.demo.load      # refuses when the demo is already there
    bench --site <site> execute cs_sop.demo.logins    # the demo users and their password
    bench --site <site> execute cs_sop.demo.remove    # deletes exactly what load made

`load` runs every ticket's life on a simulated clock (`sandbox`): customers write on their channel,
agents classify, reply, escalate, propose solutions, resolve; supervisors acknowledge, the
department head approves or rejects, customers confirm and answer the survey; the scheduler's SOP
jobs run in between. No email or WhatsApp message leaves the site while it runs.
"""

import json
import os
import random
import time
from datetime import timedelta

import frappe
from frappe import _

from cs_sop.demo import cleanup, people, simulate
from cs_sop.demo.people import DOMAIN, PASSWORD, TAG
from cs_sop.demo.sandbox import Sandbox

CUSTOMERS = 60

__all__ = ["DOMAIN", "PASSWORD", "TAG", "load", "logins", "remove"]


def _check_admin() -> None:
	if frappe.session.user != "Administrator" and "System Manager" not in frappe.get_roles():
		frappe.throw(_("Only a System Manager can load or remove the demo data."), frappe.PermissionError)


def data() -> dict:
	with open(os.path.join(os.path.dirname(__file__), "data.json"), encoding="utf-8") as f:
		return json.load(f)


def load(days: int = 90, per_day: float = 6.7, seed: int = 2026) -> dict:
	"""Make the demo: ~`per_day` tickets a day over the last `days` days. Returns what it made."""
	_check_admin()
	if cleanup.is_loaded():
		frappe.throw(
			_(
				"The demo data is already loaded. Remove it first with: bench --site {0} execute cs_sop.demo.remove"
			).format(frappe.local.site),
			title=_("Demo data already loaded"),
		)
	days, per_day = int(days), float(per_day)
	if days < 1 or days > 366 or per_day < 1 or per_day > 100:
		frappe.throw(_("Days must be from 1 to 366 and tickets per day from 1 to 100."))
	started = time.monotonic()
	content = data()
	rng = random.Random(seed)
	with Sandbox() as box:
		end = box.now
		box.set_time(end - timedelta(days=days + 1))
		staff = people.make_staff(content)
		customers = people.make_customers(content, rng, CUSTOMERS)
		box.run_jobs()
		world = simulate.World(box, content, staff, customers, seed, end)
		simulate.run(world, days, per_day)
		mails, whatsapp = box.mails, box.whatsapp
	result = {
		**dict(sorted(world.counts.items())),
		"users": sum(len(v) for k, v in staff.items() if k != "teams"),
		"customers": len(customers),
		"emails_not_sent": mails,
		"whatsapp_not_sent": whatsapp,
		"errors": len(world.errors),
		"first_errors": world.errors[:5],
		"seconds": round(time.monotonic() - started, 1),
	}
	if world.errors:
		frappe.log_error(title="cs_sop demo: stories stopped early", message="\n\n".join(world.tracebacks))
	return result


def remove() -> dict:
	"""Delete the demo data (and nothing else). Returns the rows deleted per doctype."""
	_check_admin()
	return cleanup.remove()


def logins() -> list[dict]:
	"""The demo's staff users, their roles and password (customers' portal users too)."""
	_check_admin()
	rows = []
	for user in cleanup.demo_users():
		u = frappe.db.get_value("User", user, ["full_name", "user_type"], as_dict=True)
		roles = frappe.get_roles(user)
		shown = [r for r in roles if r.startswith("SOP") or r in ("Agent", "Agent Manager")]
		rows.append(
			{
				"user": user,
				"name": u.full_name,
				"roles": ", ".join(shown) or _("Customer (portal)"),
				"password": PASSWORD,
			}
		)
	return sorted(rows, key=lambda r: (r["roles"] == _("Customer (portal)"), r["user"]))
