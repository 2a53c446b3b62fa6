"""Delivers outbox messages: claim due ones, send, mark delivered or back off.

Delivery guarantee: in normal operation every message is sent exactly once,
because a message is claimed atomically by one dispatcher before it is sent
and marked delivered right after. The edge is at-least-once: if the process
dies (or the database is unreachable) between a successful send and the
mark, the claim expires after `lease_seconds` and the message is sent again.
A receiver that must never see a duplicate can de-duplicate on the message id
(sent as `outbox_id` in the payload handed to the sender).

Failures (non-2xx, timeouts, connection errors) are retried with exponential
back-off and jitter (base_delay * 2^(attempt-1), capped at max_delay, then
scaled by a random factor in [0.5, 1]); after max_attempts the message is
marked failed and left in the table for inspection.
"""
from __future__ import annotations

import logging
import random
import threading
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Dict, List, Mapping, Optional, Protocol, Tuple

from sqlalchemy.orm import sessionmaker

from bot.db import transaction
from bot.outbox import store
from bot.outbox.clock import Clock, from_db, system_clock

log = logging.getLogger(__name__)


class DeliveryError(Exception):
    """The receiver did not accept the message; it will be retried."""


class Sender(Protocol):
    """Sends one message to its receiver; raises DeliveryError when not accepted."""

    def send(self, kind: str, payload: Mapping[str, Any]) -> None: ...


@dataclass
class DeliveryReport:
    claimed: int = 0
    delivered: int = 0
    retrying: int = 0
    gave_up: int = 0
    released: int = 0
    errors: List[str] = field(default_factory=list)


class OutboxDispatcher:
    """Claims due messages and hands them to `sender`.

    `sender=None` (no webhook configured) leaves every message stored and
    undelivered; deliver_due then only logs that it is waiting.
    """

    def __init__(
        self,
        session_factory: sessionmaker,
        sender: Optional[Sender],
        clock: Clock = system_clock,
        *,
        lease_seconds: float = 120.0,
        base_delay: float = 5.0,
        max_delay: float = 600.0,
        max_attempts: int = 150,
        rng: Optional[random.Random] = None,
    ) -> None:
        self._session_factory = session_factory
        self._sender = sender
        self._clock = clock
        self._lease = timedelta(seconds=lease_seconds)
        self._base_delay = base_delay
        self._max_delay = max_delay
        self._max_attempts = max_attempts
        self._rng = rng or random.Random()
        # Do not start a send that could outlive the claim.
        self._send_margin = timedelta(seconds=float(getattr(sender, "timeout", 10.0)) + 5.0)
        self._warned_unconfigured = False

    def backoff(self, attempts: int) -> timedelta:
        """Delay before the next try after `attempts` failed tries (jittered)."""
        delay = min(self._max_delay, self._base_delay * (2 ** max(attempts - 1, 0)))
        return timedelta(seconds=delay * (0.5 + self._rng.random() / 2))

    def deliver_due(self, limit: int = 20) -> DeliveryReport:
        """Deliver up to `limit` due messages; never raises for a failed send."""
        report = DeliveryReport()
        if self._sender is None:
            self._log_unconfigured()
            return report
        with transaction(self._session_factory) as session:
            claimed = store.claim_due(session, self._clock(), self._lease, limit)
        report.claimed = len(claimed)
        for index, message in enumerate(claimed):
            if self._clock() + self._send_margin >= from_db(message.claimed_until):
                with transaction(self._session_factory) as session:
                    store.release(session, claimed[index:])
                report.released = len(claimed) - index
                break
            self._deliver_one(message, report)
        return report

    def _deliver_one(self, message: store.ClaimedMessage, report: DeliveryReport) -> None:
        payload: Dict[str, Any] = dict(message.payload, outbox_id=message.id)
        try:
            self._sender.send(message.kind, payload)  # type: ignore[union-attr]
        except Exception as exc:  # noqa: BLE001 - any failure is retried, never fatal
            error = str(exc) if isinstance(exc, DeliveryError) else f"{type(exc).__name__}: {exc}"
            attempts = message.attempts + 1
            now = self._clock()
            retry_at = None if attempts >= self._max_attempts else now + self.backoff(attempts)
            with transaction(self._session_factory) as session:
                store.mark_failed(session, message, error, retry_at, now)
            if retry_at is None:
                report.gave_up += 1
                log.error("Outbox message %s (%s) failed %s times; giving up: %s",
                          message.id, message.kind, attempts, error)
            else:
                report.retrying += 1
                log.warning("Outbox message %s (%s) not delivered (attempt %s): %s; retry at %s",
                            message.id, message.kind, attempts, error, retry_at.isoformat())
            report.errors.append(error)
            return
        with transaction(self._session_factory) as session:
            store.mark_delivered(session, message.id, self._clock())
        report.delivered += 1

    def _log_unconfigured(self) -> None:
        with transaction(self._session_factory) as session:
            pending = store.counts(session)["pending"]
        level = logging.DEBUG if self._warned_unconfigured else logging.WARNING
        log.log(level, "No Teams webhook URL configured (KA_TEAMS_WEBHOOK_URL); "
                "%s outbox message(s) stay stored and undelivered", pending)
        self._warned_unconfigured = True

    def run_forever(self, stop_event: threading.Event, interval_seconds: float = 5.0,
                    limit: int = 20) -> None:
        """Deliver until `stop_event` is set: for a background thread.

        A full batch is followed at once by the next; errors (e.g. the
        database being away) are logged and the loop waits one interval.
        """
        log.info("Outbox dispatcher started (every %.1fs)", interval_seconds)
        while not stop_event.is_set():
            try:
                report = self.deliver_due(limit)
            except Exception:  # noqa: BLE001 - keep the thread alive
                log.exception("Outbox delivery round failed; retrying in %.1fs", interval_seconds)
                report = DeliveryReport()
            if report.claimed < limit or report.released:
                stop_event.wait(interval_seconds)
        log.info("Outbox dispatcher stopped")


def start_dispatcher_thread(dispatcher: OutboxDispatcher, interval_seconds: float = 5.0,
                            limit: int = 20) -> Tuple[threading.Thread, threading.Event]:
    """Start run_forever in a daemon thread; set the returned event to stop it."""
    stop_event = threading.Event()
    thread = threading.Thread(
        target=dispatcher.run_forever, args=(stop_event, interval_seconds, limit),
        name="outbox-dispatcher", daemon=True,
    )
    thread.start()
    return thread, stop_event
