"""QSslPreSharedKeyAuthenticator: identity and key for TLS-PSK.

QSslSocket emits ``preSharedKeyAuthenticationRequired(authenticator)`` during a PSK handshake;
the slot fills in the identity (client side) and the key. The TLS engine creates the
authenticator with :meth:`QSslPreSharedKeyAuthenticator._for_handshake` (client) or
:meth:`QSslPreSharedKeyAuthenticator._for_server` and reads ``identity()``/``preSharedKey()``
back, cutting them to the maximum lengths as Qt's OpenSSL callbacks do.
"""

from __future__ import annotations

from qtls.core.bytearray import QByteArray

__all__ = ["QSslPreSharedKeyAuthenticator"]

# What OpenSSL offers a PSK callback: PSK_MAX_IDENTITY_LEN (256, the buffer is one byte longer
# for the NUL) and PSK_MAX_PSK_LEN (512). For engines that do not get them from OpenSSL.
_OPENSSL_MAX_IDENTITY_LENGTH = 256
_OPENSSL_MAX_PSK_LENGTH = 512


def _bytes_arg(value: object, signature: str) -> bytes:
    if isinstance(value, (bytes, bytearray, memoryview)):  # QByteArray is a bytearray
        return bytes(value)
    raise TypeError(f"{signature}: argument 1 has unexpected type '{type(value).__name__}'")


class QSslPreSharedKeyAuthenticator:
    """The identity and pre-shared key of a TLS-PSK handshake.

    ``identityHint()`` is what the server sent (client side) or the server's configured hint;
    ``maximumIdentityLength()`` and ``maximumPreSharedKeyLength()`` are the limits OpenSSL gives
    (0 for a fresh object, and a server cannot set an identity: its maximum identity length is
    0). The setters do not truncate; the handshake uses at most the maximum lengths. Equality
    compares all five fields; like PyQt6's, the class is not hashable.
    """

    __slots__ = ("_identity", "_psk", "_hint", "_max_identity", "_max_psk")
    __hash__ = None  # type: ignore[assignment]  # PyQt6: unhashable type

    def __init__(self, authenticator: QSslPreSharedKeyAuthenticator | None = None) -> None:
        if authenticator is not None and not isinstance(
            authenticator, QSslPreSharedKeyAuthenticator
        ):
            raise TypeError(
                "arguments did not match any overloaded call:\n"
                "  QSslPreSharedKeyAuthenticator(): too many arguments\n"
                "  QSslPreSharedKeyAuthenticator(authenticator: QSslPreSharedKeyAuthenticator): "
                f"argument 1 has unexpected type '{type(authenticator).__name__}'"
            )
        # None is Qt's null QByteArray (never set); it reads back as an empty QByteArray.
        self._identity: bytes | None = None
        self._psk: bytes | None = None
        self._hint: bytes | None = None
        self._max_identity = 0
        self._max_psk = 0
        if authenticator is not None:
            self._identity = authenticator._identity
            self._psk = authenticator._psk
            self._hint = authenticator._hint
            self._max_identity = authenticator._max_identity
            self._max_psk = authenticator._max_psk

    @classmethod
    def _for_handshake(
        cls, identity_hint: bytes, max_identity_len: int, max_psk_len: int
    ) -> QSslPreSharedKeyAuthenticator:
        """A client-side authenticator (Qt's ``QTlsBackend::setupClientPskAuth``).

        The limits are the ones Qt reports: for OpenSSL's client callback that is
        ``max_identity_len - 1`` (the identity buffer holds a NUL) and ``max_psk_len``.
        An empty hint is stored as a null array, as Qt does when OpenSSL passes no hint.
        """
        auth = cls()
        auth._hint = bytes(identity_hint) if identity_hint else None
        auth._max_identity = int(max_identity_len)
        auth._max_psk = int(max_psk_len)
        return auth

    @classmethod
    def _for_server(
        cls, identity: bytes, identity_hint: bytes, max_psk_len: int
    ) -> QSslPreSharedKeyAuthenticator:
        """A server-side authenticator (Qt's ``QTlsBackend::setupServerPskAuth``): the
        client's identity and the server's configured hint; no identity may be set."""
        auth = cls()
        auth._identity = bytes(identity)
        auth._hint = bytes(identity_hint) if identity_hint else None
        auth._max_identity = 0
        auth._max_psk = int(max_psk_len)
        return auth

    def _handshake_answer(self) -> tuple[bytes, bytes] | None:
        """(identity, key) cut to the maximum lengths, or None when no key was set (the
        handshake then fails, as in Qt)."""
        if not self._psk:
            return None
        return (self._identity or b"")[: self._max_identity], self._psk[: self._max_psk]

    def identity(self) -> QByteArray:
        """The PSK identity: set by the client's slot, or the client's identity on a server."""
        return QByteArray() if self._identity is None else QByteArray(self._identity)

    def setIdentity(self, identity: QByteArray | bytes | bytearray | memoryview) -> None:
        """Set the identity the client sends (ignored on a server: its limit is 0)."""
        self._identity = _bytes_arg(
            identity, "setIdentity(self, identity: QByteArray|bytes|bytearray|memoryview)"
        )

    def preSharedKey(self) -> QByteArray:
        """The key set by the slot."""
        return QByteArray() if self._psk is None else QByteArray(self._psk)

    def setPreSharedKey(self, preSharedKey: QByteArray | bytes | bytearray | memoryview) -> None:
        """Set the pre-shared key; an empty key makes the handshake fail."""
        self._psk = _bytes_arg(
            preSharedKey,
            "setPreSharedKey(self, preSharedKey: QByteArray|bytes|bytearray|memoryview)",
        )

    def identityHint(self) -> QByteArray:
        """The server's identity hint (empty when it sent none)."""
        return QByteArray() if self._hint is None else QByteArray(self._hint)

    def maximumIdentityLength(self) -> int:
        """How many bytes of identity() the handshake can send (0 on a server)."""
        return self._max_identity

    def maximumPreSharedKeyLength(self) -> int:
        """How many bytes of preSharedKey() the handshake can use."""
        return self._max_psk

    def swap(self, authenticator: QSslPreSharedKeyAuthenticator) -> None:
        """Exchange the contents of this authenticator and *authenticator*."""
        if not isinstance(authenticator, QSslPreSharedKeyAuthenticator):
            raise TypeError(
                "swap(self, authenticator: QSslPreSharedKeyAuthenticator): argument 1 has "
                f"unexpected type '{type(authenticator).__name__}'"
            )
        for slot in self.__slots__:
            mine, theirs = getattr(self, slot), getattr(authenticator, slot)
            setattr(self, slot, theirs)
            setattr(authenticator, slot, mine)

    def _key(self) -> tuple[bytes, bytes, bytes, int, int]:
        # Qt compares QByteArrays, where null equals empty.
        return (
            self._identity or b"",
            self._psk or b"",
            self._hint or b"",
            self._max_identity,
            self._max_psk,
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, QSslPreSharedKeyAuthenticator):
            return NotImplemented
        return self._key() == other._key()

    def __ne__(self, other: object) -> bool:
        if not isinstance(other, QSslPreSharedKeyAuthenticator):
            return NotImplemented
        return self._key() != other._key()

    def __repr__(self) -> str:
        return (
            f"<QSslPreSharedKeyAuthenticator identity={self._identity!r} "
            f"hint={self._hint!r} key={'set' if self._psk else 'unset'}>"
        )
