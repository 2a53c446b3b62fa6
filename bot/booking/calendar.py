"""Calendar files: one .ics event for the employee and a private feed per counsellor.

Neither holds anything about the employee: the event says when, how (Teams
link, phone number or office address), the topic and the booking code. The
event UID is derived from the code, so a moved or cancelled booking replaces
the same entry in the calendar (SEQUENCE counts the changes).

The counsellor feed sits behind a secret token: HMAC-SHA256 of the counsellor
id keyed with Settings.secret_key, checked in constant time. The Danish words
in the files come from the booking config (calendar/formats/topics).
"""
from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import datetime, timedelta, timezone
from typing import Iterable, Optional

from icalendar import Alarm, Calendar, Event

from bot.booking.config import BookingConfig, Counsellor
from bot.booking.domain import Booking

PRODID = "-//Region Hovedstaden//Karriereassistenten//DA"
UID_DOMAIN = "karriereassistenten"
_FEED_CONTEXT = b"booking-feed:"


def event_uid(code: str) -> str:
    """Stable, opaque UID for a booking: same code, same calendar entry."""
    digest = hashlib.sha256(f"booking:{code}".encode("ascii")).hexdigest()[:32]
    return f"{digest}@{UID_DOMAIN}"


def _fill(template: str, config: BookingConfig, counsellor: Counsellor) -> str:
    return template.format(
        teams_url=counsellor.teams_url, phone=counsellor.phone, address=config.office_address
    )


def _event(booking: Booking, config: BookingConfig, now: datetime, *, for_counsellor: bool) -> Event:
    counsellor = config.counsellor(booking.counsellor_id)
    fmt = config.formats[booking.format]
    texts = config.calendar
    topic = config.topics.get(booking.topic, booking.topic)
    event = Event()
    event.add("uid", event_uid(booking.code))
    event.add("dtstamp", now.astimezone(timezone.utc))
    event.add("created", booking.created_at.astimezone(timezone.utc))
    event.add("dtstart", booking.starts_at.astimezone(timezone.utc))
    event.add("dtend", booking.ends_at.astimezone(timezone.utc))
    event.add("sequence", booking.sequence)
    event.add("location", _fill(fmt.location, config, counsellor))
    lines = [
        f"{texts.topic_label}: {topic}",
        f"{texts.format_label}: {fmt.label}",
        f"{texts.code_label}: {booking.display_code}",
    ]
    if for_counsellor:
        event.add("summary", f"{texts.title}: {topic} ({fmt.label})")
    else:
        event.add("summary", f"{texts.title} – {counsellor.name}")
        lines.insert(0, _fill(fmt.instructions, config, counsellor))
        lines.insert(1, "")
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", texts.title)
        alarm.add("trigger", timedelta(minutes=-15))
        event.add_component(alarm)
    event.add("description", "\n".join(lines))
    if fmt.key == "teams":
        event.add("url", counsellor.teams_url)
    event.add("status", "CONFIRMED" if booking.is_active else "CANCELLED")
    event.add("transp", "OPAQUE")
    event.add("class", "PRIVATE" if for_counsellor else "PUBLIC")
    return event


def _calendar() -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    return calendar


def booking_ics(booking: Booking, config: BookingConfig, *, now: Optional[datetime] = None) -> bytes:
    """The employee's .ics file with one event (STATUS:CANCELLED once cancelled)."""
    calendar = _calendar()
    calendar.add("method", "PUBLISH")
    calendar.add_component(_event(booking, config, now or datetime.now(timezone.utc), for_counsellor=False))
    return calendar.to_ical()


def counsellor_feed_ics(
    counsellor_id: str,
    bookings: Iterable[Booking],
    config: BookingConfig,
    *,
    now: Optional[datetime] = None,
) -> bytes:
    """A subscribable feed of the counsellor's active bookings: topic, format, code."""
    counsellor = config.counsellor(counsellor_id)
    now = now or datetime.now(timezone.utc)
    calendar = _calendar()
    calendar.add("x-wr-calname", f"{config.calendar.title} – {counsellor.name}")
    calendar.add("x-wr-timezone", config.timezone)
    calendar.add("x-published-ttl", "PT15M")
    for booking in bookings:
        if booking.counsellor_id == counsellor_id and booking.is_active:
            calendar.add_component(_event(booking, config, now, for_counsellor=True))
    return calendar.to_ical()


# ------------------------------------------------------------------ tokens


def _secret(secret_key: Optional[str]) -> bytes:
    if secret_key is None:
        from bot.settings import Settings

        secret_key = Settings.from_env().secret_key
    if not secret_key:
        raise ValueError("secret_key must not be empty")
    return secret_key.encode("utf-8")


def feed_token(counsellor_id: str, secret_key: Optional[str] = None) -> str:
    """URL-safe secret for `counsellor_id`'s feed: HMAC-SHA256(secret_key, id).

    `secret_key` defaults to Settings.from_env().secret_key (KA_SECRET_KEY).
    Changing the secret key invalidates every feed link.
    """
    digest = hmac.new(_secret(secret_key), _FEED_CONTEXT + counsellor_id.encode("utf-8"), hashlib.sha256)
    return base64.urlsafe_b64encode(digest.digest()).rstrip(b"=").decode("ascii")


def check_feed_token(counsellor_id: str, token: str, secret_key: Optional[str] = None) -> bool:
    """Constant-time check of a feed token taken from a URL."""
    if not isinstance(token, str):
        return False
    expected = feed_token(counsellor_id, secret_key).encode("ascii")
    return hmac.compare_digest(expected, token.encode("utf-8", "replace"))
