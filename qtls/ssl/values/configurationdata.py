"""The record behind QSslConfiguration, its enums, and the process-wide default configurations.

:class:`ConfigData` is one frozen record of every field Qt's ``QSslConfigurationPrivate`` has;
QSslConfiguration (in :mod:`qtls.ssl.values.configuration`) is a handle to one, replaced on each change.
:class:`DefaultConfigurations` holds the process-wide defaults behind a lock and builds Qt's initial
default lazily (cipher lists and DH parameters are not computed at import time).
"""

from __future__ import annotations

import dataclasses
import enum
import threading
import types
from collections.abc import Mapping
from typing import Any

from qtls.ssl.qssl import QSsl
from qtls.ssl.values.cipher import QSslCipher, _default_cipher_names
from qtls.ssl.values.diffiehellman import QSslDiffieHellmanParameters
from qtls.ssl.values.ellipticcurve import QSslEllipticCurve
from qtls.ssl.x509.certificate import QSslCertificate
from qtls.ssl.x509.key import QSslKey

__all__: list[str] = []  # internal module; QSslSocket imports PeerVerifyMode and SslMode by name


class PeerVerifyMode(enum.Enum):
    """QSslSocket::PeerVerifyMode, defined here so both QSslConfiguration and QSslSocket can use it.

    QSslSocket attaches it as ``QSslSocket.PeerVerifyMode`` (the only name PyQt6 exposes).
    """

    VerifyNone = 0
    QueryPeer = 1
    VerifyPeer = 2
    AutoVerifyPeer = 3


class SslMode(enum.Enum):
    """QSslSocket::SslMode; QSslSocket attaches it as ``QSslSocket.SslMode``."""

    UnencryptedMode = 0
    SslClientMode = 1
    SslServerMode = 2


class NextProtocolNegotiationStatus(enum.Enum):
    """QSslConfiguration::NextProtocolNegotiationStatus: the outcome of ALPN."""

    NextProtocolNegotiationNone = 0
    NextProtocolNegotiationNegotiated = 1
    NextProtocolNegotiationUnsupported = 2


class StrictMode(enum.Flag):
    """What qtls checks beyond Qt (a qtls extension; QSslConfiguration attaches it as
    ``QSslConfiguration.StrictMode``). Qt's behaviour is ``NoStrictMode``, the default.

    * ``StrictVerification``: the Web-PKI and RFC 5280 rules that OpenSSL and Qt skip, one
      QSslError per broken rule (see :mod:`qtls.ssl.x509.strict`);
    * ``ModernCiphers``: TLS 1.2 offers forward-secret AEAD suites only (ECDHE/DHE with
      AES-GCM, AES-CCM or ChaCha20-Poly1305); TLS 1.3 suites are unchanged.
    """

    NoStrictMode = 0
    StrictVerification = 0x1
    ModernCiphers = 0x2
    FullStrictMode = 0x3


_Opt = QSsl.SslOption
# Qt's defaults (qsslconfiguration_p.h), checked against PyQt6's QSslConfiguration().
DEFAULT_SSL_OPTIONS = (
    _Opt.SslOptionDisableEmptyFragments
    | _Opt.SslOptionDisableLegacyRenegotiation
    | _Opt.SslOptionDisableCompression
    | _Opt.SslOptionDisableSessionPersistence
)

EMPTY_BACKEND_CONFIG: Mapping[bytes, Any] = types.MappingProxyType({})


