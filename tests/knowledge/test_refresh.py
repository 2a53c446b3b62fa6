"""A counsellor edits an article and the running assistant uses it, no restart."""
import shutil
from pathlib import Path

from bot.knowledge import Answer, KnowledgeBase
from bot.knowledge.refresh import RefreshingKnowledgeBase, request_reload

ROOT = Path(__file__).resolve().parents[2]
ARTICLE = """---
title: Kantinens åbningstider
audience:
  professions: [alle]
  workplaces: [alle]
tags: [kantine, frokost, åbningstider]
source:
  file: 000_40f61af9cf8ccdc1.txt
  heading: "Test"
owner: Karrierekontoret
last_reviewed: 2026-11-22
---
Kantinen har åben fra klokken 11 til 13 på hverdage.
"""


def test_a_new_article_is_used_after_the_next_check_without_restart(tmp_path):
    folder = tmp_path / "knowledge"
    shutil.copytree(ROOT / "knowledge" / "snusepraktik", folder / "snusepraktik")
    now = [0.0]
    knowledge = RefreshingKnowledgeBase(KnowledgeBase(folder, "http://x"), interval=5,
                                        clock=lambda: now[0])
    question = "hvornår har kantinen åben til frokost?"
    assert not isinstance(knowledge.answer(question), Answer)
    (folder / "snusepraktik" / "kantine-aabningstider.md").write_text(ARTICLE, encoding="utf-8")
    now[0] = 6.0
    answer = knowledge.answer(question)
    assert isinstance(answer, Answer) and "11 til 13" in answer.text


def test_the_reload_command_forces_a_reload(tmp_path):
    folder = tmp_path / "knowledge"
    shutil.copytree(ROOT / "knowledge" / "snusepraktik", folder / "snusepraktik")
    knowledge = RefreshingKnowledgeBase(KnowledgeBase(folder, "http://x"))
    assert knowledge.refresh() is False
    request_reload(folder)
    assert knowledge.refresh() is True
