"""Many employees try to book the same time at the same moment: exactly one
wins, every other gets SlotAlreadyTaken with alternatives. Run on SQLite (file,
WAL) and on a real PostgreSQL server."""
from __future__ import annotations

import threading
from datetime import timedelta
from typing import Callable, List


from bot.booking import Booking, BookingService, SlotAlreadyTaken
from bot.db import make_engine, make_session_factory, upgrade_schema
from tests.booking.conftest import FakeClock, local
from tests.booking.test_service import TUESDAY_10, slot
from tests.postgres import create_database

THREADS = 32


def all_at_once(count: int, action: Callable[[int], object]) -> List[object]:
    """Run action(i) in `count` threads released together; results or exceptions."""
    barrier = threading.Barrier(count)
    results: List[object] = [None] * count

    def run(index: int) -> None:
        barrier.wait()
        try:
            results[index] = action(index)
        except Exception as error:  # noqa: BLE001 - collected and asserted on
            results[index] = error

    workers = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    assert not any(worker.is_alive() for worker in workers), "a booking thread hung"
    return results


def assert_one_winner(results: List[object]) -> Booking:
    winners = [r for r in results if isinstance(r, Booking)]
    losers = [r for r in results if isinstance(r, SlotAlreadyTaken)]
    unexpected = [r for r in results if not isinstance(r, (Booking, SlotAlreadyTaken))]
    assert unexpected == [], unexpected[:3]
    assert len(winners) == 1 and len(losers) == len(results) - 1
    for loser in losers:
        assert loser.alternatives and TUESDAY_10 not in loser.alternatives
    return winners[0]


def race(url: str, booking_config) -> None:
    upgrade_schema(url)
    engine = make_engine(url, pool_size=THREADS, max_overflow=THREADS)
    try:
        service = BookingService(make_session_factory(engine), booking_config, clock=FakeClock(), secret_key="x")

        winner = assert_one_winner(all_at_once(THREADS, lambda i: service.book(TUESDAY_10, "andet", "teams")))
        assert [b.code for b in service.list_bookings("raadgiver-1", day=TUESDAY_10.starts_at.date())] == [winner.code]

        # Moving many bookings to one time at once: one moves, the others stay put.
        movers = [
            service.book(slot("raadgiver-1", local(2026, 11, 25, 9) + timedelta(days=7 * w, hours=h)), "andet", "teams")
            for w in range(2) for h in range(4)
        ]
        target = slot("raadgiver-1", local(2026, 11, 24, 13))
        results = all_at_once(len(movers), lambda i: service.reschedule(movers[i].code, target))
        moved = [r for r in results if isinstance(r, Booking)]
        assert len(moved) == 1 and all(isinstance(r, SlotAlreadyTaken) for r in results if r not in moved)
        for booking in movers:
            if booking.code != moved[0].code:
                assert service.find(booking.code).starts_at == booking.starts_at
        assert len(service.list_bookings("raadgiver-1", day=target.starts_at.date())) == 2
    finally:
        engine.dispose()


def test_exactly_one_of_32_simultaneous_bookings_wins_on_sqlite(tmp_path, booking_config):
    race(f"sqlite:///{tmp_path / 'race.db'}", booking_config)


def test_exactly_one_of_32_simultaneous_bookings_wins_on_postgresql(postgres_url, booking_config):
    race(create_database(postgres_url, "booking_race"), booking_config)
