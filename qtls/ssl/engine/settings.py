"""The engine's configuration: one frozen, hashable value per distinct TLS configuration.

:class:`TlsSettings` holds everything that goes into an OpenSSL ``SSL_CTX``. Because it is
frozen and hashable it is the key of :class:`~qtls.ssl.engine.context.ContextCache`: the socket
translates a ``QSslConfiguration`` into a ``TlsSettings`` and every connection with the same
settings shares one context (and so one CA store, one ticket key, one session cache).

Everything here is plain data (bytes, str, ints, enums, tuples): no OpenSSL objects, no Qt
classes, so that equal configurations compare equal.
"""

from __future__ import annotations

import dataclasses
import enum

__all__ = ["AlpnStatus", "Role", "TlsSettings", "TlsVersion", "VerifyMode", "dtls_order"]


class Role(enum.Enum):
    """Which side of the handshake the engine plays (Qt's ``QSslSocket.SslMode``)."""

    CLIENT = "client"
    SERVER = "server"


class TlsVersion(enum.IntEnum):
    """Protocol versions as OpenSSL numbers them (``TLS1_2_VERSION``, ``DTLS1_2_VERSION`` ...).

    DTLS numbers count *down* (1.0 is 0xFEFF, 1.2 is 0xFEFD): compare DTLS versions with
    :func:`dtls_order`, never with ``<``.
    """

    TLS1_0 = 0x0301
    TLS1_1 = 0x0302
    TLS1_2 = 0x0303
    TLS1_3 = 0x0304
    DTLS1_0 = 0xFEFF
    DTLS1_2 = 0xFEFD


def dtls_order(version: TlsVersion) -> int:
    """A DTLS version's rank (1.0 < 1.2), for comparisons: the wire numbers count down."""
    return 0x10000 - int(version)


class VerifyMode(enum.Enum):
    """Peer verification, as Qt's ``QSslSocket.PeerVerifyMode`` once ``AutoVerifyPeer`` is resolved.

    * ``NONE``: no certificate is requested (server) and the chain is not checked: no errors are
      recorded (Qt's ``VerifyNone``).
    * ``QUERY``: the server requests a client certificate but does not fail without one; errors
      are recorded but the handshake goes on (Qt's ``QueryPeer``).
    * ``VERIFY``: the chain is checked and every error recorded; whether an error is fatal is the
      socket's decision (sslErrors + ignoreSslErrors), as in Qt (``VerifyPeer``).

    ``AutoVerifyPeer`` is ``VERIFY`` for a client and ``QUERY`` for a server; the socket resolves it.
    """

    NONE = 0
    QUERY = 1
    VERIFY = 2


class AlpnStatus(enum.IntEnum):
    """ALPN outcome; values equal ``QSslConfiguration.NextProtocolNegotiationStatus``."""

    NONE = 0
    NEGOTIATED = 1
    UNSUPPORTED = 2


