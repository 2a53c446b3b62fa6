"""Measuring answer quality on the evaluation question sets.

Question files (tests/knowledge/questions/*.yml) look like:

    questions:
      - {question: "...", article: slug, facts: ["..."], profession: key?, workplace: key?}
    unanswerable: ["...", ...]

Used by benchmarks/knowledge_eval.py (figures, threshold tuning) and by the
regression test on the real knowledge folder.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, List, Optional, Sequence, Tuple

import yaml

@dataclass(frozen=True)
class Question:
    question: str
    article: str
    facts: Tuple[str, ...]
    profession: Optional[str] = None
    workplace: Optional[str] = None
    source: str = ""  # question file name


@dataclass(frozen=True)
class QuestionSet:
    answerable: Tuple[Question, ...]
    unanswerable: Tuple[Tuple[str, str], ...]  # (question, file name)
    problems: Tuple[str, ...] = ()


def load_question_sets(folder: Path) -> QuestionSet:
    """All question files in `folder`; malformed entries are reported, not fatal."""
    answerable: List[Question] = []
    unanswerable: List[Tuple[str, str]] = []
    problems: List[str] = []
    for path in sorted(folder.glob("*.yml")):
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as exc:
            problems.append(f"{path.name}: not valid YAML ({str(exc).splitlines()[0]})")
            continue
        for i, item in enumerate(data.get("questions") or []):
            try:
                answerable.append(
                    Question(
                        question=str(item["question"]),
                        article=str(item["article"]),
                        facts=tuple(str(f) for f in item.get("facts") or ()),
                        profession=item.get("profession"),
                        workplace=item.get("workplace"),
                        source=path.name,
                    )
                )
            except (KeyError, TypeError):
                problems.append(f"{path.name}: question #{i + 1} lacks 'question' or 'article'")
        for text in data.get("unanswerable") or []:
            unanswerable.append((str(text), path.name))
    return QuestionSet(tuple(answerable), tuple(unanswerable), tuple(problems))


@dataclass(frozen=True)
class Outcome:
    """What a system did with one question."""

    answered: bool
    text: str  # composed answer text ("" when declined)
    ranking: Tuple[str, ...]  # slugs, best first
    confidence: float
    seconds: float


@dataclass
class Report:
    facts_ok: float  # share of answerable questions answered with all facts
    hit1: float
    hit3: float
    declined: float  # share of unanswerable questions declined
    answered_wrongly: float  # share of answerable questions answered from another article
    p50_ms: float
    p95_ms: float
    failures: List[str] = field(default_factory=list)


def percentile(values: Sequence[float], share: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    position = min(len(ordered) - 1, max(0, math.ceil(share * len(ordered)) - 1))
    return ordered[position]


def has_facts(text: str, facts: Iterable[str]) -> bool:
    lowered = text.lower()
    return all(f.lower() in lowered for f in facts)


def evaluate(
    system: Callable[[str, Optional[str], Optional[str]], Outcome], questions: QuestionSet
) -> Tuple[Report, List[Outcome], List[Outcome]]:
    """Run every question through `system(question, profession, workplace)`."""
    answerable = [system(q.question, q.profession, q.workplace) for q in questions.answerable]
    declined_set = [system(text, None, None) for text, _ in questions.unanswerable]
    failures = []
    facts_ok = hit1 = hit3 = wrong = 0
    for q, o in zip(questions.answerable, answerable):
        ok = o.answered and has_facts(o.text, q.facts)
        facts_ok += ok
        hit1 += bool(o.ranking[:1]) and o.ranking[0] == q.article
        hit3 += q.article in o.ranking[:3]
        wrong += o.answered and o.ranking[:1] != (q.article,)
        if not ok:
            state = "declined" if not o.answered else "missing facts"
            failures.append(
                f"[{state}] {q.question!r} want {q.article}, got {o.ranking[:3]} conf={o.confidence:.2f}"
            )
    declined = 0
    for (text, _), o in zip(questions.unanswerable, declined_set):
        declined += not o.answered
        if o.answered:
            failures.append(f"[answered unanswerable] {text!r} -> {o.ranking[:1]} conf={o.confidence:.2f}")
    n, m = max(1, len(answerable)), max(1, len(declined_set))
    times = [o.seconds * 1000 for o in answerable + declined_set]
    report = Report(
        facts_ok=facts_ok / n,
        hit1=hit1 / n,
        hit3=hit3 / n,
        declined=declined / m,
        answered_wrongly=wrong / n,
        p50_ms=percentile(times, 0.50),
        p95_ms=percentile(times, 0.95),
        failures=failures,
    )
    return report, answerable, declined_set


def knowledge_base_system(kb) -> Callable[[str, Optional[str], Optional[str]], Outcome]:
    """Adapter: a KnowledgeBase as an evaluation system (timing covers search only)."""
    from bot.knowledge.answer import Answer, compose

    def run(question: str, profession: Optional[str], workplace: Optional[str]) -> Outcome:
        started = time.perf_counter()
        result = kb.search(question, profession, workplace)
        seconds = time.perf_counter() - started
        composed = compose(kb.index, result, question, kb.public_base_url)
        ranking = tuple(h.article.slug for h in result.hits)
        confidence = result.best.confidence if result.best else 0.0
        if isinstance(composed, Answer):
            return Outcome(True, composed.text, ranking, confidence, seconds)
        return Outcome(False, "", ranking, confidence, seconds)

    return run
