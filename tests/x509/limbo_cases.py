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

PyQt6 and the real handshakes need the system clock frozen, so they run in subprocesses under
libfaketime (:mod:`tests.x509.limbo_faketime`).
"""

from __future__ import annotations

import datetime as dt
import functools
import gzip
import ipaddress
import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DATA = Path(__file__).parent / "data" / "limbo-server.json.gz"
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
def load_cases(path: Path = DATA) -> tuple[Case, ...]:
    """Every case of a limbo file (the shipped extract by default; gzipped or plain JSON)."""
    raw = path.read_bytes()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    data = json.loads(raw)
    return tuple(
        _case(tc) for tc in data["testcases"] if tc.get("validation_kind", "SERVER") == "SERVER"
    )


def source_commit(path: Path = DATA) -> str:
    """The x509-limbo commit the shipped extract was built from."""
    return str(json.loads(gzip.decompress(path.read_bytes())).get("commit", "unknown"))


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
