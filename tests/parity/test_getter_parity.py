"""Every zero-argument getter along sockets' and servers' lives, on PyQt6 and on qtls.

lifecycle.py runs in a subprocess of its own per library (one QCoreApplication each); the
records are compared scenario by scenario, step by step. The differences left are listed in
EXPECTED with the reason they stay. Skipped without PyQt6.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.bindings import records_of_both, scenario_names

SCRIPT = Path(__file__).with_name("lifecycle.py")

# (scenario or "*", step, getter) -> why qtls differs from Qt there.
_ERROR_TEXT = "qtls's message names the address refused (Qt: 'Connection refused')"
_ENGINE_LEFT = "Qt keeps its socket engine (and descriptor) after a failed bind or listen"
_FLUSHED = ("qtls hands handshake bytes to the kernel at once; Qt's blocking wait returns "
            "with the last flight still in its plain socket")
_UNFINISHED = ("Qt reads OpenSSL's SSL_version() of an unfinished handshake (the highest "
               "version offered); qtls reports no protocol until one is negotiated")
_NAME_BY_HAND = ("Qt's QTcpSocket forgets a name set by setPeerName() when the connection ends "
                 "(then the host name shows again); qtls keeps it (the fix is in socketpump.py)")
_STALE_ERROR = ("Qt's QSslSocket keeps the last connection's error() across connectToHost() "
                "(its errorString() resets); qtls resets both, as QTcpSocket does")
EXPECTED: dict[tuple[str, str, str], str] = {
    ("*", "refused", "errorString"): _ERROR_TEXT,
    ("*", "closed after refusal", "errorString"): _ERROR_TEXT,
    ("*", "closed after refusal", "isValid"): _ENGINE_LEFT,
    ("udp_socket", "used port", "bytesAvailable"): _ENGINE_LEFT,
    ("udp_socket", "used port", "size"): _ENGINE_LEFT,
    ("tcp_server", "used port", "socketDescriptor"): _ENGINE_LEFT,
    ("ssl_server", "used port", "socketDescriptor"): _ENGINE_LEFT,
    ("*", "encrypted", "encryptedBytesToWrite"): _FLUSHED,
    ("peer_name_by_hand", "QTcpSocket peer closed", "peerName"): _NAME_BY_HAND,
    ("ssl_socket_plain", "disconnectFromHost", "error"): _STALE_ERROR,
    ("ssl_socket_plain", "after waitForDisconnected", "error"): _STALE_ERROR,
    ("ssl_socket_plain", "aborted", "error"): _STALE_ERROR,
    ("*", "handshaking", "sessionProtocol"): _UNFINISHED,
    ("*", "handshaking", "sslConfiguration"): _UNFINISHED,
}


@pytest.fixture(scope="module")
def records() -> dict[str, dict[str, Any]]:
    return records_of_both(SCRIPT, timeout=120)


def _names() -> list[str]:
    return scenario_names(SCRIPT)


def _expected(name: str, tag: str, getter: str) -> bool:
    return (name, tag, getter) in EXPECTED or ("*", tag, getter) in EXPECTED


def _without_expected(name: str, record: list[Any]) -> list[Any]:
    out: list[Any] = []
    for entry in record:
        if isinstance(entry[-1], dict):
            tag = entry[0]
            entry = [*entry[:-1], {getter: value for getter, value in entry[-1].items()
                                   if not _expected(name, tag, getter)}]
        out.append(entry)
    return out


@pytest.mark.parametrize("name", _names())
def test_same_getters_as_pyqt6(records: dict[str, dict[str, Any]], name: str) -> None:
    expected = _without_expected(name, records["PyQt6"][name])
    got = _without_expected(name, records["qtls"][name])
    assert not any(entry[:1] == ["exception"] for entry in got), got
    assert not any(entry[:1] == ["exception"] for entry in expected), expected
    for want, have in zip(expected, got, strict=True):
        assert have == want


def test_every_scenario_recorded_steps(records: dict[str, dict[str, Any]]) -> None:
    assert set(records["qtls"]) == set(_names())
    for name in _names():
        assert sum(isinstance(entry[-1], dict) for entry in records["qtls"][name]) >= 1


def test_every_expected_difference_is_still_one(records: dict[str, dict[str, Any]]) -> None:
    """An entry of EXPECTED that no longer differs anywhere is stale and must go."""
    seen: set[tuple[str, str, str]] = set()
    for name in _names():
        for want, have in zip(records["PyQt6"][name], records["qtls"][name], strict=True):
            if isinstance(want[-1], dict) and isinstance(have[-1], dict):
                for getter, value in want[-1].items():
                    if have[-1].get(getter) != value:
                        key = (name, want[0], getter)
                        seen.add(key if key in EXPECTED else ("*", want[0], getter))
    assert set(EXPECTED) <= seen, set(EXPECTED) - seen
