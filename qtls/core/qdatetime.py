"""QDateTime: the subset certificates use, convertible to and from datetime.

A QDateTime is stored as one instant (milliseconds since 1970-01-01T00:00:00Z) plus the clock it
is shown in (its ``Qt.TimeSpec``: local time, UTC or a fixed offset). Every getter derives the
calendar fields from the instant with integer arithmetic (:mod:`qtls.core._calendar`), so dates
far outside ``datetime``'s 1..9999 range work as in Qt: certificates dated before 1970,
after 2038 or after 2050 (GeneralizedTime) are ordinary values.

Qt has no year 0: the year before 1 is -1. The arithmetic below uses astronomical years
(... -1, 0, 1 ...) and converts at the edges (:func:`_qt_year`, :func:`_astro_year`).

Local time is whatever the C library says (``time.localtime``), like Qt on Unix; instants outside
the platform's range use the offset of the nearest representable instant.

``Qt.TimeSpec`` and ``Qt.DateFormat`` are defined here as :class:`TimeSpec` and
:class:`DateFormat` so that this module depends on nothing; ``qtls.core.qt`` is meant to expose
them as ``Qt.TimeSpec``/``Qt.DateFormat``. Any enum named ``TimeSpec``/``DateFormat`` with Qt's
values is accepted too.

Deliberately not here: QDate, QTime, QTimeZone and QCalendar (``date()``/``time()`` and the
QTimeZone overloads), which qtls does not provide.
"""

from __future__ import annotations

import datetime as _dt
import enum
import time as _time
from typing import Any

from qtls.core._calendar import (
    _LOCAL_MAX_SECS,
    _LOCAL_MIN_SECS,
    _MAX_MSECS,
    _MIN_MSECS,
    _MS_PER_DAY,
    _astro_year,
    _civil_from_days,
    _days_from_civil,
    _days_in_month,
    _local_offset_at,
    _local_to_utc_msecs,
    _qt_year,
)

__all__ = ["QDateTime"]


class TimeSpec(enum.Enum):
    """``Qt::TimeSpec``: the clock a QDateTime is expressed in."""

    LocalTime = 0
    UTC = 1
    OffsetFromUTC = 2
    TimeZone = 3


class DateFormat(enum.Enum):
    """``Qt::DateFormat``: the fixed text formats of ``toString``/``fromString``."""

    TextDate = 0
    ISODate = 1
    ISODateWithMs = 9
    RFC2822Date = 8


def _coerce_enum(value: object, kind: type[enum.Enum]) -> Any:
    """*value* as our enum *kind*, also accepting an enum of the same name from elsewhere."""
    if isinstance(value, kind):
        return value
    if isinstance(value, enum.Enum) and type(value).__name__ == kind.__name__:
        try:
            return kind(value.value)
        except ValueError:
            pass
    return None


def _type_error(method: str, position: int, value: object) -> TypeError:
    return TypeError(f"{method}: argument {position} has unexpected type '{type(value).__name__}'")


