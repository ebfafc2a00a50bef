"""The closure's scheduled work (every 5 minutes, one deduplicated job on the long queue):
unconfirmed resolutions closed, then surveys sent, reminded and expired."""

import frappe

from cs_sop.closure.auto_close import auto_close_unconfirmed
from cs_sop.closure.survey import remind_and_expire, send_due


def enqueue_jobs():
	"""Scheduler (every 5 minutes): the due surveys, reminders and expiries, on the long queue."""
	frappe.enqueue(
		"cs_sop.closure.jobs.run_jobs",
		queue="long",
		job_id="cs_sop_survey_jobs",
		deduplicate=True,
		now=frappe.flags.in_test,
	)


def run_jobs():
	auto_close_unconfirmed()
	send_due()
	remind_and_expire()
