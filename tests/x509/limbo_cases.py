"""x509-limbo's SERVER cases, and how each implementation answers them.

The cases live in ``data/limbo-server.json.gz`` (see ``data/README.md`` for their origin and
``limbo_extract.py`` to rebuild them). A case is a trusted root list, untrusted intermediates, a
peer certificate, the name the client expects, a validation time, and the verdict a correct
Web-PKI validator must reach (``SUCCESS`` or ``FAILURE``).

The runners here answer one case each, in the current process:

* :func:`qtls_verify` - ``QSslCertificate.verify()`` with the case's roots as the default CA list,
  at the case's validation time (verify's test clock), optionally in strict mode;
* :func:`cryptography_verify` - cryptography's own Web-PKI verifier, the way cryptography's
  limbo harness calls it (with no case skipped).

:func:`verdicts` answers every case for one implementation (cached per run), and :func:`score`
counts them; ``limbo_report.py`` prints the table.

PyQt6 and the real handshakes need the system clock frozen, so they run in subprocesses under
libfaketime (:mod:`tests.x509.limbo_faketime`).
"""

from __future__ import annotations

import datetime as dt
import functools
import gzip
import ipaddress
import json
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DATA = Path(__file__).parent / "data" / "limbo-server.json.gz"
#: ``make conformance LIMBO=path/to/limbo.json`` runs another limbo suite (its SERVER cases).
SUITE = Path(os.environ.get("QTLS_LIMBO_JSON") or DATA)
UTC = dt.timezone.utc


@dataclass(frozen=True)
class Case:
    """One x509-limbo SERVER case (PEM strings as in limbo.json)."""

    id: str
    description: str
    features: tuple[str, ...]
    trusted: tuple[str, ...]
    intermediates: tuple[str, ...]
    peer: str
    peer_key: str | None
    validation_time: dt.datetime | None
    peer_name: str  # "" when the case names no peer
    peer_is_ip: bool
    max_chain_depth: int | None
    expected_success: bool

    @property
    def when(self) -> dt.datetime:
        """The time the case is to be validated at (its own, or now when it has none)."""
        return self.validation_time or dt.datetime.now(UTC)

    @property
    def time_key(self) -> str:
        """The validation time as a string ("" = now): cases are grouped by it for faketime."""
        return self.validation_time.isoformat() if self.validation_time else ""


def _case(raw: dict[str, Any]) -> Case:
    peer = raw.get("expected_peer_name") or {}
    when = raw.get("validation_time")
    return Case(
        id=raw["id"],
        description=raw.get("description") or "",
        features=tuple(raw.get("features") or ()),
        trusted=tuple(raw["trusted_certs"]),
        intermediates=tuple(raw["untrusted_intermediates"]),
        peer=raw["peer_certificate"],
        peer_key=raw.get("peer_certificate_key"),
        validation_time=dt.datetime.fromisoformat(when) if when else None,
        peer_name=peer.get("value", ""),
        peer_is_ip=peer.get("kind") == "IP",
        max_chain_depth=raw.get("max_chain_depth"),
        expected_success=raw["expected_result"] == "SUCCESS",
    )


@functools.lru_cache(maxsize=2)
def load_cases(path: Path = SUITE) -> tuple[Case, ...]:
    """Every SERVER case of a limbo file (the shipped extract unless ``QTLS_LIMBO_JSON`` names
    another; gzipped or plain JSON)."""
    raw = path.read_bytes()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    data = json.loads(raw)
    return tuple(
        _case(tc) for tc in data["testcases"] if tc.get("validation_kind", "SERVER") == "SERVER"
    )


def source_commit(path: Path = SUITE) -> str:
    """The x509-limbo commit the suite was built from ("unknown" for a plain limbo.json)."""
    raw = path.read_bytes()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    return str(json.loads(raw).get("commit", "unknown"))


def by_id(case_id: str) -> Case:
    """The shipped case with this id."""
    for case in load_cases():
        if case.id == case_id:
            return case
    raise KeyError(case_id)


# -- qtls: QSslCertificate.verify() ------------------------------------------------------------


@contextmanager
def default_cas(pems: Sequence[str]) -> Iterator[None]:
    """Make *pems* the default configuration's CA list (what verify() trusts) for a while."""
    from qtls.QtNetwork import QSslCertificate, QSslConfiguration

    saved = QSslConfiguration.defaultConfiguration()
    config = QSslConfiguration.defaultConfiguration()
    config.setCaCertificates([QSslCertificate(pem.encode()) for pem in pems])
    QSslConfiguration.setDefaultConfiguration(config)
    try:
        yield
    finally:
        QSslConfiguration.setDefaultConfiguration(saved)


@contextmanager
def frozen_verify_clock(when: dt.datetime) -> Iterator[None]:
    """Run verify() at *when* (qtls's test clock; OpenSSL's own checks do not read the time)."""
    from qtls.ssl.x509.verify import set_verification_clock

    set_verification_clock(lambda: when)
    try:
        yield
    finally:
        set_verification_clock(None)


