"""Benchmark: the handoff's database work on the hot paths.

    .venv/bin/python benchmarks/handoff_service.py [--database-url URL]
        [--cases 200] [--messages 500]

Prints, per call (median and 95th percentile, milliseconds):
- intercept miss: a web chat message outside any handoff (one indexed lookup;
  this runs for EVERY web chat message);
- intercept hit: a message stored for the counsellor during a live handoff;
- queues: the console's poll of all queues with --cases cases open;
- case lines: the case page's poll for new lines;
- reply: a counsellor's reply stored (undelivered) for pushing;
- request: opening a live case (with its Teams notice in the outbox);
- sweep: one expire_waiting() pass over --cases waiting cases.

By default it runs on a fresh SQLite file and then on a throw-away PostgreSQL
server (tests/postgres.py; skipped without the server binaries). With
--database-url only that database is used (rows are added, not removed).
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable, List

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.db import make_engine, make_session_factory, upgrade_schema  # noqa: E402
from bot.handoff import AlwaysOpen, CounsellorDesk, HandoffConfig, HandoffService  # noqa: E402


def timed(fn: Callable[[], object], runs: int) -> List[float]:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def report(label: str, samples: List[float]) -> None:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    print(f"  {label:<28} median {statistics.median(ordered):7.2f} ms   p95 {p95:7.2f} ms   (n={len(ordered)})")


def run(url: str, cases: int, messages: int) -> None:
    upgrade_schema(url)
    engine = make_engine(url)
    factory = make_session_factory(engine)
    config = HandoffConfig(wait_minutes=3)
    service = HandoffService(factory, AlwaysOpen(), config)
    desk = CounsellorDesk(factory, config)
    desk.heartbeat("raadgiver-1", available=True)
    prefix = f"{time.time_ns():x}"[-8:]

    counter = iter(range(10**9))
    report("request (new live case)", timed(
        lambda: service.request_live(f"{prefix}r{next(counter):023d}", "webchat", consent=False), cases))
    live = service.request_live(f"{prefix}live{'0' * 20}", "webchat", consent=False)
    desk.take(live.case_number, "raadgiver-1")
    report("intercept miss", timed(
        lambda: service.record_employee_message(f"{prefix}nobody{'0' * 18}", "hej"), messages))
    report("intercept hit", timed(
        lambda: service.record_employee_message(f"{prefix}live{'0' * 20}", "en linje til rådgiveren"),
        messages))
    report(f"queues ({cases + 1} open cases)", timed(desk.queues, 50))
    report("case lines (new since last)", timed(
        lambda: desk.lines(live.case_number, "raadgiver-1", after_id=10**9), 200))
    report("reply", timed(lambda: desk.reply(live.case_number, "raadgiver-1", "svar"), 200))
    service._store.clock = time_shift  # noqa: SLF001 - every waiting case is now overdue
    report(f"sweep ({cases} waiting -> missed)", timed(service.expire_waiting, 1))
    engine.dispose()


def time_shift():
    from datetime import datetime, timedelta, timezone

    return datetime.now(timezone.utc) + timedelta(hours=1)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url")
    parser.add_argument("--cases", type=int, default=200)
    parser.add_argument("--messages", type=int, default=500)
    args = parser.parse_args(argv)
    if args.database_url:
        print(f"{args.database_url.split('@')[-1]}:")
        run(args.database_url, args.cases, args.messages)
        return 0
    with tempfile.TemporaryDirectory() as folder:
        print("SQLite (file, WAL):")
        run(f"sqlite:///{folder}/bench.db", args.cases, args.messages)
    try:
        from tests.postgres import PostgresUnavailable, TemporaryPostgres
    except ImportError:
        return 0
    try:
        with TemporaryPostgres("handoff_bench") as server:
            print("PostgreSQL (throw-away local server):")
            run(server.url, args.cases, args.messages)
    except PostgresUnavailable as error:
        print(f"PostgreSQL skipped: {error}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
