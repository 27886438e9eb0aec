"""QSslConfiguration: the value type that configures a TLS socket.

Theory of operation
-------------------
Qt's QSslConfiguration is an implicitly shared value: copies are cheap and independent, and
``socket.sslConfiguration()`` hands out a copy that changes nothing until it is set back. qtls keeps
every field in one frozen ``ConfigData`` record (:mod:`qtls.ssl.values.configurationdata`).
A QSslConfiguration only holds a reference to a record; copying shares the reference, and each setter builds a new record with
:func:`dataclasses.replace` (copy-on-write without a reference count). Equality is record equality,
so it compares every field, as Qt's ``operator==`` does, and ``isNull()`` is "equal to the record of
``QSslConfiguration()``".

The value objects inside (certificates, keys, ciphers, ...) are Qt values with a mutating
``swap()``; they are copied on the way in and on the way out, so nothing a caller holds can reach
into a record.

System roots are loaded on demand, as Qt 5.x+ does: the process-wide default configuration holds
the marker ``ca_certificates=None`` ("the system's roots") instead of a list. Reading
``caCertificates()`` (or adding to the list) loads them, once per process
(``qtls.ssl.x509.verify._system_ca_certificates``, shared with
``QSslCertificate.verify``). Separately, Qt's ``allowRootCertOnDemandLoading`` flag says whether
a handshake may also look roots up in the system store; it is on until a CA list is set. The
socket reads both through :meth:`QSslConfiguration._explicit_ca_certificates` and
:meth:`QSslConfiguration._allow_root_certs_on_demand`, so a TLS engine can point OpenSSL at the
system store instead of building 150 QSslCertificate objects.

Where qtls differs from Qt on purpose: ``copy.copy`` works (PyQt6 raises), and ``repr`` shows the
main fields; Qt keeps duplicate roots read from both the bundle and the hashed directory
(PyQt6 reports 288 roots for Debian's 144), qtls keeps each once.
"""

from __future__ import annotations

import dataclasses
import logging
import types
from collections.abc import Iterable, Mapping
from typing import Any

from qtls.core.bytearray import QByteArray
from qtls.ssl.pyqtargs import (
    arg_error,
    as_bool,
    as_bytes,
    expect,
    index_error,
    is_bytes_like,
    iterable_arg,
    value_tuple,
)
from qtls.ssl.qssl import QSsl
from qtls.ssl.values.cipher import QSslCipher, _supported_cipher_names
from qtls.ssl.values.configurationdata import (
    NULL_DATA,
    SESSION_FIELDS,
    ConfigData,
    DefaultConfigurations,
    PeerVerifyMode,
    cipher_from_entry,
    dh_to_none,
    null_to_none,
)

# QSslSocket imports the enums from here and attaches them as QSslSocket.PeerVerifyMode/.SslMode.
from qtls.ssl.values.configurationdata import NextProtocolNegotiationStatus as _NegotiationStatus
from qtls.ssl.values.configurationdata import SslMode as SslMode
from qtls.ssl.values.configurationdata import StrictMode as _StrictMode
from qtls.ssl.values.diffiehellman import QSslDiffieHellmanParameters
from qtls.ssl.values.ellipticcurve import QSslEllipticCurve, _supported_curves
from qtls.ssl.x509.certificate import QSslCertificate
from qtls.ssl.x509.key import QSslKey
from qtls.ssl.x509.verify import _system_ca_certificates, set_verification_roots_provider

__all__ = ["QSslConfiguration"]

_log = logging.getLogger("qtls.ssl")

#: The record _reset_session_state last found with no session fields set (see there).
_last_clean_record: ConfigData | None = None


