"""QDtls: one DTLS connection driven by the application's datagrams (Qt 6's QDtls).

Theory of operation
===================

QDtls owns no socket. The application reads datagrams from its QUdpSocket, demultiplexes them
by sender, and hands each peer's to that peer's QDtls: ``doHandshake(socket, datagram)`` until
``handshakeState()`` is ``HandshakeComplete``, then ``decryptDatagram(socket, datagram)``;
``writeDatagramEncrypted(socket, data)`` sends. Every reply QDtls has (flights, retransmissions,
alerts) goes out through the socket passed to the call that produced it, to the peer set with
``setPeer()`` (``write`` when the socket is connected, as Qt's datagram BIO).

The DTLS work is a :class:`~qtls.ssl.engine.DtlsEngine` (sans-I/O), made from the
``dtlsConfiguration()`` by the same QSslConfiguration → OpenSSL context path as QSslSocket's,
with DTLS methods. One engine per handshake attempt: an aborted, failed or shut down
connection drops it and goes back to ``HandshakeNotStarted``, as Qt resets its ``SSL``.

Timeouts are Qt's: while a handshake waits for the peer, a single-shot timer (1 s after every
step) emits ``handshakeTimeout()``; the application calls ``handleTimeout(socket)``, which lets
OpenSSL retransmit the last flight if its own timer expired, doubling the next wait (up to 60 s)
when it did, or re-arming the timer for what OpenSSL still waits otherwise.

Verification is Qt's ``QDtlsPrivateOpenSSL::verifyPeer``: after OpenSSL completed the handshake
(its verify callback records errors and never stops it), a client — or a server with
``VerifyPeer`` — collects the errors (no peer certificate, host name mismatch against
``peerVerificationName()`` or the socket's ``peerName()``, then OpenSSL's); any that
``ignoreVerificationErrors()`` does not cover make the state ``PeerVerificationFailed`` with
``PeerVerificationError``; ``resumeHandshake()`` after ignoring them completes it, and
``abortHandshake()`` sends close_notify and resets.

Error texts and which ``QDtlsError`` each failure sets are Qt's (qdtls.cpp and its OpenSSL
backend); where OpenSSL's reason is part of the text it is the bundled OpenSSL's wording.
"""

from __future__ import annotations

import enum
import weakref
from typing import Any

from qtls.core.bytearray import QByteArray
from qtls.core.qobject import QObject
from qtls.core.signals import pyqtSignal
from qtls.core.timer import QTimer
from qtls.network.hostaddress import QHostAddress
from qtls.ssl.dtlsbase import (
    NULL_SOCKET,
    DtlsErrorState,
    address_problem,
    as_address,
    as_bytes,
    cookie_key,
    write_datagram,
)
from qtls.ssl.dtlserror import GeneratorParameters as _Params
from qtls.ssl.dtlserror import QDtlsError
from qtls.ssl.engine import (
    CloseNotifyReceived,
    DtlsEngine,
    EngineConfigError,
    EngineState,
    HandshakeCompleted,
    TlsError,
    default_context_cache,
)
from qtls.ssl.qssl import QSsl
from qtls.ssl.tlssettings import ConfigurationError, tls_settings
from qtls.ssl.values.cipher import QSslCipher
from qtls.ssl.values.configuration import QSslConfiguration
from qtls.ssl.values.configurationdata import NextProtocolNegotiationStatus, PeerVerifyMode
from qtls.ssl.values.psk import QSslPreSharedKeyAuthenticator
from qtls.ssl.verdict import certificate_from_der, fill_session, protocol_of
from qtls.ssl.x509.certificate import QSslCertificate
from qtls.ssl.x509.error import QSslError, ssl_error_from_verify_code
from qtls.ssl.x509.verify import is_matching_hostname

__all__ = ["QDtls"]

# Qt's DTLS timer: 1 s after each handshake step, doubled after each retransmission, at most 60 s.
_FIRST_TIMEOUT_MS = 1000
_MAX_TIMEOUT_MS = 60000
# Qt's MTU guess when the application gives no hint (RFC 791's 576; see DtlsEngine).
_DEFAULT_MTU = 576

