from cs_sop.setup.install import install_defaults


def execute():
	"""Sites that had cs_sop before a field or default was added get it on `bench migrate`.

	Everything is insert-if-missing: admin edits to rules, categories, SLAs and replies stay.
	"""
	install_defaults()
