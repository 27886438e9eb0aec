"""From a QSslConfiguration to the engine's TlsSettings (Qt's ``QSslContext::initSslContext``).

A socket needs one frozen :class:`~qtls.ssl.engine.settings.TlsSettings` per handshake; equal
settings share one OpenSSL context through the engine's context cache, so a thousand
connections with the same configuration build one ``SSL_CTX``. Building the settings means
turning certificates and keys into DER, which is not free, so the result is also memoised per
configuration: QSslConfiguration keeps its fields in an immutable, copy-on-write ``ConfigData``,
so the memo is keyed on the identities of the record's field objects (minus the session ticket
and the negotiated session fields): a socket whose configuration did not change, or changed only
its ticket (a client resuming), finds the settings without rebuilding them.

Qt's rules applied here:

* ``AutoVerifyPeer`` is ``VerifyPeer`` for a client and ``QueryPeer`` for a server.
* The protocol becomes a (min, max) version range; one OpenSSL cannot honour raises
  :class:`ConfigurationError` (the socket reports ``SslInvalidUserDataError``).
* A local certificate without a private key (or a key without a certificate on a server) is
  an error, as in Qt ("Cannot provide a certificate with no key"); qtls adds the cause: no
  key was set, or why the key given did not load (:func:`certificate_key_problem`).
* The ciphers are split: TLS 1.3 suites go to ``SSL_CTX_set_ciphersuites``, the others to the
  cipher list; an empty list means OpenSSL's defaults (Qt falls back to its default ciphers).
* A server uses the configuration's Diffie-Hellman parameters, Qt's default group (RFC 3526,
  2048 bits) unless set otherwise, so it offers DHE suites to every TLS 1.2 client, as Qt does.
* qtls's ``StrictMode.ModernCiphers`` keeps only forward-secret AEAD suites for TLS 1.2
  (ECDHE or DHE key exchange with AES-GCM, AES-CCM or ChaCha20-Poly1305); with no cipher left,
  TLS 1.2 is not offered at all. Qt's default list (and qtls's) still has static-RSA and CBC suites.
* A server staples the DER OCSP response found in ``backendConfiguration()["Qt-OCSP-response"]``
  (the name Qt's OpenSSL backend reads); a client asks for one with ``ocspStaplingEnabled()``.
"""

from __future__ import annotations

import dataclasses
import functools
import operator
import threading
from typing import TYPE_CHECKING, Any

from qtls.ssl import backend as _backend
from qtls.ssl.engine.settings import Role, TlsSettings, TlsVersion, VerifyMode
from qtls.ssl.qssl import QSsl
from qtls.ssl.values.configurationdata import (
    SESSION_FIELDS,
    ConfigData,
    PeerVerifyMode,
    StrictMode,
)

if TYPE_CHECKING:
    from qtls.ssl.values.configuration import QSslConfiguration

__all__: list[str] = []

_Opt = QSsl.SslOption
OCSP_RESPONSE_OPTION = b"Qt-OCSP-response"
_CACHE_LIMIT = 128


class ConfigurationError(ValueError):
    """The configuration cannot be turned into TLS settings; the message names the cause."""


class ConfigurationWarning(UserWarning):
    """A server was given a configuration every handshake will refuse (qtls says so at once)."""


def certificate_key_problem(data: ConfigData) -> str | None:
    """Qt's refusal of a local certificate without a usable private key, with its cause; None
    when there is no certificate or its key is there.

    Qt's text is "Cannot provide a certificate with no key"; qtls adds whether no key was set
    or why the key given to ``setPrivateKey()`` is null (wrong passphrase, EC loaded as RSA...).
    """
    if not any(not cert.isNull() for cert in data.local_certificate_chain):
        return None
    key = data.private_key
    if key is not None and not key.isNull():
        return None
    if data.private_key_problem:
        cause = f"the private key did not load: {data.private_key_problem}"
    else:
        cause = "no private key was set"
    return f"Cannot provide a certificate with no key ({cause})"


