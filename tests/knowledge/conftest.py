"""A tiny knowledge base written into tmp_path for each test, plus helpers."""
from __future__ import annotations

from pathlib import Path
from typing import Iterable, Optional

import pytest

from bot.knowledge import KnowledgeBase

ARTICLE = """---
title: {title}
audience:
  professions: [{professions}]
  workplaces: [{workplaces}]
tags: [{tags}]
source:
  file: {source}
  heading: "{heading}"
owner: Karrierekontoret
last_reviewed: 2026-11-22
---
{body}
"""


def write_article(
    folder: Path,
    slug: str,
    title: str,
    body: str,
    *,
    area: str = "generelt",
    tags: Iterable[str] = ("karriere",),
    professions: Iterable[str] = ("alle",),
    workplaces: Iterable[str] = ("alle",),
    source: str = "001_9708e173bc7df114.txt",
    heading: str = "Forslag 4.6: Formål og indhold",
    raw: Optional[str] = None,
) -> Path:
    path = folder / area / f"{slug}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        raw
        if raw is not None
        else ARTICLE.format(
            title=title,
            professions=", ".join(professions),
            workplaces=", ".join(workplaces),
            tags=", ".join(tags),
            source=source,
            heading=heading,
            body=body,
        ),
        encoding="utf-8",
    )
    return path


def seed_articles(folder: Path) -> None:
    write_article(
        folder, "hvad-er-snusepraktik", "Hvad er en snusepraktik?",
        "En snusepraktik er et kort ophold på få dage op til omkring en uge i en anden afdeling, "
        "uden at du skifter job.\n\nDu tager din egen løn med. Karrierekontoret koordinerer opholdet.",
        area="snusepraktik", tags=["snusepraktik", "praktik", "speciale"],
    )
    write_article(
        folder, "udvekslingsophold", "Hvad er et udvekslingsophold?",
        "Et udvekslingsophold varer som udgangspunkt fx 1-3 måneder i et andet speciale.\n\n"
        "Du kan typisk søge efter fx 2 års ansættelse i samme speciale.",
        area="snusepraktik", tags=["udveksling", "ophold"],
    )
    write_article(
        folder, "sygeplejerskeuddannelse-klinik", "Hvordan foregår den kliniske undervisning af sygeplejestuderende?",
        "Sygeplejestuderende får klinisk undervisning på afdelingen af kliniske vejledere.\n\n"
        "Uddannelsen veksler mellem teori og praktik.",
        area="uddannelse", tags=["sygeplejerske", "uddannelse", "klinisk undervisning"],
        professions=["sygeplejerske"],
    )
    write_article(
        folder, "mentor-ahh", "Hvilken mentorordning har Amager og Hvidovre Hospital?",
        "Amager og Hvidovre Hospital har en mentorordning for nyansatte med mentorkursus og mentornetværk.",
        area="katalog", tags=["mentor", "mentorordning", "nyansat"], workplaces=["AHH"],
    )
    write_article(
        folder, "mentor-rh", "Hvilken mentorordning har Rigshospitalet?",
        "Rigshospitalet har en mentorordning for nyansatte med mentorkursus og mentornetværk.",
        area="katalog", tags=["mentor", "mentorordning", "nyansat"], workplaces=["RH"],
    )
    write_article(
        folder, "karrieraadgivning", "Hvordan får jeg karriererådgivning?",
        "Du kan booke en samtale med en af Karrierekontorets tre karriererådgivere, uden at din leder "
        "skal vide det.",
        area="karrierekontor", tags=["rådgivning", "karriererådgiver", "booking"],
        source="000_40f61af9cf8ccdc1.txt", heading="Initiativ 4.4: Karriereudvikling",
    )


@pytest.fixture
def knowledge_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "knowledge"
    seed_articles(folder)
    (folder / "README.md").write_text("# Not an article\n", encoding="utf-8")
    return folder


@pytest.fixture
def kb(knowledge_dir: Path) -> KnowledgeBase:
    base = KnowledgeBase(knowledge_dir, "https://assistent.example/")
    base.reload()
    return base
