"""Calendar downloads (.ics) on the Rasa server, at /kalender.

Rasa 3.6 has no other plug-in point for routes on its server, so this is an
input "channel" that never receives messages; like bot.channels.webchat it
mounts its blueprint at an absolute prefix:

- GET /kalender/booking/<code>.ics: the employee's event for one booking (the
  link the assistant gives after booking). Holds time, place, topic and code,
  nothing about the employee; a cancelled booking gives STATUS:CANCELLED.
- GET /kalender/raadgiver/<counsellor_id>/<token>.ics: a counsellor's private
  feed. The token (HMAC of the id, see bot.booking.calendar) is checked in
  constant time; without a valid token nothing is listed.

Unknown codes, unknown counsellors and wrong tokens all get the same 404.

credentials.yml: `bot.channels.calendar_files.CalendarFilesInput: {}`
"""
from __future__ import annotations

import asyncio
import logging
import threading
from typing import Any, Awaitable, Callable, Optional, Text

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.booking import BookingError, BookingService, load_booking_config
from bot.db import DatabaseUnavailable, make_engine, make_session_factory
from bot.settings import Settings

logger = logging.getLogger(__name__)

URL_PREFIX = "/kalender"
SUFFIX = ".ics"
# The only Danish here: a browser shows these bodies to a person.
NOT_FOUND = "Kalenderfilen findes ikke. Tjek linket, eller spørg assistenten igen."
UNAVAILABLE = "Kalenderen kan ikke hentes lige nu. Prøv igen om lidt."

_HEADERS = {
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


def _text(body: str, status: int) -> HTTPResponse:
    return response.text(body, status=status, headers=dict(_HEADERS))


def _ics(body: bytes, filename: str, *, download: bool) -> HTTPResponse:
    disposition = "attachment" if download else "inline"
    headers = dict(_HEADERS, **{"Content-Disposition": f'{disposition}; filename="{filename}"'})
    return response.raw(body, status=200, headers=headers, content_type="text/calendar; charset=utf-8")


def _strip_suffix(name: str) -> Optional[str]:
    return name[: -len(SUFFIX)] if name.endswith(SUFFIX) and len(name) > len(SUFFIX) else None


def booking_file(service: BookingService, filename: str) -> HTTPResponse:
    """The response for /kalender/booking/<filename>."""
    code = _strip_suffix(filename)
    if code is None:
        return _text(NOT_FOUND, 404)
    try:
        body = service.booking_ics(code)
    except BookingError:  # malformed or unknown code
        return _text(NOT_FOUND, 404)
    except DatabaseUnavailable:
        logger.warning("calendar file: database unavailable")
        return _text(UNAVAILABLE, 503)
    return _ics(body, "karrieresamtale.ics", download=True)


def counsellor_feed(service: BookingService, counsellor_id: str, filename: str) -> HTTPResponse:
    """The response for /kalender/raadgiver/<counsellor_id>/<filename>."""
    token = _strip_suffix(filename)
    if token is None or not service.check_feed_token(counsellor_id, token):
        return _text(NOT_FOUND, 404)
    try:
        body = service.counsellor_feed_ics(counsellor_id)
    except BookingError:
        return _text(NOT_FOUND, 404)
    except DatabaseUnavailable:
        logger.warning("counsellor feed: database unavailable")
        return _text(UNAVAILABLE, 503)
    return _ics(body, f"{counsellor_id}.ics", download=False)


class CalendarFilesInput(InputChannel):
    """Serves the .ics files; receives no messages."""

    def __init__(self, service: Optional[BookingService] = None) -> None:
        self._service = service
        self._lock = threading.Lock()

    @classmethod
    def name(cls) -> Text:
        return "calendar"

    def url_prefix(self) -> Text:
        # Absolute, so Rasa mounts it at /kalender instead of /webhooks/calendar.
        return URL_PREFIX

    def service(self) -> BookingService:
        """Built on first request from Settings (nothing connects at start-up)."""
        with self._lock:
            if self._service is None:
                settings = Settings.from_env()
                self._service = BookingService(
                    make_session_factory(make_engine(settings.database_url)),
                    load_booking_config(settings.booking_config),
                    secret_key=settings.secret_key,
                )
            return self._service

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        files = Blueprint("calendar_files", __name__)

        @files.route("/booking/<filename:str>", methods=["GET"])
        async def booking(_: Request, filename: str) -> HTTPResponse:
            # Database work off the event loop that also serves the chat.
            return await asyncio.to_thread(booking_file, self.service(), filename)

        @files.route("/raadgiver/<counsellor_id:str>/<filename:str>", methods=["GET"])
        async def feed(_: Request, counsellor_id: str, filename: str) -> HTTPResponse:
            return await asyncio.to_thread(counsellor_feed, self.service(), counsellor_id, filename)

        return files
