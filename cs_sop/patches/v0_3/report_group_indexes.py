from cs_sop.report_facts import add_indexes


def execute():
	"""Reports (issue 12): covering indexes led by the default groups (team, agent; survey by agent)."""
	add_indexes()