def _ssl_mode_enum() -> Any:
    # (Imported late: QSslSocket's module imports much that QDtls does not need at import.)
    from qtls.ssl.sslsocket import QSslSocket

    return QSslSocket.SslMode


def _emit_timeout(ref: weakref.ref[QDtls]) -> None:
    dtls = ref()
    if dtls is not None:
        dtls.handshakeTimeout.emit()


def _weak_hook(dtls: QDtls, method: Any) -> Any:
    """``method`` bound to ``dtls`` through a weak reference (None once it is gone)."""
    ref = weakref.ref(dtls)

    def hook(*args: Any) -> Any:
        target = ref()
        return method(target, *args) if target is not None else None

    return hook


class QDtls(DtlsErrorState, QObject):
    """Encryption for UDP: a DTLS client or server connection with one peer (Qt's QDtls).

    See the module docstring for how datagrams move. qtls differs from Qt on purpose in one
    place: a datagram carrying several application records decrypts to all of them joined
    (Qt returns the first); peers that send one record per datagram, as Qt and OpenSSL do,
    see no difference.
    """

    class HandshakeState(enum.Enum):
        """Where the DTLS handshake is (Qt's ``QDtls::HandshakeState``)."""

        HandshakeNotStarted = 0
        HandshakeInProgress = 1
        PeerVerificationFailed = 2
        HandshakeComplete = 3

    GeneratorParameters = _Params

    handshakeTimeout = pyqtSignal()
    pskRequired = pyqtSignal(QSslPreSharedKeyAuthenticator)

    def __init__(self, mode: Any, parent: QObject | None = None) -> None:
        modes = _ssl_mode_enum()
        if not isinstance(mode, modes):
            raise TypeError(
                f"QDtls(): argument 1 has unexpected type '{type(mode).__name__}'"
            )
        super().__init__(parent)
        self._mode = mode
        self._server = mode is modes.SslServerMode
        self._config = QSslConfiguration.defaultDtlsConfiguration()
        self._peer_address = QHostAddress()
        self._peer_port = 0
        self._peer_name = ""
        self._mtu_hint = 0
        self._params = _Params._default()
        self._state = QDtls.HandshakeState.HandshakeNotStarted
        self._engine: DtlsEngine | None = None
        self._encrypted = False
        self._tls_errors: list[QSslError] = []
        self._to_ignore: list[QSslError] = []
        self._cipher = QSslCipher()
        self._protocol = QSsl.SslProtocol.UnknownProtocol
        self._timeout_ms = _FIRST_TIMEOUT_MS
        # No reference cycle through the timer or the engine's hooks (a server makes a QDtls
        # per client: one that the application drops must go without the garbage collector).
        # So the timer is not a child (a child keeps its parent), and both call back through
        # a weak reference.
        ref = weakref.ref(self)
        self._timer = QTimer()
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(lambda: _emit_timeout(ref))

    # --- peer and parameters ------------------------------------------------------------------

    def setPeer(self, address: Any, port: int, verificationName: str = "") -> bool:
        """Set the peer's address, port and (for certificate checks) host name; only before a
        handshake, and not a null, broadcast or multicast address."""
        peer = as_address(address)
        if self._state is not QDtls.HandshakeState.HandshakeNotStarted:
            self._set_error(QDtlsError.InvalidOperation, "Cannot set peer after handshake started")
            return False
        problem = address_problem(peer)
        if problem is not None:
            self._set_error(QDtlsError.InvalidInputParameters, problem)
            return False
        self._clear_error()
        self._peer_address = QHostAddress(peer)
        self._peer_port = int(port)
        self._peer_name = str(verificationName)
        return True

    def setPeerVerificationName(self, name: str) -> bool:
        """Set the host name the peer's certificate is checked against (before a handshake)."""
        if self._state is not QDtls.HandshakeState.HandshakeNotStarted:
            self._set_error(
                QDtlsError.InvalidOperation,
                "Cannot set verification name after handshake started",
            )
            return False
        self._clear_error()
        self._peer_name = str(name)
        return True

    def peerAddress(self) -> QHostAddress:
        """The address set by setPeer(), or a null address."""
        return QHostAddress(self._peer_address)

    def peerPort(self) -> int:
        """The port set by setPeer(), or 0."""
        return self._peer_port

    def peerVerificationName(self) -> str:
        """The host name set by setPeer() or setPeerVerificationName(); "" by default."""
        return self._peer_name

    def sslMode(self) -> Any:
        """``QSslSocket.SslServerMode`` or ``QSslSocket.SslClientMode``."""
        return self._mode

    def setMtuHint(self, mtuHint: int) -> None:
        """The path MTU the application found or guessed; handshake datagrams stay within it
        (0, the default, means Qt's guess of 576 bytes). Application datagrams are not cut."""
        if not isinstance(mtuHint, int) or isinstance(mtuHint, bool):
            raise TypeError(
                f"setMtuHint(): argument 1 has unexpected type '{type(mtuHint).__name__}'"
            )
        if not 0 <= mtuHint <= 0xFFFF:
            raise OverflowError("setMtuHint(): argument 1 is out of range for quint16")
        self._mtu_hint = mtuHint
        if self._engine is not None:
            self._engine.set_mtu(mtuHint or _DEFAULT_MTU)

    def mtuHint(self) -> int:
        """The value set by setMtuHint(); 0 by default."""
        return self._mtu_hint

    def setCookieGeneratorParameters(self, params: _Params) -> bool:
        """Set the cookie hash and secret a server QDtls expects (the verifier's); before the
        handshake. Returns False, as Qt's does, even though the parameters are taken."""
        if not isinstance(params, _Params):
            raise TypeError(
                "setCookieGeneratorParameters(): argument 1 has unexpected type "
                f"'{type(params).__name__}'"
            )
        # Qt's QDtls passes them on and returns false whatever happened (qdtls.cpp); the
        # backend refuses an empty secret.
        if bytes(params.secret):
            self._params = _Params(params)
        return False

    def cookieGeneratorParameters(self) -> _Params:
        """The cookie hash and secret: SHA-256 and the process's random secret by default."""
        return _Params(self._params)

    def setDtlsConfiguration(self, configuration: QSslConfiguration) -> bool:
        """Use ``configuration`` for the next handshake (not while one is on)."""
        if not isinstance(configuration, QSslConfiguration):
            raise TypeError(
                "setDtlsConfiguration(): argument 1 has unexpected type "
                f"'{type(configuration).__name__}'"
            )
        if self._state is not QDtls.HandshakeState.HandshakeNotStarted:
            self._set_error(
                QDtlsError.InvalidOperation, "Cannot set configuration after handshake started"
            )
            return False
        self._config = QSslConfiguration(configuration)
        return True

    def dtlsConfiguration(self) -> QSslConfiguration:
        """The configuration, with the peer's certificates once a handshake completed."""
        return QSslConfiguration(self._config)

    def handshakeState(self) -> QDtls.HandshakeState:
        """The current handshake state."""
        return self._state

    def isConnectionEncrypted(self) -> bool:
        """True once the handshake completed (and until shutdown or the peer's close_notify)."""
        return self._encrypted

    def sessionCipher(self) -> QSslCipher:
        """The negotiated cipher, a null cipher before."""
        return QSslCipher(self._cipher)

    def sessionProtocol(self) -> QSsl.SslProtocol:
        """``DtlsV1_2`` (or ``DtlsV1_0``) once encrypted, ``UnknownProtocol`` before."""
        return self._protocol

    def peerVerificationErrors(self) -> list[QSslError]:
        """The errors found while establishing the peer's identity."""
        return list(self._tls_errors)

    def ignoreVerificationErrors(self, errorsToIgnore: Any) -> None:
        """Ignore exactly these errors (each one's code and certificate) from now on; an empty
        list clears the set. Call resumeHandshake() after a PeerVerificationError."""
        errors = list(errorsToIgnore)
        if not all(isinstance(e, QSslError) for e in errors):
            raise TypeError("ignoreVerificationErrors(): argument 1 must be a list of QSslError")
        self._to_ignore = errors

    # --- handshake ----------------------------------------------------------------------------

    def doHandshake(self, socket: Any, dgram: Any = b"") -> bool:
        """Start or continue the handshake with one datagram from the peer (a server's first
        must be the ClientHello, verified by QDtlsClientVerifier when cookies are on); True
        unless an error was found (dtlsError())."""
        data = as_bytes(dgram, "doHandshake()")
        state = self._state
        if state is QDtls.HandshakeState.HandshakeNotStarted:
            return self._start_handshake(socket, data)
        if state is QDtls.HandshakeState.HandshakeInProgress:
            if socket is None or not data:
                self._set_error(
                    QDtlsError.InvalidInputParameters,
                    "A valid QUdpSocket and non-empty datagram are needed to continue the "
                    "handshake",
                )
                return False
            return self._continue_handshake(socket, data)
        self._set_error(
            QDtlsError.InvalidOperation, "Cannot start/continue handshake, invalid handshake state"
        )
        return False

    def _start_handshake(self, socket: Any, data: bytes) -> bool:
        if socket is None:
            self._set_error(QDtlsError.InvalidInputParameters, NULL_SOCKET)
            return False
        if self._peer_address.isNull():
            self._set_error(
                QDtlsError.InvalidOperation,
                "To start a handshake you must set peer's address and port first",
            )
            return False
        if self._server and not data:
            self._set_error(
                QDtlsError.InvalidInputParameters,
                "To start a handshake, DTLS server requires non-empty datagram (client hello)",
            )
            return False
        self._clear_error()
        self._encrypted = False
        engine = self._make_engine(socket)
        if engine is None:
            return False
        if engine.checks_cookies:
            if not engine.start_verified(data):
                self._set_error(
                    QDtlsError.TlsFatalError,
                    "Cannot start the handshake, verified client hello expected",
                )
                return False
            self._engine = engine
            self._set_state(QDtls.HandshakeState.HandshakeInProgress)
            return self._after_step(socket)
        self._engine = engine
        self._set_state(QDtls.HandshakeState.HandshakeInProgress)
        if self._server:
            engine.receive_datagram(data)
        else:
            engine.start_handshake()
        return self._after_step(socket)

    def _continue_handshake(self, socket: Any, data: bytes) -> bool:
        self._clear_error()
        self._timer.stop()
        engine = self._engine
        assert engine is not None
        engine.receive_datagram(data)
        return self._after_step(socket)

    def _make_engine(self, socket: Any) -> DtlsEngine | None:
        """A fresh engine from the configuration (Qt's ``DtlsState::init``); None with
        TlsInitializationError set when the configuration cannot be used."""
        try:
            settings = tls_settings(self._config, server=self._server, psk=True, dtls=True)
            context = default_context_cache.get(settings)
        except (ConfigurationError, EngineConfigError) as exc:
            self._set_error(QDtlsError.TlsInitializationError, str(exc))
            return None
        key = None
        if self._server and self._config.dtlsCookieVerificationEnabled():
            key = cookie_key(self._params.hash, bytes(self._params.secret), self._peer_address,
                             self._peer_port)
            if key is None:
                self._set_error(
                    QDtlsError.TlsInitializationError,
                    f"The hash algorithm {self._params.hash.name} is not available for cookies",
                )
                return None
        engine = DtlsEngine(
            context,
            mtu=self._link_mtu(socket),
            cookie_key=key,
            server_hostname=None if self._server else (self._peer_name or None),
            on_psk_required=_weak_hook(self, QDtls._on_psk_client),
            on_psk_identity=_weak_hook(self, QDtls._on_psk_server),
        )
        return engine

    def _link_mtu(self, socket: Any) -> int:
        if self._mtu_hint:
            return self._mtu_hint
        # A connected socket may know the path MTU (Qt asks PathMtuSocketOption).
        try:
            if getattr(socket.state(), "name", "") == "ConnectedState":
                from qtls.network.socketenums import SocketOption

                value = socket.socketOption(SocketOption.PathMtuSocketOption)
                mtu = int(value) if value is not None else 0
                if mtu > 0:
                    return mtu
        except (AttributeError, TypeError, ValueError):
            pass
        return _DEFAULT_MTU

    def _after_step(self, socket: Any) -> bool:
        """Send what the engine wrote, then act on its events (the engine rule's order)."""
        engine = self._engine
        assert engine is not None
        if not self._flush(socket):
            return False
        completed: HandshakeCompleted | None = None
        for event in engine.events():
            if isinstance(event, TlsError) and event.fatal:
                self._store_peer_chain()
                self._set_error(QDtlsError.TlsFatalError,
                                f"Error during SSL handshake: {event.reason}")
                self._reset()
                return False
            if isinstance(event, HandshakeCompleted):
                completed = event
        if completed is None:
            if engine.state is EngineState.HANDSHAKING:
                # Waiting for the peer: Qt's timer, back to 1 s after every step.
                self._timeout_ms = _FIRST_TIMEOUT_MS
                self._timer.start(self._timeout_ms)
            return True
        return self._on_handshake_complete(completed, socket)

    def _on_handshake_complete(self, event: HandshakeCompleted, socket: Any) -> bool:
        self._timer.stop()
        info = event.info
        chain = self._store_peer_chain()
        self._protocol = protocol_of(info.protocol)
        self._cipher = self._config.sessionCipher()
        mode = self._config.peerVerifyMode()
        verify_peer = mode is PeerVerifyMode.VerifyPeer or (
            mode is PeerVerifyMode.AutoVerifyPeer and not self._server
        )
        if not verify_peer or self._verify_peer(chain, socket) or self._errors_ignored():
            self._encrypted = True
            self._set_state(QDtls.HandshakeState.HandshakeComplete)
            return True
        self._set_error(QDtlsError.PeerVerificationError, "Peer verification failed")
        self._set_state(QDtls.HandshakeState.PeerVerificationFailed)
        return False

    def _store_peer_chain(self) -> list[QSslCertificate]:
        engine = self._engine
        info = engine.info if engine is not None else None
        if info is None:
            return []
        cache: dict[bytes, QSslCertificate] = {}
        chain = [certificate_from_der(der, cache) for der in info.peer_chain]
        fill_session(self._config, info, chain)
        return chain

    def _verify_peer(self, chain: list[QSslCertificate], socket: Any) -> bool:
        """Qt's verifyPeer: True when no error was found (the list is kept either way)."""
        engine = self._engine
        assert engine is not None
        errors: list[QSslError] = []
        if not chain:
            errors.append(QSslError(QSslError.SslError.NoPeerCertificate))
        elif not self._server:
            name = self._peer_name
            if not name:
                peer_name = getattr(socket, "peerName", None)
                name = str(peer_name()) if callable(peer_name) else ""
            if not is_matching_hostname(chain[0], name):
                errors.append(QSslError(QSslError.SslError.HostNameMismatch, chain[0]))
        for error in engine.verify_errors:
            cert = chain[error.depth] if error.depth < len(chain) else QSslCertificate()
            errors.append(QSslError(ssl_error_from_verify_code(error.code), cert))
        self._tls_errors = errors
        return not errors

    def _errors_ignored(self) -> bool:
        """Qt's tlsErrorsWereIgnored: every error in the (non-empty) ignore list."""
        return bool(self._to_ignore) and all(e in self._to_ignore for e in self._tls_errors)

    def handleTimeout(self, socket: Any) -> bool:
        """After handshakeTimeout(): let OpenSSL retransmit the last flight when it is due
        (the next wait doubles), or wait for what is left. True unless the socket is None."""
        if socket is None:
            self._set_error(QDtlsError.InvalidInputParameters, NULL_SOCKET)
            return False
        self._clear_error()
        engine = self._engine
        if engine is None or self._state is not QDtls.HandshakeState.HandshakeInProgress:
            return True
        retransmitted = engine.handle_timeout()
        if not self._flush(socket):
            return False
        for event in engine.events():
            if isinstance(event, TlsError) and event.fatal:
                self._set_error(QDtlsError.TlsFatalError,
                                f"Error during SSL handshake: {event.reason}")
                self._reset()
                return True
        if retransmitted:
            self._timeout_ms = min(self._timeout_ms * 2, _MAX_TIMEOUT_MS)
            self._timer.start(self._timeout_ms)
        else:
            left = engine.timeout()
            # (Qt takes OpenSSL's remaining whole seconds, and its own timeout when that is 0.)
            ms = int(left) * 1000 if left is not None else 0
            self._timer.start(ms if ms > 0 else self._timeout_ms)
        return True

    def resumeHandshake(self, socket: Any) -> bool:
        """Complete a handshake whose verification errors were all ignored since."""
        if socket is None:
            self._set_error(QDtlsError.InvalidInputParameters, NULL_SOCKET)
            return False
        if self._state is not QDtls.HandshakeState.PeerVerificationFailed:
            self._set_error(QDtlsError.InvalidOperation,
                            "Cannot resume, not in VerificationError state")
            return False
        self._clear_error()
        if self._errors_ignored():
            self._set_state(QDtls.HandshakeState.HandshakeComplete)
            self._encrypted = True
            self._tls_errors = []
            self._to_ignore = []
            return True
        return False

    def abortHandshake(self, socket: Any) -> bool:
        """Abort a handshake in progress or failed verification (the peer gets close_notify in
        the latter case: the connection was encrypted); back to HandshakeNotStarted."""
        if socket is None:
            self._set_error(QDtlsError.InvalidInputParameters, NULL_SOCKET)
            return False
        if self._state not in (QDtls.HandshakeState.PeerVerificationFailed,
                               QDtls.HandshakeState.HandshakeInProgress):
            self._set_error(QDtlsError.InvalidOperation,
                            "No handshake in progress, nothing to abort")
            return False
        self._clear_error()
        if self._state is QDtls.HandshakeState.PeerVerificationFailed:
            self._send_shutdown(socket)
        else:
            self._reset()
        return True

    # --- encrypted datagrams ------------------------------------------------------------------

    def writeDatagramEncrypted(self, socket: Any, dgram: Any) -> int:
        """Encrypt ``dgram`` as one datagram and send it; its size, or -1 (dtlsError())."""
        data = as_bytes(dgram, "writeDatagramEncrypted()")
        if socket is None:
            self._set_error(QDtlsError.InvalidInputParameters, NULL_SOCKET)
            return -1
        if not self._encrypted:
            self._set_error(QDtlsError.InvalidOperation,
                            "Cannot write a datagram, not in encrypted state")
            return -1
        self._clear_error()
        engine = self._engine
        assert engine is not None
        if engine.state is not EngineState.ENCRYPTED:
            # The peer's close_notify came in a datagram we were handed: the connection is over.
            self._set_error(QDtlsError.TlsFatalError, "The DTLS connection has been closed")
            return -1
        written = engine.send_datagram(data)
        events = engine.events()
        if written < 0:
            reasons = [e.reason for e in events if isinstance(e, TlsError)]
            self._set_error(QDtlsError.TlsFatalError,
                            f"Error while writing: {'; '.join(reasons)}")
            return -1
        if not self._flush(socket):
            return -1
        return written

    def decryptDatagram(self, socket: Any, dgram: Any) -> QByteArray:
        """Decrypt one datagram from the peer; empty for a datagram that carried no
        application data (a retransmitted flight gets its answer through ``socket``), for a
        close_notify (RemoteClosedConnectionError) and for one that could not be decrypted
        (TlsNonFatalError, the connection goes on)."""
        data = as_bytes(dgram, "decryptDatagram()")
        if socket is None:
            self._set_error(QDtlsError.InvalidInputParameters, NULL_SOCKET)
            return QByteArray()
        if not self._encrypted:
            self._set_error(QDtlsError.InvalidOperation,
                            "Cannot read a datagram, not in encrypted state")
            return QByteArray()
        if not data:
            return QByteArray()
        self._clear_error()
        engine = self._engine
        assert engine is not None
        engine.receive_datagram(data)
        self._flush(socket)
        plaintext = bytes(engine.read_plaintext())
        for event in engine.events():
            if isinstance(event, CloseNotifyReceived):
                self._set_error(QDtlsError.RemoteClosedConnectionError,
                                "The DTLS connection has been shutdown")
                self._reset()
                return QByteArray(plaintext)
            if isinstance(event, TlsError):
                self._set_error(QDtlsError.TlsNonFatalError, f"Error while reading: {event.reason}")
        return QByteArray(plaintext)

    def shutdown(self, socket: Any) -> bool:
        """Send close_notify and reset to HandshakeNotStarted (only when encrypted)."""
        if socket is None:
            self._set_error(QDtlsError.InvalidInputParameters, NULL_SOCKET)
            return False
        if not self._encrypted:
            self._set_error(QDtlsError.InvalidOperation, "Cannot send shutdown alert, not encrypted")
            return False
        self._send_shutdown(socket)
        return True

    # --- PSK ----------------------------------------------------------------------------------

    def _on_psk_client(self, hint: bytes, max_identity: int,
                       max_psk: int) -> tuple[bytes, bytes] | None:
        auth = QSslPreSharedKeyAuthenticator._for_handshake(hint, max_identity, max_psk)
        self.pskRequired.emit(auth)
        return auth._handshake_answer()

    def _on_psk_server(self, identity: bytes, max_psk: int) -> bytes | None:
        hint = self._config.preSharedKeyIdentityHint()
        auth = QSslPreSharedKeyAuthenticator._for_server(identity, bytes(hint), max_psk)
        self.pskRequired.emit(auth)
        answer = auth._handshake_answer()
        return answer[1] if answer else None

    # --- plumbing -----------------------------------------------------------------------------

    def _flush(self, socket: Any) -> bool:
        """Write the engine's datagrams to the peer; UnderlyingSocketError when the socket
        refuses one."""
        engine = self._engine
        if engine is None:
            return True
        for datagram in engine.datagrams_to_send():
            if write_datagram(socket, datagram, self._peer_address, self._peer_port) < 0:
                self._set_error(QDtlsError.UnderlyingSocketError, socket.errorString())
                return False
        return True

    def _send_shutdown(self, socket: Any) -> None:
        """Qt's sendShutdownAlert: close_notify, then reset. (After the peer's close_notify the
        connection was reset already, so there is nothing to answer.)"""
        self._clear_error()
        engine = self._engine
        if engine is not None:
            engine.shutdown()
            self._flush(socket)
        self._reset()

    def _reset(self) -> None:
        """Qt's resetDtls: drop the connection, back to HandshakeNotStarted."""
        self._timer.stop()
        if self._engine is not None:
            self._engine.abort()
            self._engine.on_psk_required = self._engine.on_psk_identity = None
        self._engine = None
        self._encrypted = False
        self._tls_errors = []
        self._to_ignore = []
        self._config._set_session(None, [], None, QSsl.SslProtocol.UnknownProtocol, b"",
                                  NextProtocolNegotiationStatus(0))
        self._state = QDtls.HandshakeState.HandshakeNotStarted
        self._cipher = QSslCipher()
        self._protocol = QSsl.SslProtocol.UnknownProtocol

    def _set_state(self, state: QDtls.HandshakeState) -> None:
        self._state = state

