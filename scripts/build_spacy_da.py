"""Build the Danish spaCy pipeline Rasa's SpacyNLP loads: spacy.blank("da") with the
lookups lemmatiser from spacy-lookups-data. Nothing is downloaded; the tables ship
inside the installed package. Usage: python scripts/build_spacy_da.py OUTPUT_DIR
"""
import sys
from pathlib import Path

import spacy


def build(output: Path) -> None:
    nlp = spacy.blank("da")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.initialize()
    nlp.meta["name"] = "da_lookups"
    nlp.meta["version"] = "1.0.0"
    output.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(output)


if __name__ == "__main__":
    build(Path(sys.argv[1]))
    print(f"spaCy Danish lookups pipeline written to {sys.argv[1]}")
