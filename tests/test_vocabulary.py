"""Workplaces as employees write them resolve to the one key the services use."""
import pytest

from bot.vocabulary import load_vocabulary


@pytest.mark.parametrize("text, key", [
    ("Bornholms Hospital", "BOH"),
    ("Bornholms", "BOH"),  # "på Bornholms" with the hospital left out
    ("bornholm", "BOH"),
    ("Herlev", "HGH"),
    ("  gentofte hospital ", "HGH"),
])
def test_a_workplace_name_resolves_to_its_key(text, key):
    assert load_vocabulary().canonical_workplace(text) == key


def test_an_unknown_place_resolves_to_nothing():
    assert load_vocabulary().canonical_workplace("Odense Universitetshospital") is None
