"""The .ics downloads at /kalender: the employee's booking file and the
counsellors' private feeds, served by a real Sanic app on loopback with a
real (migrated SQLite) booking service."""
from __future__ import annotations

import asyncio
import shutil
import socket
from pathlib import Path

import aiohttp
import pytest
from sanic import Sanic

from bot.booking import BookingService, load_booking_config
from bot.channels.calendar_files import CalendarFilesInput, booking_file, counsellor_feed
from bot.db import DatabaseUnavailable, make_engine, make_session_factory, upgrade_schema
from bot.settings import PROJECT_ROOT
from tests.booking.conftest import FakeClock

SECRET = "feed-secret"


@pytest.fixture(scope="module")
def template_db(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("calendar-files") / "template.db"
    upgrade_schema(f"sqlite:///{path}")
    return path


@pytest.fixture
def service(tmp_path, template_db):
    path = tmp_path / "karriere.db"
    shutil.copy(template_db, path)
    engine = make_engine(f"sqlite:///{path}")
    config = load_booking_config(PROJECT_ROOT / "config" / "counsellors.yml")
    yield BookingService(make_session_factory(engine), config, clock=FakeClock(), secret_key=SECRET)
    engine.dispose()


def get_all(service, paths):
    """GET each path from a real Sanic app serving the channel's blueprint."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    # Several Sanic apps in one test process need Sanic's test mode (as
    # sanic-testing and tests/teams set it).
    Sanic.test_mode = True
    app = Sanic(f"calendar-test-{port}", configure_logging=False)
    channel = CalendarFilesInput(service)
    app.blueprint(channel.blueprint(lambda message: None), url_prefix=channel.url_prefix())

    async def scenario():
        server = await app.create_server(host="127.0.0.1", port=port, return_asyncio_server=True,
                                         access_log=False)
        await server.startup()
        await server.before_start()
        await server.after_start()
        try:
            results = []
            async with aiohttp.ClientSession() as session:
                for path in paths:
                    async with session.get(f"http://127.0.0.1:{port}{path}") as response:
                        results.append((response.status, dict(response.headers), await response.read()))
            return results
        finally:
            await server.before_stop()
            server.close()
            await server.wait_closed()
            await server.after_stop()

    return asyncio.run(scenario())


def test_files_and_feeds_are_served_only_for_real_codes_and_valid_tokens(service):
    booking = service.book(service.free_slots(limit=1)[0], "ledelse", "teams")
    token = service.feed_token(booking.counsellor_id)
    other = "raadgiver-1" if booking.counsellor_id != "raadgiver-1" else "raadgiver-3"
    results = get_all(service, [
        f"/kalender/booking/{booking.code}.ics",
        f"/kalender/raadgiver/{booking.counsellor_id}/{token}.ics",
        "/kalender/booking/K7MQ4XTR.ics",  # well-formed, unknown
        "/kalender/booking/not-a-code.ics",
        f"/kalender/booking/{booking.code}",  # no .ics
        f"/kalender/raadgiver/{booking.counsellor_id}/wrong-token.ics",
        f"/kalender/raadgiver/{booking.counsellor_id}/{service.feed_token(other)}.ics",  # another's token
        f"/kalender/raadgiver/raadgiver-9/{token}.ics",
        f"/kalender/raadgiver/{booking.counsellor_id}/.ics",
    ])
    (status, headers, body), (feed_status, feed_headers, feed) = results[:2]
    assert status == 200 and headers["Content-Type"].startswith("text/calendar")
    assert "attachment" in headers["Content-Disposition"] and headers["Cache-Control"] == "no-store"
    assert b"BEGIN:VEVENT" in body and booking.display_code.encode() in body
    assert feed_status == 200 and feed.count(b"BEGIN:VEVENT") == 1
    assert feed_headers["Referrer-Policy"] == "no-referrer"
    refused = results[2:]
    assert [status for status, _, _ in refused] == [404] * len(refused)
    bodies = {body for _, _, body in refused}
    assert len(bodies) == 1 and b"BEGIN:VCALENDAR" not in bodies.pop()


def test_a_cancelled_booking_still_downloads_marked_as_cancelled(service):
    booking = service.book(service.free_slots(limit=1)[0], "andet", "telefon")
    service.cancel(booking.code)
    response = booking_file(service, f"{booking.code.lower()}.ics")
    assert response.status == 200 and b"STATUS:CANCELLED" in response.body


def test_the_feed_checks_the_token_before_touching_any_booking(service):
    calls = []

    class Spy:
        def check_feed_token(self, counsellor_id, token):
            calls.append("check")
            return service.check_feed_token(counsellor_id, token)

        def counsellor_feed_ics(self, counsellor_id):
            calls.append("feed")
            return service.counsellor_feed_ics(counsellor_id)

    assert counsellor_feed(Spy(), "raadgiver-1", "guess.ics").status == 404
    assert calls == ["check"]
    assert counsellor_feed(Spy(), "raadgiver-1", f"{service.feed_token('raadgiver-1')}.ics").status == 200
    assert calls == ["check", "check", "feed"]


def test_a_database_outage_gives_503_not_a_stack_trace(service):
    class Down:
        def booking_ics(self, code):
            raise DatabaseUnavailable("connection refused")

        def check_feed_token(self, counsellor_id, token):
            return True

        def counsellor_feed_ics(self, counsellor_id):
            raise DatabaseUnavailable("connection refused")

    for response in (booking_file(Down(), "K7MQ4XTR.ics"), counsellor_feed(Down(), "raadgiver-1", "t.ics")):
        assert response.status == 503
        assert "Traceback" not in response.body.decode()


def test_the_channel_mounts_at_an_absolute_prefix_and_builds_no_service_up_front(monkeypatch):
    monkeypatch.setenv("KA_DATABASE_URL", "sqlite:////nonexistent-dir/never-opened.db")
    channel = CalendarFilesInput.from_credentials({})
    assert channel.url_prefix() == "/kalender" and channel.name() == "calendar"
    channel.blueprint(lambda message: None)
    assert channel._service is None
