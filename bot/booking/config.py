"""Loads and validates config/counsellors.yml into a frozen BookingConfig.

A bad file fails at start-up with BookingConfigError naming the file and the
exact place ("counsellors[1].hours.mandag[0]: ..."), never later mid-conversation.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, time
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Tuple, Union
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from bot.booking.domain import FORMATS, TOPICS, UnknownChoice

_WEEKDAY_KEYS: Dict[str, int] = {
    "mandag": 0, "tirsdag": 1, "onsdag": 2, "torsdag": 3, "fredag": 4, "lørdag": 5, "søndag": 6,
    "monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5,
    "sunday": 6,
}
_INTERVAL = re.compile(r"^\s*(\d{1,2})(?:[:.](\d{2}))?\s*-\s*(\d{1,2})(?:[:.](\d{2}))?\s*$")
_CLOCK = re.compile(r"^\s*(\d{1,2})(?:[:.](\d{2}))?\s*$")
_MONTH_DAY = re.compile(r"^(\d{2})-(\d{2})$")
_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")
_PLACEHOLDERS = {"teams_url", "phone", "address"}


class BookingConfigError(ValueError):
    """The booking configuration file is missing, unreadable or invalid."""


@dataclass(frozen=True)
class FormatInfo:
    key: str
    label: str
    location: str  # template with {teams_url}, {phone}, {address}
    instructions: str  # same placeholders


@dataclass(frozen=True)
class CalendarTexts:
    title: str
    code_label: str
    topic_label: str
    format_label: str


@dataclass(frozen=True)
class Counsellor:
    id: str
    name: str
    focus: Tuple[str, ...]
    formats: Tuple[str, ...]
    phone: str
    teams_url: str
    # weekday (0 = Monday) -> working intervals as (start, end) local times
    hours: Mapping[int, Tuple[Tuple[time, time], ...]]


@dataclass(frozen=True)
class BookingConfig:
    session_minutes: int
    buffer_minutes: int
    lead_time_hours: float
    horizon_weeks: int
    timezone: str
    holidays_country: str
    closed_every_year: Tuple[Tuple[int, int], ...]  # (month, day)
    closed_dates: frozenset
    afternoon_starts: time
    office_address: str
    topics: Mapping[str, str]  # key -> label
    formats: Mapping[str, FormatInfo]
    calendar: CalendarTexts
    counsellors: Tuple[Counsellor, ...]

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def step_minutes(self) -> int:
        """Distance between slot starts: a session plus the pause after it."""
        return self.session_minutes + self.buffer_minutes

    def counsellor(self, counsellor_id: str) -> Counsellor:
        for counsellor in self.counsellors:
            if counsellor.id == counsellor_id:
                return counsellor
        raise UnknownChoice("counsellor", counsellor_id, tuple(c.id for c in self.counsellors))

    def counsellors_for(self, topic: Optional[str] = None, format: Optional[str] = None) -> Tuple[Counsellor, ...]:
        """Counsellors whose focus includes `topic` and who offer `format` (None = any)."""
        if topic is not None and topic not in self.topics:
            raise UnknownChoice("topic", topic, tuple(self.topics))
        if format is not None and format not in self.formats:
            raise UnknownChoice("format", format, tuple(self.formats))
        return tuple(
            c for c in self.counsellors
            if (topic is None or topic in c.focus) and (format is None or format in c.formats)
        )


def load_booking_config(path: Union[str, Path]) -> BookingConfig:
    """Read and validate the YAML file at `path`."""
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise BookingConfigError(f"{path}: cannot read booking config: {error}") from error
    except yaml.YAMLError as error:
        raise BookingConfigError(f"{path}: not valid YAML: {error}") from error
    try:
        return parse_booking_config(raw)
    except BookingConfigError as error:
        raise BookingConfigError(f"{path}: {error}") from None


def parse_booking_config(raw: Any) -> BookingConfig:
    """Validate an already-loaded mapping (used by tests and load_booking_config)."""
    root = _mapping(raw, "top level", {"settings", "office", "topics", "formats", "calendar", "counsellors"})
    settings = _mapping(root.get("settings"), "settings", {
        "session_minutes", "buffer_minutes", "lead_time_hours", "horizon_weeks", "timezone",
        "holidays_country", "closed_every_year", "closed_dates", "afternoon_starts",
    })
    session = _int(settings, "session_minutes", "settings", minimum=5)
    buffer = _int(settings, "buffer_minutes", "settings", minimum=0)
    lead = settings.get("lead_time_hours")
    if not isinstance(lead, (int, float)) or isinstance(lead, bool) or lead < 0:
        raise BookingConfigError("settings.lead_time_hours: must be a number >= 0")
    horizon = _int(settings, "horizon_weeks", "settings", minimum=1)
    timezone = _str(settings, "timezone", "settings")
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise BookingConfigError(f"settings.timezone: unknown time zone {timezone!r}") from None
    country = str(settings.get("holidays_country", "DK"))
    try:
        import holidays

        holidays.country_holidays(country, years=2026)
    except NotImplementedError:
        raise BookingConfigError(f"settings.holidays_country: unknown country {country!r}") from None
    closed_every_year = tuple(
        _month_day(value, f"settings.closed_every_year[{i}]")
        for i, value in enumerate(_list(settings.get("closed_every_year", []), "settings.closed_every_year"))
    )
    closed_dates = frozenset(
        _iso_date(value, f"settings.closed_dates[{i}]")
        for i, value in enumerate(_list(settings.get("closed_dates", []), "settings.closed_dates"))
    )
    afternoon = _clock(settings.get("afternoon_starts", "12:00"), "settings.afternoon_starts")

    office = _mapping(root.get("office"), "office", {"address"})
    address = _str(office, "address", "office")

    topics_raw = _mapping(root.get("topics"), "topics", set(TOPICS))
    missing = [t for t in TOPICS if t not in topics_raw]
    if missing:
        raise BookingConfigError(f"topics: missing {', '.join(missing)} (the bot knows exactly {', '.join(TOPICS)})")
    topics = {key: _label(topics_raw[key], f"topics.{key}") for key in TOPICS}

    formats_raw = _mapping(root.get("formats"), "formats", set(FORMATS))
    formats: Dict[str, FormatInfo] = {}
    for key in FORMATS:
        where = f"formats.{key}"
        if key not in formats_raw:
            raise BookingConfigError(f"{where}: missing")
        item = _mapping(formats_raw[key], where, {"label", "location", "instructions"})
        formats[key] = FormatInfo(
            key=key,
            label=_str(item, "label", where),
            location=_template(_str(item, "location", where), f"{where}.location"),
            instructions=_template(_str(item, "instructions", where), f"{where}.instructions"),
        )

    cal = _mapping(root.get("calendar"), "calendar", {"title", "code_label", "topic_label", "format_label"})
    calendar = CalendarTexts(*(_str(cal, k, "calendar") for k in ("title", "code_label", "topic_label", "format_label")))

    counsellors = tuple(
        _counsellor(item, f"counsellors[{i}]", session)
        for i, item in enumerate(_list(root.get("counsellors"), "counsellors"))
    )
    if not counsellors:
        raise BookingConfigError("counsellors: at least one counsellor is needed")
    ids = [c.id for c in counsellors]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise BookingConfigError(f"counsellors: duplicate id {', '.join(duplicates)}")
    for topic in TOPICS:
        if not any(topic in c.focus for c in counsellors):
            raise BookingConfigError(f"counsellors: no counsellor has topic {topic!r} in focus")
    for fmt in FORMATS:
        if not any(fmt in c.formats for c in counsellors):
            raise BookingConfigError(f"counsellors: no counsellor offers format {fmt!r}")

    return BookingConfig(
        session_minutes=session,
        buffer_minutes=buffer,
        lead_time_hours=float(lead),
        horizon_weeks=horizon,
        timezone=timezone,
        holidays_country=country,
        closed_every_year=closed_every_year,
        closed_dates=closed_dates,
        afternoon_starts=afternoon,
        office_address=address,
        topics=topics,
        formats=formats,
        calendar=calendar,
        counsellors=counsellors,
    )


def _counsellor(raw: Any, where: str, session_minutes: int) -> Counsellor:
    item = _mapping(raw, where, {"id", "name", "focus", "formats", "phone", "teams_url", "hours"})
    counsellor_id = _str(item, "id", where)
    if not _ID.match(counsellor_id):
        raise BookingConfigError(f"{where}.id: {counsellor_id!r} must be lower-case letters, digits and dashes")
    focus = tuple(str(t) for t in _list(item.get("focus"), f"{where}.focus"))
    for topic in focus:
        if topic not in TOPICS:
            raise BookingConfigError(f"{where}.focus: unknown topic {topic!r} (known: {', '.join(TOPICS)})")
    formats = tuple(str(f) for f in _list(item.get("formats"), f"{where}.formats"))
    if not formats:
        raise BookingConfigError(f"{where}.formats: at least one format is needed")
    for fmt in formats:
        if fmt not in FORMATS:
            raise BookingConfigError(f"{where}.formats: unknown format {fmt!r} (known: {', '.join(FORMATS)})")
    phone = str(item.get("phone") or "")
    teams_url = str(item.get("teams_url") or "")
    if "telefon" in formats and not phone:
        raise BookingConfigError(f"{where}.phone: needed because the counsellor offers 'telefon'")
    if "teams" in formats and not teams_url:
        raise BookingConfigError(f"{where}.teams_url: needed because the counsellor offers 'teams'")
    hours_raw = _mapping(item.get("hours"), f"{where}.hours", set(_WEEKDAY_KEYS))
    hours: Dict[int, Tuple[Tuple[time, time], ...]] = {}
    for day_key, intervals_raw in hours_raw.items():
        weekday = _WEEKDAY_KEYS[day_key]
        if weekday in hours:
            raise BookingConfigError(f"{where}.hours: weekday {day_key!r} given twice")
        intervals = sorted(
            _interval(value, f"{where}.hours.{day_key}[{i}]", session_minutes)
            for i, value in enumerate(_list(intervals_raw, f"{where}.hours.{day_key}"))
        )
        for (_, previous_end), (start, _) in zip(intervals, intervals[1:]):
            if start < previous_end:
                raise BookingConfigError(f"{where}.hours.{day_key}: intervals overlap")
        if intervals:
            hours[weekday] = tuple(intervals)
    if not hours:
        raise BookingConfigError(f"{where}.hours: no working hours at all")
    return Counsellor(
        id=counsellor_id,
        name=_str(item, "name", where),
        focus=focus,
        formats=formats,
        phone=phone,
        teams_url=teams_url,
        hours=hours,
    )


# ------------------------------------------------------------ small checkers


def _mapping(value: Any, where: str, allowed: set) -> Dict[str, Any]:
    if not isinstance(value, dict):
        raise BookingConfigError(f"{where}: expected a mapping, got {type(value).__name__}")
    unknown = sorted(str(k) for k in value if k not in allowed)
    if unknown:
        raise BookingConfigError(f"{where}: unknown key(s) {', '.join(unknown)} (allowed: {', '.join(sorted(allowed))})")
    return value


def _list(value: Any, where: str) -> List[Any]:
    if not isinstance(value, list):
        raise BookingConfigError(f"{where}: expected a list, got {type(value).__name__}")
    return value


def _str(mapping: Mapping[str, Any], key: str, where: str) -> str:
    value = mapping.get(key)
    if not isinstance(value, str) or not value.strip():
        raise BookingConfigError(f"{where}.{key}: expected a non-empty text")
    return value.strip()


def _label(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise BookingConfigError(f"{where}: expected a non-empty text")
    return value.strip()


def _int(mapping: Mapping[str, Any], key: str, where: str, *, minimum: int) -> int:
    value = mapping.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        raise BookingConfigError(f"{where}.{key}: expected a whole number >= {minimum}, got {value!r}")
    return value


def _clock(value: Any, where: str) -> time:
    match = _CLOCK.match(str(value))
    if not match or int(match.group(1)) > 23 or int(match.group(2) or 0) > 59:
        raise BookingConfigError(f"{where}: {value!r} is not a time like '12:00'")
    return time(int(match.group(1)), int(match.group(2) or 0))


def _interval(value: Any, where: str, session_minutes: int) -> Tuple[time, time]:
    match = _INTERVAL.match(str(value))
    if not match:
        raise BookingConfigError(f"{where}: {value!r} is not an interval like '09:00-15:00'")
    h1, m1, h2, m2 = (int(g or 0) for g in match.groups())
    if h1 > 23 or h2 > 24 or m1 > 59 or m2 > 59 or (h2 == 24 and m2):
        raise BookingConfigError(f"{where}: {value!r} is not a valid time of day")
    start_minutes, end_minutes = h1 * 60 + m1, h2 * 60 + m2
    if end_minutes - start_minutes < session_minutes:
        raise BookingConfigError(f"{where}: {value!r} is shorter than one session ({session_minutes} min)")
    end = time(23, 59) if end_minutes == 24 * 60 else time(h2, m2)
    return time(h1, m1), end


def _month_day(value: Any, where: str) -> Tuple[int, int]:
    match = _MONTH_DAY.match(str(value))
    if not match:
        raise BookingConfigError(f"{where}: {value!r} is not MM-DD")
    month, day = int(match.group(1)), int(match.group(2))
    try:
        date(2024, month, day)  # leap year, so 02-29 is allowed
    except ValueError:
        raise BookingConfigError(f"{where}: {value!r} is not a real date") from None
    return month, day


def _iso_date(value: Any, where: str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise BookingConfigError(f"{where}: {value!r} is not a date like 2026-12-23") from None


def _template(text: str, where: str) -> str:
    names = set(re.findall(r"{(\w*)}", text))
    unknown = names - _PLACEHOLDERS
    if unknown:
        raise BookingConfigError(f"{where}: unknown placeholder(s) {', '.join(sorted(unknown))}")
    return text
