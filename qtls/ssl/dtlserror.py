"""QDtlsError and QDtlsClientVerifier.GeneratorParameters: the values QDtls and
QDtlsClientVerifier share (Qt 6's API as PySide6 exposes it; PyQt6 wraps neither class)."""

from __future__ import annotations

import enum
import secrets
from typing import Any

from qtls.core.bytearray import QByteArray
from qtls.core.cryptographichash import QCryptographicHash

__all__ = ["QDtlsError"]  # (GeneratorParameters is reached as QDtlsClientVerifier.GeneratorParameters)


class QDtlsError(enum.Enum):
    """Errors QDtls and QDtlsClientVerifier report (Qt's ``QDtlsError``)."""

    NoError = 0
    InvalidInputParameters = 1
    InvalidOperation = 2
    UnderlyingSocketError = 3
    RemoteClosedConnectionError = 4
    PeerVerificationError = 5
    TlsInitializationError = 6
    TlsFatalError = 7
    TlsNonFatalError = 8


#: Qt's fallback secret: 32 random bytes per process, shared by every QDtls and
#: QDtlsClientVerifier that was given no secret of its own (so a verifier's cookies are the
#: ones a server QDtls expects).
_FALLBACK_SECRET = secrets.token_bytes(32)


class GeneratorParameters:
    """The hash algorithm and secret DTLS cookies are made with (Qt's
    ``QDtlsClientVerifier::GeneratorParameters``): an HMAC of the client's address and port.

    ``GeneratorParameters()`` is SHA-1 with an empty secret, as Qt's default constructor;
    ``GeneratorParameters(algorithm, secret)`` and the copy constructor as in Qt. The fields
    are the public attributes ``hash`` and ``secret``. An empty secret is refused by
    ``setCookieGeneratorParameters()``.
    """

    __slots__ = ("hash", "secret")

    def __init__(self, *args: Any) -> None:
        self.hash: QCryptographicHash.Algorithm = QCryptographicHash.Algorithm.Sha1
        self.secret: QByteArray = QByteArray()
        if len(args) == 1 and isinstance(args[0], GeneratorParameters):
            self.hash, self.secret = args[0].hash, QByteArray(args[0].secret)
            return
        if len(args) == 2:
            algorithm, secret = args
            if not isinstance(algorithm, QCryptographicHash.Algorithm):
                raise TypeError(
                    "GeneratorParameters(): argument 1 has unexpected type "
                    f"'{type(algorithm).__name__}'"
                )
            if not isinstance(secret, (QByteArray, bytes, bytearray, memoryview)):
                raise TypeError(
                    "GeneratorParameters(): argument 2 has unexpected type "
                    f"'{type(secret).__name__}'"
                )
            self.hash, self.secret = algorithm, QByteArray(bytes(secret))
            return
        if args:
            raise TypeError("GeneratorParameters(): arguments did not match any overloaded call")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, GeneratorParameters):
            return NotImplemented
        return self.hash == other.hash and bytes(self.secret) == bytes(other.secret)

    # Mutable, as Qt's: not hashable.
    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"GeneratorParameters({self.hash.name}, <{len(bytes(self.secret))} secret bytes>)"

    @classmethod
    def _default(cls) -> GeneratorParameters:
        """Qt's defaults for a new QDtls/verifier: SHA-256 and the process's random secret."""
        return cls(QCryptographicHash.Algorithm.Sha256, _FALLBACK_SECRET)
