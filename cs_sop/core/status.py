"""Helpdesk's status categories as the SOP reads them (pure)."""

# a ticket someone still works on (Paused: waiting for the customer)
OPEN_CATEGORIES = ("Open", "Paused")
# a ticket the SOP considers done: resolved (awaiting confirmation) or closed
CLOSED_CATEGORIES = ("Resolved", "Closed")
