"""Delivery to a fake Teams webhook (a real HTTP server on loopback): retries
with back-off, exactly-once delivery, concurrent dispatchers, no webhook."""
from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from datetime import timedelta

from sqlalchemy import select

from bot.db import make_engine, make_session_factory, transaction
from bot.outbox import OutboxDispatcher, TeamsWebhookSender
from bot.outbox.clock import system_clock
from bot.outbox.fake_teams import FakeTeamsWebhook
from bot.outbox.models import OutboxMessage
from bot.outbox.store import claim_due

from .conftest import add_message


def message(session_factory, message_id):
    with transaction(session_factory) as session:
        return session.execute(select(OutboxMessage).where(OutboxMessage.id == message_id)).scalar_one()


def dispatcher(session_factory, url, clock, rng=None, **kwargs):
    return OutboxDispatcher(session_factory, TeamsWebhookSender(url, timeout=2.0), clock,
                            rng=rng, **kwargs)


def test_a_notice_is_delivered_once_teams_comes_back(session_factory, webhook, clock, rng):
    webhook.script(503, 503)
    message_id = add_message(session_factory)
    outbox = dispatcher(session_factory, webhook.url, clock, rng)

    first = outbox.deliver_due()
    assert (first.claimed, first.delivered, first.retrying) == (1, 0, 1)
    # Not due again until the back-off has passed.
    assert outbox.deliver_due().claimed == 0
    clock.advance(minutes=11)
    assert outbox.deliver_due().retrying == 1
    clock.advance(minutes=11)
    assert outbox.deliver_due().delivered == 1
    clock.advance(hours=1)
    assert outbox.deliver_due().claimed == 0

    assert [status for _, status in webhook.log] == [503, 503, 200]
    assert len(webhook.delivered()) == 1
    stored = message(session_factory, message_id)
    assert stored.delivered_at == clock.now.replace(tzinfo=None) - timedelta(hours=1)
    assert (stored.attempts, stored.last_error, stored.claimed_until) == (3, None, None)


def test_the_card_names_the_reference_and_holds_no_personal_data(session_factory, webhook, clock):
    add_message(session_factory, payload={"reference": "SP-2026-0042", "kind": "snusepraktik",
                                          "desired_specialty": "neonatal"})
    dispatcher(session_factory, webhook.url, clock).deliver_due()
    [body] = webhook.requests
    card = body["attachments"][0]
    assert card["contentType"] == "application/vnd.microsoft.card.adaptive"
    texts = [block["text"] for block in card["content"]["body"]]
    assert texts[0] == "Ny ansøgning SP-2026-0042"
    assert "neonatal" in texts[1] and "konsollen" in texts[1]


def test_failures_back_off_exponentially_with_jitter_up_to_the_cap(session_factory, clock, rng):
    outbox = OutboxDispatcher(session_factory, None, clock, rng=rng, base_delay=5, max_delay=600)
    delays = [outbox.backoff(n).total_seconds() for n in range(1, 15)]
    for attempt, delay in enumerate(delays, start=1):
        nominal = min(600, 5 * 2 ** (attempt - 1))
        assert nominal / 2 <= delay <= nominal
    assert max(delays) <= 600
    assert delays[-1] >= 300


def test_the_error_is_recorded_and_the_next_attempt_scheduled(session_factory, webhook, clock, rng):
    webhook.script(503)
    message_id = add_message(session_factory)
    dispatcher(session_factory, webhook.url, clock, rng, base_delay=5).deliver_due()
    stored = message(session_factory, message_id)
    assert "503" in stored.last_error
    assert stored.attempts == 1 and stored.delivered_at is None
    wait = stored.next_attempt_at - clock.now.replace(tzinfo=None)
    assert timedelta(seconds=2.5) <= wait <= timedelta(seconds=5)


def test_a_200_that_says_delivery_failed_is_retried(session_factory, clock, rng):
    body = "Webhook message delivery failed with error: Microsoft Teams endpoint returned HTTP error 429"
    with FakeTeamsWebhook(body=body) as hook:
        add_message(session_factory)
        report = dispatcher(session_factory, hook.url, clock, rng).deliver_due()
    assert (report.delivered, report.retrying) == (0, 1)


def test_a_slow_webhook_times_out_and_is_retried(session_factory, clock, rng):
    with FakeTeamsWebhook(delay_seconds=0.6) as hook:
        add_message(session_factory)
        outbox = OutboxDispatcher(session_factory, TeamsWebhookSender(hook.url, timeout=0.2),
                                  clock, rng=rng)
        report = outbox.deliver_due()
    assert (report.delivered, report.retrying) == (0, 1)
    assert "Timeout" in report.errors[0]


def test_an_unreachable_webhook_is_retried(session_factory, clock, rng):
    with FakeTeamsWebhook() as hook:
        url = hook.url
    add_message(session_factory)
    report = dispatcher(session_factory, url, clock, rng).deliver_due()
    assert report.retrying == 1


def test_the_dispatcher_gives_up_after_max_attempts(session_factory, clock, rng):
    with FakeTeamsWebhook(default_status=400) as hook:
        message_id = add_message(session_factory)
        outbox = dispatcher(session_factory, hook.url, clock, rng, max_attempts=3)
        for _ in range(5):
            outbox.deliver_due()
            clock.advance(minutes=11)
        assert len(hook.requests) == 3
    stored = message(session_factory, message_id)
    assert stored.failed_at is not None and stored.delivered_at is None


