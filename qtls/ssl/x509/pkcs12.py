"""Reading PKCS#12 bundles for QSslCertificate::importPkcs12()."""

from __future__ import annotations

from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.serialization import pkcs12

from qtls.ssl.qssl import QSsl

__all__: list[str] = []


def load_pkcs12(data: bytes, pass_phrase: bytes) -> tuple[Any, x509.Certificate, list[x509.Certificate]] | None:
    """(QSslKey, certificate, CA certificates) from a PKCS#12 bundle, or None.

    None when the data is empty or unreadable, the pass phrase is wrong, or the bundle lacks a
    private key or a certificate (Qt requires both).
    """
    if not data:
        return None
    try:
        private_key, cert, extra = pkcs12.load_key_and_certificates(data, pass_phrase or None)
    except (ValueError, TypeError):
        if pass_phrase:
            return None
        try:  # OpenSSL treats an absent and an empty password alike; cryptography does not
            private_key, cert, extra = pkcs12.load_key_and_certificates(data, b"")
        except (ValueError, TypeError):
            return None
    if private_key is None or cert is None:
        return None
    from qtls.ssl.x509.key import QSslKey

    key = QSslKey._from_cryptography(private_key, QSsl.KeyType.PrivateKey)
    if key.isNull():
        return None
    return key, cert, list(extra)