def _check_int(method: str, position: int, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _type_error(method, position, value)
    return value


class QDateTime:
    """A date and time (Qt's ``QDateTime``), the subset certificates and sockets need.

    ``QDateTime()`` is null and invalid. ``QDateTime(datetime)`` takes the datetime's fields in
    local time and *ignores its tzinfo*, exactly as PyQt6 does (use :meth:`_from_datetime_utc` to
    convert an aware datetime). Precision is milliseconds; microseconds are truncated.
    Comparisons and equality are by instant, whatever the time spec; an invalid QDateTime equals
    any other invalid one and sorts before every valid one.
    """

    __slots__ = ("_msecs", "_spec", "_offset", "_null", "_invalid_time")

    def __init__(self, *args: Any) -> None:
        """``QDateTime()``, ``QDateTime(other | datetime)``,
        ``QDateTime(year, month, day, hour, minute, second=0, msec=0, timeSpec: int = 0)``,
        ``QDateTime(date, time, spec=Qt.TimeSpec.LocalTime, offsetSeconds=0)``."""
        self._msecs: int | None = None  # the instant; None when invalid
        self._spec = TimeSpec.LocalTime
        self._offset = 0  # seconds east of UTC, for OffsetFromUTC only
        self._null = True
        self._invalid_time = (0, 0, 0, 0)  # shown by repr() when the date was invalid
        if not args:
            return
        first = args[0]
        if len(args) == 1 and isinstance(first, QDateTime):
            self._copy_from(first)
        elif len(args) == 1 and isinstance(first, _dt.datetime):
            self._set_fields(
                first.year, first.month, first.day, first.hour, first.minute, first.second,
                first.microsecond // 1000, TimeSpec.LocalTime, 0,
            )  # fmt: skip
        elif 5 <= len(args) <= 8 and all(isinstance(a, int) for a in args[:5]):
            ints = [_check_int("QDateTime()", i + 1, a) for i, a in enumerate(args)]
            ints += [0] * (8 - len(ints))
            spec, offset = _spec_from_int(ints[7])
            year, month, day, hour, minute, second, msec = ints[:7]
            self._set_fields(year, month, day, hour, minute, second, msec, spec, offset)
        elif 2 <= len(args) <= 4 and isinstance(first, _dt.date):
            self._init_from_date_time(*args)
        else:
            raise _type_error("QDateTime()", 1, first)

    def _init_from_date_time(
        self, date: _dt.date, time: object, spec: object = TimeSpec.LocalTime, offset: object = 0
    ) -> None:
        if not isinstance(time, _dt.time):
            raise _type_error("QDateTime()", 2, time)
        coerced = _coerce_enum(spec, TimeSpec)
        if coerced is None:
            raise _type_error("QDateTime()", 3, spec)
        seconds = _check_int("QDateTime()", 4, offset)
        self._set_fields(
            date.year, date.month, date.day, time.hour, time.minute, time.second,
            time.microsecond // 1000, coerced, seconds,
        )  # fmt: skip

    def _copy_from(self, other: QDateTime) -> None:
        self._msecs, self._spec, self._offset = other._msecs, other._spec, other._offset
        self._null, self._invalid_time = other._null, other._invalid_time

    def _set_fields(
        self, year: int, month: int, day: int, hour: int, minute: int, second: int, msec: int,
        spec: TimeSpec, offset: int,
    ) -> None:  # fmt: skip
        spec, offset = _normalise_spec(spec, offset)
        self._spec, self._offset, self._null = spec, offset, False
        if not (0 <= hour < 24 and 0 <= minute < 60 and 0 <= second < 60 and 0 <= msec < 1000):
            # Qt 6 takes an invalid QTime as the start of the day.
            hour = minute = second = msec = 0
        astro = _astro_year(year)
        if year == 0 or not 1 <= month <= 12 or not 1 <= day <= _days_in_month(astro, month):
            self._invalid_time = (hour, minute, second, msec)
            return
        local = (
            _days_from_civil(astro, month, day) * _MS_PER_DAY
            + ((hour * 60 + minute) * 60 + second) * 1000
            + msec
        )
        if spec is TimeSpec.LocalTime:
            msecs = _local_to_utc_msecs(local)
        else:
            msecs = local - offset * 1000
        if _MIN_MSECS <= msecs <= _MAX_MSECS:
            self._msecs = msecs

    @classmethod
    def _from_instant(cls, msecs: int, spec: TimeSpec, offset: int = 0) -> QDateTime:
        result = cls()
        if _MIN_MSECS <= msecs <= _MAX_MSECS:
            result._msecs, result._null = msecs, False
            result._spec, result._offset = _normalise_spec(spec, offset)
        return result

    # -- private hooks for the other qtls modules --------------------------------------------

    @classmethod
    def _from_datetime_utc(cls, value: _dt.datetime) -> QDateTime:
        """A UTC QDateTime for *value*: aware datetimes are converted, naive ones read as UTC.

        What certificates use for ``effectiveDate()``/``expiryDate()`` (Qt gives them in UTC).
        """
        if value.tzinfo is not None and value.utcoffset() is not None:
            value = value.astimezone(_dt.timezone.utc).replace(tzinfo=None)
        local = (
            _days_from_civil(value.year, value.month, value.day) * _MS_PER_DAY
            + ((value.hour * 60 + value.minute) * 60 + value.second) * 1000
            + value.microsecond // 1000
        )
        return cls._from_instant(local, TimeSpec.UTC)

    def _to_datetime_utc(self) -> _dt.datetime | None:
        """This instant as an aware UTC datetime; None when invalid or outside years 1..9999."""
        if self._msecs is None:
            return None
        epoch = _dt.datetime(1970, 1, 1, tzinfo=_dt.timezone.utc)
        try:
            return epoch + _dt.timedelta(milliseconds=self._msecs)
        except OverflowError:
            return None

    # -- fields ---------------------------------------------------------------------------------

    def _offset_seconds(self) -> int:
        """Seconds east of UTC of this value's clock at its instant."""
        if self._spec is TimeSpec.UTC:
            return 0
        if self._spec is TimeSpec.OffsetFromUTC:
            return self._offset
        return _local_offset_at((self._msecs or 0) // 1000)

    def _fields(self) -> tuple[int, int, int, int, int, int, int]:
        """(Qt year, month, day, hour, minute, second, msec) on this value's own clock."""
        if self._msecs is None:
            return (0, 0, 0, *self._invalid_time)
        days, ms = divmod(self._msecs + self._offset_seconds() * 1000, _MS_PER_DAY)
        year, month, day = _civil_from_days(days)
        secs, msec = divmod(ms, 1000)
        return (_qt_year(year), month, day, secs // 3600, secs // 60 % 60, secs % 60, msec)

    def _local_days(self) -> int:
        assert self._msecs is not None
        return (self._msecs + self._offset_seconds() * 1000) // _MS_PER_DAY

    # -- Qt API: state ------------------------------------------------------------------------

    def isNull(self) -> bool:
        """True for a default-constructed QDateTime (no date and no time)."""
        return self._null

    def isValid(self) -> bool:
        """True when the value holds a valid date and time in Qt's representable range."""
        return self._msecs is not None

    def __bool__(self) -> bool:
        return self.isValid()

    def timeSpec(self) -> TimeSpec:
        """The clock this value is expressed in (``Qt.TimeSpec``)."""
        return self._spec

    def offsetFromUtc(self) -> int:
        """Seconds east of UTC of this value's clock at its instant; 0 when invalid."""
        return 0 if self._msecs is None else self._offset_seconds()

    # -- Qt API: conversions ------------------------------------------------------------------

    def toMSecsSinceEpoch(self) -> int:
        """Milliseconds since 1970-01-01T00:00:00Z (negative before); 0 when invalid."""
        return 0 if self._msecs is None else self._msecs

    def toSecsSinceEpoch(self) -> int:
        """Seconds since 1970-01-01T00:00:00Z, truncated toward zero as in Qt; 0 when invalid."""
        return _trunc_div(self.toMSecsSinceEpoch(), 1000)

    def toPyDateTime(self) -> _dt.datetime:
        """A naive ``datetime`` with this value's fields on its own clock (as PyQt6).

        As in PyQt6, an invalid value or a year outside 1..9999 raises ``ValueError`` (from
        ``datetime`` itself): there is no datetime to return.
        """
        year, month, day, hour, minute, second, msec = self._fields()
        return _dt.datetime(year, month, day, hour, minute, second, msec * 1000)

    def toUTC(self) -> QDateTime:
        """The same instant expressed in UTC."""
        return self.toTimeSpec(TimeSpec.UTC)

    def toLocalTime(self) -> QDateTime:
        """The same instant expressed in local time."""
        return self.toTimeSpec(TimeSpec.LocalTime)

    def toOffsetFromUtc(self, offsetSeconds: int) -> QDateTime:
        """The same instant expressed at a fixed offset (offset 0 gives UTC, as in Qt)."""
        offset = _check_int("toOffsetFromUtc()", 1, offsetSeconds)
        if self._msecs is None:
            return QDateTime()
        return QDateTime._from_instant(self._msecs, TimeSpec.OffsetFromUTC, offset)

    def toTimeSpec(self, spec: TimeSpec) -> QDateTime:
        """The same instant in another clock (``Qt.TimeSpec.OffsetFromUTC`` gives UTC)."""
        coerced = _coerce_enum(spec, TimeSpec)
        if coerced is None:
            raise _type_error("toTimeSpec()", 1, spec)
        if self._msecs is None:
            return QDateTime()
        return QDateTime._from_instant(self._msecs, coerced)

    # -- Qt API: arithmetic -----------------------------------------------------------------

    def addMSecs(self, msecs: int) -> QDateTime:
        """This value moved by *msecs* milliseconds; invalid stays invalid."""
        delta = _check_int("addMSecs()", 1, msecs)
        if self._msecs is None:
            return QDateTime()
        return QDateTime._from_instant(self._msecs + delta, self._spec, self._offset)

    def addSecs(self, secs: int) -> QDateTime:
        """This value moved by *secs* seconds; invalid stays invalid."""
        return self.addMSecs(_check_int("addSecs()", 1, secs) * 1000)

    def addDays(self, days: int) -> QDateTime:
        """The same clock time *days* calendar days later (local time keeps the wall clock
        across DST changes, as in Qt)."""
        delta = _check_int("addDays()", 1, days)
        if self._msecs is None:
            return QDateTime()
        if self._spec is not TimeSpec.LocalTime:
            return QDateTime._from_instant(
                self._msecs + delta * _MS_PER_DAY, self._spec, self._offset
            )
        local = self._msecs + self._offset_seconds() * 1000 + delta * _MS_PER_DAY
        return QDateTime._from_instant(_local_to_utc_msecs(local), TimeSpec.LocalTime)

    def secsTo(self, other: QDateTime | _dt.datetime) -> int:
        """Seconds from this value to *other* (truncated toward zero); 0 if either is invalid."""
        other = _as_qdatetime("secsTo()", other)
        if self._msecs is None or other._msecs is None:
            return 0
        return _trunc_div(other._msecs - self._msecs, 1000)

    def msecsTo(self, other: QDateTime | _dt.datetime) -> int:
        """Milliseconds from this value to *other*; 0 if either is invalid."""
        other = _as_qdatetime("msecsTo()", other)
        if self._msecs is None or other._msecs is None:
            return 0
        return other._msecs - self._msecs

    def daysTo(self, other: QDateTime | _dt.datetime) -> int:
        """Midnights passed from this value to *other*, each counted on its own clock as Qt
        does (23:00 to 01:00 the next day is one day); 0 if either is invalid."""
        other = _as_qdatetime("daysTo()", other)
        if self._msecs is None or other._msecs is None:
            return 0
        return other._local_days() - self._local_days()

    # -- Qt API: construction -----------------------------------------------------------------

    @staticmethod
    def currentDateTime() -> QDateTime:
        """Now, in local time."""
        return QDateTime._from_instant(_time.time_ns() // 1_000_000, TimeSpec.LocalTime)

    @staticmethod
    def currentDateTimeUtc() -> QDateTime:
        """Now, in UTC."""
        return QDateTime._from_instant(_time.time_ns() // 1_000_000, TimeSpec.UTC)

    @staticmethod
    def currentMSecsSinceEpoch() -> int:
        """Milliseconds since 1970-01-01T00:00:00Z, now."""
        return _time.time_ns() // 1_000_000

    @staticmethod
    def currentSecsSinceEpoch() -> int:
        """Seconds since 1970-01-01T00:00:00Z, now."""
        return _time.time_ns() // 1_000_000_000

    @staticmethod
    def fromMSecsSinceEpoch(
        msecs: int, spec: TimeSpec = TimeSpec.LocalTime, offsetSeconds: int = 0
    ) -> QDateTime:
        """The instant *msecs* after the epoch, in clock *spec* (null when out of range).

        As in Qt, *offsetSeconds* only counts with ``OffsetFromUTC``, and offset 0 gives UTC.
        """
        value = _check_int("fromMSecsSinceEpoch()", 1, msecs)
        coerced = _coerce_enum(spec, TimeSpec)
        if coerced is None:
            raise _type_error("fromMSecsSinceEpoch()", 2, spec)
        offset = _check_int("fromMSecsSinceEpoch()", 3, offsetSeconds)
        return QDateTime._from_instant(value, coerced, offset)

    @staticmethod
    def fromSecsSinceEpoch(
        secs: int, spec: TimeSpec = TimeSpec.LocalTime, offsetSeconds: int = 0
    ) -> QDateTime:
        """The instant *secs* after the epoch, in clock *spec* (null when out of range)."""
        value = _check_int("fromSecsSinceEpoch()", 1, secs)
        return QDateTime.fromMSecsSinceEpoch(value * 1000, spec, offsetSeconds)

    @staticmethod
    def fromString(string: str | None, format: DateFormat = DateFormat.TextDate) -> QDateTime:
        """Parse one of Qt's fixed formats (``Qt.DateFormat``); invalid when it does not parse.

        qtls parses ISODate/ISODateWithMs, RFC2822Date and the TextDate that ``toString()``
        writes; Qt's custom format strings (``fromString(s, "yyyy-MM-dd")``) are not supported
        and give an invalid QDateTime.
        """
        from qtls.core import _datetimetext  # the text formats live in their own module

        if string is not None and not isinstance(string, str):
            raise _type_error("fromString()", 1, string)
        coerced = _coerce_enum(format, DateFormat)
        if coerced is None:
            if isinstance(format, str):
                return QDateTime()
            raise _type_error("fromString()", 2, format)
        parsed = _datetimetext.parse(string or "", coerced.name)
        if parsed is None:
            return QDateTime()
        fields, spec, offset = parsed
        result = QDateTime()
        result._set_fields(*fields, TimeSpec(spec), offset)
        return result

    # -- Qt API: text ---------------------------------------------------------------------------

    def toString(self, format: DateFormat | str | None = DateFormat.TextDate) -> str:
        """The value as text: a ``Qt.DateFormat`` or a Qt format string (``"yyyy-MM-dd hh:mm"``).

        Names of days and months are English, as Qt 6 does for format strings. An invalid value
        gives ``""``; so do ISODate/ISODateWithMs for years outside 0..9999, as in Qt.
        """
        from qtls.core import _datetimetext

        if format is None:
            return ""
        if self._msecs is None:
            if isinstance(format, str) or _coerce_enum(format, DateFormat) is not None:
                return ""
            raise _type_error("toString()", 1, format)
        fields = self._fields()
        zone = _datetimetext.Zone(self._spec.value, self._offset_seconds(), self._zone_name())
        if isinstance(format, str):
            return _datetimetext.format_pattern(fields, self._weekday(), zone, format)
        coerced = _coerce_enum(format, DateFormat)
        if coerced is None:
            raise _type_error("toString()", 1, format)
        return _datetimetext.format_fixed(fields, self._weekday(), zone, coerced.name)

    def _weekday(self) -> int:
        """0 for Monday .. 6 for Sunday (1970-01-01 was a Thursday)."""
        return (self._local_days() + 3) % 7

    def _zone_name(self) -> str:
        """Qt's ``t``: "UTC", "UTC+02:00", or the local zone's abbreviation."""
        if self._spec is TimeSpec.UTC:
            return "UTC"
        if self._spec is TimeSpec.OffsetFromUTC:
            sign = "+" if self._offset >= 0 else "-"
            hours, minutes = divmod(abs(self._offset) // 60, 60)
            return f"UTC{sign}{hours:02d}:{minutes:02d}"
        secs = min(max((self._msecs or 0) // 1000, _LOCAL_MIN_SECS), _LOCAL_MAX_SECS)
        try:
            return _time.strftime("%Z", _time.localtime(secs))
        except (OverflowError, OSError, ValueError):  # pragma: no cover
            return _time.tzname[0]

    # -- value semantics ------------------------------------------------------------------

    def _key(self) -> tuple[int, int]:
        # Invalid values sort before every valid one and equal each other (Qt 6).
        return (0, 0) if self._msecs is None else (1, self._msecs)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, _dt.datetime):
            other = QDateTime(other)
        if not isinstance(other, QDateTime):
            return NotImplemented
        return self._key() == other._key()

    def __ne__(self, other: object) -> bool:
        result = self.__eq__(other)
        return result if result is NotImplemented else not result

    def _compare_key(self, other: object) -> tuple[int, int] | None:
        if isinstance(other, _dt.datetime):
            other = QDateTime(other)
        return other._key() if isinstance(other, QDateTime) else None

    def __lt__(self, other: QDateTime | _dt.datetime) -> bool:
        key = self._compare_key(other)
        return NotImplemented if key is None else self._key() < key

    def __le__(self, other: QDateTime | _dt.datetime) -> bool:
        key = self._compare_key(other)
        return NotImplemented if key is None else self._key() <= key

    def __gt__(self, other: QDateTime | _dt.datetime) -> bool:
        key = self._compare_key(other)
        return NotImplemented if key is None else self._key() > key

    def __ge__(self, other: QDateTime | _dt.datetime) -> bool:
        key = self._compare_key(other)
        return NotImplemented if key is None else self._key() >= key

    def __hash__(self) -> int:
        # By instant, so that values equal across time specs hash equal (PyQt6's hash does not).
        return 0 if self._msecs is None else hash(self._msecs)

    def __copy__(self) -> QDateTime:
        return QDateTime(self)

    def __deepcopy__(self, memo: object) -> QDateTime:
        return QDateTime(self)

    def __reduce__(self) -> tuple[Any, ...]:
        return (_restore, (self._msecs, self._spec.value, self._offset, self._null,
                           self._invalid_time))  # fmt: skip

    def __repr__(self) -> str:
        """PyQt6's repr, with qtls's module names: ``qtls.QtCore.QDateTime(2030, 5, 6, 7, 8)``."""
        if self._null:
            return "qtls.QtCore.QDateTime()"
        year, month, day, hour, minute, second, msec = self._fields()
        parts = [year, month, day, hour, minute]
        local = self._spec is TimeSpec.LocalTime
        # PyQt6 drops trailing zero seconds/msecs, but only for local time.
        if second or msec or not local:
            parts.append(second)
            if msec or not local:
                parts.append(msec)
        text = ", ".join(str(p) for p in parts)
        if not local:
            text += f", qtls.QtCore.Qt.TimeSpec({self._spec.value})"
        return f"qtls.QtCore.QDateTime({text})"


def _restore(
    msecs: int | None, spec: int, offset: int, null: bool, invalid_time: tuple[int, int, int, int]
) -> QDateTime:
    result = QDateTime()
    result._msecs, result._spec, result._offset = msecs, TimeSpec(spec), offset
    result._null, result._invalid_time = null, invalid_time
    return result


def _trunc_div(a: int, b: int) -> int:
    """C-style integer division (toward zero), which Qt uses for msecs -> secs."""
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b >= 0) else -q


def _normalise_spec(spec: TimeSpec, offset: int) -> tuple[TimeSpec, int]:
    """Qt's normalisation: offset 0 is UTC, the offset only counts for OffsetFromUTC, and a bare
    ``Qt.TimeSpec.TimeZone`` (no QTimeZone given) falls back to local time."""
    if spec is TimeSpec.OffsetFromUTC:
        return (TimeSpec.UTC, 0) if offset == 0 else (spec, offset)
    if spec is TimeSpec.TimeZone:
        return TimeSpec.LocalTime, 0
    return spec, 0


def _spec_from_int(value: int) -> tuple[TimeSpec, int]:
    """The ``timeSpec: int`` of PyQt6's field constructor (an int, not the enum)."""
    try:
        return TimeSpec(value), 0
    except ValueError:
        return TimeSpec.LocalTime, 0


def _as_qdatetime(method: str, value: object) -> QDateTime:
    if isinstance(value, QDateTime):
        return value
    if isinstance(value, _dt.datetime):
        return QDateTime(value)
    raise _type_error(method, 1, value)
