"""Closure (SOP stage 6, *Penyelesaian dan Penutupan*) and the satisfaction survey (stage 7).

- `lifecycle`: the HD Ticket handlers (resolve asks for confirmation, close schedules the survey).
- `gates`: what a person needs before resolving or closing.
- `actions`: the closure form (Resolve) and a supervisor's close with exception.
- `confirmation`: the customer's confirmation request and answers (link, portal, agent).
- `auto_close`: Resolved -> Closed set-based (the customer's Yes, no answer in time).
- `survey` (sending, reminders, expiry), `answers` (the public page's answers), `jobs` (every 5 minutes).

The rules are pure in `cs_sop.core.confirmation`, `cs_sop.core.gates` and `cs_sop.core.survey`;
the whitelisted API is `cs_sop.api.closure` and `cs_sop.api.survey`.
"""
