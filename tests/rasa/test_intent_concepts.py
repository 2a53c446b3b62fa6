"""Word groups for the NLU (bot/intent_concepts.yml -> data/nlu/concepts.yml)."""
import re

import pytest

from bot.intent_concepts import concept_pattern, load_concept_patterns


def matches(pattern, text):
    return [m.group(0) for m in re.finditer(pattern, text)]


def test_stems_match_inflections_and_the_ae_oe_aa_spellings():
    pattern = concept_pattern(stems=["græd", "udbrænd", "råb"])
    assert matches(pattern, "Jeg GRÆDER og er udbraendt, chefen raaber") == [
        "GRÆDER", "udbraendt", "raaber"]


def test_phrases_match_whole_words_only():
    pattern = concept_pattern(phrases=["no", "ses", "kan ikke sove"])
    assert matches(pattern, "noget om sessionen") == []
    assert matches(pattern, "No, vi ses. Jeg kan  ikke sove") == ["No", "ses", "kan  ikke sove"]


def test_a_bare_no_read_as_a_boolean_is_refused(tmp_path):
    concepts = tmp_path / "concepts.yml"
    concepts.write_text("concepts:\n  negation:\n    phrases: [nej, no]\n", encoding="utf-8")
    with pytest.raises(ValueError, match="not text"):
        load_concept_patterns(concepts)


def test_the_shipped_groups_find_what_employees_write():
    patterns = load_concept_patterns()
    found = {name for name, pattern in patterns.items()
             for text in ["jeg er helt koert ned efter de sidste vagter"] if re.search(pattern, text)}
    assert "concept_distress" in found
    assert re.search(patterns["concept_medical"], "kan man tage panodil og ipren samtidig")
    assert re.search(patterns["concept_farewell"], "jeg logger af nu")
    assert not re.search(patterns["concept_farewell"], "hvad handler sessionen om")
    assert not re.search(patterns["concept_negation"], "jeg vil gerne have noget at vide")


def test_the_shipped_shapes_tell_nonsense_from_real_messages():
    patterns = load_concept_patterns()
    shapes = {name: pattern for name, pattern in patterns.items() if name.startswith("shape_")}
    assert set(shapes) == {"shape_no_letters", "shape_repeated_chunk", "shape_consonant_run"}

    def shapes_of(text):
        return {name for name, pattern in shapes.items() if re.search(pattern, text)}

    assert shapes_of("🙈") == shapes_of("?!?") == shapes_of("12345") == {"shape_no_letters"}
    assert "shape_repeated_chunk" in shapes_of("HJHJHJ")
    assert "shape_consonant_run" in shapes_of("sdkfjsldkf")
    for real in ["hej", "jeg vil gerne i snusepraktik på neonatal", "ja tak 👍",
                 "hvad er status på min ansøgning?", "se booking WRZM-8NDJ", "ptsd efter vagten"]:
        assert shapes_of(real) - {"shape_consonant_run"} == set(), real
    assert shapes_of("se booking WRZM-8NDJ") == set()  # a booking code is not nonsense


def test_a_broken_shape_is_refused_before_training(tmp_path):
    concepts = tmp_path / "concepts.yml"
    concepts.write_text("shapes:\n  broken: '(unclosed'\n", encoding="utf-8")
    with pytest.raises(re.error):
        load_concept_patterns(concepts)
