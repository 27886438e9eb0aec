"""Fixtures for DTLS: certificates from trustme, DTLS engine settings, a back-to-back wire."""

from __future__ import annotations

import dataclasses
import hashlib
import random
from collections.abc import Callable

import trustme
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from qtls.ssl.engine import (
    CookieKey,
    DtlsEngine,
    EngineState,
    Role,
    TlsSettings,
    TlsVersion,
    VerifyMode,
)
from qtls.ssl.engine.dtlscookie import peer_bytes

CA = trustme.CA()
SERVER_CERT = CA.issue_cert("localhost", "127.0.0.1", "::1")
CLIENT_CERT = CA.issue_cert("client.example.org")
OTHER_CA = trustme.CA()


def pem_to_der(pem: bytes) -> bytes:
    return x509.load_pem_x509_certificate(pem).public_bytes(Encoding.DER)


def chain_der(cert: trustme.LeafCert) -> tuple[bytes, ...]:
    return tuple(pem_to_der(blob.bytes()) for blob in cert.cert_chain_pems)


def server_settings(cert: trustme.LeafCert = SERVER_CERT, **kw: object) -> TlsSettings:
    base = TlsSettings(
        role=Role.SERVER,
        dtls=True,
        min_version=TlsVersion.DTLS1_2,
        max_version=None,
        local_certificate_chain=chain_der(cert),
        private_key=cert.private_key_pem.bytes(),
        verify_mode=VerifyMode.NONE,
    )
    return dataclasses.replace(base, **kw)  # type: ignore[arg-type]


def client_settings(ca: trustme.CA = CA, **kw: object) -> TlsSettings:
    base = TlsSettings(
        role=Role.CLIENT,
        dtls=True,
        min_version=TlsVersion.DTLS1_2,
        max_version=None,
        ca_certificates=(pem_to_der(ca.cert_pem.bytes()),),
        verify_mode=VerifyMode.VERIFY,
    )
    return dataclasses.replace(base, **kw)  # type: ignore[arg-type]


def cookie_key(secret: bytes = b"k" * 32, host: str = "127.0.0.1", port: int = 40000) -> CookieKey:
    return CookieKey(hashlib.sha256, secret, peer_bytes(host, port))


Filter = Callable[[list[bytes]], list[bytes]]


def passthrough(datagrams: list[bytes]) -> list[bytes]:
    return datagrams


@dataclasses.dataclass
class Wire:
    """Two DTLS engines back to back; each direction's datagrams go through a filter (loss,
    reordering, duplication) before delivery. ``log`` keeps every datagram sent, per side."""

    client: DtlsEngine
    server: DtlsEngine
    to_server: Filter = passthrough
    to_client: Filter = passthrough
    sent_by_client: list[bytes] = dataclasses.field(default_factory=list)
    sent_by_server: list[bytes] = dataclasses.field(default_factory=list)

    def pump(self, rounds: int = 20) -> None:
        """Move datagrams both ways until nothing moves (bounded by ``rounds``)."""
        for _ in range(rounds):
            moved = False
            out = self.client.datagrams_to_send()
            self.sent_by_client.extend(out)
            for d in self.to_server(out):
                self.server.receive_datagram(d)
                moved = True
            out = self.server.datagrams_to_send()
            self.sent_by_server.extend(out)
            for d in self.to_client(out):
                self.client.receive_datagram(d)
                moved = True
            if not moved:
                return

    def encrypted(self) -> bool:
        return (
            self.client.state is EngineState.ENCRYPTED
            and self.server.state is EngineState.ENCRYPTED
        )


def shuffled(seed: int) -> Filter:
    rng = random.Random(seed)

    def apply(datagrams: list[bytes]) -> list[bytes]:
        out = list(datagrams)
        rng.shuffle(out)
        return out

    return apply


def duplicated(datagrams: list[bytes]) -> list[bytes]:
    return [d for d in datagrams for _ in (0, 1)]
