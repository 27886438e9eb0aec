"""Keys for the QSslKey tests: one of each algorithm and size, in every format, generated once.

``KEYS`` is built lazily (module cache, not a fixture) so hypothesis tests can use it too.
"""

from __future__ import annotations

import functools
import warnings
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization as ser
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa, x25519
from cryptography.utils import CryptographyDeprecationWarning

PASSPHRASE = b"correct horse"

# RFC 3526 group 5 (1536-bit MODP): a fixed group, so no slow DH parameter generation.
_MODP_1536 = int(
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A0879"
    "8E3404DDEF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B"
    "0BFF5CB6F406B7EDEE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA4836"
    "1C55D39A69163FA8FD24CF5F83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804"
    "F1746C08CA237327FFFFFFFFFFFFFFFF",
    16,
)


@dataclass(frozen=True)
class KeyCase:
    """One generated key: its name, Qt algorithm name, expected length and key object."""

    name: str
    algorithm: str  # QSsl.KeyAlgorithm member name Qt loads it as ("" = only MlDsa)
    length: int
    key: object

    def private(self, fmt: str, encoding: str, passphrase: bytes = b"") -> bytes:
        """The private key as ``fmt`` ("trad"/"pkcs8") in ``encoding`` ("pem"/"der")."""
        private_format = {
            "trad": ser.PrivateFormat.TraditionalOpenSSL,
            "pkcs8": ser.PrivateFormat.PKCS8,
        }[fmt]
        crypt: ser.KeySerializationEncryption = (
            ser.BestAvailableEncryption(passphrase) if passphrase else ser.NoEncryption()
        )
        enc = ser.Encoding.PEM if encoding == "pem" else ser.Encoding.DER
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", CryptographyDeprecationWarning)
            return self.key.private_bytes(enc, private_format, crypt)  # type: ignore[attr-defined]

    def public(self, encoding: str) -> bytes:
        enc = ser.Encoding.PEM if encoding == "pem" else ser.Encoding.DER
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", CryptographyDeprecationWarning)
            public = self.key.public_key()  # type: ignore[attr-defined]
            return public.public_bytes(enc, ser.PublicFormat.SubjectPublicKeyInfo)  # type: ignore[no-any-return]

    def formats(self) -> list[str]:
        """The private formats this key has ("trad" only for RSA, DSA and EC)."""
        return ["trad", "pkcs8"] if self.algorithm in ("Rsa", "Dsa", "Ec") else ["pkcs8"]


@functools.cache
def all_keys() -> tuple[KeyCase, ...]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CryptographyDeprecationWarning)
        from cryptography.hazmat.primitives.asymmetric import dh

        dh_key = dh.DHParameterNumbers(_MODP_1536, 2).parameters().generate_private_key()
    return (
        KeyCase("rsa1024", "Rsa", 1024, rsa.generate_private_key(65537, 1024)),
        KeyCase("rsa2048", "Rsa", 2048, rsa.generate_private_key(65537, 2048)),
        KeyCase("dsa2048", "Dsa", 2048, dsa.generate_private_key(2048)),
        KeyCase("ec-p256", "Ec", 256, ec.generate_private_key(ec.SECP256R1())),
        KeyCase("ec-p384", "Ec", 384, ec.generate_private_key(ec.SECP384R1())),
        KeyCase("ec-p521", "Ec", 521, ec.generate_private_key(ec.SECP521R1())),
        KeyCase("ec-k256", "Ec", 256, ec.generate_private_key(ec.SECP256K1())),
        KeyCase("dh1536", "Dh", 1536, dh_key),
        KeyCase("ed25519", "", 128, ed25519.Ed25519PrivateKey.generate()),
        KeyCase("ed448", "", 224, ed448.Ed448PrivateKey.generate()),
        KeyCase("x25519", "", 128, x25519.X25519PrivateKey.generate()),
    )


def key_named(name: str) -> KeyCase:
    return next(case for case in all_keys() if case.name == name)


KEY_NAMES = ["rsa1024", "rsa2048", "dsa2048", "ec-p256", "ec-p384", "ec-p521", "ec-k256",
             "dh1536", "ed25519", "ed448", "x25519"]  # fmt: skip


@pytest.fixture(scope="session")
def key_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every key written to disk in every format: name.{trad,pkcs8}[.enc].{pem,der}, name.pub.*"""
    directory = tmp_path_factory.mktemp("keys")
    files: dict[str, Path] = {}

    def write(filename: str, data: bytes) -> None:
        path = directory / filename
        path.write_bytes(data)
        files[filename] = path

    for case in all_keys():
        for fmt in case.formats():
            for encoding in ("pem", "der"):
                write(f"{case.name}.{fmt}.{encoding}", case.private(fmt, encoding))
            write(f"{case.name}.{fmt}.enc.pem", case.private(fmt, "pem", PASSPHRASE))
        for encoding in ("pem", "der"):
            write(f"{case.name}.pub.{encoding}", case.public(encoding))
    return files
