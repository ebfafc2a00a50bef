from cs_sop.report_facts import add_indexes


def execute():
	"""Reports (issue 12): covering indexes of the period reports, the cards and recurring complaints."""
	add_indexes()
