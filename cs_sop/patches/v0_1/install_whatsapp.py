from cs_sop.setup import whatsapp


def execute():
	"""WhatsApp channel (issue 13): the agent-UI retry action."""
	whatsapp.install()