def resolve_verify_mode(mode: PeerVerifyMode, server: bool) -> PeerVerifyMode:
    """``AutoVerifyPeer`` resolved for the side (Qt: client VerifyPeer, server QueryPeer)."""
    if mode is PeerVerifyMode.AutoVerifyPeer:
        return PeerVerifyMode.QueryPeer if server else PeerVerifyMode.VerifyPeer
    return mode


_ENGINE_VERIFY = {
    PeerVerifyMode.VerifyNone: VerifyMode.NONE,
    PeerVerifyMode.QueryPeer: VerifyMode.QUERY,
    PeerVerifyMode.VerifyPeer: VerifyMode.VERIFY,
}


# The record fields a TlsSettings is built from: all but the session a handshake fills in and
# the ticket to resume (a client resuming gets a new record per connection, same settings).
_SETTINGS_FIELDS = tuple(
    f.name
    for f in dataclasses.fields(ConfigData)
    if f.name not in SESSION_FIELDS and f.name != "session_ticket"
)
_fields_of = operator.attrgetter(*_SETTINGS_FIELDS)


class _Memo:
    """A small bounded memo: (server, psk, the settings fields' identities) -> settings.

    Records are immutable and copy-on-write, so a record derived from another by changing
    only the session ticket or the session fields shares every other field object: keying on
    the identities of those objects makes such records hit. The fields are kept referenced in
    the value, and compared by identity on a hit, so that an id cannot be reused meanwhile.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: dict[tuple[Any, ...], tuple[tuple[Any, ...], TlsSettings]] = {}

    @staticmethod
    def _key(values: tuple[Any, ...], server: bool, psk: Any) -> tuple[Any, ...]:
        return (server, psk, *map(id, values))

    def get(self, data: ConfigData, server: bool, psk: Any) -> TlsSettings | None:
        values = _fields_of(data)
        with self._lock:
            hit = self._items.get(self._key(values, server, psk))
        if hit is not None and all(a is b for a, b in zip(hit[0], values, strict=True)):
            return hit[1]
        return None

    def put(self, data: ConfigData, server: bool, psk: Any, settings: TlsSettings) -> None:
        values = _fields_of(data)
        with self._lock:
            if len(self._items) >= _CACHE_LIMIT:
                self._items.pop(next(iter(self._items)))
            self._items[self._key(values, server, psk)] = (values, settings)


_memo = _Memo()


def tls_settings(
    config: QSslConfiguration, *, server: bool, psk: bool = False, dtls: bool = False
) -> TlsSettings:
    """The engine settings for ``config`` on the client or server side.

    ``psk`` turns the engine's PSK callbacks on (the socket asks for it when the application
    listens to ``preSharedKeyAuthenticationRequired`` or configured an identity hint).
    ``dtls`` makes datagram settings (QDtls): the protocol must then be a DTLS one.
    Raises :class:`ConfigurationError` naming the cause when Qt would refuse the configuration.
    """
    data: ConfigData = config._d
    if dtls:
        # (Rare next to TLS sockets: no fast path, the memo keys DTLS apart.)
        key = ("dtls", psk)
        cached = _memo.get(data, server, key)
        if cached is None:
            cached = _build(config, data, server=server, psk=psk, dtls=True)
            _memo.put(data, server, key, cached)
        return cached
    last = _last
    if last is not None and last[0] is data and last[1] is server and last[2] is psk:
        # The same record as last time (every socket of a server shares its configuration's
        # record): records are immutable, and this one is held here, so its id stays its own.
        return last[3]
    cached = _memo.get(data, server, psk)
    if cached is None:
        cached = _build(config, data, server=server, psk=psk)
        _memo.put(data, server, psk, cached)
    _remember(data, server, psk, cached)
    return cached


_last: tuple[ConfigData, bool, bool, TlsSettings] | None = None


def _remember(data: ConfigData, server: bool, psk: bool, settings: TlsSettings) -> None:
    global _last
    _last = (data, server, psk, settings)  # one assignment: safe to read from any thread


# Qt's DTLS protocols -> (lowest, highest) DTLS version (None: no upper bound).
_DTLS_RANGES: dict[QSsl.SslProtocol, tuple[TlsVersion, TlsVersion | None]] = {
    QSsl.SslProtocol.DtlsV1_0: (TlsVersion.DTLS1_0, TlsVersion.DTLS1_0),
    QSsl.SslProtocol.DtlsV1_0OrLater: (TlsVersion.DTLS1_0, None),
    QSsl.SslProtocol.DtlsV1_2: (TlsVersion.DTLS1_2, TlsVersion.DTLS1_2),
    QSsl.SslProtocol.DtlsV1_2OrLater: (TlsVersion.DTLS1_2, None),
}


def _build(
    config: QSslConfiguration, data: ConfigData, *, server: bool, psk: bool, dtls: bool = False
) -> TlsSettings:
    dtls_range: tuple[TlsVersion, TlsVersion | None] | None = None
    if dtls:
        dtls_range = _DTLS_RANGES.get(data.protocol)
        if dtls_range is None:
            # Qt's text (QDtls reports it as TlsInitializationError).
            raise ConfigurationError("Invalid protocol version, DTLS protocol expected")
        # (For the cipher rules below: DTLS 1.2's ciphers are TLS 1.2's.)
        low, high = _backend.TLS1_2, _backend.TLS1_2
    else:
        try:
            low, high = _backend.protocol_version_range(data.protocol)
        except _backend.UnsupportedProtocolError as exc:
            raise ConfigurationError(f"Unsupported protocol {exc}") from None

    chain = tuple(c._der() for c in data.local_certificate_chain if not c.isNull())
    key = data.private_key
    key_bytes: bytes | None = None
    if key is not None and not key.isNull():
        key_bytes = bytes(key.toDer()) or bytes(key.toPem()) or None
    if chain and key_bytes is None:
        problem = certificate_key_problem(data)  # (None for an opaque key, which has no bytes)
        raise ConfigurationError(problem or "Cannot provide a certificate with no key")
    if server and not chain and key_bytes is not None and not psk:
        raise ConfigurationError("Cannot provide a key with no certificate")

    tls13: list[str] = []
    others: list[str] = []
    for cipher in data.ciphers:
        name = cipher.name()
        (tls13 if name.startswith("TLS_") else others).append(name)
    modern = bool(data.strict_mode & StrictMode.ModernCiphers)
    if modern:
        others = [name for name in others if is_modern_tls12_cipher(name)] if data.ciphers else [
            MODERN_TLS12_CIPHERS
        ]
    cipher_list = ":".join(others) if others else None
    ciphersuites = ":".join(tls13) if tls13 else None
    if modern and not others:
        # No forward-secret AEAD suite left for TLS <= 1.2: offer TLS 1.3 only.
        if high < _backend.TLS1_3:
            raise ConfigurationError("No forward-secret AEAD cipher suite is enabled")
        low = max(low, _backend.TLS1_3)
    if data.ciphers and not tls13 and high >= _backend.TLS1_3:
        # The application chose only TLS <= 1.2 suites: TLS 1.3 cannot be negotiated (as in Qt,
        # whose cipher list leaves OpenSSL no TLS 1.3 suite either).
        high = _backend.TLS1_2
        if low > high:
            raise ConfigurationError("No TLS 1.3 cipher suite is enabled for a TLS 1.3 protocol")

    groups = ":".join(c.shortName() for c in data.elliptic_curves if c.isValid()) or None
    verify = resolve_verify_mode(data.peer_verify_mode, server)
    options = data.ssl_options
    ocsp_response: bytes | None = None
    if server:
        raw = data.backend_config.get(OCSP_RESPONSE_OPTION)
        if raw is not None:
            ocsp_response = bytes(raw) if not isinstance(raw, str) else raw.encode("latin-1")
    dh_pem: bytes | None = None
    if server:
        # None is Qt's default group, which Qt's server applies too (SSL_CTX_set_tmp_dh):
        # without it OpenSSL offers a DHE suite only to a client listing FFDHE groups. Empty
        # parameters give no DH here; Qt then turns on SSL_CTX_set_dh_auto, which pyOpenSSL
        # does not expose.
        dh_pem = _default_dh_pem() if data.dh_parameters is None else data.dh_parameters._pem()

    min_version: TlsVersion | None
    if dtls_range is not None:
        min_version, max_version = dtls_range
        ciphersuites = None  # (TLS 1.3 suites: nothing DTLS 1.2 can use)
    else:
        min_version, max_version = TlsVersion(low), TlsVersion(high)
    return TlsSettings(
        role=Role.SERVER if server else Role.CLIENT,
        dtls=dtls,
        min_version=min_version,
        max_version=max_version,
        cipher_list=cipher_list,
        ciphersuites=ciphersuites,
        groups=groups,
        ca_certificates=tuple(c._der() for c in config._explicit_ca_certificates() if not c.isNull()),
        use_system_ca=config._allow_root_certs_on_demand(),
        local_certificate_chain=chain,
        private_key=key_bytes,
        verify_mode=_ENGINE_VERIFY[verify],
        verify_depth=max(0, data.peer_verify_depth),
        missing_certificate_is_fatal=data.missing_certificate_is_fatal,
        # (QDtls has no handshakeInterruptedOnError: Qt's DTLS verify callback never stops.)
        interrupt_on_verify_error=data.handshake_must_interrupt_on_error and not dtls,
        alpn_protocols=tuple(data.allowed_next_protocols),
        session_tickets=not (options & _Opt.SslOptionDisableSessionTickets),
        dh_parameters=dh_pem,
        ocsp_stapling=data.ocsp_stapling and not server,
        ocsp_response=ocsp_response,
        psk=psk,
        psk_identity_hint=data.psk_identity_hint or None,
        disable_empty_fragments=bool(options & _Opt.SslOptionDisableEmptyFragments),
        disable_compression=bool(options & _Opt.SslOptionDisableCompression),
        disable_sni=bool(options & _Opt.SslOptionDisableServerNameIndication),
        disable_legacy_renegotiation=bool(options & _Opt.SslOptionDisableLegacyRenegotiation),
        disable_session_sharing=bool(options & _Opt.SslOptionDisableSessionSharing),
        server_cipher_preference=not (options & _Opt.SslOptionDisableServerCipherPreference),
    )


@functools.cache
def _default_dh_pem() -> bytes | None:
    """QSslDiffieHellmanParameters.defaultParameters() as PEM, built once."""
    from qtls.ssl.values.diffiehellman import QSslDiffieHellmanParameters

    return QSslDiffieHellmanParameters.defaultParameters()._pem()
# OpenSSL's cipher string for the modern TLS 1.2 profile when the configuration lists no ciphers.
MODERN_TLS12_CIPHERS = "ECDHE+AESGCM:ECDHE+CHACHA20:ECDHE+AESCCM:DHE+AESGCM:DHE+CHACHA20:DHE+AESCCM:!PSK:!SRP:!aNULL"


def is_modern_tls12_cipher(name: str) -> bool:
    """A TLS 1.2 suite with forward secrecy (ECDHE/DHE, certificate-authenticated) and an AEAD
    cipher (GCM, CCM, ChaCha20-Poly1305), by its OpenSSL name."""
    return (
        name.startswith(("ECDHE-", "DHE-"))
        and any(aead in name for aead in ("-GCM-", "CHACHA20-POLY1305", "-CCM"))
        and "PSK" not in name
    )


def describe(value: Any) -> str:
    """A short text for an exception raised while building a context (for error strings)."""
    text = str(value)
    return text[:1].upper() + text[1:] if text else type(value).__name__
