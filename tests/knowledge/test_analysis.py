"""Danish text analysis: employees' spellings, compounds, synonyms and
abbreviations all reach the same index tokens as the articles' wording."""
from collections import Counter

from bot.knowledge.analysis import Analyzer
from bot.knowledge.lexicon import load_lexicon
from bot.knowledge.text import fold, stem, words
from bot.knowledge.wordforms import CompoundSplitter, SpellingCorrector, damerau_levenshtein


def test_folding_makes_danish_letters_and_their_ascii_spellings_equal():
    assert fold("Løn") == fold("LOEN") == fold("loen") == "loen"
    assert fold("Rådgivning") == fold("raadgivning")
    assert fold("Sygeplejerskeuddannelsen") == "sygeplejerskeuddannelsen"
    assert fold("ＡＨＨ") == "ahh"  # NFKC: full-width letters
    assert fold("café") == "cafe"


def test_words_drop_punctuation_and_keep_abbreviations_together():
    assert words("Hej! Er der mentor for nye spl. på RH?") == ["hej", "er", "der", "mentor", "for", "nye", "spl", "paa", "rh"]
    assert words("ph.d.-studerende") == ["phd", "studerende"]
    assert words("sosu'er") == ["sosuer"]


def test_inflected_forms_share_a_stem_with_and_without_danish_letters():
    assert stem(fold("sygeplejersker")) == stem(fold("sygeplejerskerne")) == stem("sygeplejersken")
    assert stem(fold("måneder")) == stem("maaneder")


def test_compounds_split_into_known_words_with_linking_letters():
    splitter = CompoundSplitter(["sygeplejerske", "uddannelse", "udveksling", "ophold", "karriere", "samtale"])
    assert splitter.split("sygeplejerskeuddannelse") == ("sygeplejerske", "uddannelse")
    assert splitter.split("udvekslingsophold") == ("udveksling", "ophold")
    assert splitter.split("karrieresamtale") == ("karriere", "samtale")
    assert splitter.split("weekendvagt") is None  # parts unknown: no guess
    assert splitter.split_tail("sommerophold") == ("sommer", "ophold")


def test_spelling_correction_fixes_one_typo_but_leaves_short_words_alone():
    corrector = SpellingCorrector(Counter({"snusepraktik": 5, "sygeplejerske": 9, "mentor": 3}))
    assert corrector.correct("snusepraktk") == "snusepraktik"
    assert corrector.correct("sygeplejeske") == "sygeplejerske"
    assert corrector.correct("mentr") is None or corrector.correct("mentr") == "mentor"
    assert corrector.correct("ferie") is None
    assert damerau_levenshtein("udvekslnig", "udveksling") == 1  # transposition


def test_vocabulary_names_and_abbreviations_map_to_profession_and_workplace():
    analyzer = Analyzer(load_lexicon())
    splitter, corrector = analyzer.word_forms(Counter())
    from bot.knowledge.analysis import Vocabulary

    vocabulary = Vocabulary(frozenset(), splitter, corrector)
    for text, profession, workplace in [
        ("mentor for nye spl på RH", "sygeplejerske", "RH"),
        ("er der noget for sosu assistenter paa hvidovre", "sosu", "AHH"),
        ("kurser for social- og sundhedsassistenter på Amager og Hvidovre Hospital", "sosu", "AHH"),
        ("what do they offer midwives at bornholm hospital", "jordemoder", "BOH"),
        ("lægerne på riget", "laege", "RH"),
    ]:
        query = analyzer.query(text, vocabulary)
        assert query.professions == (profession,), text
        assert query.workplaces == (workplace,), text


def test_lexicon_matches_inflections_but_not_look_alike_words():
    lexicon = load_lexicon()
    assert lexicon.resolve("profession", "lægerne") == "laege"
    assert lexicon.resolve("profession", "lægger") is None  # "puts", not a doctor
    assert lexicon.resolve("workplace", "Rigshospitalet") == "RH"
    assert lexicon.resolve("workplace", "rh") == "RH"


def test_curated_synonyms_give_english_and_danish_words_one_concept():
    analyzer = Analyzer(load_lexicon())
    doc = set(analyzer.document_tokens("Du kan søge et udvekslingsophold", None))
    for question in ["exchange", "udveksling", "udvekslingsophold"]:
        assert any(t in doc and t.startswith("_s_") for t in analyzer.document_tokens(question, None)), question


def test_stop_words_are_dropped_but_meaningful_short_words_are_kept():
    analyzer = Analyzer(load_lexicon())
    tokens = analyzer.document_tokens("Hvad er det for noget med IT og løn?", None)
    assert "det" not in tokens and "noget" not in tokens
    assert "it" in tokens and stem("loen") in tokens