def test_without_a_webhook_notices_stay_stored_and_a_line_is_logged(session_factory, clock, caplog):
    message_id = add_message(session_factory)
    outbox = OutboxDispatcher(session_factory, None, clock)
    with caplog.at_level(logging.DEBUG, logger="bot.outbox.dispatcher"):
        for _ in range(3):
            assert outbox.deliver_due().claimed == 0
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "1 outbox message" in warnings[0].getMessage()
    stored = message(session_factory, message_id)
    assert (stored.attempts, stored.delivered_at, stored.last_error) == (0, None, None)


def test_a_claim_left_by_a_crashed_dispatcher_is_taken_over_after_the_lease(
        session_factory, webhook, clock):
    add_message(session_factory)
    with transaction(session_factory) as session:  # claimed, then the process "dies"
        assert len(claim_due(session, clock(), timedelta(seconds=120), 10)) == 1
    outbox = dispatcher(session_factory, webhook.url, clock, lease_seconds=120)
    assert outbox.deliver_due().claimed == 0
    clock.advance(seconds=121)
    assert outbox.deliver_due().delivered == 1
    assert len(webhook.requests) == 1


def test_a_batch_that_would_outlive_its_claim_gives_the_rest_back(session_factory, webhook, clock):
    for _ in range(3):
        add_message(session_factory)

    class SlowClock:
        """Each look at the clock moves it 40 seconds on."""

        def __call__(self):
            clock.advance(seconds=40)
            return clock.now

    outbox = OutboxDispatcher(session_factory, TeamsWebhookSender(webhook.url, timeout=2.0),
                              SlowClock(), lease_seconds=100)
    report = outbox.deliver_due()
    assert report.released >= 1 and report.delivered + report.released == 3
    assert outbox.deliver_due().claimed >= 1  # the released ones are due again at once


def run_dispatchers(db_url, url, count, stop_when, base_delay=0.01):
    """`count` dispatchers, each with its own engine (like separate replicas)."""
    engines = [make_engine(db_url) for _ in range(count)]
    stop = threading.Event()
    threads = []
    for engine in engines:
        outbox = OutboxDispatcher(make_session_factory(engine),
                                  TeamsWebhookSender(url, timeout=2.0), system_clock,
                                  base_delay=base_delay, max_delay=0.05)
        thread = threading.Thread(target=outbox.run_forever, args=(stop, 0.005, 5))
        thread.start()
        threads.append(thread)
    deadline = time.monotonic() + 20
    while not stop_when() and time.monotonic() < deadline:
        time.sleep(0.01)
    stop.set()
    for thread in threads:
        thread.join(timeout=10)
    for engine in engines:
        engine.dispose()


def test_two_concurrent_dispatchers_deliver_a_notice_exactly_once(db_url, session_factory,
                                                                 webhook):
    webhook.script(503, 503)
    add_message(session_factory, now=system_clock())
    run_dispatchers(db_url, webhook.url, 2, stop_when=lambda: webhook.delivered())
    time.sleep(0.1)  # give a duplicate the chance to show up
    assert [status for _, status in webhook.log] == [503, 503, 200]


def test_concurrent_dispatchers_deliver_many_notices_exactly_once_each(db_url, session_factory,
                                                                      webhook):
    webhook.script(503, 503, 503)
    ids = [add_message(session_factory, payload={"reference": f"SP-2026-{n:04d}"},
                       now=system_clock()) for n in range(1, 31)]
    run_dispatchers(db_url, webhook.url, 3, stop_when=lambda: len(webhook.delivered()) >= 30)
    time.sleep(0.1)
    titles = Counter(body["summary"] for body in webhook.delivered())
    assert sorted(titles) == sorted(f"Ny ansøgning SP-2026-{n:04d}" for n in range(1, 31))
    assert set(titles.values()) == {1}
    assert len(webhook.requests) == 33
    with transaction(session_factory) as session:
        delivered = session.execute(
            select(OutboxMessage.id).where(OutboxMessage.delivered_at.is_not(None))
        ).scalars().all()
    assert sorted(delivered) == ids


def test_run_forever_stops_when_asked(session_factory, webhook):
    from bot.outbox import start_dispatcher_thread

    add_message(session_factory, now=system_clock())
    outbox = OutboxDispatcher(session_factory, TeamsWebhookSender(webhook.url, timeout=2.0))
    thread, stop = start_dispatcher_thread(outbox, interval_seconds=0.01)
    deadline = time.monotonic() + 5
    while not webhook.delivered() and time.monotonic() < deadline:
        time.sleep(0.01)
    stop.set()
    thread.join(timeout=2)
    assert not thread.is_alive()
    assert len(webhook.delivered()) == 1


def test_run_forever_survives_a_broken_database(tmp_path, caplog):
    engine = make_engine(f"sqlite:///{tmp_path / 'no-schema.db'}")
    outbox = OutboxDispatcher(make_session_factory(engine), TeamsWebhookSender("http://127.0.0.1:9"))
    stop = threading.Event()
    thread = threading.Thread(target=outbox.run_forever, args=(stop, 0.01))
    with caplog.at_level(logging.ERROR, logger="bot.outbox.dispatcher"):
        thread.start()
        deadline = time.monotonic() + 5
        while len(caplog.records) < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
        stop.set()
        thread.join(timeout=2)
    assert not thread.is_alive()
    failures = [r for r in caplog.records if "delivery round failed" in r.getMessage()]
    assert len(failures) >= 2  # it kept going after the first failure
    engine.dispose()
