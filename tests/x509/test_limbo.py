"""x509-limbo's SERVER cases through QSslCertificate.verify(), default and strict (every case,
about a second), and a handful through real handshakes. The whole suite, PyQt6 included, is
``make conformance`` (tests/x509/test_limbo_conformance.py).
"""

from __future__ import annotations

from typing import Any

import pytest

from qtls.QtNetwork import QSslCertificate
from qtls.ssl.x509.strict import _SUPERSEDED_ANYWHERE, _SUPERSEDED_OFF_PATH
from tests.x509.limbo_cases import (
    by_id,
    cryptography_harness_cases,
    load_cases,
    score,
    verdicts,
)
from tests.x509.limbo_faketime import faketime_binary, missing_faketime_reason, run_groups

pytestmark = [
    pytest.mark.timeout(120),
    # Some limbo certificates break RFC 5280 on purpose (a serial number of zero).
    pytest.mark.filterwarnings("ignore::cryptography.utils.CryptographyDeprecationWarning"),
]

# Where strict mode sides with the CA/Browser Forum against RFC 5280: a CA certificate as the
# server's (x509-limbo marks the first case as conflicting with webpki::ca-as-leaf).
WEB_PKI_OVER_RFC5280 = {
    "rfc5280::ca-as-leaf",
    "pathlen::validation-ignores-pathlen-in-leaf",
}


@pytest.mark.parametrize("implementation", ["qtls verify()", "qtls strict verify()"])
def test_every_case_gets_a_verdict_without_raising(implementation: str) -> None:
    results = verdicts(implementation)
    assert set(results) == {case.id for case in load_cases()}
    assert all(isinstance(errors, list) for errors in results.values())


def test_strict_keeps_qt_s_errors_but_those_of_a_path_openssl_should_not_have_taken() -> None:
    default, strict = verdicts("qtls verify()"), verdicts("qtls strict verify()")
    alone = verdicts("cryptography")
    droppable = {e.name for e in _SUPERSEDED_ANYWHERE | _SUPERSEDED_OFF_PATH}
    for case in load_cases():
        kept = [e for e in default[case.id] if e in strict[case.id]]
        dropped = [e for e in default[case.id] if e not in strict[case.id]]
        # Qt's errors come first, in Qt's order; strict mode's own come after them.
        assert strict[case.id][: len(kept)] == kept, case.id
        assert all(not e.startswith("Strict") for e in default[case.id])
        if dropped:  # only when cryptography validated another path, and only path errors
            assert alone[case.id] == [], case.id
            assert {e.split(":")[0] for e in dropped} <= droppable, (case.id, dropped)
        if default[case.id] and not strict[case.id]:
            assert case.expected_success, case.id  # never a chain limbo says is invalid


def test_strict_refuses_valid_chains_only_where_qt_does_or_web_pki_says_so() -> None:
    default, strict = verdicts("qtls verify()"), verdicts("qtls strict verify()")
    wrongly_refused = {c.id for c in load_cases() if c.expected_success and strict[c.id]}
    qt_refused = {c.id for c in load_cases() if c.expected_success and default[c.id]}
    assert wrongly_refused - qt_refused <= WEB_PKI_OVER_RFC5280


@pytest.mark.parametrize("subset", [False, True], ids=["all", "cryptography-harness"])
def test_strict_passes_at_least_as_many_cases_as_cryptography_alone(subset: bool) -> None:
    cases = cryptography_harness_cases() if subset else load_cases()
    strict = score(verdicts("qtls strict verify()"), cases)
    alone = score(verdicts("cryptography"), cases)
    default = score(verdicts("qtls verify()"), cases)
    assert strict.passed >= alone.passed > default.passed
    assert strict.accepted_invalid <= alone.accepted_invalid < default.accepted_invalid


@pytest.mark.pyqt6
def test_non_ascii_san_reads_as_qt_reads_it(pyqt_network: Any) -> None:
    # webpki::san::unicode-emoji-san: qtls used to match it against its A-label; Qt does not.
    case = by_id("webpki::san::unicode-emoji-san")
    ours = QSslCertificate(case.peer.encode()).subjectAlternativeNames()
    theirs = pyqt_network.QSslCertificate(case.peer.encode()).subjectAlternativeNames()
    assert [list(v) for v in ours.values()] == [list(v) for v in theirs.values()]
    assert verdicts("qtls verify()")[case.id]  # HostNameMismatch, as PyQt6 reports


# A few cases through real handshakes: accepted, refused by OpenSSL, by Qt's host-name check,
# by strict mode only, and two at a frozen validation time (libfaketime).
HANDFUL = [
    "webpki::san::exact-dns-san",
    "rfc5280::root-non-critical-basic-constraints",
    "webpki::san::wildcard-embedded-leftmost-san",
    "rfc5280::nc::nc-forbids-dnsname-wildcard-san",
    "rfc5280::validity::notafter-exact",
    "rfc5280::validity::expired-leaf",
]


@pytest.mark.parametrize("strict", [False, True], ids=["default", "strict"])
def test_a_handful_of_cases_get_the_same_verdict_in_a_real_handshake(strict: bool) -> None:
    cases = [by_id(case_id) for case_id in HANDFUL if case_id in {c.id for c in load_cases()}]
    if faketime_binary() is None:
        cases = [case for case in cases if case.validation_time is None]
    handshakes = run_groups("qtls-strict-handshake" if strict else "qtls-handshake", cases)
    verified = verdicts("qtls strict verify()" if strict else "qtls verify()")
    for case in cases:
        assert isinstance(handshakes[case.id], list), handshakes[case.id]
        assert (not handshakes[case.id]) == (not verified[case.id]), (case.id, handshakes[case.id])
    if faketime_binary() is None:
        pytest.skip(f"frozen-clock cases left out: {missing_faketime_reason()}")
