from cs_sop.cs_sop.doctype.sop_report_day.sop_report_day import backfill


def execute():
	"""The reports' per-day summary (SOP Report Day) for the tickets a site already has."""
	backfill()
