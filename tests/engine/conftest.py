"""Fixtures for the TLS engine: certificates from trustme, engines wired back to back."""

from __future__ import annotations

import dataclasses

import pytest
import trustme
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from qtls.ssl.engine import ContextCache, Role, TlsSettings, TlsVersion, VerifyMode

CA = trustme.CA(key_type=trustme.KeyType.RSA)
EC_CA = trustme.CA(key_type=trustme.KeyType.ECDSA)


def pem_to_der(pem: bytes) -> bytes:
    return x509.load_pem_x509_certificate(pem).public_bytes(Encoding.DER)


def chain_der(cert: trustme.LeafCert) -> tuple[bytes, ...]:
    return tuple(pem_to_der(blob.bytes()) for blob in cert.cert_chain_pems)


SERVER_CERT = CA.issue_cert("localhost", "127.0.0.1", "::1", key_type=trustme.KeyType.RSA)
EC_SERVER_CERT = EC_CA.issue_cert("localhost", key_type=trustme.KeyType.ECDSA)
CLIENT_CERT = CA.issue_cert("client@example.org")


def server_settings(cert: trustme.LeafCert = SERVER_CERT, **kw: object) -> TlsSettings:
    base = TlsSettings(
        role=Role.SERVER,
        local_certificate_chain=chain_der(cert),
        private_key=cert.private_key_pem.bytes(),
        verify_mode=VerifyMode.NONE,
    )
    return dataclasses.replace(base, **kw)  # type: ignore[arg-type]


def client_settings(ca: trustme.CA = CA, **kw: object) -> TlsSettings:
    base = TlsSettings(
        role=Role.CLIENT,
        ca_certificates=(pem_to_der(ca.cert_pem.bytes()),),
        verify_mode=VerifyMode.VERIFY,
    )
    return dataclasses.replace(base, **kw)  # type: ignore[arg-type]


@pytest.fixture(params=[TlsVersion.TLS1_2, TlsVersion.TLS1_3], ids=["tls12", "tls13"])
def version(request: pytest.FixtureRequest) -> TlsVersion:
    return request.param


@pytest.fixture
def cache() -> ContextCache:
    """A private cache per test, so that tests never share OpenSSL contexts by accident."""
    return ContextCache()
