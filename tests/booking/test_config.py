"""config/counsellors.yml is read and checked; a bad file fails with a precise message."""
import copy
from datetime import time

import pytest
import yaml

from bot.booking import BookingConfigError, load_booking_config
from bot.booking.config import parse_booking_config
from bot.booking.domain import FORMATS, TOPICS
from bot.settings import PROJECT_ROOT

CONFIG_FILE = PROJECT_ROOT / "config" / "counsellors.yml"


@pytest.fixture
def raw():
    return yaml.safe_load(CONFIG_FILE.read_text(encoding="utf-8"))


def test_the_shipped_file_has_three_placeholder_counsellors_and_the_agreed_rules(booking_config):
    assert len(booking_config.counsellors) == 3
    assert all("navn følger" in c.name for c in booking_config.counsellors)
    assert (booking_config.session_minutes, booking_config.buffer_minutes) == (45, 15)
    assert booking_config.horizon_weeks == 8 and booking_config.timezone == "Europe/Copenhagen"
    assert (12, 24) in booking_config.closed_every_year and (12, 31) in booking_config.closed_every_year
    assert set(booking_config.topics) == set(TOPICS) and set(booking_config.formats) == set(FORMATS)
    assert booking_config.office_address


def test_working_hours_differ_per_counsellor(booking_config):
    first, second, third = booking_config.counsellors
    assert first.hours[0] == ((time(9), time(15)),) and first.hours[4] == ((time(9), time(13)),)
    assert 4 not in second.hours  # no Fridays
    assert len(third.hours[1]) == 2  # a lunch break on Tuesdays


def test_counsellors_for_a_topic_are_those_with_it_in_focus(booking_config):
    assert [c.id for c in booking_config.counsellors_for("ledelse")] == ["raadgiver-2"]
    assert len(booking_config.counsellors_for("andet")) == 3
    assert "raadgiver-3" not in [c.id for c in booking_config.counsellors_for(format="fremmoede")]


def _error(raw) -> str:
    with pytest.raises(BookingConfigError) as info:
        parse_booking_config(raw)
    return str(info.value)


def test_bad_working_hours_are_reported_with_their_place(raw):
    raw["counsellors"][1]["hours"]["mandag"] = ["9 til 15"]
    assert "counsellors[1].hours.mandag[0]" in _error(raw)


def test_an_interval_shorter_than_a_session_is_rejected(raw):
    raw["counsellors"][0]["hours"]["fredag"] = ["09:00-09:30"]
    assert "shorter than one session" in _error(raw)


def test_an_unknown_topic_a_typo_key_and_a_missing_phone_are_rejected(raw):
    bad_topic = copy.deepcopy(raw)
    bad_topic["counsellors"][0]["focus"].append("ledels")
    assert "unknown topic 'ledels'" in _error(bad_topic)
    typo = copy.deepcopy(raw)
    typo["settings"]["sesion_minutes"] = 45
    assert "sesion_minutes" in _error(typo)
    no_phone = copy.deepcopy(raw)
    del no_phone["counsellors"][0]["phone"]
    assert "counsellors[0].phone" in _error(no_phone)


def test_every_topic_must_be_covered_by_someone(raw):
    for counsellor in raw["counsellors"]:
        counsellor["focus"] = [t for t in counsellor["focus"] if t != "ledelse"]
    assert "no counsellor has topic 'ledelse'" in _error(raw)


def test_duplicate_ids_and_unknown_time_zone_are_rejected(raw):
    dup = copy.deepcopy(raw)
    dup["counsellors"][1]["id"] = dup["counsellors"][0]["id"]
    assert "duplicate id" in _error(dup)
    raw["settings"]["timezone"] = "Europe/Kobenhavn"
    assert "unknown time zone" in _error(raw)


def test_load_names_the_file_for_missing_and_broken_files(tmp_path):
    with pytest.raises(BookingConfigError, match="cannot read"):
        load_booking_config(tmp_path / "missing.yml")
    broken = tmp_path / "broken.yml"
    broken.write_text("settings: [unclosed", encoding="utf-8")
    with pytest.raises(BookingConfigError, match="broken.yml: not valid YAML"):
        load_booking_config(broken)
