from cs_sop.setup.install import install_defaults


def execute():
	"""Closure, confirmation, survey and retention (issue 10): new ticket fields and settings, the
	agent-UI actions; tickets closed before get their closing date and anonymisation date."""
	from cs_sop.privacy import recompute_retention

	install_defaults()
	recompute_retention(backfill=True)