def qtls_verify(case: Case, strict: bool = False) -> list[str]:
    """qtls's ``QSslCertificate.verify()`` errors for *case* (empty: accepted), as
    ``"ErrorName: text"`` strings."""
    from qtls.QtNetwork import QSslCertificate

    chain = [QSslCertificate(case.peer.encode())] + [
        QSslCertificate(pem.encode()) for pem in case.intermediates
    ]
    with default_cas(case.trusted), frozen_verify_clock(case.when):
        if strict:
            errors = QSslCertificate.verify(chain, case.peer_name, strict=True)  # type: ignore[call-arg]
        else:
            errors = QSslCertificate.verify(chain, case.peer_name)
    return [f"{e.error().name}: {e.errorString()}" for e in errors]


# -- cryptography's own Web-PKI verifier -------------------------------------------------------


def cryptography_verify(case: Case) -> list[str]:
    """cryptography's ServerVerifier on *case*: [] when it accepts, else its one message."""
    from cryptography import x509
    from cryptography.x509.verification import PolicyBuilder, Store, VerificationError

    def load(pem: str) -> x509.Certificate:
        return x509.load_pem_x509_certificate(pem.encode())

    builder = PolicyBuilder().store(Store([load(p) for p in case.trusted])).time(case.when)
    if case.max_chain_depth is not None:
        builder = builder.max_chain_depth(case.max_chain_depth)
    name: x509.GeneralName
    try:
        if case.peer_is_ip:
            name = x509.IPAddress(ipaddress.ip_address(case.peer_name))
        else:
            name = x509.DNSName(case.peer_name)
        verifier = builder.build_server_verifier(name)
        verifier.verify(load(case.peer), [load(p) for p in case.intermediates])
    except (ValueError, VerificationError) as error:
        return [f"{type(error).__name__}: {error}"]
    return []


# -- cryptography's own harness --------------------------------------------------------------------

# x509-limbo's harness for cryptography (harness/pyca-cryptography/main.py) skips the cases
# with these features, and these cases by name, as unsupported by design; its published score
# counts the rest.
CRYPTOGRAPHY_SKIPPED_FEATURES = frozenset({
    "pedantic-public-suffix-wildcard", "name-constraint-dn", "pedantic-webpki-eku",
    "pedantic-webpki-subscriber-key", "pedantic-rfc5280", "rfc5280-incompatible-with-webpki",
    "has-policy-constraints", "has-crl",
})
CRYPTOGRAPHY_SKIPPED_CASES = frozenset({
    "pathlen::self-issued-certs-pathlen", "pathlen::max-chain-depth-1-self-issued",
    "rfc5280::serial::zero", "rfc5280::ski::root-missing-ski",
    "rfc5280::ski::intermediate-missing-ski", "rfc5280::aki::intermediate-missing-aki",
    "webpki::aki::root-with-aki-ski-mismatch", "webpki::forbidden-rsa-not-divisable-by-8-in-root",
    "rfc5280::ca-as-leaf", "pathlen::validation-ignores-pathlen-in-leaf",
    "pathological::pathological-chain-same-subject-same-key",
})


def cryptography_harness_cases() -> tuple[Case, ...]:
    """The cases cryptography's own limbo harness runs (the others it skips)."""
    return tuple(
        case for case in load_cases()
        if not CRYPTOGRAPHY_SKIPPED_FEATURES & set(case.features)
        and case.id not in CRYPTOGRAPHY_SKIPPED_CASES
    )


# -- every case, every implementation ------------------------------------------------------------

#: The implementations the report compares, and how each is run.
IMPLEMENTATIONS = (
    "qtls verify()", "qtls strict verify()", "PyQt6 verify()", "cryptography",
    "qtls handshake", "qtls strict handshake", "PyQt6 handshake",
)


@functools.cache
def verdicts(implementation: str) -> dict[str, Any]:
    """Each case's errors ([] = accepted) or ``{"skip": reason}``, for one implementation of
    :data:`IMPLEMENTATIONS`. Cached for the run: PyQt6 and the handshakes take subprocesses."""
    from tests.x509.limbo_faketime import run_groups

    cases = load_cases()
    if implementation == "qtls verify()":
        return {case.id: qtls_verify(case) for case in cases}
    if implementation == "qtls strict verify()":
        return {case.id: qtls_verify(case, strict=True) for case in cases}
    if implementation == "cryptography":
        return {case.id: cryptography_verify(case) for case in cases}
    mode = {
        "PyQt6 verify()": "pyqt6-verify",
        "qtls handshake": "qtls-handshake",
        "qtls strict handshake": "qtls-strict-handshake",
        "PyQt6 handshake": "pyqt6-handshake",
    }[implementation]
    return run_groups(mode, cases)


@dataclass(frozen=True)
class Score:
    """How one implementation did: right answers, and the two kinds of wrong ones."""

    passed: int
    accepted_invalid: int  # limbo says FAILURE, the implementation accepted
    rejected_valid: int  # limbo says SUCCESS, the implementation refused
    skipped: int

    @property
    def failed(self) -> int:
        return self.accepted_invalid + self.rejected_valid


def score(results: dict[str, Any], cases: Sequence[Case] | None = None) -> Score:
    """Count *results* (as :func:`verdicts` returns them) against limbo's expected verdicts."""
    passed = accepted_invalid = rejected_valid = skipped = 0
    for case in cases if cases is not None else load_cases():
        answer = results[case.id]
        if isinstance(answer, dict):
            skipped += 1
        elif (not answer) == case.expected_success:
            passed += 1
        elif case.expected_success:
            rejected_valid += 1
        else:
            accepted_invalid += 1
    return Score(passed, accepted_invalid, rejected_valid, skipped)
