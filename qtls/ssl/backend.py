"""Static facts about the TLS backend: what QSslSocket's static methods report.

Qt 6 loads TLS "backends" as plugins (``openssl``, ``schannel``, ``securetransport``,
``cert-only``) and lets a program introspect them: which protocols, classes and features each one
supports, and which library version it runs on. qtls has exactly one backend, OpenSSL reached
through pyOpenSSL, so the answers are facts about *that* OpenSSL — the one bundled in
cryptography's wheel, not the system's ``libssl`` that PyQt6 loads (the version numbers differ on
purpose).

Protocols are not a fixed list: OpenSSL 3.x/4.x keeps the TLS 1.0 and 1.1 code but refuses to
negotiate it above security level 0 (the handshake fails with "no protocols available"). Rather
than hard-coding which OpenSSL release does what, :func:`_version_negotiable` asks OpenSSL itself:
it starts a client handshake in memory for a fixed version and sees whether a ClientHello comes
out. The answers are cached per security level.

:func:`protocol_version_range` turns a ``QSsl.SslProtocol`` into the ``(min, max)`` pair for
``SSL_CTX_set_{min,max}_proto_version`` and raises :class:`UnsupportedProtocolError` for what the
engine cannot honour; QSslSocket turns that into ``SslInvalidUserDataError``.

DTLS: QDtls and QDtlsClientVerifier are implemented (qtls/ssl/dtls.py; PyQt6 does not wrap them,
PySide6 does), so ``Dtls``/``DtlsCookie`` are implemented classes, as in Qt's OpenSSL backend. The
DTLS protocols are not in :func:`supportedProtocols`, whose answers are about what a QSslSocket
(TCP) can be configured with; QDtls takes DtlsV1_2/DtlsV1_2OrLater (and the 1.0 ones).
"""

from __future__ import annotations

import functools
import logging
import threading

from cryptography.hazmat.bindings.openssl.binding import Binding
from OpenSSL import SSL

from qtls.ssl.qssl import QSsl

__all__: list[str] = []  # internal module: QSslSocket exposes these functions as statics

_log = logging.getLogger("qtls.ssl")

BACKEND_NAME = "openssl"

_Protocol = QSsl.SslProtocol

# Wire versions, as pyOpenSSL names them (the values of OpenSSL's TLS1_*_VERSION macros).
TLS1_0: int = SSL.TLS1_VERSION
TLS1_1: int = SSL.TLS1_1_VERSION
TLS1_2: int = SSL.TLS1_2_VERSION
TLS1_3: int = SSL.TLS1_3_VERSION

# Qt's protocol -> (lowest, highest) TLS version. Qt 6: SecureProtocols means TLS 1.2 and later,
# AnyProtocol lets OpenSSL pick from everything it has (it leaves out 1.0/1.1 itself when the
# security level forbids them, so these two need no probe).
_RANGES: dict[QSsl.SslProtocol, tuple[int, int]] = {
    _Protocol.TlsV1_0: (TLS1_0, TLS1_0),
    _Protocol.TlsV1_1: (TLS1_1, TLS1_1),
    _Protocol.TlsV1_2: (TLS1_2, TLS1_2),
    _Protocol.TlsV1_3: (TLS1_3, TLS1_3),
    _Protocol.TlsV1_0OrLater: (TLS1_0, TLS1_3),
    _Protocol.TlsV1_1OrLater: (TLS1_1, TLS1_3),
    _Protocol.TlsV1_2OrLater: (TLS1_2, TLS1_3),
    _Protocol.TlsV1_3OrLater: (TLS1_3, TLS1_3),
    _Protocol.SecureProtocols: (TLS1_2, TLS1_3),
    _Protocol.AnyProtocol: (TLS1_0, TLS1_3),
}

_DTLS_PROTOCOLS = frozenset(
    {_Protocol.DtlsV1_0, _Protocol.DtlsV1_0OrLater, _Protocol.DtlsV1_2, _Protocol.DtlsV1_2OrLater}
)

# The order PyQt6's QSslSocket.supportedProtocols() uses (DTLS left out, see the module docstring).
_PROTOCOL_ORDER = (
    _Protocol.AnyProtocol,
    _Protocol.SecureProtocols,
    _Protocol.TlsV1_0,
    _Protocol.TlsV1_0OrLater,
    _Protocol.TlsV1_1,
    _Protocol.TlsV1_1OrLater,
    _Protocol.TlsV1_2,
    _Protocol.TlsV1_2OrLater,
    _Protocol.TlsV1_3,
    _Protocol.TlsV1_3OrLater,
)

_IMPLEMENTED_CLASSES = (
    QSsl.ImplementedClass.Key,
    QSsl.ImplementedClass.Certificate,
    QSsl.ImplementedClass.Socket,
    QSsl.ImplementedClass.EllipticCurve,
    QSsl.ImplementedClass.DiffieHellman,
    QSsl.ImplementedClass.Dtls,
    QSsl.ImplementedClass.DtlsCookie,
)

