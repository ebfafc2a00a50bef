from cs_sop.setup.install import install_defaults


def execute():
	"""Escalation ladder (issue #3): new ticket fields, levels, update intervals, agent-UI action."""
	install_defaults()
