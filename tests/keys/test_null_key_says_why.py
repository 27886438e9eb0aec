"""A key that does not load is null, as in Qt, and a NullKeyWarning at load says why."""

from __future__ import annotations

import warnings
from typing import Any

import pytest

from qtls.ssl.qssl import QSsl
from qtls.ssl.x509.key import NullKeyWarning, QSslKey

from .conftest import PASSPHRASE, key_named

A = QSsl.KeyAlgorithm
T = QSsl.KeyType
F = QSsl.EncodingFormat


def _scenarios() -> list[tuple[str, bytes, str, str, str, bytes, str]]:
    """(id, data, algorithm, encoding, type, passphrase, words the warning must hold)."""
    rsa = key_named("rsa2048")
    ec = key_named("ec-p256")
    ed = key_named("ed25519")
    encrypted = rsa.private("trad", "pem", PASSPHRASE)
    return [
        ("wrong-passphrase", encrypted, "Rsa", "Pem", "PrivateKey", b"not it", "wrong passphrase"),
        ("no-passphrase", encrypted, "Rsa", "Pem", "PrivateKey", b"", "no passphrase"),
        ("ec-as-rsa", ec.private("trad", "pem"), "Rsa", "Pem", "PrivateKey", b"", "EC, not RSA"),
        (
            "ec-der-as-rsa",
            ec.private("pkcs8", "der"),
            "Rsa",
            "Der",
            "PrivateKey",
            b"",
            "EC, not RSA",
        ),
        ("rsa-as-ec", rsa.private("pkcs8", "pem"), "Ec", "Pem", "PrivateKey", b"", "RSA, not EC"),
        ("ed25519-as-ec", ed.private("pkcs8", "pem"), "Ec", "Pem", "PrivateKey", b"", "Ed25519"),
        ("public-as-private", rsa.public("pem"), "Rsa", "Pem", "PrivateKey", b"", "public key"),
        (
            "private-as-public",
            rsa.private("pkcs8", "pem"),
            "Rsa",
            "Pem",
            "PublicKey",
            b"",
            "private key",
        ),
        ("garbage", b"hello, not a key", "Rsa", "Pem", "PrivateKey", b"", "not a PEM private key"),
        ("pem-as-der", rsa.private("pkcs8", "pem"), "Rsa", "Der", "PrivateKey", b"", "not a DER"),
        ("empty", b"", "Rsa", "Pem", "PrivateKey", b"", "no key data"),
    ]


SCENARIOS = _scenarios()


@pytest.mark.parametrize(
    ("data", "algorithm", "encoding", "key_type", "passphrase", "words"),
    [pytest.param(*case[1:], id=case[0]) for case in SCENARIOS],
)
def test_null_key_warns_naming_the_cause(
    data: bytes, algorithm: str, encoding: str, key_type: str, passphrase: bytes, words: str
) -> None:
    with pytest.warns(NullKeyWarning) as caught:
        key = QSslKey(data, A[algorithm], F[encoding], T[key_type], passphrase)
    assert key.isNull()
    assert len(caught) == 1
    assert words in str(caught[0].message)
    assert caught[0].filename == __file__  # points at the caller's QSslKey(...)


def test_a_key_that_loads_does_not_warn() -> None:
    rsa = key_named("rsa2048")
    with warnings.catch_warnings():
        warnings.simplefilter("error", NullKeyWarning)
        loaded = QSslKey(
            rsa.private("trad", "pem", PASSPHRASE), A.Rsa, F.Pem, T.PrivateKey, PASSPHRASE
        )
        assert not loaded.isNull()
        assert QSslKey().isNull()  # the null key by construction says nothing


@pytest.mark.pyqt6
@pytest.mark.parametrize(
    ("data", "algorithm", "encoding", "key_type", "passphrase"),
    [pytest.param(*case[1:6], id=case[0]) for case in SCENARIOS],
)
def test_pyqt6_gives_the_same_null_key(
    pyqt_network: Any, data: bytes, algorithm: str, encoding: str, key_type: str, passphrase: bytes
) -> None:
    qsl = pyqt_network.QSsl
    theirs = pyqt_network.QSslKey(
        data,
        qsl.KeyAlgorithm[algorithm],
        qsl.EncodingFormat[encoding],
        qsl.KeyType[key_type],
        passphrase,
    )
    with pytest.warns(NullKeyWarning):
        ours = QSslKey(data, A[algorithm], F[encoding], T[key_type], passphrase)
    assert (ours.isNull(), ours.algorithm().name, ours.type().name) == (
        theirs.isNull(),
        theirs.algorithm().name,
        theirs.type().name,
    )
