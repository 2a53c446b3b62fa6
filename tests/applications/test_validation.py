"""Draft validation and the guidelines (fx 2 år; fx 1-3 mdr.)."""
from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from bot.applications import below_two_year_guideline, guideline_notes, parse_years
from bot.applications.errors import (
    ConsentMissing,
    EmailDomainNotAllowed,
    FieldTooLong,
    InvalidEmail,
    InvalidPeriod,
    InvalidYearsInSpecialty,
    MissingField,
    MotivationTooLong,
    PeriodInPast,
    PeriodTooLong,
    UnknownKind,
    UnknownProfession,
    UnknownWorkplace,
)
from bot.applications.validation import check_email, validate_draft
from bot.vocabulary import load_vocabulary

from .conftest import TODAY, make_draft

DOMAINS = ("regionh.dk",)


def validate(draft):
    return validate_draft(draft, allowed_domains=DOMAINS, vocabulary=load_vocabulary(), today=TODAY)


@pytest.mark.parametrize(
    "kind,years,below",
    [("udveksling", 1.5, True), ("udveksling", 0.0, True), ("udveksling", 1.99, True),
     ("udveksling", 2.0, False), ("udveksling", 7.0, False),
     ("snusepraktik", 0.5, False), ("snusepraktik", 0.0, False)],
)
def test_only_exchanges_below_about_two_years_fall_below_the_guideline(kind, years, below):
    assert below_two_year_guideline(kind, years) is below


def test_the_guideline_check_refuses_unknown_kinds():
    with pytest.raises(UnknownKind):
        below_two_year_guideline("ferie", 1.0)


def test_guideline_notes_name_every_guideline_missed():
    start = date(2026, 9, 1)
    assert guideline_notes("udveksling", 1.0, start, date(2026, 10, 31)) == (
        "below_two_years_in_specialty",
    )
    assert guideline_notes("snusepraktik", 1.0, start, date(2026, 9, 30)) == (
        "period_longer_than_typical",
    )
    assert guideline_notes("udveksling", 5.0, start, date(2026, 9, 5)) == (
        "period_shorter_than_typical",
    )
    assert guideline_notes("snusepraktik", 1.0, start, date(2026, 9, 5)) == ()
    # A month named as a window says nothing about the length of the stay.
    assert guideline_notes("snusepraktik", 1.0, start, date(2026, 9, 30), approximate=True) == ()


def test_a_valid_draft_is_cleaned():
    clean = validate(make_draft(email="  Anna.Jensen@RegionH.dk ", name="  Anna   Jensen ",
                                current_workplace="Herlev Hospital", profession="spl",
                                kind="Udveksling", desired_department="  "))
    assert clean.email == "anna.jensen@regionh.dk"
    assert clean.name == "Anna Jensen"
    assert clean.current_workplace == "HGH"
    assert clean.profession == "sygeplejerske"
    assert clean.kind == "udveksling"
    assert clean.desired_department is None


@pytest.mark.parametrize(
    "overrides,error",
    [
        ({"consent": False}, ConsentMissing),
        ({"consent": None}, ConsentMissing),
        ({"email": "anna@gmail.com"}, EmailDomainNotAllowed),
        ({"email": "anna@regionh.dk.evil.com"}, EmailDomainNotAllowed),
        ({"email": "anna.regionh.dk"}, InvalidEmail),
        ({"email": ""}, MissingField),
        ({"motivation": "x" * 1001}, MotivationTooLong),
        ({"period_start": TODAY, "period_end": date(2026, 5, 20)}, PeriodInPast),
        ({"period_start": date(2026, 9, 10), "period_end": date(2026, 9, 1)}, InvalidPeriod),
        ({"period_start": date(2026, 9, 1), "period_end": date(2027, 12, 1)}, PeriodTooLong),
        ({"kind": "ferie"}, UnknownKind),
        ({"profession": "astronaut"}, UnknownProfession),
        ({"current_workplace": "Odense"}, UnknownWorkplace),
        ({"desired_workplace": "Aarhus"}, UnknownWorkplace),
        ({"years_in_specialty": -1}, InvalidYearsInSpecialty),
        ({"years_in_specialty": "to"}, InvalidYearsInSpecialty),
        ({"desired_specialty": " "}, MissingField),
        ({"name": ""}, MissingField),
        ({"current_department": "x" * 201}, FieldTooLong),
    ],
)
def test_invalid_drafts_raise_the_business_condition(overrides, error):
    with pytest.raises(error):
        validate(make_draft(**overrides))


def test_motivation_of_exactly_the_maximum_is_accepted():
    assert len(validate(make_draft(motivation="x" * 1000)).motivation) == 1000


def test_subdomains_of_an_allowed_domain_are_work_addresses():
    assert check_email("a@rh.regionh.dk", DOMAINS) == "a@rh.regionh.dk"
    assert check_email("a@x.dk", ("x.dk", "regionh.dk")) == "a@x.dk"


def test_a_missing_field_error_names_the_field():
    with pytest.raises(MissingField) as caught:
        validate(replace(make_draft(), name="  "))
    assert caught.value.field == "name"


@pytest.mark.parametrize(
    "text,years",
    [("2", 2.0), ("2,5 år", 2.5), ("halvandet år", 1.5), ("6 måneder", 0.5),
     ("1 år og 6 måneder", 1.5), ("et halvt år", 0.5), ("3-4 år", 3.0), ("to år", 2.0),
     ("ca. 2 år", 2.0), ("18 mdr.", 1.5), ("ved ikke", None), ("", None)],
)
def test_years_in_the_specialty_as_people_write_them(text, years):
    assert parse_years(text) == years
