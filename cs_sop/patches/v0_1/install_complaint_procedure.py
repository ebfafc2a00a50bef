from cs_sop.setup.install import install_defaults


def execute():
	"""Complaint procedure (issue #11): ticket fields, notice templates, approver role, agent-UI action."""
	install_defaults()
