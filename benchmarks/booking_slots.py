"""Benchmark of the booking service.

1. Free-slot computation for 3 counsellors over the 8-week horizon with 500
   existing bookings: the pure computation, and the whole use case
   (BookingService.free_slots, SQLite query included). Median and p95.
2. Booking throughput under contention: N threads all trying to book the same
   free slots in the same order (the worst case: every slot is fought over and
   every loser gets alternatives computed), on SQLite (file, WAL) and on
   PostgreSQL when the server binaries are installed.

Run: .venv/bin/python benchmarks/booking_slots.py [--runs 200] [--threads 1,8,32]
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Callable, List, Tuple
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.booking import Booking, BookingService, SlotAlreadyTaken, load_booking_config  # noqa: E402
from bot.booking import repository  # noqa: E402
from bot.booking.codes import new_code  # noqa: E402
from bot.booking.schedule import BusyIndex, ClosedDays, free_slots  # noqa: E402
from bot.booking.when import parse_time_preference  # noqa: E402
from bot.db import make_engine, make_session_factory, transaction, upgrade_schema  # noqa: E402

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=ZoneInfo("Europe/Copenhagen")).astimezone(timezone.utc)
EXISTING = 500


def clock() -> datetime:
    return NOW


def timed(action: Callable[[], object], runs: int) -> Tuple[float, float]:
    """(median, p95) in milliseconds."""
    samples: List[float] = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return statistics.median(samples), samples[min(len(samples) - 1, int(len(samples) * 0.95))]


def seed_bookings(service: BookingService, session_factory, count: int) -> int:
    slots = service.free_slots()
    chosen = random.Random(42).sample(slots, min(count, len(slots)))
    with transaction(session_factory) as session:
        for slot in chosen:
            repository.insert_booking(
                session,
                Booking(new_code(), slot.counsellor_id, slot.starts_at, slot.ends_at, "teams", "andet", NOW),
            )
    return len(chosen)


def free_slot_figures(config, runs: int) -> None:
    with tempfile.TemporaryDirectory() as directory:
        url = f"sqlite:///{directory}/bench.db"
        upgrade_schema(url)
        engine = make_engine(url)
        factory = make_session_factory(engine)
        service = BookingService(factory, config, clock=clock, secret_key="bench")
        total_slots = len(service.free_slots())
        seeded = seed_bookings(service, factory, EXISTING)
        counsellors = list(config.counsellors)
        with transaction(factory) as session:
            bookings, blocks = repository.busy_intervals(
                session, [c.id for c in counsellors], NOW - timedelta(days=1), NOW + timedelta(weeks=9)
            )
        closed = ClosedDays(config)

        def pure() -> object:
            return free_slots(config, closed, BusyIndex(config, bookings, blocks), counsellors, NOW)

        remaining = len(pure())
        print(f"Grid: {total_slots} slots in 8 weeks for {len(counsellors)} counsellors; "
              f"{seeded} booked, {remaining} free")
        median, p95 = timed(pure, runs)
        print(f"free slots, pure computation:          median {median:6.2f} ms   p95 {p95:6.2f} ms")
        median, p95 = timed(lambda: service.free_slots(), runs)
        print(f"free slots, use case incl. SQLite:     median {median:6.2f} ms   p95 {p95:6.2f} ms")
        preference = parse_time_preference("en eftermiddag i næste uge", NOW)
        median, p95 = timed(lambda: service.free_slots(topic="specialeskift", preference=preference), runs)
        print(f"free slots, topic + preference:        median {median:6.2f} ms   p95 {p95:6.2f} ms")
        median, p95 = timed(lambda: parse_time_preference("på torsdag eftermiddag", NOW), runs)
        print(f"parse 'på torsdag eftermiddag':        median {median:6.2f} ms   p95 {p95:6.2f} ms")
        median, p95 = timed(lambda: parse_time_preference("mandag den 7. december", NOW), runs)
        print(f"parse 'mandag den 7. december':        median {median:6.2f} ms   p95 {p95:6.2f} ms")
        engine.dispose()


def contention(url: str, config, threads: int, attempts_per_thread: int) -> Tuple[float, float, int]:
    """(bookings/s, attempts/s, double bookings found) with `threads` fighting over the same slots."""
    upgrade_schema(url)
    engine = make_engine(url, pool_size=threads, max_overflow=threads)
    try:
        service = BookingService(make_session_factory(engine), config, clock=clock, secret_key="bench")
        targets = service.free_slots()[: attempts_per_thread]
        barrier = threading.Barrier(threads)
        won: List[Booking] = []
        attempts = [0]
        lock = threading.Lock()

        def worker() -> None:
            barrier.wait()
            for slot in targets:
                try:
                    booking = service.book(slot, "andet", "teams")
                    with lock:
                        won.append(booking)
                except SlotAlreadyTaken:
                    pass
                with lock:
                    attempts[0] += 1

        workers = [threading.Thread(target=worker) for _ in range(threads)]
        start = time.perf_counter()
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        elapsed = time.perf_counter() - start
        doubles = len(won) - len({(b.counsellor_id, b.starts_at) for b in won})
        return len(won) / elapsed, attempts[0] / elapsed, doubles + (len(won) != len(targets))
    finally:
        engine.dispose()


def parallel(url: str, config, threads: int, per_thread: int) -> float:
    """Bookings/s with `threads` each booking their own distinct slots (no losers)."""
    upgrade_schema(url)
    engine = make_engine(url, pool_size=threads, max_overflow=threads)
    try:
        service = BookingService(make_session_factory(engine), config, clock=clock, secret_key="bench")
        slots = service.free_slots()[: threads * per_thread]
        shares = [slots[i::threads] for i in range(threads)]
        barrier = threading.Barrier(threads)

        def worker(share) -> None:
            barrier.wait()
            for slot in share:
                service.book(slot, "andet", "teams")

        workers = [threading.Thread(target=worker, args=(share,)) for share in shares]
        start = time.perf_counter()
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        return len(slots) / (time.perf_counter() - start)
    finally:
        engine.dispose()


def throughput_figures(config, thread_counts: List[int], slots: int) -> None:
    print(f"\nContention: every thread tries the same {slots} slots in the same order")
    backends: List[Tuple[str, Callable[[str], str]]] = []
    directory = tempfile.mkdtemp()
    backends.append(("SQLite", lambda name: f"sqlite:///{directory}/{name}.db"))
    server = None
    try:
        from tests.postgres import PostgresUnavailable, TemporaryPostgres, create_database

        try:
            server = TemporaryPostgres().__enter__()
            backends.append(("PostgreSQL", lambda name: create_database(server.url, name)))
        except PostgresUnavailable as error:
            print(f"(PostgreSQL skipped: {error})")
        for backend, make_url in backends:
            for threads in thread_counts:
                booked, tried, problems = contention(make_url(f"c{threads}"), config, threads, slots)
                print(f"{backend:10} {threads:3d} threads: {booked:7.1f} bookings/s  "
                      f"{tried:8.1f} attempts/s  {'OK' if not problems else 'DOUBLE BOOKING!'}")
        print(f"\nNo contention: each thread books its own slots ({slots} in all)")
        for backend, make_url in backends:
            for threads in thread_counts:
                rate = parallel(make_url(f"p{threads}"), config, threads, max(1, slots // threads))
                print(f"{backend:10} {threads:3d} threads: {rate:7.1f} bookings/s")
    finally:
        if server is not None:
            server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--threads", default="1,8,32")
    parser.add_argument("--slots", type=int, default=60, help="slots fought over in the contention test")
    args = parser.parse_args()
    config = load_booking_config(ROOT / "config" / "counsellors.yml")
    free_slot_figures(config, args.runs)
    throughput_figures(config, [int(n) for n in args.threads.split(",")], args.slots)


if __name__ == "__main__":
    main()