_SUPPORTED_FEATURES = tuple(QSsl.SupportedFeature)  # every one: verification, ALPN x2, OCSP, ...

_VERSION_NAMES = {TLS1_0: "TLS 1.0", TLS1_1: "TLS 1.1", TLS1_2: "TLS 1.2", TLS1_3: "TLS 1.3"}


class UnsupportedProtocolError(ValueError):
    """A ``QSsl.SslProtocol`` that this backend cannot negotiate; the message says why."""

    def __init__(self, protocol: object, reason: str) -> None:
        name = getattr(protocol, "name", repr(protocol))
        super().__init__(f"{name}: {reason}")
        self.protocol = protocol
        self.reason = reason


# -- library -----------------------------------------------------------------------------------


def supportsSsl() -> bool:
    """True: pyOpenSSL and cryptography are hard dependencies, so TLS is always available.

    Qt returns False when it cannot load libssl at run time; qtls cannot even be imported then.
    """
    return bool(SSL.OpenSSL_version(SSL.OPENSSL_VERSION))


def sslLibraryVersionNumber() -> int:
    """``OpenSSL_version_num()`` of the OpenSSL in use (cryptography's wheel, not the system's)."""
    return int(Binding.lib.OpenSSL_version_num())


def sslLibraryVersionString() -> str:
    """The OpenSSL in use, as ``OpenSSL_version(OPENSSL_VERSION)`` prints it: "OpenSSL 4.0.3 ..."."""
    return SSL.OpenSSL_version(SSL.OPENSSL_VERSION).decode("ascii", "replace")


def sslLibraryBuildVersionNumber() -> int:
    """``OPENSSL_VERSION_NUMBER`` of the headers cryptography's bindings were compiled with."""
    return int(SSL.OPENSSL_VERSION_NUMBER)


def sslLibraryBuildVersionString() -> str:
    """``OPENSSL_VERSION_TEXT`` of the headers cryptography's bindings were compiled with."""
    text = Binding.ffi.string(Binding.lib.OPENSSL_VERSION_TEXT)
    return text.decode("ascii", "replace") if isinstance(text, bytes) else str(text)


# -- backends ----------------------------------------------------------------------------------

_backend_lock = threading.Lock()


def availableBackends() -> list[str]:
    """``["openssl"]``: the only backend qtls has (Qt also lists "cert-only" and platform ones)."""
    return [BACKEND_NAME]


def activeBackend() -> str:
    """``"openssl"``, always: there is nothing to choose between."""
    return BACKEND_NAME


def setActiveBackend(backendName: str | None) -> bool:
    """True when ``backendName`` is "openssl" (already active), else False with a warning.

    Qt refuses to switch once a backend is in use and answers whether the requested one is the
    active one; with a single backend that is always in use, qtls gives the same answers.
    """
    if backendName is not None and not isinstance(backendName, str):
        raise TypeError(
            "setActiveBackend(backendName: Optional[str]): argument 1 has unexpected type "
            f"'{type(backendName).__name__}'"
        )
    if not backendName:
        _log.warning("Invalid parameter (backend name cannot be an empty string)")
        return False
    with _backend_lock:
        if backendName != BACKEND_NAME:
            _log.warning(
                'Cannot set backend named "%s" as active, another backend is already in use',
                backendName,
            )
        return backendName == BACKEND_NAME


def _is_our_backend(backendName: str | None) -> bool:
    """Qt's rule for the optional backendName argument: empty means the active backend."""
    if backendName is not None and not isinstance(backendName, str):
        raise TypeError(f"backendName: argument has unexpected type '{type(backendName).__name__}'")
    return not backendName or backendName == BACKEND_NAME


def implementedClasses(backendName: str | None = "") -> list[QSsl.ImplementedClass]:
    """Key, Certificate, Socket, EllipticCurve, DiffieHellman, Dtls, DtlsCookie (Qt's OpenSSL
    backend's list); [] for an unknown backend name, as Qt."""
    return list(_IMPLEMENTED_CLASSES) if _is_our_backend(backendName) else []


def isClassImplemented(cl: QSsl.ImplementedClass, backendName: str | None = "") -> bool:
    """Whether ``cl`` is in :func:`implementedClasses` for ``backendName``."""
    _check_enum(cl, QSsl.ImplementedClass, "isClassImplemented")
    return cl in implementedClasses(backendName)


def supportedFeatures(backendName: str | None = "") -> list[QSsl.SupportedFeature]:
    """Every QSsl.SupportedFeature (as Qt's OpenSSL backend); [] for an unknown backend name."""
    return list(_SUPPORTED_FEATURES) if _is_our_backend(backendName) else []


def isFeatureSupported(feat: QSsl.SupportedFeature, backendName: str | None = "") -> bool:
    """Whether ``feat`` is in :func:`supportedFeatures` for ``backendName``."""
    _check_enum(feat, QSsl.SupportedFeature, "isFeatureSupported")
    return feat in supportedFeatures(backendName)


