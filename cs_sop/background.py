"""Work that must wait for the current transaction: a job queued once it commits (a rolled-back
save queues nothing), run at once in tests, whose transactions never commit."""

import frappe


def after_commit(method: str, queue: str = "short", **kwargs) -> None:
	"""Queue `method(**kwargs)` on `queue` when the current transaction commits."""
	frappe.enqueue(method, queue=queue, enqueue_after_commit=True, now=bool(frappe.flags.in_test), **kwargs)
