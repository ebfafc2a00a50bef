from cs_sop.setup.install import install_defaults


def execute():
	"""Issue 9: the shipped defaults now come from cs_sop/fixtures/defaults/*.json, and SOP Settings
	has *Use the SOP SLAs* (on: what these sites already run). Insert-if-missing: admin edits stay."""
	install_defaults()
