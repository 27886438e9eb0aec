"""The whole x509-limbo SERVER suite: qtls against PyQt6 (verify() and real handshakes, under a
frozen clock), and every case through qtls handshakes, default and strict. Run by ``make conformance`` (about a
minute and a half), which sets ``QTLS_LIMBO_CONFORMANCE=1``; skipped otherwise.
"""

from __future__ import annotations

import os

import pytest

from tests.x509.limbo_cases import load_cases, verdicts
from tests.x509.limbo_faketime import faketime_binary, missing_faketime_reason

pytestmark = [
    pytest.mark.timeout(900),
    pytest.mark.skipif(not os.environ.get("QTLS_LIMBO_CONFORMANCE"),
                       reason="the whole x509-limbo suite runs with `make conformance`"),
    pytest.mark.skipif(faketime_binary() is None, reason=missing_faketime_reason()),
    pytest.mark.filterwarnings("ignore::cryptography.utils.CryptographyDeprecationWarning"),
]

# Where Qt (PyQt6, on the system's OpenSSL 3.0) is wrong and qtls is right: OpenSSL 3.0 counts
# notAfter as exclusive; RFC 5280 4.1.2.5 and OpenSSL >= 3.4 (qtls's) count it inclusive.
QT_WRONG = {"rfc5280::validity::notafter-exact"}

# Why a handshake may refuse what verify() accepts: the handshake sets OpenSSL's SSL-server
# purpose (InvalidPurpose) and security level (weak CA keys), and needs a signature algorithm
# both sides support (a DSA server key has none in TLS 1.2/1.3). OpenSSL's clock in the
# handshake has whole seconds, so a case 5 ms after notAfter passes there.
HANDSHAKE_ONLY = {"InvalidPurpose", "UnspecifiedError", "handshake failed"}
WHOLE_SECONDS = {"rfc5280::validity::notafter-fractional"}


def test_qtls_verify_equals_qt_wherever_qt_is_right_and_never_accepts_what_qt_rejects() -> None:
    pytest.importorskip("PyQt6.QtNetwork")
    ours, qt = verdicts("qtls verify()"), verdicts("PyQt6 verify()")
    cases = load_cases()
    accepted_by_us_only = [c.id for c in cases if not ours[c.id] and qt[c.id] and c.id not in QT_WRONG]
    different = [c.id for c in cases if (not ours[c.id]) != (not qt[c.id])
                 and not (c.id in QT_WRONG and (not ours[c.id]) == c.expected_success)]
    assert accepted_by_us_only == []
    assert different == []


def test_qtls_handshake_equals_qt_s_wherever_qt_is_right() -> None:
    pytest.importorskip("PyQt6.QtNetwork")
    ours, qt = verdicts("qtls handshake"), verdicts("PyQt6 handshake")
    for case in load_cases():
        if isinstance(ours[case.id], dict) or case.id in QT_WRONG:
            continue
        assert (not ours[case.id]) == (not qt[case.id]), (case.id, ours[case.id], qt[case.id])


def test_handshake_never_accepts_what_verify_rejects() -> None:
    verified, handshakes = verdicts("qtls verify()"), verdicts("qtls handshake")
    for case in load_cases():
        answer = handshakes[case.id]
        if isinstance(answer, dict) or case.id in WHOLE_SECONDS:
            continue
        if verified[case.id]:
            assert answer, case.id
        elif answer:
            assert all(e.split(":")[0] in HANDSHAKE_ONLY for e in answer), (case.id, answer)


def test_strict_handshake_gives_strict_verify_s_verdict() -> None:
    verified, handshakes = verdicts("qtls strict verify()"), verdicts("qtls strict handshake")
    for case in load_cases():
        answer = handshakes[case.id]
        if isinstance(answer, dict) or case.id in WHOLE_SECONDS:
            continue
        assert (not answer) == (not verified[case.id]), (case.id, answer, verified[case.id])
