"""The shipped default records (cs_sop/fixtures/defaults/*.json) are consistent data."""

import json
from pathlib import Path

from cs_sop.core import matrix
from cs_sop.setup import defaults as d

FIXTURES = Path(__file__).resolve().parents[2] / "cs_sop" / "fixtures"


def test_no_top_level_json_that_frappe_would_overwrite_on_migrate():
	assert list(FIXTURES.glob("*.json")) == []
	assert sorted(p.name for p in (FIXTURES / "defaults").glob("*.json")) == sorted(
		[
			"categories.json",
			"channel_owners.json",
			"escalation_levels.json",
			"priority_rules.json",
			"saved_replies.json",
			"sla_targets.json",
			"teams.json",
			"update_intervals.json",
		]
	)


def test_every_file_is_valid_json_naming_its_doctype():
	for path in (FIXTURES / "defaults").glob("*.json"):
		data = json.loads(path.read_text(encoding="utf-8"))
		assert data["doctype"], path


def test_priority_rules_are_the_core_matrix():
	assert list(d.PRIORITY_RULES) == matrix.default_rules()
	assert matrix.missing_pairs((i, u) for i, u, _ in d.PRIORITY_RULES) == []


def test_targets_and_intervals_cover_every_priority():
	assert set(d.STANDARD_TARGETS) == set(matrix.PRIORITIES)
	assert set(d.UPDATE_INTERVALS) == set(matrix.PRIORITIES)
	assert d.DEFAULT_PRIORITY in d.STANDARD_TARGETS
	for response, resolution in d.STANDARD_TARGETS.values():
		assert 0 < response <= resolution
	# more urgent: shorter targets and intervals
	order = list(reversed(matrix.PRIORITIES))
	assert [d.STANDARD_TARGETS[p] for p in order] == sorted(d.STANDARD_TARGETS[p] for p in order)
	assert [d.UPDATE_INTERVALS[p] for p in order] == sorted(d.UPDATE_INTERVALS.values())


def test_categories_route_to_shipped_teams():
	for name, description, complaint_type, team in d.CATEGORIES:
		assert name and description
		assert complaint_type in ("Service", "Operational")
		assert team is None or team in d.TEAMS


def test_channel_owners_name_shipped_teams_and_channels_once():
	from cs_sop.setup.custom_fields import CHANNELS

	channels = [channel for channel, _team in d.CHANNEL_OWNERS]
	assert len(channels) == len(set(channels))
	for channel, team in d.CHANNEL_OWNERS:
		assert channel in CHANNELS
		assert team in d.TEAMS
	assert {"WhatsApp", "Live Chat", "Social Media"} <= set(channels)


def test_escalation_levels_climb_one_at_a_time():
	levels = [row[0] for row in d.ESCALATION_LEVELS]
	assert levels == list(range(1, len(levels) + 1))
	for _level, _name, _trigger, _share, _hours, role, team, ack in d.ESCALATION_LEVELS:
		assert ack > 0
		assert role in d.ROLES or team  # someone is always notified


def test_saved_replies_are_unique_and_polite():
	titles = [t for t, _ in d.SAVED_REPLIES]
	assert len(titles) == len(set(titles))
	assert all("Bapak/Ibu" in m or "Terima kasih" in m for _, m in d.SAVED_REPLIES)
