"""QSslPreSharedKeyAuthenticator: accessors, copies and the engine's constructors."""

from __future__ import annotations

from types import ModuleType

import pytest

from qtls.QtCore import QByteArray
from qtls.QtNetwork import QSslPreSharedKeyAuthenticator
from qtls.ssl.values.psk import _OPENSSL_MAX_IDENTITY_LENGTH, _OPENSSL_MAX_PSK_LENGTH


def state(auth: object) -> tuple[object, ...]:
    return (
        bytes(auth.identity()),  # type: ignore[attr-defined]
        bytes(auth.preSharedKey()),  # type: ignore[attr-defined]
        bytes(auth.identityHint()),  # type: ignore[attr-defined]
        auth.maximumIdentityLength(),  # type: ignore[attr-defined]
        auth.maximumPreSharedKeyLength(),  # type: ignore[attr-defined]
    )


@pytest.mark.pyqt6
def test_fresh_authenticator_matches_pyqt6(qt: ModuleType) -> None:
    assert state(QSslPreSharedKeyAuthenticator()) == state(qt.QSslPreSharedKeyAuthenticator())
    assert state(QSslPreSharedKeyAuthenticator()) == (b"", b"", b"", 0, 0)


@pytest.mark.pyqt6
def test_setters_keep_values_untruncated_like_pyqt6(qt: ModuleType) -> None:
    ours, reference = QSslPreSharedKeyAuthenticator(), qt.QSslPreSharedKeyAuthenticator()
    for auth in (ours, reference):
        auth.setIdentity(b"client-" * 100)
        auth.setPreSharedKey(bytearray(b"\x00\x01secret"))
    assert state(ours) == state(reference)
    assert len(ours.identity()) == 700


@pytest.mark.parametrize("value", [b"id", bytearray(b"id"), memoryview(b"id"), QByteArray(b"id")])
def test_bytes_like_values_are_accepted_and_read_back_as_qbytearray(value: object) -> None:
    auth = QSslPreSharedKeyAuthenticator()
    auth.setIdentity(value)  # type: ignore[arg-type]
    auth.setPreSharedKey(value)  # type: ignore[arg-type]
    assert isinstance(auth.identity(), QByteArray) and auth.identity() == b"id"
    assert isinstance(auth.preSharedKey(), QByteArray) and auth.preSharedKey() == b"id"


@pytest.mark.parametrize("bad", ["text", 5, None])
def test_non_bytes_values_raise_type_error(bad: object) -> None:
    auth = QSslPreSharedKeyAuthenticator()
    with pytest.raises(TypeError):
        auth.setIdentity(bad)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        auth.setPreSharedKey(bad)  # type: ignore[arg-type]


def test_returned_byte_arrays_are_copies() -> None:
    auth = QSslPreSharedKeyAuthenticator()
    auth.setIdentity(b"alice")
    auth.identity().append(b"!")
    assert auth.identity() == b"alice"


def test_copy_is_independent_and_equal_until_changed() -> None:
    original = QSslPreSharedKeyAuthenticator._for_handshake(b"hint", 128, 64)
    original.setIdentity(b"alice")
    copy = QSslPreSharedKeyAuthenticator(original)
    assert copy == original and not (copy != original)
    copy.setPreSharedKey(b"k")
    assert copy != original and original.preSharedKey() == b""


def test_equality_compares_every_field() -> None:
    a = QSslPreSharedKeyAuthenticator._for_handshake(b"hint", 128, 64)
    assert a != QSslPreSharedKeyAuthenticator._for_handshake(b"hint", 128, 32)
    assert a != QSslPreSharedKeyAuthenticator._for_handshake(b"other", 128, 64)
    assert a == QSslPreSharedKeyAuthenticator._for_handshake(b"hint", 128, 64)
    assert (a == b"hint") is False


def test_authenticator_is_unhashable_like_pyqt6() -> None:
    with pytest.raises(TypeError):
        hash(QSslPreSharedKeyAuthenticator())


def test_swap_exchanges_every_field() -> None:
    a = QSslPreSharedKeyAuthenticator._for_handshake(b"hint", 10, 20)
    a.setIdentity(b"alice")
    b = QSslPreSharedKeyAuthenticator()
    a.swap(b)
    assert state(b) == (b"alice", b"", b"hint", 10, 20)
    assert state(a) == (b"", b"", b"", 0, 0)
    with pytest.raises(TypeError):
        a.swap(None)  # type: ignore[arg-type]


def test_client_handshake_authenticator_reports_hint_and_limits() -> None:
    auth = QSslPreSharedKeyAuthenticator._for_handshake(
        b"server-hint", _OPENSSL_MAX_IDENTITY_LENGTH, _OPENSSL_MAX_PSK_LENGTH
    )
    assert state(auth) == (b"", b"", b"server-hint", 256, 512)


def test_server_authenticator_carries_the_client_identity_and_forbids_setting_one() -> None:
    auth = QSslPreSharedKeyAuthenticator._for_server(b"alice", b"my-hint", 512)
    assert state(auth) == (b"alice", b"", b"my-hint", 0, 512)


def test_handshake_answer_is_cut_to_the_limits_and_needs_a_key() -> None:
    auth = QSslPreSharedKeyAuthenticator._for_handshake(b"", 4, 3)
    auth.setIdentity(b"identity")
    assert auth._handshake_answer() is None  # no key: the handshake fails, as in Qt
    auth.setPreSharedKey(b"secret")
    assert auth._handshake_answer() == (b"iden", b"sec")
