"""Benchmark: submitting an application, and delivering outbox notices to a
fake Teams webhook on loopback.

    .venv/bin/python benchmarks/outbox_delivery.py [--database-url URL]
        [--submits 200] [--messages 300] [--webhook-delay 0.0] [--interval 0.5]

Prints
- submit time: ApplicationService.submit (validation, reference, row, audit
  row and outbox notice in one transaction), per call;
- throughput: notices per second delivered by 1 and 2 dispatchers draining a
  backlog (deliver_due batches, sequential HTTP posts per dispatcher);
- latency: from the commit of a submission to the webhook receiving the card,
  with the background dispatcher (run_forever) polling every --interval s.

By default it runs on a fresh SQLite file and then on a throw-away PostgreSQL
server (tests/postgres.py; skipped without the server binaries). With
--database-url only that database is used: the benchmark runs the migrations
there and adds rows (it does not clean up).
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Dict, List

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import update  # noqa: E402

from bot.applications import ApplicationDraft, ApplicationService  # noqa: E402
from bot.db import make_engine, make_session_factory, transaction, upgrade_schema  # noqa: E402
from bot.outbox import OutboxDispatcher, TeamsWebhookSender, enqueue  # noqa: E402
from bot.outbox.fake_teams import FakeTeamsWebhook  # noqa: E402
from bot.outbox.models import OutboxMessage  # noqa: E402
from bot.settings import Settings  # noqa: E402

DRAFT = ApplicationDraft(
    kind="snusepraktik", profession="sygeplejerske", current_workplace="HGH",
    current_department="Kardiologisk afdeling", years_in_specialty=3.0,
    desired_specialty="neonatal", desired_department="Neonatalklinikken", desired_workplace="RH",
    period_start=date(2099, 9, 7), period_end=date(2099, 9, 11), period_text="uge 37",
    motivation="Benchmark " * 50, name="Bench Mark", email="bench.mark@regionh.dk", consent=True,
)


def percentile(values: List[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def describe(label: str, seconds: List[float]) -> None:
    ms = [s * 1000 for s in seconds]
    print(f"  {label:<34} n={len(ms):<5} mean {statistics.mean(ms):7.2f} ms   "
          f"p50 {percentile(ms, 0.5):7.2f} ms   p95 {percentile(ms, 0.95):7.2f} ms   "
          f"max {max(ms):7.2f} ms")


def bench_submit(service: ApplicationService, count: int) -> None:
    service.submit(DRAFT)  # warm-up (vocabulary, statement caches)
    timings = []
    for _ in range(count):
        started = time.perf_counter()
        service.submit(DRAFT)
        timings.append(time.perf_counter() - started)
    describe("submit()", timings)


def set_aside_submit_notices(session_factory) -> None:
    """Mark the submit run's notices delivered so the backlog is exactly --messages."""
    with transaction(session_factory) as session:
        session.execute(update(OutboxMessage).where(OutboxMessage.delivered_at.is_(None))
                        .values(delivered_at=OutboxMessage.created_at))


def drain(session_factory, url: str, dispatchers: int, messages: int) -> float:
    with transaction(session_factory) as session:
        for n in range(messages):
            enqueue(session, "application.submitted",
                    {"reference": f"SP-2099-{n:04d}", "kind": "snusepraktik",
                     "desired_specialty": "neonatal"})
    sender = TeamsWebhookSender(url, timeout=5.0)
    outboxes = [OutboxDispatcher(session_factory, sender) for _ in range(dispatchers)]
    counts = [0] * dispatchers
    deadline = time.monotonic() + 120

    def work(index: int) -> None:
        while sum(counts) < messages and time.monotonic() < deadline:
            counts[index] += outboxes[index].deliver_due(limit=20).delivered

    started = time.perf_counter()
    threads = [threading.Thread(target=work, args=(i,)) for i in range(dispatchers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    assert sum(counts) == messages, (counts, messages)
    return elapsed


def bench_latency(service: ApplicationService, session_factory, hook: FakeTeamsWebhook,
                  count: int, interval: float) -> None:
    outbox = OutboxDispatcher(session_factory, TeamsWebhookSender(hook.url, timeout=5.0))
    stop = threading.Event()
    thread = threading.Thread(target=outbox.run_forever, args=(stop, interval), daemon=True)
    thread.start()
    committed: Dict[str, float] = {}
    first_request = len(hook.requests)
    for _ in range(count):
        reference = service.submit(DRAFT).reference
        committed[reference] = time.monotonic()
        time.sleep(interval / 3)  # submissions spread over time, not a burst
    deadline = time.monotonic() + 30
    while len(hook.requests) - first_request < count and time.monotonic() < deadline:
        time.sleep(0.01)
    stop.set()
    thread.join(timeout=10)
    latencies = []
    for body, (received, _status) in zip(hook.requests[first_request:], hook.log[first_request:]):
        reference = body["summary"].rsplit(" ", 1)[-1]
        latencies.append(received - committed[reference])
    describe(f"commit -> webhook (poll {interval:g}s)", latencies)


def run(url: str, args: argparse.Namespace, tmp: str) -> None:
    upgrade_schema(url)
    engine = make_engine(url)
    session_factory = make_session_factory(engine)
    settings = replace(Settings.from_env({"KA_VAR_DIR": tmp}), database_url=url)
    service = ApplicationService(session_factory, settings)
    print(f"\ndatabase: {engine.dialect.name}; fake webhook delay {args.webhook_delay:g}s")
    print("submit")
    bench_submit(service, args.submits)
    with FakeTeamsWebhook(delay_seconds=args.webhook_delay) as hook:
        set_aside_submit_notices(session_factory)
        print("throughput (draining a backlog)")
        for dispatchers in (1, 2):
            elapsed = drain(session_factory, hook.url, dispatchers, args.messages)
            print(f"  {dispatchers} dispatcher(s): {args.messages} notices in {elapsed:.2f} s "
                  f"= {args.messages / elapsed:.0f} notices/s")
        print("latency (background dispatcher)")
        bench_latency(service, session_factory, hook, args.latency_samples, args.interval)
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", help="benchmark this database only")
    parser.add_argument("--submits", type=int, default=200)
    parser.add_argument("--messages", type=int, default=300)
    parser.add_argument("--latency-samples", type=int, default=30)
    parser.add_argument("--webhook-delay", type=float, default=0.0,
                        help="seconds the fake webhook takes per request")
    parser.add_argument("--interval", type=float, default=0.5,
                        help="run_forever polling interval for the latency run")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        if args.database_url:
            run(args.database_url, args, tmp)
            return
        run(f"sqlite:///{Path(tmp) / 'bench.db'}", args, tmp)
        from tests.postgres import PostgresUnavailable, TemporaryPostgres

        try:
            with TemporaryPostgres("outbox_bench") as server:
                run(server.url, args, tmp)
        except PostgresUnavailable as error:
            print(f"\nPostgreSQL skipped: {error}")


if __name__ == "__main__":
    main()
