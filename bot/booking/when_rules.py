"""The thin rules dateparser lacks for Danish time preferences: "hurtigst
muligt", clock times ("efter kl 13"), parts of day ("formiddag"), week numbers
("uge 50"), "næste uge"/"næste måned", month ranges ("først i december"),
weekdays and weekday sets ("en torsdag"), Christmas/New Year. Each rule cuts
the phrase it understood out of the text; what is left goes to dateparser.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from typing import Callable, List, Optional, Tuple

from bot.booking.preference import PartOfDay
from bot.danish import MONTHS, WEEKDAYS

DateRange = Tuple[date, date]

_WEEKDAY_RE = "|".join(WEEKDAYS)
_MONTH_ABBR = {m[:3]: i + 1 for i, m in enumerate(MONTHS) if m[:3] != "jul"}  # "jul" = Christmas
_MONTH_ABBR["sept"] = 9
_MONTH_NAMES = {m: i + 1 for i, m in enumerate(MONTHS)}
_MONTH_RE = "|".join(sorted(list(MONTHS) + list(_MONTH_ABBR), key=len, reverse=True))

_ASAP = re.compile(
    r"\b(hurtigst(?:\s+muligt)?|snarest(?:\s+muligt)?|så\s+(?:hurtigt|snart|tidligt|hurtig)\s+som\s+muligt"
    r"|først(?:e)?\s+(?:ledige|mulige|muligt|ledig)(?:\s+tid)?|asap|hvornår\s+som\s+helst|når\s+som\s+helst"
    r"|(?:det\s+er\s+)?lige\s*meget|ligegyldigt|ingen\s+præference)\b"
)
_NUMBER_WORDS = {
    "en": 1, "et": 1, "to": 2, "tre": 3, "fire": 4, "fem": 5, "seks": 6, "syv": 7, "otte": 8,
    "ni": 9, "ti": 10, "fjorten": 14, "et par": 2, "par": 2,
}
_OM_NUMBER = re.compile(
    r"\bom\s+(et\s+par|" + "|".join(k for k in _NUMBER_WORDS if k != "et par")
    + r")\s+(?=uge|dag|måned)"
)
_QUALIFIER = r"(?:(?P<qual>efter|fra\s+og\s+med|fra|før|inden|senest|tidligst)\s+(?:den\s+|d\.\s*)?)?"

_TIME_RANGE = re.compile(
    r"\b(?:mellem\s+)?(?:kl\.?\s*)?(\d{1,2})(?:[.:](\d{2}))?\s*(?:-|og|til)\s*(?:kl\.?\s*)?(\d{1,2})(?:[.:](\d{2}))?(?=\s|$)"
)
_CLOCK_KL = re.compile(
    r"\b(?:(?P<qual>efter|fra|før|inden|senest|tidligst|omkring|ca\.?|cirka|ved)\s+)?kl\.?\s*(\d{1,2})(?:[.:](\d{2}))?\b(?:-tiden)?"
)
_CLOCK_BARE = re.compile(
    r"\b(?P<qual>efter|fra|før|inden|senest|tidligst|omkring|ved)\s+(\d{1,2})(?:[.:](\d{2}))?(?:-tiden)?(?=\s|$)"
)
_ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_RELATIVE_DAY = re.compile(r"\b(?:i\s+)?(dag|morgen|overmorgen)\b(?!en)")
_TODAY_PART = re.compile(r"\bi\s+(formiddag|eftermiddag|aften)\b")
_PART_AM = re.compile(r"\b(formiddag(?:en)?|om\s+morgenen|morgen(?:en)?|tidlig(?:t)?|før\s+frokost)\b")
_PART_PM = re.compile(r"\b(eftermiddag(?:en)?|efter\s+frokost|sidst\s+på\s+dagen|sent|aften(?:en)?)\b")
_WEEK_NUMBER = re.compile(_QUALIFIER + r"\buge\s*(\d{1,2})(?:\s+(?:i\s+)?(\d{4}))?\b")
_NEXT_WEEK = re.compile(_QUALIFIER + r"\b(?:i\s+)?(?:næste\s+uge|den\s+kommende\s+uge|ugen\s+efter)\b")
_THIS_WEEK = re.compile(r"\b(?:i\s+)?(?:denne\s+uge|den\s+her\s+uge|indeværende\s+uge|resten\s+af\s+ugen|i\s+ugen)\b")
_IN_WEEKS = re.compile(r"\bom\s+(\d{1,2})\s+uger?\b")
_IN_DAYS = re.compile(r"\bom\s+(\d{1,2})\s+dage?\b")
_NEXT_MONTH = re.compile(_QUALIFIER + r"\b(?:i\s+)?(?:næste\s+måned|den\s+kommende\s+måned)\b")
_THIS_MONTH = re.compile(r"\b(?:i\s+)?(?:denne\s+måned|den\s+her\s+måned|resten\s+af\s+måneden)\b")
_IN_MONTHS = re.compile(r"\bom\s+(\d{1,2})\s+måned(?:er)?\b")
_MONTH_ONLY = re.compile(
    _QUALIFIER + r"(?<![\d.]\s)(?<![\d.])\b(?:(?P<part>først|midt|sidst)\s+(?:i|af)\s+)?(?:i\s+)?"
    r"(?P<month>" + _MONTH_RE + r")\.?(?:\s+(?P<year>\d{4}))?\b"
)
_HOLIDAY = re.compile(_QUALIFIER + r"\b(?:i\s+)?(?P<name>jul(?:en)?|nytår(?:et)?)\b")
_WEEKDAYS = re.compile(_QUALIFIER + r"\b(?P<lead>næste\s+|en\s+|om\s+)?(?P<day>" + _WEEKDAY_RE + r")(?P<suffix>en|e|s)?\b")
FILLER = frozenset(
    """jeg vi du vil ville gerne helst have få gerne kan kunne må skal det der være er passer passe
    mig os godt bedst bedre også eller og men måske evt evt. ca ca. cirka omkring på den d d. i om
    til som sådan noget nogle gang dag dagen tid tiden tider tidspunkt tidspunktet samtale møde
    aftale booke book tak hej ledig ledige muligt mulig en et gerne lidt engang hvis helt fint
    please a the""".split()
)
QUALIFIER_WORDS = frozenset({"efter", "fra", "før", "inden", "senest", "tidligst"})
_ASCII_SPELLINGS = (
    (r"\bnaeste\b", "næste"), (r"\bmaaned", "måned"), (r"\bloerdag", "lørdag"),
    (r"\bsoendag", "søndag"), (r"\bfoer\b", "før"), (r"\bidag\b", "i dag"),
    (r"\bimorgen\b", "i morgen"), (r"\bi\s+overmorgen\b", "overmorgen"),
    (r"\bsaa\b", "så"), (r"\bnaar\b", "når"), (r"\bhvornaar\b", "hvornår"),
)
NOT_DATES = frozenset({"jul", "julen", "nytår", "påske", "påsken", "weekend", "weekenden", "sommer", "ferie"})


@dataclass
class Found:
    """What the rules recognised so far; combined into a TimePreference at the end."""

    ranges: List[DateRange] = field(default_factory=list)
    weekdays: List[Tuple[int, bool]] = field(default_factory=list)  # (weekday, indefinite)
    part: Optional[PartOfDay] = None
    start_from: Optional[time] = None
    start_until: Optional[time] = None
    asap: bool = False
    union: bool = False

    def add_part(self, part: PartOfDay) -> None:
        self.part = part if self.part in (None, part) else PartOfDay.ANY

    @property
    def anything(self) -> bool:
        return bool(self.ranges or self.weekdays or self.part or self.start_from
                    or self.start_until or self.asap)


def apply_rules(text: str, today: date) -> Tuple[Found, str]:
    """Run every rule over `text`; returns what was found and the text left over
    (with the handled phrases cut out) for dateparser."""
    rest = normalise(text)
    found = Found(union=bool(re.search(r"\beller\b", rest)))

    def take(pattern: re.Pattern, handler: Callable[[re.Match], bool]) -> None:
        """Apply a rule to every match; a handled match is cut out of the text."""
        nonlocal rest
        position = 0
        while True:
            match = pattern.search(rest, position)
            if not match:
                return
            if handler(match):
                rest = rest[: match.start()] + " " + rest[match.end():]
                position = match.start()
            else:
                position = match.start() + 1

    take(_ASAP, lambda m: setattr(found, "asap", True) or True)
    take(_ISO_DATE, lambda m: _add_iso(found, m))
    take(_TIME_RANGE, lambda m: _time_range(found, m))
    take(_CLOCK_KL, lambda m: _clock(found, m))
    take(_CLOCK_BARE, lambda m: _clock(found, m))
    take(_TODAY_PART, lambda m: _today_part(found, m, today))
    take(_RELATIVE_DAY, lambda m: _relative_day(found, m, today))
    take(_PART_AM, lambda m: found.add_part(PartOfDay.FORMIDDAG) or True)
    take(_PART_PM, lambda m: found.add_part(PartOfDay.EFTERMIDDAG) or True)
    take(_WEEK_NUMBER, lambda m: _week_number(found, m, today))
    take(_NEXT_WEEK, lambda m: _qualified(found, m, week_of(today + timedelta(days=7)), today))
    take(_THIS_WEEK, lambda m: _add(found, (today, week_of(today)[1])))
    take(_IN_WEEKS, lambda m: _add(found, week_of(today + timedelta(weeks=int(m.group(1))))))
    take(_IN_DAYS, lambda m: _in_days(found, int(m.group(1)), today))
    take(_NEXT_MONTH, lambda m: _qualified(found, m, month_range(*_add_months(today, 1)), today))
    take(_THIS_MONTH, lambda m: _add(found, (today, month_range(today.year, today.month)[1])))
    take(_IN_MONTHS, lambda m: _add(found, week_of(_months_later(today, int(m.group(1))))))
    take(_HOLIDAY, lambda m: _holiday(found, m, today))
    take(_WEEKDAYS, lambda m: _weekday(found, m, today))
    take(_MONTH_ONLY, lambda m: _month_only(found, m, today))
    return found, rest


def normalise(text: str) -> str:
    """Lower case, no punctuation that means nothing, ASCII spellings and number words fixed."""
    text = text.lower().replace("\u2019", "'").replace("–", "-").replace("—", "-")
    text = re.sub(r"[,;!?()\"]", " ", text)
    for ascii_form, danish in _ASCII_SPELLINGS:
        text = re.sub(ascii_form, danish, text)
    text = _OM_NUMBER.sub(lambda m: f"om {_NUMBER_WORDS[' '.join(m.group(1).split())]} ", text)
    text = re.sub(r"(\d)\s*\.\s+(?=\d)", r"\1.", text)  # '7. 12' -> '7.12'
    return " " + re.sub(r"\s+", " ", text).strip() + " "


def _add(found: Found, date_range: DateRange) -> bool:
    found.ranges.append(date_range)
    return True


def _qualified(found: Found, match: re.Match, date_range: DateRange, today: date) -> bool:
    qual = (match.groupdict().get("qual") or "").split(" ")[0]
    return _add(found, apply_qualifier(qual, date_range, today))


def apply_qualifier(qual: str, date_range: DateRange, today: date) -> DateRange:
    """'efter uge 50' -> from the Monday after; 'før den 7.' -> up to the 6th ..."""
    first, last = date_range
    far = date.max
    if qual == "efter":
        date_range = (last + timedelta(days=1), far)
    elif qual in ("fra", "tidligst"):
        date_range = (first, far)
    elif qual in ("før", "inden"):
        date_range = (today, first - timedelta(days=1))
    elif qual == "senest":
        date_range = (today, last)
    return date_range


def _add_iso(found: Found, match: re.Match) -> bool:
    try:
        day = date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return False
    return _add(found, (day, day))


def _hm(hour: str, minute: Optional[str]) -> Optional[time]:
    h, m = int(hour), int(minute or 0)
    if h > 23 or m > 59:
        return None
    return time(h, m)


def _shift(moment: time, minutes: int) -> time:
    total = max(0, min(23 * 60 + 59, moment.hour * 60 + moment.minute + minutes))
    return time(total // 60, total % 60)


def _time_range(found: Found, match: re.Match) -> bool:
    text = match.group(0)
    if "kl" not in text and "mellem" not in text:
        return False  # '7-12' without 'kl'/'mellem' may be a date
    start, end = _hm(match.group(1), match.group(2)), _hm(match.group(3), match.group(4))
    if start is None or end is None or end <= start:
        return False
    found.start_from, found.start_until = start, _shift(end, -1)
    return True


def _clock(found: Found, match: re.Match) -> bool:
    moment = _hm(match.group(2), match.group(3))
    if moment is None or not 6 <= moment.hour <= 20:
        return False
    minute = match.group(3)
    if "kl" not in match.group(0) and minute and "." in match.group(0) and 1 <= int(minute) <= 12:
        return False  # 'efter 10.12' is the 10th of December, not 10:12
    qual = (match.group("qual") or "").rstrip(".")
    if qual in ("efter", "fra", "tidligst"):
        found.start_from = moment
    elif qual in ("før", "inden"):
        found.start_until = _shift(moment, -1)
    elif qual == "senest":
        found.start_until = moment
    elif qual in ("omkring", "ca", "cirka", "ved"):
        found.start_from, found.start_until = _shift(moment, -60), _shift(moment, 60)
    else:
        found.start_from, found.start_until = moment, _shift(moment, 59)
    return True


def _today_part(found: Found, match: re.Match, today: date) -> bool:
    found.add_part(PartOfDay.FORMIDDAG if match.group(1) == "formiddag" else PartOfDay.EFTERMIDDAG)
    return _add(found, (today, today))


def _relative_day(found: Found, match: re.Match, today: date) -> bool:
    word = match.group(1)
    if word == "morgen" and not match.group(0).startswith("i"):
        return False  # 'torsdag morgen' = morning, handled as part of day
    offset = {"dag": 0, "morgen": 1, "overmorgen": 2}[word]
    if word == "dag" and not match.group(0).startswith("i"):
        return False  # a bare 'dag' is filler ('en dag i næste uge')
    day = today + timedelta(days=offset)
    return _add(found, (day, day))


def week_of(day: date) -> DateRange:
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=6)


def _week_number(found: Found, match: re.Match, today: date) -> bool:
    week = int(match.group(2))
    year = int(match.group(3)) if match.group(3) else today.year
    try:
        monday = date.fromisocalendar(year, week, 1)
    except ValueError:
        return False
    if not match.group(3) and monday + timedelta(days=6) < today:
        try:
            monday = date.fromisocalendar(year + 1, week, 1)
        except ValueError:
            return False
    return _qualified(found, match, (monday, monday + timedelta(days=6)), today)


def _in_days(found: Found, days: int, today: date) -> bool:
    day = today + timedelta(days=days)
    return _add(found, (day, day) if days < 7 else week_of(day))


def _add_months(day: date, months: int) -> Tuple[int, int]:
    index = day.year * 12 + day.month - 1 + months
    return index // 12, index % 12 + 1


def month_range(year: int, month: int) -> DateRange:
    first = date(year, month, 1)
    next_year, next_month = _add_months(first, 1)
    return first, date(next_year, next_month, 1) - timedelta(days=1)


def _months_later(day: date, months: int) -> date:
    year, month = _add_months(day, months)
    last = month_range(year, month)[1]
    return date(year, month, min(day.day, last.day))


def _month_only(found: Found, match: re.Match, today: date) -> bool:
    name = match.group("month")
    month = _MONTH_NAMES.get(name) or _MONTH_ABBR.get(name)
    if month is None:
        return False
    year = int(match.group("year")) if match.group("year") else today.year
    if not match.group("year") and month < today.month:
        year += 1
    first, last = month_range(year, month)
    part = match.group("part")
    if part == "først":
        last = first + timedelta(days=9)
    elif part == "midt":
        first, last = first + timedelta(days=10), first + timedelta(days=19)
    elif part == "sidst":
        first = first + timedelta(days=20)
    return _qualified(found, match, (first, last), today)


def _holiday(found: Found, match: re.Match, today: date) -> bool:
    """'før jul', 'efter nytår': Christmas is 24-26/12, New Year 31/12-1/1."""
    year = today.year
    if match.group("name").startswith("jul"):
        first = date(year, 12, 24)
        date_range = (first, date(year, 12, 26))
        if date_range[1] < today:
            date_range = (date(year + 1, 12, 24), date(year + 1, 12, 26))
    else:
        date_range = (date(year, 12, 31), date(year + 1, 1, 1))
        if today.month == 1 and today.day == 1:
            date_range = (date(year - 1, 12, 31), today)
    return _qualified(found, match, date_range, today)


def coming(weekday: int, today: date) -> date:
    """The next `weekday` after today (never today itself)."""
    return today + timedelta(days=(weekday - today.weekday() - 1) % 7 + 1)


def _weekday(found: Found, match: re.Match, today: date) -> bool:
    weekday = WEEKDAYS.index(match.group("day"))
    if match.group("qual"):  # 'senest fredag', 'efter onsdag'
        day = coming(weekday, today)
        return _qualified(found, match, (day, day), today)
    lead = (match.group("lead") or "").strip()
    suffix = match.group("suffix") or ""
    indefinite = lead in ("en", "om") or suffix in ("e", "s") or (suffix == "en" and lead == "om")
    found.weekdays.append((weekday, indefinite))
    return True

