"""Keeps a running KnowledgeBase in step with the knowledge/ folder without a
restart or retraining: every process (each action-server and Rasa replica)
checks at most every few seconds whether any article file or the reload stamp
changed, and reloads when it did. `python -m bot.cli reload-knowledge` touches
the stamp, so a reload can also be forced."""
from __future__ import annotations

import logging
import threading
import time
from pathlib import Path
from typing import Callable, Optional, Tuple

from bot.knowledge.service import KnowledgeBase

log = logging.getLogger(__name__)

RELOAD_STAMP = ".reload"  # a file inside the knowledge folder (ignored by the loader)
CHECK_INTERVAL_SECONDS = 5.0


def folder_fingerprint(folder: Path) -> Tuple:
    """Names, sizes and modification times of every article and the stamp."""
    entries = []
    for path in sorted(folder.rglob("*")):
        if path.is_file() and (path.suffix == ".md" or path.name == RELOAD_STAMP):
            stat = path.stat()
            entries.append((str(path.relative_to(folder)), stat.st_size, stat.st_mtime_ns))
    return tuple(entries)


def request_reload(folder: Path) -> None:
    """Ask every running process to reload (they notice within CHECK_INTERVAL_SECONDS)."""
    (folder / RELOAD_STAMP).write_text(str(time.time()), encoding="utf-8")


class RefreshingKnowledgeBase:
    """A KnowledgeBase that reloads itself when its folder changes."""

    def __init__(self, knowledge: KnowledgeBase, interval: float = CHECK_INTERVAL_SECONDS,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.knowledge = knowledge
        self._interval = interval
        self._clock = clock
        self._lock = threading.Lock()
        self._fingerprint: Optional[Tuple] = None
        self._checked_at = float("-inf")
        self.refresh()

    def refresh(self) -> bool:
        """Reload if the folder changed since the last load; True when it reloaded."""
        with self._lock:
            self._checked_at = self._clock()
            fingerprint = folder_fingerprint(self.knowledge.knowledge_dir)
            if fingerprint == self._fingerprint:
                return False
            report = self.knowledge.reload()
            self._fingerprint = fingerprint
            for problem in report.skipped:
                log.warning("knowledge article skipped: %s", problem)
            return True

    def current(self) -> KnowledgeBase:
        if self._clock() - self._checked_at >= self._interval:
            try:
                self.refresh()
            except Exception:  # keep answering from the last good index
                log.exception("knowledge base reload failed; keeping the previous index")
        return self.knowledge

    def answer(self, question, profession=None, workplace=None):
        return self.current().answer(question, profession, workplace)

    def answer_article(self, slug: str):
        return self.current().answer_article(slug)
