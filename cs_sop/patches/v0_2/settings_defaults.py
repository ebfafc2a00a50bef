"""New SOP Settings fields get their defaults before any other patch saves the settings (a save
would store an empty number as 0: a survey that expires at once, a retention of 0 years)."""

from cs_sop.setup.sync import fill_new_settings_defaults


def execute():
	fill_new_settings_defaults()
