"""Reading certificates, chains, keys and PKCS#12 bundles from files, through qtls's API.

A key file does not say its algorithm in a way QSslKey asks for, so each algorithm is tried in
turn (the loop a PyQt6 program would write too); an encrypted key or bundle gets its pass phrase
from the command line, else from the terminal, else fails with a message saying so.
"""

from __future__ import annotations

import getpass
import io
import sys
from dataclasses import dataclass, field

from qtls.cli.style import CommandError
from qtls.QtNetwork import QSsl, QSslCertificate, QSslKey

__all__ = ["Contents", "read_file", "read_certificates", "read_key", "read_identity"]

KEY_ALGORITHMS = (QSsl.KeyAlgorithm.Rsa, QSsl.KeyAlgorithm.Ec, QSsl.KeyAlgorithm.Dsa,
                  QSsl.KeyAlgorithm.Dh)


@dataclass
class Contents:
    """What one file holds: certificates (in file order), keys, and how it was read."""

    path: str
    kind: str = ""  # "PEM", "DER" or "PKCS#12"
    certificates: list[QSslCertificate] = field(default_factory=list)
    keys: list[QSslKey] = field(default_factory=list)


class Passphrase:
    """The pass phrase given on the command line, or asked for once on the terminal."""

    def __init__(self, given: str | None) -> None:
        self.value: bytes | None = given.encode() if given is not None else None

    def get(self, path: str) -> bytes:
        if self.value is None:
            if not sys.stdin.isatty():
                raise CommandError(f"{path}: encrypted; give its pass phrase with --passphrase")
            self.value = getpass.getpass(f"pass phrase for {path}: ").encode()
        return self.value


def _load(path: str) -> bytes:
    try:
        with open(path, "rb") as stream:
            return stream.read()
    except OSError as error:
        raise CommandError(f"{path}: {error.strerror or error}") from None


def _keys(data: bytes, encoding: QSsl.EncodingFormat, passphrase: bytes) -> list[QSslKey]:
    """Every key QSslKey reads from ``data``: a private key, else a public one."""
    for key_type in (QSsl.KeyType.PrivateKey, QSsl.KeyType.PublicKey):
        for algorithm in KEY_ALGORITHMS:
            key = QSslKey(data, algorithm, encoding, key_type, passphrase)
            if not key.isNull():
                return [key]
    return []


def _looks_encrypted(data: bytes) -> bool:
    return b"ENCRYPTED" in data or b"Proc-Type: 4,ENCRYPTED" in data


def read_file(path: str, passphrase: Passphrase) -> Contents:
    """Read whatever ``path`` holds; CommandError when it is none of the known things."""
    data = _load(path)
    contents = Contents(path)
    if b"-----BEGIN" in data:
        contents.kind = "PEM"
        contents.certificates = QSslCertificate.fromData(data, QSsl.EncodingFormat.Pem)
        if b"PRIVATE KEY" in data or b"PUBLIC KEY" in data:
            contents.keys = _keys(data, QSsl.EncodingFormat.Pem, b"")
            if not contents.keys and _looks_encrypted(data):
                contents.keys = _keys(data, QSsl.EncodingFormat.Pem, passphrase.get(path))
                if not contents.keys:
                    raise CommandError(f"{path}: cannot decrypt the key (wrong pass phrase?)")
        if not contents.certificates and not contents.keys:
            raise CommandError(f"{path}: PEM, but no certificate or key QSslCertificate or "
                               "QSslKey can read")
        return contents
    contents.kind = "DER"
    contents.certificates = QSslCertificate.fromData(data, QSsl.EncodingFormat.Der)
    if contents.certificates:
        return contents
    contents.keys = _keys(data, QSsl.EncodingFormat.Der, b"")
    if contents.keys:
        return contents
    if _pkcs12(data, b"", contents) or _pkcs12(data, passphrase.get(path), contents):
        return contents
    raise CommandError(f"{path}: not a certificate, key or PKCS#12 bundle in PEM or DER "
                       "(or a wrong pass phrase)")


def _pkcs12(data: bytes, phrase: bytes, contents: Contents) -> bool:
    key = QSslKey()
    cert = QSslCertificate()
    extra: list[QSslCertificate] = []
    # qtls reads any object with read(); a PyQt6 program would pass a QFile or QBuffer.
    if not QSslCertificate.importPkcs12(io.BytesIO(data), key, cert, extra, phrase):
        return False
    contents.kind = "PKCS#12"
    contents.certificates = [cert, *extra]
    contents.keys = [key]
    return True


def read_certificates(path: str) -> list[QSslCertificate]:
    """The certificates in ``path`` (PEM or DER), at least one."""
    certificates = read_file(path, Passphrase(None)).certificates
    if not certificates:
        raise CommandError(f"{path}: no certificate in it")
    return certificates


def read_key(path: str, passphrase: Passphrase) -> QSslKey:
    """The private key in ``path``."""
    keys = [k for k in read_file(path, passphrase).keys if k.type() is QSsl.KeyType.PrivateKey]
    if not keys:
        raise CommandError(f"{path}: no RSA, EC or DSA private key in it")
    return keys[0]


def read_identity(cert_path: str | None, key_path: str | None,
                  phrase: str | None) -> tuple[list[QSslCertificate], QSslKey] | None:
    """The certificate chain (leaf first) and private key of --cert/--key, or None when neither
    was given. A PKCS#12 bundle holds both, so --key is optional for it."""
    if cert_path is None:
        if key_path is not None:
            raise CommandError("--key needs --cert")
        return None
    passphrase = Passphrase(phrase)
    contents = read_file(cert_path, passphrase)
    if not contents.certificates:
        raise CommandError(f"{cert_path}: no certificate in it")
    private = [k for k in contents.keys if k.type() is QSsl.KeyType.PrivateKey]
    if key_path is not None:
        private = [read_key(key_path, passphrase)]
    if not private:
        raise CommandError(f"{cert_path}: no private key in it; give one with --key")
    if contents.certificates[0].publicKey().toDer() != _public_der(private[0]):
        raise CommandError(f"{key_path or cert_path}: the key does not belong to the "
                           f"certificate {contents.certificates[0].subjectDisplayName()!r}")
    return contents.certificates, private[0]


def _public_der(key: QSslKey) -> bytes:
    """The public half of a private key, as DER, to compare with a certificate's."""
    from cryptography.hazmat.primitives import serialization

    private = serialization.load_der_private_key(bytes(key.toDer()), None)
    return private.public_key().public_bytes(serialization.Encoding.DER,
                                             serialization.PublicFormat.SubjectPublicKeyInfo)
