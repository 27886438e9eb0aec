"""A throwaway CA, and certificates it issues, made in memory for ``qtls serve`` (cryptography).

Valid for a day, ECDSA P-256: enough for a test server, useless for anything else.
"""

from __future__ import annotations

import datetime
import ipaddress
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from qtls.QtNetwork import QSsl, QSslCertificate, QSslKey

__all__ = ["Issued", "ThrowawayCA"]

VALIDITY = datetime.timedelta(days=1)


@dataclass
class Issued:
    """A certificate and its private key, as qtls values and as PEM for writing out."""

    certificate: QSslCertificate
    key: QSslKey
    certificate_pem: bytes
    key_pem: bytes


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "qtls throwaway"),
                      x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


class ThrowawayCA:
    """A self-signed CA that issues server and client certificates."""

    def __init__(self, common_name: str = "qtls throwaway CA") -> None:
        self._now = datetime.datetime.now(datetime.timezone.utc)
        self._key = ec.generate_private_key(ec.SECP256R1())
        self._cert = (
            self._builder(_name(common_name), _name(common_name), self._key.public_key())
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False,
                                         False), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(self._key.public_key()),
                           critical=False)
            .sign(self._key, hashes.SHA256())
        )
        self.certificate_pem = self._cert.public_bytes(serialization.Encoding.PEM)
        self.certificate = QSslCertificate(self.certificate_pem)

    def _builder(self, subject: x509.Name, issuer: x509.Name,
                 public_key: ec.EllipticCurvePublicKey) -> x509.CertificateBuilder:
        return (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer)
                .public_key(public_key).serial_number(x509.random_serial_number())
                .not_valid_before(self._now - datetime.timedelta(minutes=5))
                .not_valid_after(self._now + VALIDITY))

    def issue(self, common_name: str, names: list[str], *, client: bool = False) -> Issued:
        """A certificate for ``names`` (host names or IP addresses), for a server or a client."""
        key = ec.generate_private_key(ec.SECP256R1())
        alternatives: list[x509.GeneralName] = []
        for name in names:
            try:
                alternatives.append(x509.IPAddress(ipaddress.ip_address(name)))
            except ValueError:
                alternatives.append(x509.DNSName(name))
        usage = ExtendedKeyUsageOID.CLIENT_AUTH if client else ExtendedKeyUsageOID.SERVER_AUTH
        builder = (self._builder(_name(common_name), self._cert.subject, key.public_key())
                   .add_extension(x509.BasicConstraints(ca=False, path_length=None),
                                  critical=True)
                   .add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
                   .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
                       self._key.public_key()), critical=False))
        if alternatives:
            builder = builder.add_extension(x509.SubjectAlternativeName(alternatives),
                                            critical=False)
        cert_pem = builder.sign(self._key, hashes.SHA256()).public_bytes(
            serialization.Encoding.PEM)
        key_pem = key.private_bytes(serialization.Encoding.PEM,
                                    serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption())
        return Issued(QSslCertificate(cert_pem), QSslKey(key_pem, QSsl.KeyAlgorithm.Ec),
                      cert_pem, key_pem)
