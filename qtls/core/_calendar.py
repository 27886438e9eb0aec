"""Calendar and clock arithmetic for QDateTime: proleptic Gregorian days and local offsets.

Pure integer arithmetic (Howard Hinnant's days_from_civil / civil_from_days), so any year in Qt's
range works, far beyond ``datetime``'s 1..9999. Years here are astronomical (... -1, 0, 1 ...);
:func:`_qt_year`/:func:`_astro_year` convert to and from Qt's years, which have no year 0.
Local time is what the C library says (``time.localtime``), as Qt does on Unix.
"""

from __future__ import annotations

import time as _time

_MS_PER_DAY = 86_400_000


def _days_from_civil(year: int, month: int, day: int) -> int:
    """Days since 1970-01-01 of an astronomical-year proleptic Gregorian date."""
    year -= month <= 2
    era = year // 400
    yoe = year - era * 400
    doy = (153 * (month + (-3 if month > 2 else 9)) + 2) // 5 + day - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


def _civil_from_days(days: int) -> tuple[int, int, int]:
    """(astronomical year, month, day) of a day count since 1970-01-01."""
    days += 719468
    era = days // 146097
    doe = days - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    day = doy - (153 * mp + 2) // 5 + 1
    month = mp + (3 if mp < 10 else -9)
    return yoe + era * 400 + (month <= 2), month, day


def _qt_year(astro: int) -> int:
    return astro if astro > 0 else astro - 1


def _astro_year(year: int) -> int:
    return year if year > 0 else year + 1


def _days_in_month(astro_year: int, month: int) -> int:
    if month == 2:
        leap = astro_year % 4 == 0 and (astro_year % 100 != 0 or astro_year % 400 == 0)
        return 29 if leap else 28
    return 30 if month in (4, 6, 9, 11) else 31


# Qt 6's QDateTime::YearRange: the representable years.
_MIN_MSECS = _days_from_civil(_astro_year(-292275056), 1, 1) * _MS_PER_DAY
_MAX_MSECS = (_days_from_civil(292278994, 12, 31) + 1) * _MS_PER_DAY - 1

# time.localtime() works on this range everywhere we run; outside it, clamp (see module doc).
_LOCAL_MIN_SECS = -62135596800  # 0001-01-01T00:00:00Z
_LOCAL_MAX_SECS = 253402300799  # 9999-12-31T23:59:59Z


def _local_offset_at(utc_secs: int) -> int:
    """The local clock's offset from UTC, in seconds, at an instant."""
    secs = min(max(utc_secs, _LOCAL_MIN_SECS), _LOCAL_MAX_SECS)
    try:
        return _time.localtime(secs).tm_gmtoff
    except (
        OverflowError,
        OSError,
        ValueError,
    ):  # pragma: no cover - platform without 64-bit time_t
        return -_time.timezone


def _local_to_utc_msecs(local_msecs: int) -> int:
    """The instant whose local-clock reading is *local_msecs*.

    A reading that happens twice (the hour repeated when DST ends) gives the earlier instant,
    as Qt does; a reading that never happens (skipped when DST starts) is resolved with the
    offset in force just after the change, also as Qt does.
    """
    secs = local_msecs // 1000
    offsets = {_local_offset_at(secs - 86400), _local_offset_at(secs + 86400)}
    valid = [
        local_msecs - offset * 1000
        for offset in offsets
        if _local_offset_at(secs - offset) == offset
    ]
    if valid:
        return min(valid)
    first = _local_offset_at(secs)
    second = _local_offset_at(secs - first)
    return local_msecs - second * 1000