@dataclasses.dataclass(frozen=True)
class TlsSettings:
    """Everything that configures one OpenSSL context (``SSL_CTX``), as a hashable value.

    Certificates are DER bytes; the private key is PEM or DER bytes (with an optional passphrase),
    so that the value stays hashable and comparable. ``None`` means "OpenSSL's default" for
    strings and versions.
    """

    role: Role = Role.CLIENT
    #: Lowest and highest protocol version; ``None`` leaves OpenSSL's bound.
    min_version: TlsVersion | None = TlsVersion.TLS1_2
    max_version: TlsVersion | None = None
    #: OpenSSL cipher string for TLS <= 1.2 (``SSL_CTX_set_cipher_list``).
    cipher_list: str | None = None
    #: TLS 1.3 ciphersuites (``SSL_CTX_set_ciphersuites``), e.g. "TLS_AES_128_GCM_SHA256".
    ciphersuites: str | None = None
    #: Key-exchange groups, e.g. "X25519MLKEM768:X25519:P-256".
    groups: str | None = None
    #: Trusted CA certificates (DER). Expired ones are skipped, as Qt does.
    ca_certificates: tuple[bytes, ...] = ()
    #: Also trust OpenSSL's default verify paths (the system store).
    use_system_ca: bool = False
    #: Our certificate chain, leaf first (DER).
    local_certificate_chain: tuple[bytes, ...] = ()
    #: Our private key (PEM or DER, PKCS#8/traditional) and its passphrase.
    private_key: bytes | None = None
    private_key_passphrase: bytes | None = None
    verify_mode: VerifyMode = VerifyMode.VERIFY
    #: Maximum chain depth; 0 keeps OpenSSL's default (as Qt's peerVerifyDepth 0 means unlimited).
    verify_depth: int = 0
    #: SSL_VERIFY_FAIL_IF_NO_PEER_CERT (Qt's missingCertificateIsFatal).
    missing_certificate_is_fatal: bool = False
    #: Call the engine's ``on_verify_error`` hook from inside the verify callback
    #: (Qt's handshakeMustInterruptOnError).
    interrupt_on_verify_error: bool = False
    #: ALPN protocols: a client offers them in order; a server picks, as Qt's does, the first
    #: protocol of the *client's* list that it allows.
    alpn_protocols: tuple[bytes, ...] = ()
    session_tickets: bool = True
    #: Finite-field DH parameters for DHE ciphers (PEM).
    dh_parameters: bytes | None = None
    #: Client: ask the server for a stapled OCSP response.
    ocsp_stapling: bool = False
    #: Server: the DER OCSP response to staple when a client asks for one.
    ocsp_response: bytes | None = None
    #: Enable the PSK callbacks (hooks ``on_psk_required`` / ``on_psk_identity``).
    psk: bool = False
    #: Server: the identity hint sent to PSK clients.
    psk_identity_hint: bytes | None = None
    # QSsl.SslOption flags, one boolean each.
    disable_empty_fragments: bool = False
    disable_compression: bool = True
    disable_sni: bool = False
    #: Renegotiation is always refused (SSL_OP_NO_RENEGOTIATION), so this flag changes nothing
    #: in the engine; it is kept so that the settings mirror QSsl.SslOption one to one.
    disable_legacy_renegotiation: bool = True
    #: Session sharing/persistence are the socket's business (it decides which session bytes
    #: to hand to a new engine); kept here for the same reason.
    disable_session_sharing: bool = False
    server_cipher_preference: bool = True
    #: A datagram (DTLS) context: DTLS methods, DTLS versions, and (server) the cookie
    #: callbacks of :mod:`~qtls.ssl.engine.dtlscookie`.
    dtls: bool = False
    #: Write TLS secrets here (NSS key log format); ``None`` uses $SSLKEYLOGFILE if it is set
    #: when the context is built (the cache keeps that choice for equal settings).
    keylog_path: str | None = None

    def __post_init__(self) -> None:
        # Accept lists where tuples are meant (so the value stays hashable) and reject wrong
        # types early with TypeError, as PyQt6 does for wrong argument types.
        for name in ("ca_certificates", "local_certificate_chain", "alpn_protocols"):
            value = getattr(self, name)
            if isinstance(value, (str, bytes, bytearray)) or not isinstance(value, (tuple, list)):
                raise TypeError(f"{name} must be a tuple of bytes, not {type(value).__name__}")
            items = tuple(bytes(v) if isinstance(v, (bytearray, memoryview)) else v for v in value)
            if not all(isinstance(v, bytes) for v in items):
                raise TypeError(f"{name} must contain bytes only")
            object.__setattr__(self, name, items)
        if not isinstance(self.role, Role):
            raise TypeError(f"role must be Role, not {type(self.role).__name__}")
        if not isinstance(self.verify_mode, VerifyMode):
            raise TypeError(
                f"verify_mode must be VerifyMode, not {type(self.verify_mode).__name__}"
            )
        for name in ("min_version", "max_version"):
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, TlsVersion(value))

    @property
    def is_server(self) -> bool:
        """True when the settings describe the server side of a handshake."""
        return self.role is Role.SERVER
