"""QDateTime's text: Qt's fixed formats, Qt format strings, and parsing the fixed formats.

Kept apart from :mod:`qtls.core.qdatetime` (which owns the value and its arithmetic) because text
is a separate job. Everything here works on plain fields, so it imports nothing from qtls:
``fields`` is ``(year, month, day, hour, minute, second, msec)`` with Qt's years (no year 0),
time specs are ``Qt.TimeSpec`` integer values (0 local, 1 UTC, 2 offset) and formats are
``Qt.DateFormat`` member names.

Day and month names are English whatever the locale, as Qt 6 does for format strings and for
``Qt.TextDate``/``Qt.RFC2822Date``.
"""

from __future__ import annotations

import email.utils
import re
from typing import NamedTuple

Fields = tuple[int, int, int, int, int, int, int]

_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
_MONTH_NUMBER = {name[:3].lower(): number for number, name in enumerate(_MONTHS, start=1)}

_LOCAL, _UTC, _OFFSET = 0, 1, 2


class Zone(NamedTuple):
    """The clock a value is shown in: its TimeSpec value, offset east of UTC, and name."""

    spec: int
    offset: int  # seconds
    name: str  # Qt's "t": "UTC", "UTC+02:00" or the local abbreviation


def _offset_text(offset: int, colon: bool) -> str:
    sign = "+" if offset >= 0 else "-"
    hours, minutes = divmod(abs(offset) // 60, 60)
    return f"{sign}{hours:02d}{':' if colon else ''}{minutes:02d}"


def _year_text(year: int) -> str:
    # Qt pads years to four characters, sign included ("-002" for the year -2).
    return f"{year:04d}" if year >= 0 else f"-{abs(year):03d}"


def _rfc_year_text(year: int) -> str:
    # RFC 2822 wants four digits; Qt signs the years that do not fit ("+10000", "-0001").
    if year > 9999:
        return f"+{year}"
    return f"{year:04d}" if year >= 0 else f"-{abs(year):04d}"


def format_fixed(fields: Fields, weekday: int, zone: Zone, fmt: str) -> str:
    """``QDateTime.toString(Qt.DateFormat)``: *fmt* is the DateFormat member's name."""
    year, month, day, hour, minute, second, msec = fields
    clock = f"{hour:02d}:{minute:02d}:{second:02d}"
    if fmt in ("ISODate", "ISODateWithMs"):
        if not 0 <= year <= 9999:
            return ""  # ISO 8601 basic years only, as in Qt
        text = f"{year:04d}-{month:02d}-{day:02d}T{clock}"
        if fmt == "ISODateWithMs":
            text += f".{msec:03d}"
        if zone.spec == _UTC:
            text += "Z"
        elif zone.spec == _OFFSET:
            text += _offset_text(zone.offset, colon=True)
        return text
    if fmt == "RFC2822Date":
        return (
            f"{day:02d} {_MONTHS[month - 1][:3]} {_rfc_year_text(year)} {clock} "
            f"{_offset_text(zone.offset, colon=False)}"
        )
    # TextDate
    text = f"{_DAYS[weekday][:3]} {_MONTHS[month - 1][:3]} {day} {clock} {_year_text(year)}"
    if zone.spec == _UTC:
        text += " GMT"
    elif zone.spec == _OFFSET:
        text += " GMT" + _offset_text(zone.offset, colon=False)
    return text


# One token of a Qt format string: a quoted literal, or a run of one pattern letter.
_TOKEN = re.compile(r"'(?:[^']|'')*'?|''|(AP|ap|Ap|aP)|([dMyhHmszt])\2*|A|a|.", re.DOTALL)
_MAX_RUN = {"d": 4, "M": 4, "y": 4, "h": 2, "H": 2, "m": 2, "s": 2, "z": 3, "t": 4}


def format_pattern(fields: Fields, weekday: int, zone: Zone, pattern: str) -> str:
    """``QDateTime.toString(str)`` with Qt's format letters (``d dd ddd dddd M .. MMMM yy yyyy
    h hh H HH m mm s ss z zzz AP ap t``); text in single quotes is literal, ``''`` is a quote."""
    year, month, day, hour, minute, second, msec = fields
    twelve_hour = bool(re.search(r"[Aa]", re.sub(r"'(?:[^']|'')*'?", "", pattern)))
    out: list[str] = []
    for match in _TOKEN.finditer(pattern):
        token = match.group(0)
        if token.startswith("'"):
            out.append("'" if token == "''" else token[1:].removesuffix("'").replace("''", "'"))
            continue
        if token in ("AP", "A"):
            out.append("AM" if hour < 12 else "PM")
            continue
        if token in ("ap", "a", "Ap", "aP"):
            out.append("am" if hour < 12 else "pm")
            continue
        letter = token[0]
        if letter not in _MAX_RUN:
            out.append(token)
            continue
        # A run longer than the longest field splits into a maximal field and the rest.
        while token:
            size = len(token)
            if letter == "y":
                size = 4 if size >= 4 else 2 if size >= 2 else 0
            else:
                size = min(size, _MAX_RUN[letter])
            if size == 0:
                out.append(token)
                break
            out.append(_field(letter, size, fields, weekday, zone, twelve_hour))
            token = token[size:]
    return "".join(out)


def _field(letter: str, size: int, fields: Fields, weekday: int, zone: Zone, ampm: bool) -> str:
    year, month, day, hour, minute, second, msec = fields
    if letter == "d":
        return (str(day), f"{day:02d}", _DAYS[weekday][:3], _DAYS[weekday])[size - 1]
    if letter == "M":
        name = _MONTHS[month - 1]
        return (str(month), f"{month:02d}", name[:3], name)[size - 1]
    if letter == "y":
        if size == 2:
            return f"{year % 100:02d}"
        return f"{year:04d}" if year >= 0 else f"-{abs(year):04d}"
    if letter in "hH":
        shown = hour
        if letter == "h" and ampm:
            shown = hour % 12 or 12
        return str(shown) if size == 1 else f"{shown:02d}"
    if letter == "m":
        return str(minute) if size == 1 else f"{minute:02d}"
    if letter == "s":
        return str(second) if size == 1 else f"{second:02d}"
    if letter == "z":
        # Qt 6: "z"/"zz" drop trailing zeros of the fraction, "zzz" keeps three digits.
        return f"{msec:03d}" if size == 3 else (f"{msec:03d}".rstrip("0") or "0")
    # "t": zone name; "tt" +hhmm; "ttt" +hh:mm; "tttt" the name again (Qt 6.8+).
    if size == 2:
        return _offset_text(zone.offset, colon=False)
    if size == 3:
        return _offset_text(zone.offset, colon=True)
    return zone.name


_ISO = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})"
    r"(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?"
    r"\s*(Z|[+-]\d{2}(?::?\d{2})?)?)?"
)
_TEXT = re.compile(
    r"([A-Za-z]{3})\s+([A-Za-z]{3})\s+(\d{1,2})\s+(\d{1,2}):(\d{2}):(\d{2})(?:\.(\d{1,3}))?"
    r"\s+(-?\d{1,5})(?:\s+(?:GMT|UTC)([+-]\d{4})?)?"
)

