"""Data protection (UU PDP 27/2022).

- `retention`: closed tickets past their retention period are anonymised by a daily job.
- `scrub`: the set-based steps both the job and an erasure use (texts, files, notifications,
  queued emails, contacts, portal users).
- `subject`: a data-subject request, what is held about an email or a phone number, and its erasure.

The names below are the package's public face (hooks, SOP Settings' button, the reports).
"""

from cs_sop.privacy.retention import (
	ANON_EMAIL,
	ANON_EMAIL_TEXT,
	ANON_NAME,
	ANON_PHONE_TEXT,
	BATCH,
	MANAGER_ROLES,
	MAX_PER_RUN,
	_due_query,
	anonymise,
	anonymise_due,
	on_settings_update,
	preview,
	purge_processed_whatsapp_events,
	recompute_retention,
	retention_until,
)

__all__ = [
	"ANON_EMAIL",
	"ANON_EMAIL_TEXT",
	"ANON_NAME",
	"ANON_PHONE_TEXT",
	"BATCH",
	"MANAGER_ROLES",
	"MAX_PER_RUN",
	"_due_query",
	"anonymise",
	"anonymise_due",
	"on_settings_update",
	"preview",
	"purge_processed_whatsapp_events",
	"recompute_retention",
	"retention_until",
]