class QSslConfiguration:
    """The TLS settings of a socket: certificates, key, protocol, ciphers, verification, ALPN, ...

    An implicitly shared value, as in Qt: copies are independent and cheap, ``==`` compares every
    field, and a socket's ``sslConfiguration()`` is a copy that takes effect only when set back with
    ``setSslConfiguration()``. ``QSslConfiguration()`` is the null configuration (no CA
    certificates, no ciphers); ``defaultConfiguration()`` is what new sockets start from.
    """

    NextProtocolNegotiationStatus = _NegotiationStatus
    StrictMode = _StrictMode
    NextProtocolHttp1_1 = b"http/1.1"

    __slots__ = ("_d",)
    __hash__ = None  # type: ignore[assignment]  # mutable value, unhashable as in PyQt6

    def __init__(self, *args: QSslConfiguration) -> None:
        """``QSslConfiguration()`` (null) or ``QSslConfiguration(other)`` (a copy of other)."""
        if not args:
            self._d: ConfigData = NULL_DATA
        elif len(args) == 1 and isinstance(args[0], QSslConfiguration):
            self._d = args[0]._d
        else:
            problem = (
                "too many arguments"
                if len(args) > 1
                else f"argument 1 has unexpected type '{type(args[0]).__name__}'"
            )
            raise TypeError(
                "arguments did not match any overloaded call:\n"
                "  QSslConfiguration(): too many arguments\n"
                f"  QSslConfiguration(other: QSslConfiguration): {problem}"
            )

    def _set(self, **changes: Any) -> None:
        # A record copy with some fields changed, as dataclasses.replace() would make it, but
        # without its per-field loop and __init__ call: every handshake stores its session here
        # (and every client with a ticket sets one), and ConfigData has no __post_init__ to run.
        # Only this module's setters call it, with field names only.
        data = object.__new__(ConfigData)
        fields = data.__dict__
        fields.update(self._d.__dict__)
        fields.update(changes)
        self._d = data

    # -- value semantics ----------------------------------------------------------------------

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, QSslConfiguration):
            return NotImplemented
        a, b = self._d, other._d
        if a is b or a == b:
            return True
        if (a.ca_certificates is None) != (b.ca_certificates is None):
            # One side still holds the "system roots" marker: compare the loaded lists.
            return _with_loaded_cas(a) == _with_loaded_cas(b)
        return False

    def __ne__(self, other: object) -> bool:
        result = self.__eq__(other)
        return result if result is NotImplemented else not result

    def __copy__(self) -> QSslConfiguration:
        return QSslConfiguration(self)

    def __deepcopy__(self, memo: dict[int, Any]) -> QSslConfiguration:
        return QSslConfiguration(self)  # the record is immutable: sharing it is a deep copy

    def __repr__(self) -> str:
        if self.isNull():
            return "<QSslConfiguration null>"
        d = self._d
        cas = "system" if d.ca_certificates is None else str(len(d.ca_certificates))
        return (
            f"<QSslConfiguration protocol={d.protocol.name} verify={d.peer_verify_mode.name} "
            f"ca_certificates={cas} ciphers={len(d.ciphers)}>"
        )

    def isNull(self) -> bool:
        """True when every field still has the value of ``QSslConfiguration()``."""
        return self._d is NULL_DATA or self._d == NULL_DATA

    def swap(self, other: QSslConfiguration) -> None:
        """Exchange the contents of this configuration and ``other``."""
        expect(other, QSslConfiguration, "swap(self, other: QSslConfiguration)")
        self._d, other._d = other._d, self._d

    # -- process-wide defaults ----------------------------------------------------------------

    @staticmethod
    def defaultConfiguration() -> QSslConfiguration:
        """A copy of the configuration new sockets start from.

        Initially: protocol SecureProtocols (TLS 1.2 and later), AutoVerifyPeer, OpenSSL's default
        ciphers, the system's CA certificates (loaded when first read), Qt's default DH parameters.
        """
        conf = QSslConfiguration()
        conf._d = DefaultConfigurations.get(dtls=False)
        return conf

    @staticmethod
    def setDefaultConfiguration(configuration: QSslConfiguration) -> None:
        """Replace the process-wide default; sockets created later start from ``configuration``.

        Existing sockets and copies taken earlier are unaffected. Thread-safe.
        """
        expect(
            configuration,
            QSslConfiguration,
            "setDefaultConfiguration(configuration: QSslConfiguration)",
        )
        DefaultConfigurations.set(configuration._d, dtls=False)

    @staticmethod
    def defaultDtlsConfiguration() -> QSslConfiguration:
        """The default for DTLS: the TLS default with protocol DtlsV1_2OrLater (qtls has no DTLS
        socket; this is kept for API compatibility)."""
        conf = QSslConfiguration()
        conf._d = DefaultConfigurations.get(dtls=True)
        return conf

    @staticmethod
    def setDefaultDtlsConfiguration(configuration: QSslConfiguration) -> None:
        """Replace the process-wide DTLS default."""
        expect(
            configuration,
            QSslConfiguration,
            "setDefaultDtlsConfiguration(configuration: QSslConfiguration)",
        )
        DefaultConfigurations.set(configuration._d, dtls=True)

    # -- CA certificates ----------------------------------------------------------------------

    def caCertificates(self) -> list[QSslCertificate]:
        """The certificates used to verify the peer. For the default configuration these are the
        system's roots, loaded on first use."""
        return _copies(self._resolved_ca_certificates())

    def setCaCertificates(self, certificates: Iterable[QSslCertificate]) -> None:
        """Replace the CA certificates (and stop using the system's roots on demand)."""
        sig = "setCaCertificates(self, certificates: Iterable[QSslCertificate])"
        self._set(
            ca_certificates=_certificate_tuple(certificates, sig), allow_root_certs_on_demand=False
        )

    def addCaCertificate(self, certificate: QSslCertificate) -> None:
        """Append one CA certificate (to the system roots, if this configuration uses them)."""
        expect(certificate, QSslCertificate, "addCaCertificate(self, certificate: QSslCertificate)")
        self._set(
            ca_certificates=self._resolved_ca_certificates() + (QSslCertificate(certificate),),
            allow_root_certs_on_demand=False,
        )

    def addCaCertificates(
        self,
        path: str | None | Iterable[QSslCertificate],
        format: QSsl.EncodingFormat = QSsl.EncodingFormat.Pem,
        syntax: QSslCertificate.PatternSyntax = QSslCertificate.PatternSyntax.FixedString,
    ) -> bool | None:
        """Append CA certificates: either a list of them, or those read from ``path``.

        With a path, ``path``/``format``/``syntax`` mean what they mean for
        ``QSslCertificate.fromPath`` (a file, a directory, a wildcard or a regular expression);
        returns False when nothing was read (an unreadable path, no certificates), else True.
        The list overload returns None, as in PyQt6.
        """
        if path is None or isinstance(path, str):
            sig = (
                "addCaCertificates(self, path: Optional[str], format: QSsl.EncodingFormat = "
                "QSsl.Pem, syntax: QSslCertificate.PatternSyntax = "
                "QSslCertificate.PatternSyntax.FixedString)"
            )
            expect(format, QSsl.EncodingFormat, sig, position=2)
            expect(syntax, QSslCertificate.PatternSyntax, sig, position=3)
            found = QSslCertificate.fromPath(path, format, syntax) if path else []
            if not found:
                return False
            # Qt leaves on-demand loading alone here, unlike the list overloads.
            self._set(ca_certificates=self._resolved_ca_certificates() + tuple(found))
            return True
        sig = "addCaCertificates(self, certificates: Iterable[QSslCertificate])"
        added = _certificate_tuple(path, sig)
        self._set(
            ca_certificates=self._resolved_ca_certificates() + added,
            allow_root_certs_on_demand=False,
        )
        return None

    @staticmethod
    def systemCaCertificates() -> list[QSslCertificate]:
        """The system's trusted roots; loaded from disk once per process, then cached."""
        return _copies(_system_ca_certificates())

    def _resolved_ca_certificates(self) -> tuple[QSslCertificate, ...]:
        cas = self._d.ca_certificates
        return tuple(_system_ca_certificates()) if cas is None else cas

    def _explicit_ca_certificates(self) -> list[QSslCertificate]:
        """For the socket: ``caCertificates()`` without loading the system roots.

        Empty while the CA list is still "the system's roots" (the default configuration):
        :meth:`_allow_root_certs_on_demand` is then True and OpenSSL can use the system store
        itself (``Context.set_default_verify_paths``) at handshake time.
        """
        cas = self._d.ca_certificates
        return [] if cas is None else _copies(cas)

    def _allow_root_certs_on_demand(self) -> bool:
        """For the socket: Qt's ``allowRootCertOnDemandLoading``, whether the handshake may also
        trust the system store. True until a CA list is set with setCaCertificates,
        addCaCertificate or addCaCertificates(list)."""
        return self._d.allow_root_certs_on_demand

    # -- local identity -----------------------------------------------------------------------

    def localCertificate(self) -> QSslCertificate:
        """The first certificate of the local chain, or a null certificate."""
        chain = self._d.local_certificate_chain
        return QSslCertificate(chain[0]) if chain else QSslCertificate()

    def setLocalCertificate(self, certificate: QSslCertificate) -> None:
        """Make ``certificate`` the whole local chain (Qt: a one-element chain)."""
        expect(
            certificate, QSslCertificate, "setLocalCertificate(self, certificate: QSslCertificate)"
        )
        self._set(local_certificate_chain=(QSslCertificate(certificate),))

    def localCertificateChain(self) -> list[QSslCertificate]:
        """The certificate chain sent to the peer, leaf first."""
        return _copies(self._d.local_certificate_chain)

    def setLocalCertificateChain(self, localChain: Iterable[QSslCertificate]) -> None:
        """Set the chain sent to the peer: the leaf first, then its intermediates."""
        sig = "setLocalCertificateChain(self, localChain: Iterable[QSslCertificate])"
        self._set(local_certificate_chain=_certificate_tuple(localChain, sig))

    def privateKey(self) -> QSslKey:
        """The private key of the local certificate (a null key by default)."""
        key = self._d.private_key
        return QSslKey() if key is None else QSslKey(key)

    def setPrivateKey(self, key: QSslKey) -> None:
        """Set the private key matching the local certificate."""
        expect(key, QSslKey, "setPrivateKey(self, key: QSslKey)")
        self._set(private_key=null_to_none(key), private_key_problem=key._null_reason())

    # -- session state (filled by the socket) -------------------------------------------------

    def peerCertificate(self) -> QSslCertificate:
        """The peer's certificate after a handshake; null before (or when the peer sent none)."""
        cert = self._d.peer_certificate
        return QSslCertificate() if cert is None else QSslCertificate(cert)

    def peerCertificateChain(self) -> list[QSslCertificate]:
        """The chain the peer sent, leaf first; empty before a handshake."""
        return _copies(self._d.peer_certificate_chain)

    def sessionCipher(self) -> QSslCipher:
        """The cipher negotiated for the session; null before a handshake."""
        cipher = self._d.session_cipher
        return QSslCipher() if cipher is None else QSslCipher(cipher)

    def sessionProtocol(self) -> QSsl.SslProtocol:
        """The TLS version negotiated; UnknownProtocol before a handshake."""
        return self._d.session_protocol

    def ephemeralServerKey(self) -> QSslKey:
        """The server's ephemeral (EC)DH public key of the session (clients only); null otherwise."""
        key = self._d.ephemeral_server_key
        return QSslKey() if key is None else QSslKey(key)

    def nextNegotiatedProtocol(self) -> QByteArray:
        """The ALPN protocol the peers agreed on; empty when none."""
        return QByteArray(self._d.next_negotiated_protocol)

    def nextProtocolNegotiationStatus(self) -> _NegotiationStatus:
        """Whether ALPN ran and agreed (Negotiated), could not agree (Unsupported), or None."""
        return self._d.next_protocol_negotiation_status

    def sessionTicketLifeTimeHint(self) -> int:
        """The lifetime in seconds the server gave its session ticket; -1 when there is none."""
        return self._d.session_ticket_life_time_hint

    # Private setters for QSslSocket: Qt's socket writes these fields of its configuration.

    def _set_session(
        self,
        certificate: QSslCertificate | None,
        chain: Iterable[QSslCertificate],
        cipher: QSslCipher | None,
        protocol: QSsl.SslProtocol,
        next_protocol: bytes,
        status: _NegotiationStatus,
    ) -> None:
        """What a handshake negotiated, in one record copy (the five setters below at once)."""
        self._set(
            peer_certificate=None if certificate is None else null_to_none(certificate),
            peer_certificate_chain=tuple(QSslCertificate(c) for c in chain),
            # (Stored as given, without a private copy: the socket passes a cipher from its
            # per-process cache that nothing modifies, and sessionCipher() hands out copies.)
            session_cipher=None if cipher is None or cipher.isNull() else cipher,
            session_protocol=protocol,
            next_negotiated_protocol=bytes(next_protocol),
            next_protocol_negotiation_status=status,
        )

    def _set_peer_certificate(self, certificate: QSslCertificate | None) -> None:
        self._set(peer_certificate=None if certificate is None else null_to_none(certificate))

    def _set_peer_certificate_chain(self, chain: Iterable[QSslCertificate]) -> None:
        self._set(peer_certificate_chain=tuple(QSslCertificate(c) for c in chain))

    def _set_session_cipher(self, cipher: QSslCipher | None) -> None:
        self._set(session_cipher=None if cipher is None else null_to_none(cipher))

    def _set_session_protocol(self, protocol: QSsl.SslProtocol) -> None:
        self._set(session_protocol=protocol)

    def _set_ephemeral_server_key(self, key: QSslKey | None) -> None:
        self._set(ephemeral_server_key=None if key is None else null_to_none(key))

    def _set_next_negotiated_protocol(self, protocol: bytes, status: _NegotiationStatus) -> None:
        self._set(next_negotiated_protocol=bytes(protocol), next_protocol_negotiation_status=status)

    def _set_session_ticket_life_time_hint(self, hint: int) -> None:
        self._set(session_ticket_life_time_hint=int(hint))

    def _reset_session_state(self) -> None:
        """Forget what a previous handshake filled in (a socket does this before a new one)."""
        global _last_clean_record
        d = self._d
        if d is _last_clean_record:
            return  # (a server's sockets share its record: one check, not one per connection)
        # Usually nothing to forget (a fresh socket, a server's copy): keeping the very same
        # record then keeps the settings bridge's per-record memo hit for every connection.
        if any(getattr(d, name) != getattr(NULL_DATA, name) for name in SESSION_FIELDS):
            self._set(**{name: getattr(NULL_DATA, name) for name in SESSION_FIELDS})
        else:
            _last_clean_record = d  # records are immutable: it stays clean

    # -- protocol, verification, options ------------------------------------------------------

    def protocol(self) -> QSsl.SslProtocol:
        """The allowed TLS versions; SecureProtocols (TLS 1.2 and later) by default."""
        return self._d.protocol

    def setProtocol(self, protocol: QSsl.SslProtocol) -> None:
        """Set the allowed TLS versions (checked when the handshake starts, as in Qt)."""
        expect(protocol, QSsl.SslProtocol, "setProtocol(self, protocol: QSsl.SslProtocol)")
        self._set(protocol=protocol)

    def peerVerifyMode(self) -> PeerVerifyMode:
        """How the peer is verified; AutoVerifyPeer (VerifyPeer for clients, QueryPeer for servers)
        by default."""
        return self._d.peer_verify_mode

    def setPeerVerifyMode(self, mode: PeerVerifyMode) -> None:
        """Set how the peer's certificate is requested and verified."""
        expect(mode, PeerVerifyMode, "setPeerVerifyMode(self, mode: QSslSocket.PeerVerifyMode)")
        self._set(peer_verify_mode=mode)

    def peerVerifyDepth(self) -> int:
        """The maximum chain length checked; 0 (the default) means no limit."""
        return self._d.peer_verify_depth

    def setPeerVerifyDepth(self, depth: int) -> None:
        """Set the maximum chain length checked; a negative depth is refused with a warning."""
        expect(depth, int, "setPeerVerifyDepth(self, depth: int)")
        if depth < 0:
            _log.warning(
                "QSslConfiguration::setPeerVerifyDepth: cannot set negative depth of %d", depth
            )
            return
        self._set(peer_verify_depth=int(depth))

    def setSslOption(self, option: QSsl.SslOption, on: bool) -> None:
        """Turn ``option`` (one flag or several) on or off."""
        expect(option, QSsl.SslOption, "setSslOption(self, option: QSsl.SslOption, on: bool)")
        on = as_bool(on, "setSslOption(self, option: QSsl.SslOption, on: bool)", 2)
        current = self._d.ssl_options
        self._set(ssl_options=(current | option) if on else (current & ~option))

    def testSslOption(self, option: QSsl.SslOption) -> bool:
        """True when any flag of ``option`` is on (Qt tests ``options & option``)."""
        expect(option, QSsl.SslOption, "testSslOption(self, option: QSsl.SslOption)")
        return bool(self._d.ssl_options & option)

    def _ssl_options(self) -> QSsl.SslOption:
        """All options at once, for the TLS engine."""
        return self._d.ssl_options

    # -- ciphers, curves, DH ------------------------------------------------------------------

    def ciphers(self) -> list[QSslCipher]:
        """The ciphers allowed, in order of preference (empty for a null configuration)."""
        return _copies(self._d.ciphers)

    def setCiphers(self, ciphers: str | None | Iterable[QSslCipher]) -> None:
        """Set the allowed ciphers from a list, or from a string of cipher names.

        As Qt 6, a string is a colon-separated list of OpenSSL cipher *names*
        ("ECDHE-RSA-AES128-GCM-SHA256:TLS_AES_128_GCM_SHA256"); names this OpenSSL does not
        support are skipped. OpenSSL's keywords and operators ("HIGH:!aNULL") are not expanded.
        """
        if ciphers is None or isinstance(ciphers, str):
            found = (QSslCipher(name) for name in (ciphers or "").split(":") if name)
            self._set(ciphers=tuple(c for c in found if not c.isNull()))
            return
        sig = "setCiphers(self, ciphers: Iterable[QSslCipher])"
        self._set(ciphers=value_tuple(ciphers, QSslCipher, sig))

    @staticmethod
    def supportedCiphers() -> list[QSslCipher]:
        """Every cipher the OpenSSL in use implements, TLS 1.3 suites first."""
        return [
            c
            for c in (cipher_from_entry(entry) for entry in _supported_cipher_names())
            if not c.isNull()
        ]

    def ellipticCurves(self) -> list[QSslEllipticCurve]:
        """The curves/groups offered for key exchange; empty means OpenSSL's defaults."""
        return _copies(self._d.elliptic_curves)

    def setEllipticCurves(self, curves: Iterable[QSslEllipticCurve]) -> None:
        """Restrict key exchange to ``curves`` (an empty list restores OpenSSL's defaults)."""
        sig = "setEllipticCurves(self, curves: Iterable[QSslEllipticCurve])"
        self._set(elliptic_curves=value_tuple(curves, QSslEllipticCurve, sig))

    @staticmethod
    def supportedEllipticCurves() -> list[QSslEllipticCurve]:
        """Every curve the OpenSSL in use knows."""
        return _copies(_supported_curves())

    def diffieHellmanParameters(self) -> QSslDiffieHellmanParameters:
        """The DH group a server uses for DHE key exchange; by default (even in a null
        configuration, as in Qt) ``QSslDiffieHellmanParameters.defaultParameters()``, which a
        server applies as Qt's does, so it offers DHE suites to every TLS 1.2 client.

        Empty parameters (``QSslDiffieHellmanParameters()``) differ: Qt then lets OpenSSL pick a
        group matching the certificate key's strength (``SSL_CTX_set_dh_auto``, which
        pyOpenSSL does not expose); a qtls server offers DHE only to clients listing FFDHE
        groups."""
        dh = self._d.dh_parameters
        if dh is None:
            return QSslDiffieHellmanParameters.defaultParameters()
        return QSslDiffieHellmanParameters(dh)

    def setDiffieHellmanParameters(self, dhparams: QSslDiffieHellmanParameters) -> None:
        """Set the DH group a server uses for DHE cipher suites."""
        expect(
            dhparams,
            QSslDiffieHellmanParameters,
            "setDiffieHellmanParameters(self, dhparams: QSslDiffieHellmanParameters)",
        )
        self._set(dh_parameters=dh_to_none(dhparams))

    # -- PSK, ALPN, tickets, OCSP -------------------------------------------------------------

    def preSharedKeyIdentityHint(self) -> QByteArray:
        """The PSK identity hint a server sends to clients."""
        return QByteArray(self._d.psk_identity_hint)

    def setPreSharedKeyIdentityHint(self, hint: Any) -> None:
        """Set the PSK identity hint a server sends (bytes, bytearray, memoryview or QByteArray)."""
        sig = "setPreSharedKeyIdentityHint(self, hint: QByteArray|bytes|bytearray|memoryview)"
        self._set(psk_identity_hint=as_bytes(hint, sig))

    def allowedNextProtocols(self) -> list[QByteArray]:
        """The ALPN protocols offered (client, in order of preference) or accepted (server).

        As in Qt, a server picks the first protocol of the *client's* list that it accepts;
        its own order does not matter. With no protocol in common a qtls server completes the
        handshake without ALPN (NextProtocolNegotiationUnsupported); Qt's server answers with
        its own first protocol, which the client did not offer, and OpenSSL clients abort."""
        return [QByteArray(p) for p in self._d.allowed_next_protocols]

    def setAllowedNextProtocols(self, protocols: Iterable[Any]) -> None:
        """Set the ALPN protocol names, e.g. ``[b"h2", QSslConfiguration.NextProtocolHttp1_1]``."""
        sig = (
            "setAllowedNextProtocols(self, protocols: "
            "Iterable[QByteArray|bytes|bytearray|memoryview])"
        )
        items = iterable_arg(protocols, sig)
        names = []
        for index, item in enumerate(items):
            if not is_bytes_like(item):
                raise TypeError(index_error(index, item, "QByteArray"))
            names.append(bytes(item))
        self._set(allowed_next_protocols=tuple(names))

    def sessionTicket(self) -> QByteArray:
        """The serialized TLS session, to resume it later with ``setSessionTicket``."""
        return QByteArray(self._d.session_ticket)

    def setSessionTicket(self, sessionTicket: Any) -> None:
        """Set a session saved from an earlier connection, to try resuming it."""
        sig = "setSessionTicket(self, sessionTicket: QByteArray|bytes|bytearray|memoryview)"
        self._set(session_ticket=as_bytes(sessionTicket, sig))

    def ocspStaplingEnabled(self) -> bool:
        """Whether a client asks for (and checks) a stapled OCSP response."""
        return self._d.ocsp_stapling

    def setOcspStaplingEnabled(self, enable: bool) -> None:
        """Ask the server for a stapled OCSP response (client side)."""
        self._set(ocsp_stapling=as_bool(enable, "setOcspStaplingEnabled(self, enable: bool)"))

    # -- backend and behaviour switches -------------------------------------------------------

    def backendConfiguration(self) -> dict[QByteArray, Any]:
        """The backend-specific options (for OpenSSL: ``SSL_CONF_cmd`` names and values)."""
        return {QByteArray(name): value for name, value in self._d.backend_config.items()}

    def setBackendConfigurationOption(self, name: Any, value: Any) -> None:
        """Set one backend option; a None value is kept (Qt stores an invalid QVariant)."""
        sig = "setBackendConfigurationOption(self, name: QByteArray|bytes|bytearray|memoryview, value: Any)"
        key = as_bytes(name, sig)
        updated = dict(self._d.backend_config)
        updated[key] = value
        self._set(backend_config=types.MappingProxyType(updated))

    def setBackendConfiguration(
        self, backendConfiguration: Mapping[Any, Any] | None = None
    ) -> None:
        """Replace all backend options (no argument clears them)."""
        sig = (
            "setBackendConfiguration(self, backendConfiguration: "
            "dict[QByteArray|bytes|bytearray|memoryview, Any] = {})"
        )
        if backendConfiguration is None:
            backendConfiguration = {}
        if not isinstance(backendConfiguration, Mapping):
            raise TypeError(arg_error(sig, 1, backendConfiguration))
        updated: dict[bytes, Any] = {}
        for key, value in backendConfiguration.items():
            if not is_bytes_like(key):
                raise TypeError(
                    f"a dict key has type '{type(key).__name__}' but 'QByteArray' is expected"
                )
            updated[bytes(key)] = value
        self._set(backend_config=types.MappingProxyType(updated))

    def handshakeMustInterruptOnError(self) -> bool:
        """Whether a verification error pauses the handshake (``handshakeInterruptedOnError``)."""
        return self._d.handshake_must_interrupt_on_error

    def setHandshakeMustInterruptOnError(self, interrupt: bool) -> None:
        """Pause the handshake on verification errors until ``continueInterruptedHandshake()``."""
        sig = "setHandshakeMustInterruptOnError(self, interrupt: bool)"
        self._set(handshake_must_interrupt_on_error=as_bool(interrupt, sig))

    def missingCertificateIsFatal(self) -> bool:
        """Whether a server fails the handshake when a client sends no certificate it asked for."""
        return self._d.missing_certificate_is_fatal

    def setMissingCertificateIsFatal(self, cannotRecover: bool) -> None:
        """Make a missing client certificate fatal (with handshakeMustInterruptOnError)."""
        sig = "setMissingCertificateIsFatal(self, cannotRecover: bool)"
        self._set(missing_certificate_is_fatal=as_bool(cannotRecover, sig))

    def dtlsCookieVerificationEnabled(self) -> bool:
        """DTLS cookie verification (True by default); stored only, qtls implements no DTLS."""
        return self._d.dtls_cookie_verification

    def setDtlsCookieVerificationEnabled(self, enable: bool) -> None:
        """Store the DTLS cookie verification switch (no effect: qtls implements no DTLS)."""
        sig = "setDtlsCookieVerificationEnabled(self, enable: bool)"
        self._set(dtls_cookie_verification=as_bool(enable, sig))


    # -- qtls extension: strict mode ------------------------------------------------------------

    def strictMode(self) -> _StrictMode:
        """What qtls checks beyond Qt (``NoStrictMode``, Qt's behaviour, by default).

        A qtls extension, copied and compared like every other field. See
        :class:`QSslConfiguration.StrictMode`.
        """
        return self._d.strict_mode

    def setStrictMode(self, mode: _StrictMode) -> None:
        """Choose what qtls checks beyond Qt: ``StrictVerification`` adds the Web-PKI and RFC 5280
        rules to the handshake's verification (client side), ``ModernCiphers`` restricts TLS 1.2
        to forward-secret AEAD suites. A qtls extension."""
        if not isinstance(mode, _StrictMode):
            raise TypeError(arg_error("setStrictMode(self, mode: QSslConfiguration.StrictMode)",
                                      1, mode))
        self._set(strict_mode=mode)

    def strictVerification(self) -> bool:
        """Whether ``StrictMode.StrictVerification`` is on (a qtls extension)."""
        return bool(self._d.strict_mode & _StrictMode.StrictVerification)

    def setStrictVerification(self, enable: bool) -> None:
        """Turn ``StrictMode.StrictVerification`` on or off, keeping the other strict flags.

        A qtls extension. On a client, each rule of :mod:`qtls.ssl.x509.strict` the server's chain
        breaks is one more QSslError in ``sslErrors`` (and a ``peerVerifyError``): Qt's code where
        one fits, UnspecifiedError otherwise, and an ``errorString()`` that names the rule. Each
        one can be ignored on its own with ``ignoreSslErrors``.
        """
        on = as_bool(enable, "setStrictVerification(self, enable: bool)")
        mode = self._d.strict_mode
        flag = _StrictMode.StrictVerification
        self._set(strict_mode=(mode | flag) if on else (mode & ~flag))

# -- helpers -------------------------------------------------------------------------------------


def _copies(values: Iterable[Any]) -> list[Any]:
    return [type(v)(v) for v in values]


def _certificate_tuple(values: object, signature: str) -> tuple[QSslCertificate, ...]:
    return value_tuple(values, QSslCertificate, signature)


def _with_loaded_cas(data: ConfigData) -> ConfigData:
    if data.ca_certificates is not None:
        return data
    return dataclasses.replace(data, ca_certificates=tuple(_system_ca_certificates()))


# QSslCertificate.verify() trusts the default configuration's CA list, as Qt's does.
set_verification_roots_provider(lambda: list(QSslConfiguration.defaultConfiguration().caCertificates()))
