"""QDateTime: construction, conversions, arithmetic, text, ordering; compared with PyQt6."""

from __future__ import annotations

import datetime as dt
import pickle

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qtls.core.qdatetime import DateFormat, QDateTime, TimeSpec

UTC = TimeSpec.UTC


def test_default_value_is_null_and_invalid() -> None:
    value = QDateTime()
    assert value.isNull() and not value.isValid() and not value
    assert value.toMSecsSinceEpoch() == 0 and value.toSecsSinceEpoch() == 0
    assert value.toString() == "" and value.toString(DateFormat.ISODate) == ""
    assert repr(value) == "qtls.QtCore.QDateTime()"


def test_null_value_has_no_python_datetime() -> None:
    with pytest.raises(ValueError, match="year 0"):
        QDateTime().toPyDateTime()


def test_naive_datetime_gives_local_time_with_millisecond_precision() -> None:
    value = QDateTime(dt.datetime(2030, 5, 6, 7, 8, 9, 123456))
    assert value.timeSpec() is TimeSpec.LocalTime
    assert value.toPyDateTime() == dt.datetime(2030, 5, 6, 7, 8, 9, 123000)


def test_aware_datetime_keeps_its_fields_and_drops_tzinfo_as_pyqt6() -> None:
    aware = dt.datetime(2030, 5, 6, 7, 8, 9, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    value = QDateTime(aware)
    assert value.timeSpec() is TimeSpec.LocalTime
    assert value.toPyDateTime() == dt.datetime(2030, 5, 6, 7, 8, 9)


def test_from_datetime_utc_converts_aware_datetimes_to_utc() -> None:
    aware = dt.datetime(2030, 5, 6, 7, 8, 9, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    value = QDateTime._from_datetime_utc(aware)
    assert value.timeSpec() is UTC
    assert value.toString(DateFormat.ISODate) == "2030-05-06T05:08:09Z"
    assert value._to_datetime_utc() == aware


@pytest.mark.parametrize(
    ("moment", "iso"),
    [
        (dt.datetime(1950, 1, 1, tzinfo=dt.timezone.utc), "1950-01-01T00:00:00Z"),
        (dt.datetime(1969, 12, 31, 23, 59, 59, tzinfo=dt.timezone.utc), "1969-12-31T23:59:59Z"),
        (dt.datetime(2038, 1, 19, 3, 14, 8, tzinfo=dt.timezone.utc), "2038-01-19T03:14:08Z"),
        (dt.datetime(2051, 2, 28, 12, tzinfo=dt.timezone.utc), "2051-02-28T12:00:00Z"),
        (dt.datetime(9999, 12, 31, 23, 59, 59, tzinfo=dt.timezone.utc), "9999-12-31T23:59:59Z"),
        (dt.datetime(1, 1, 1, tzinfo=dt.timezone.utc), "0001-01-01T00:00:00Z"),
    ],
)
def test_certificate_dates_before_1970_and_after_2050_round_trip(
    moment: dt.datetime, iso: str
) -> None:
    value = QDateTime._from_datetime_utc(moment)
    assert value.isValid()
    assert value.toString(DateFormat.ISODate) == iso
    assert value.toSecsSinceEpoch() == int(moment.timestamp())
    assert value.toPyDateTime() == moment.replace(tzinfo=None)
    assert QDateTime.fromString(iso, DateFormat.ISODate) == value


def test_year_before_one_is_minus_one_as_in_qt() -> None:
    first = QDateTime.fromMSecsSinceEpoch(-62135596800000, UTC)  # 0001-01-01T00:00:00Z
    before = first.addMSecs(-1)
    assert (
        repr(before)
        == "qtls.QtCore.QDateTime(-1, 12, 31, 23, 59, 59, 999, qtls.QtCore.Qt.TimeSpec(1))"
    )
    assert before.toString(DateFormat.ISODate) == ""


def test_year_10000_is_valid_but_has_no_iso_form() -> None:
    value = QDateTime.fromMSecsSinceEpoch(253402300800000, UTC)
    assert value.isValid()
    assert value.toString(DateFormat.ISODate) == ""
    assert value.toString() == "Sat Jan 1 00:00:00 10000 GMT"


def test_seconds_out_of_range_give_null() -> None:
    assert QDateTime.fromSecsSinceEpoch(2**62, UTC).isNull()


def test_offset_zero_is_normalised_to_utc() -> None:
    value = QDateTime.fromSecsSinceEpoch(100, TimeSpec.OffsetFromUTC, 0)
    assert value.timeSpec() is UTC


def test_offset_spec_keeps_its_offset_and_formats_it() -> None:
    value = QDateTime(dt.date(2030, 5, 6), dt.time(7, 8, 9), TimeSpec.OffsetFromUTC, 9000)
    assert value.offsetFromUtc() == 9000
    assert value.toString(DateFormat.ISODate) == "2030-05-06T07:08:09+02:30"
    assert value.toString(DateFormat.TextDate) == "Mon May 6 07:08:09 2030 GMT+0230"
    assert value.toString(DateFormat.RFC2822Date) == "06 May 2030 07:08:09 +0230"
    assert value.toUTC().toString(DateFormat.ISODate) == "2030-05-06T04:38:09Z"
    assert value == value.toUTC() and hash(value) == hash(value.toUTC())


def test_invalid_date_gives_invalid_but_not_null_value() -> None:
    value = QDateTime(2020, 2, 30, 1, 2)
    assert not value.isValid() and not value.isNull()
    assert value == QDateTime() and not value < QDateTime()


def test_invalid_time_means_start_of_day() -> None:
    value = QDateTime(2020, 2, 3, 25, 2, 0, 0, 1)
    assert value.isValid()
    assert value.toString(DateFormat.ISODate) == "2020-02-03T00:00:00Z"


def test_field_constructor_takes_an_int_time_spec_not_the_enum() -> None:
    assert QDateTime(2020, 2, 3, 5, 2, 0, 0, 1).timeSpec() is UTC
    with pytest.raises(TypeError):
        QDateTime(2020, 2, 3, 5, 2, 0, 0, UTC)


def test_wrong_argument_types_raise_type_error() -> None:
    for args in [(5,), ("x",), (dt.date(2020, 1, 1), dt.time(1), 1)]:
        with pytest.raises(TypeError):
            QDateTime(*args)
    with pytest.raises(TypeError):
        QDateTime().addSecs(1.5)  # type: ignore[arg-type]


def test_arithmetic_and_distances() -> None:
    start = QDateTime(2030, 5, 6, 23, 0, 0, 0, 1)
    assert start.addSecs(7200).toString(DateFormat.ISODate) == "2030-05-07T01:00:00Z"
    assert start.addDays(-3).toString(DateFormat.ISODate) == "2030-05-03T23:00:00Z"
    assert start.secsTo(start.addDays(1)) == 86400
    assert start.daysTo(start.addSecs(7200)) == 1  # one midnight passed
    assert start.addSecs(7200).daysTo(start) == -1
    assert start.secsTo(start.addMSecs(-1500)) == -1  # truncated toward zero, as in Qt
    assert QDateTime().addSecs(5).isNull() and QDateTime().secsTo(start) == 0


def test_ordering_is_by_instant_and_invalid_sorts_first() -> None:
    utc = QDateTime(2030, 5, 6, 7, 0, 0, 0, 1)
    east = utc.toOffsetFromUtc(3600)
    later = utc.addSecs(1)
    assert east == utc and later > east and east < later and later >= utc and utc <= east
    assert sorted([later, QDateTime(), utc]) == [QDateTime(), utc, later]
    assert later > dt.datetime(1970, 1, 1)
    with pytest.raises(TypeError):
        assert utc < 5  # type: ignore[operator]


def test_comparison_with_datetime_converts_it_first() -> None:
    assert QDateTime(dt.datetime(2030, 5, 6, 7, 8, 9, 123000)) == dt.datetime(
        2030, 5, 6, 7, 8, 9, 123456
    )


def test_format_string_tokens() -> None:
    value = QDateTime(dt.date(2030, 5, 6), dt.time(17, 8, 9, 5000), UTC)
    text = value.toString("dddd d MMMM yy ap AP h:H:m:s z zz zzz t 'lit''x' ddd MMM")
    assert text == "Monday 6 May 30 pm PM 5:17:8:9 005 005 005 UTC lit'x Mon May"
    assert value.toString("yyyy-MM-dd hh:mm:ss.zzz") == "2030-05-06 17:08:09.005"


def test_current_date_time_is_now() -> None:
    import time

    before = int(time.time() * 1000)
    now = QDateTime.currentDateTimeUtc()
    after = int(time.time() * 1000) + 1
    assert now.timeSpec() is UTC and before <= now.toMSecsSinceEpoch() <= after
    assert abs(QDateTime.currentDateTime().secsTo(now)) <= 1


def test_from_string_parses_fixed_formats() -> None:
    iso = QDateTime.fromString("2020-01-02T03:04:05.123+02:00", DateFormat.ISODate)
    assert iso.offsetFromUtc() == 7200 and iso.toMSecsSinceEpoch() % 1000 == 123
    assert QDateTime.fromString("garbage", DateFormat.ISODate).isNull()
    rfc = QDateTime.fromString("06 May 2030 07:08:09 +0000", DateFormat.RFC2822Date)
    assert rfc.toString(DateFormat.ISODate) == "2030-05-06T07:08:09Z"
    text = QDateTime.fromString("Mon May 6 07:08:09 2030 GMT")
    assert text.toString(DateFormat.ISODate) == "2030-05-06T07:08:09Z"


def test_values_pickle_and_copy() -> None:
    value = QDateTime(2030, 5, 6, 7, 0, 0, 0, 1)
    assert pickle.loads(pickle.dumps(value)) == value
    copy = QDateTime(value)
    assert copy == value and copy is not value


@given(st.integers(min_value=-62135596800000, max_value=253402300799999))
def test_msecs_round_trip_through_datetime(msecs: int) -> None:
    value = QDateTime.fromMSecsSinceEpoch(msecs, UTC)
    assert value.toMSecsSinceEpoch() == msecs
    back = QDateTime._from_datetime_utc(value.toPyDateTime())
    assert back == value


# -- against PyQt6 ------------------------------------------------------------------------------

_INSTANTS = [0, 1234, -1500, 1904281689005, -2524521600000, 2524608000000, 4102444800123,
             -62135596800000, 253402300799999, 253402300800000, -62135596800001, 2**52]  # fmt: skip
_SPECS = [(TimeSpec.LocalTime, 0), (UTC, 0), (TimeSpec.OffsetFromUTC, 9000),
          (TimeSpec.OffsetFromUTC, -3600)]  # fmt: skip
_PATTERNS = ["yyyy-MM-dd hh:mm:ss.zzz", "ddd d MMM yy h:m:s ap", "dddd MMMM t", "'quoted' yyyy"]


@pytest.mark.pyqt6
@pytest.mark.parametrize("msecs", _INSTANTS)
@pytest.mark.parametrize(("spec", "offset"), _SPECS)
def test_conversions_and_text_match_pyqt6(msecs: int, spec: TimeSpec, offset: int) -> None:
    core = pytest.importorskip("PyQt6.QtCore")
    theirs = core.QDateTime.fromMSecsSinceEpoch(msecs, core.Qt.TimeSpec(spec.value), offset)
    ours = QDateTime.fromMSecsSinceEpoch(msecs, spec, offset)
    assert repr(ours) == repr(theirs).replace("PyQt6.", "qtls.")
    assert ours.isValid() == theirs.isValid() and ours.isNull() == theirs.isNull()
    assert ours.toSecsSinceEpoch() == theirs.toSecsSinceEpoch()
    assert ours.offsetFromUtc() == theirs.offsetFromUtc()
    assert ours.timeSpec().value == theirs.timeSpec().value
    for fmt in DateFormat:
        assert ours.toString(fmt) == theirs.toString(core.Qt.DateFormat(fmt.value)), fmt
    if abs(msecs) < 2**40:  # Qt's own text for huge years is not worth matching
        for pattern in _PATTERNS:
            assert ours.toString(pattern) == theirs.toString(pattern), pattern
    assert repr(ours.toUTC()) == repr(theirs.toUTC()).replace("PyQt6.", "qtls.")
    assert repr(ours.addDays(40)) == repr(theirs.addDays(40)).replace("PyQt6.", "qtls.")
    try:
        expected: object = theirs.toPyDateTime()
    except ValueError:
        expected = ValueError
    if expected is ValueError:
        with pytest.raises(ValueError):
            ours.toPyDateTime()
    else:
        assert ours.toPyDateTime() == expected


@pytest.mark.pyqt6
def test_datetime_constructor_and_distances_match_pyqt6() -> None:
    core = pytest.importorskip("PyQt6.QtCore")
    moments = [dt.datetime(2030, 5, 6, 23, 59, 59, 999999), dt.datetime(1901, 1, 1),
               dt.datetime(2051, 12, 31, 0, 0, 1, tzinfo=dt.timezone.utc)]  # fmt: skip
    for a in moments:
        assert repr(QDateTime(a)) == repr(core.QDateTime(a)).replace("PyQt6.", "qtls.")
        for b in moments:
            qa, qb = core.QDateTime(a), core.QDateTime(b)
            assert QDateTime(a).secsTo(QDateTime(b)) == qa.secsTo(qb)
            assert QDateTime(a).daysTo(QDateTime(b)) == qa.daysTo(qb)
            assert (QDateTime(a) < QDateTime(b)) == (qa < qb)


@pytest.mark.pyqt6
@pytest.mark.parametrize(
    "text",
    ["2020-01-02T03:04:05Z", "2020-01-02T03:04:05", "2020-01-02T03:04:05.123+02:00",
     "2020-01-02T03:04:05-0130", "2020-01-02", "nonsense", ""],
)  # fmt: skip
def test_iso_parsing_matches_pyqt6(text: str) -> None:
    core = pytest.importorskip("PyQt6.QtCore")
    theirs = core.QDateTime.fromString(text, core.Qt.DateFormat.ISODate)
    ours = QDateTime.fromString(text, DateFormat.ISODate)
    assert repr(ours) == repr(theirs).replace("PyQt6.", "qtls.")


_LOCAL_TIME_SCRIPT = """
import datetime as dt
from PyQt6.QtCore import QDateTime as P
from qtls.core.qdatetime import QDateTime as Q
bad = []
for ms in [0, 1711846800000 - 3600000, 1711846800000, 1729990800000 + 1800000, -2524521600000]:
    p, q = P.fromMSecsSinceEpoch(ms), Q.fromMSecsSinceEpoch(ms)
    if repr(p).replace("PyQt6.", "qtls.") != repr(q) or p.offsetFromUtc() != q.offsetFromUtc():
        bad.append((ms, repr(p), repr(q)))
# The skipped hour when DST starts, the repeated hour when it ends, and summer.
for d in [dt.datetime(2024, 3, 31, 2, 30), dt.datetime(2024, 10, 27, 2, 30), dt.datetime(2024, 7, 1)]:
    if P(d).toMSecsSinceEpoch() != Q(d).toMSecsSinceEpoch():
        bad.append((d, P(d).toMSecsSinceEpoch(), Q(d).toMSecsSinceEpoch()))
print(bad)
"""


@pytest.mark.pyqt6
def test_local_time_across_dst_changes_matches_pyqt6() -> None:
    pytest.importorskip("PyQt6.QtCore")
    import os
    import subprocess
    import sys

    env = dict(os.environ, TZ="Europe/Berlin", QT_QPA_PLATFORM="offscreen")
    result = subprocess.run(
        [sys.executable, "-c", _LOCAL_TIME_SCRIPT], env=env, capture_output=True, text=True,
        timeout=60, check=True,
    )  # fmt: skip
    assert result.stdout.strip() == "[]"


def test_time_spec_and_date_format_are_scoped_in_qt_as_in_pyqt6() -> None:
    from qtls.QtCore import Qt

    value = QDateTime._from_datetime_utc(dt.datetime(2020, 1, 1, tzinfo=dt.timezone.utc))
    assert value.timeSpec() is Qt.TimeSpec.UTC
    assert value.toString(Qt.DateFormat.ISODate) == "2020-01-01T00:00:00Z"