@dataclasses.dataclass(frozen=True)
class ConfigData:
    """Every field of a configuration; the defaults are those of ``QSslConfiguration()``.

    Single values that are "null" in Qt (key, certificate, cipher) are stored as None, so that
    setting a null value and never setting one compare equal, as in Qt. Lists are tuples, byte
    strings are bytes, and the backend options a read-only mapping: a record never changes.
    """

    protocol: QSsl.SslProtocol = QSsl.SslProtocol.SecureProtocols
    peer_verify_mode: PeerVerifyMode = PeerVerifyMode.AutoVerifyPeer
    peer_verify_depth: int = 0
    ssl_options: QSsl.SslOption = DEFAULT_SSL_OPTIONS
    # None = the system's roots, loaded on demand (only the process-wide default starts so).
    ca_certificates: tuple[QSslCertificate, ...] | None = ()
    # Qt's allowRootCertOnDemandLoading: the handshake may also look roots up in the system
    # store. True even in QSslConfiguration(); setCaCertificates/addCaCertificate(s) with a list
    # turn it off (addCaCertificates with a path does not, as in Qt).
    allow_root_certs_on_demand: bool = True
    local_certificate_chain: tuple[QSslCertificate, ...] = ()
    private_key: QSslKey | None = None
    # Why the key given to setPrivateKey() did not load (QSslKey's NullKeyWarning text), for
    # the handshake's error message; not part of the value, as Qt has no such field.
    private_key_problem: str = dataclasses.field(default="", compare=False)
    ciphers: tuple[QSslCipher, ...] = ()
    elliptic_curves: tuple[QSslEllipticCurve, ...] = ()
    # None = Qt's default group (QSslDiffieHellmanParameters.defaultParameters()), which even
    # QSslConfiguration() has; kept as None so the group is not built at import time.
    dh_parameters: QSslDiffieHellmanParameters | None = None
    psk_identity_hint: bytes = b""
    allowed_next_protocols: tuple[bytes, ...] = ()
    session_ticket: bytes = b""
    ocsp_stapling: bool = False
    backend_config: Mapping[bytes, Any] = dataclasses.field(
        default_factory=lambda: EMPTY_BACKEND_CONFIG
    )
    handshake_must_interrupt_on_error: bool = False
    missing_certificate_is_fatal: bool = False
    dtls_cookie_verification: bool = True
    strict_mode: StrictMode = StrictMode.NoStrictMode  # qtls extension
    # Filled by the socket once a handshake has run.
    peer_certificate: QSslCertificate | None = None
    peer_certificate_chain: tuple[QSslCertificate, ...] = ()
    session_cipher: QSslCipher | None = None
    session_protocol: QSsl.SslProtocol = QSsl.SslProtocol.UnknownProtocol
    session_ticket_life_time_hint: int = -1
    ephemeral_server_key: QSslKey | None = None
    next_negotiated_protocol: bytes = b""
    next_protocol_negotiation_status: NextProtocolNegotiationStatus = (
        NextProtocolNegotiationStatus.NextProtocolNegotiationNone
    )


NULL_DATA = ConfigData()
SESSION_FIELDS = (
    "peer_certificate",
    "peer_certificate_chain",
    "session_cipher",
    "session_protocol",
    "session_ticket_life_time_hint",
    "ephemeral_server_key",
    "next_negotiated_protocol",
    "next_protocol_negotiation_status",
)


class DefaultConfigurations:
    """The process-wide default (TLS and DTLS) configurations, built lazily, behind one lock."""

    lock = threading.Lock()
    tls: ConfigData | None = None
    dtls: ConfigData | None = None

    @classmethod
    def builtin(cls) -> ConfigData:
        """Qt's initial default: the null configuration plus system roots (on demand) and
        OpenSSL's default ciphers."""
        ciphers = tuple(cipher_from_entry(entry) for entry in _default_cipher_names())
        return dataclasses.replace(
            NULL_DATA,
            ca_certificates=None,
            ciphers=tuple(c for c in ciphers if not c.isNull()),
        )

    @classmethod
    def get(cls, dtls: bool) -> ConfigData:
        """The current default record (built on first use)."""
        with cls.lock:
            if cls.tls is None:
                cls.tls = cls.builtin()
            if dtls:
                if cls.dtls is None:
                    # Qt's DTLS default starts from the built-in TLS default, not from whatever
                    # setDefaultConfiguration() installed since.
                    cls.dtls = dataclasses.replace(
                        cls.builtin(), protocol=QSsl.SslProtocol.DtlsV1_2OrLater
                    )
                return cls.dtls
            return cls.tls

    @classmethod
    def set(cls, data: ConfigData, dtls: bool) -> None:
        """Install ``data`` as the default record."""
        with cls.lock:
            if dtls:
                cls.dtls = data
            else:
                cls.tls = data


def cipher_from_entry(entry: str | tuple[str, str]) -> QSslCipher:
    """A QSslCipher from a cipher module entry: a name or a (name, protocol string) pair."""
    name = entry if isinstance(entry, str) else entry[0]
    return QSslCipher(name)


def null_to_none(value: Any) -> Any:
    """None for a null Qt value, else a private copy (see :class:`ConfigData`)."""
    return None if value == type(value)() else type(value)(value)


def dh_to_none(dhparams: QSslDiffieHellmanParameters) -> QSslDiffieHellmanParameters | None:
    """None for Qt's default DH group (see :class:`ConfigData`), else a private copy."""
    if dhparams == QSslDiffieHellmanParameters.defaultParameters():
        return None
    return QSslDiffieHellmanParameters(dhparams)