# -- protocols ---------------------------------------------------------------------------------


def supportedProtocols(backendName: str | None = "") -> list[QSsl.SslProtocol]:
    """The protocols a socket can actually negotiate with this OpenSSL at its default security level.

    Qt's OpenSSL backend lists every protocol the library was built with (TLS 1.0 and 1.1 and the
    DTLS ones included). qtls lists only what can succeed: on OpenSSL 3+/4 at the default security
    level that leaves out exact TlsV1_0 and TlsV1_1 (their "OrLater" forms still work: they simply
    negotiate 1.2 or 1.3), and DTLS, which qtls does not implement. [] for an unknown backend name.
    """
    if not _is_our_backend(backendName):
        return []
    return [p for p in _PROTOCOL_ORDER if _can_honour(p, None)]


def isProtocolSupported(protocol: QSsl.SslProtocol, backendName: str | None = "") -> bool:
    """Whether ``protocol`` is in :func:`supportedProtocols` (UnknownProtocol never is)."""
    _check_enum(protocol, QSsl.SslProtocol, "isProtocolSupported")
    return protocol in supportedProtocols(backendName)


def protocol_version_range(
    protocol: QSsl.SslProtocol, *, security_level: int | None = None
) -> tuple[int, int]:
    """The ``(min, max)`` TLS versions (pyOpenSSL's ``TLS1_*_VERSION``) for a Qt protocol.

    ``security_level`` is the OpenSSL security level the context will run at (``None``: OpenSSL's
    default, or a ``@SECLEVEL=n`` the caller puts in its cipher string). Raises
    :class:`UnsupportedProtocolError` for UnknownProtocol, DTLS protocols, and versions OpenSSL
    refuses at that security level; the message names the cause.
    """
    # Every handshake asks (Qt's verifyProtocolSupported) and the answer never changes.
    key = (type(protocol), protocol, security_level)
    known = _RANGE_MEMO.get(key)
    if known is not None:
        return known
    _check_enum(protocol, QSsl.SslProtocol, "protocol_version_range")
    if protocol is _Protocol.UnknownProtocol:
        raise UnsupportedProtocolError(protocol, "not a protocol a socket can be configured with")
    if protocol in _DTLS_PROTOCOLS:
        raise UnsupportedProtocolError(
            protocol, "DTLS is a datagram protocol and cannot be used on a TLS (TCP) socket"
        )
    low, high = _RANGES[protocol]
    if not any(_version_negotiable(v, security_level) for v in _versions_between(low, high)):
        level = "the default" if security_level is None else str(security_level)
        raise UnsupportedProtocolError(
            protocol,
            f"{_VERSION_NAMES[low]} is disabled in {sslLibraryVersionString()} at {level} "
            "security level (it needs @SECLEVEL=0)",
        )
    _RANGE_MEMO[key] = (low, high)
    return low, high


#: protocol_version_range's answers (keyed with the argument's type: an IntEnum member equals
#: its int, which must still get the type check).
_RANGE_MEMO: dict[tuple[type, object, int | None], tuple[int, int]] = {}


def _can_honour(protocol: QSsl.SslProtocol, security_level: int | None) -> bool:
    try:
        protocol_version_range(protocol, security_level=security_level)
    except UnsupportedProtocolError:
        return False
    return True


def _versions_between(low: int, high: int) -> list[int]:
    return [v for v in (TLS1_0, TLS1_1, TLS1_2, TLS1_3) if low <= v <= high]


@functools.cache
def _version_negotiable(version: int, security_level: int | None) -> bool:
    """Ask OpenSSL whether a client pinned to ``version`` can start a handshake.

    OpenSSL checks the enabled versions against the security level when it builds the
    ClientHello and fails with "no protocols available" when none is left; a ClientHello in the
    memory BIO means the version is usable. No network, no certificates: it takes microseconds.
    """
    ctx = SSL.Context(SSL.TLS_CLIENT_METHOD)
    ctx.set_min_proto_version(version)
    ctx.set_max_proto_version(version)
    if security_level is not None:
        ctx.set_cipher_list(f"DEFAULT:@SECLEVEL={int(security_level)}".encode("ascii"))
    conn = SSL.Connection(ctx, None)
    conn.set_connect_state()
    try:
        conn.do_handshake()
    except SSL.WantReadError:
        return conn.bio_read(65536) != b""
    except SSL.Error:
        return False
    return True  # pragma: no cover - a handshake cannot complete without a peer


def _check_enum(value: object, enum_type: type, method: str) -> None:
    """PyQt6 rejects a plain int (or anything else) where an enum member is expected."""
    if not isinstance(value, enum_type):
        raise TypeError(
            f"{method}(): argument 1 has unexpected type '{type(value).__name__}'"
            f" (expected {enum_type.__qualname__})"
        )