Parsed = tuple[Fields, int, int]  # fields, TimeSpec value, offset seconds


def parse(text: str, fmt: str) -> Parsed | None:
    """``QDateTime.fromString(text, Qt.DateFormat)``; None when *text* does not parse."""
    text = text.strip()
    if fmt in ("ISODate", "ISODateWithMs"):
        return _parse_iso(text)
    if fmt == "RFC2822Date":
        return _parse_rfc2822(text)
    return _parse_text_date(text)


def _parse_iso(text: str) -> Parsed | None:
    match = _ISO.fullmatch(text)
    if match is None:
        return None
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    msec = int((fraction or "0")[:3].ljust(3, "0"))
    fields = (int(year), int(month), int(day), int(hour or 0), int(minute or 0),
              int(second or 0), msec)  # fmt: skip
    if zone is None:
        return fields, _LOCAL, 0
    if zone == "Z":
        return fields, _UTC, 0
    sign = -1 if zone[0] == "-" else 1
    digits = zone[1:].replace(":", "")
    offset = sign * (int(digits[:2]) * 3600 + int(digits[2:4] or 0) * 60)
    return fields, _OFFSET, offset


def _parse_rfc2822(text: str) -> Parsed | None:
    parts = email.utils.parsedate_tz(text)
    if parts is None:
        return None
    year, month, day, hour, minute, second = parts[:6]
    offset = parts[9] or 0
    return (year, month, day, hour, minute, second, 0), _OFFSET, offset


def _parse_text_date(text: str) -> Parsed | None:
    match = _TEXT.fullmatch(text)
    if match is None:
        return None
    _, month_name, day, hour, minute, second, msec, year, zone = match.groups()
    month = _MONTH_NUMBER.get(month_name.lower())
    if month is None:
        return None
    fields = (int(year), month, int(day), int(hour), int(minute), int(second),
              int((msec or "0").ljust(3, "0")))  # fmt: skip
    if zone is not None:
        sign = -1 if zone[0] == "-" else 1
        return fields, _OFFSET, sign * (int(zone[1:3]) * 3600 + int(zone[3:5]) * 60)
    if text.rstrip().endswith(("GMT", "UTC")):
        return fields, _UTC, 0
    return fields, _LOCAL, 0
