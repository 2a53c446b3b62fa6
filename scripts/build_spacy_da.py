"""Build the Danish spaCy pipeline Rasa's SpacyNLP loads: spacy.blank("da") with the
lookups lemmatiser from spacy-lookups-data. Nothing is downloaded; the tables ship
inside the installed package. Usage: python scripts/build_spacy_da.py OUTPUT_DIR

The lemma table keeps only the entries a lookup can ever use. SpacyNLP lowercases
every message before spaCy sees it (config.yml leaves `case_sensitive` off), so keys
with capitals are never looked up, and a word missing from the table gets itself as
its lemma, so entries that map a word to itself change nothing. Dropping both gives
the same lemmas with 85 % of the entries; Rasa loads the pipeline twice (once to
provide it, once for SpacyNLP), so this saves memory twice.
"""
import sys
from pathlib import Path

import spacy
import spacy_lookups_data
from spacy.lookups import Lookups
from spacy.util import load_language_data


def useful_entries(table: dict) -> dict:
    return {form: lemma for form, lemma in table.items() if form == form.lower() and form != lemma}


def build(output: Path) -> None:
    nlp = spacy.blank("da")
    lemmatizer = nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    full = load_language_data(spacy_lookups_data.da["lemma_lookup"])
    kept = useful_entries(full)
    lookups = Lookups()
    lookups.add_table("lemma_lookup", kept)
    lemmatizer.initialize(lookups=lookups)
    nlp.meta["name"] = "da_lookups"
    nlp.meta["version"] = "1.0.0"
    output.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(output)
    print(f"lemma table: {len(kept)} of {len(full)} entries kept")


if __name__ == "__main__":
    build(Path(sys.argv[1]))
    print(f"spaCy Danish lookups pipeline written to {sys.argv[1]}")
