"""QSslSocket's public API that only reads or forwards: configuration, status, statics, waits.

* The configuration shortcuts read or change the socket's private QSslConfiguration copy
  (``self._config``), exactly as Qt's QSslSocket forwards to ``d->configuration``; a change
  applies to the next handshake.
* The status getters (``mode``, ``isEncrypted``, ``sslHandshakeErrors``, ...), the decisions the
  application takes (``ignoreSslErrors``, ``continueInterruptedHandshake``), the backend statics
  (:mod:`qtls.ssl.backend`) and the blocking API (:mod:`qtls.ssl.sslsocketwaits`).

A mixin, so that :mod:`qtls.ssl.sslsocket` keeps to the pump and the states.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from qtls.ssl import backend as _backend
from qtls.ssl import sslsocketwaits as _waits
from qtls.ssl.qssl import QSsl
from qtls.ssl.tlsphase import TlsPhase
from qtls.ssl.values.cipher import QSslCipher
from qtls.ssl.values.configuration import QSslConfiguration
from qtls.ssl.values.configurationdata import PeerVerifyMode, SslMode
from qtls.ssl.values.ocsp import QOcspResponse
from qtls.ssl.x509.certificate import QSslCertificate
from qtls.ssl.x509.error import QSslError
from qtls.ssl.x509.key import QSslKey

if TYPE_CHECKING:
    from qtls.ssl.engine import ConnectionInfo, TlsEngine

__all__: list[str] = []

_log = logging.getLogger("qtls")


def _read_file(path: str, what: str) -> bytes | None:
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError as exc:
        _log.warning("QSslSocket::%s: Couldn't open file for reading (%s)", what, exc.strerror)
        return None


class SslSocketApi:
    """Configuration accessors of QSslSocket (mixed into the socket class)."""

    _config: QSslConfiguration
    _verification_peer_name: str
    _mode: SslMode
    _phase: TlsPhase
    _engine: TlsEngine | None
    _handshake_errors: list[QSslError]
    _ocsp: list[QOcspResponse]
    _ignore_all: bool
    _ignore_list: list[QSslError]
    _continue_interrupted: bool
    _last_info: ConnectionInfo | None

    # -- local identity ---------------------------------------------------------------------

    def setLocalCertificate(self, certificate: Any, format: QSsl.EncodingFormat = QSsl.EncodingFormat.Pem) -> None:
        """Use ``certificate`` (a QSslCertificate, or the path of a PEM/DER file) as the local
        certificate; a file that cannot be read logs Qt's warning and changes nothing."""
        if isinstance(certificate, QSslCertificate):
            self._config.setLocalCertificate(certificate)
            return
        if not isinstance(certificate, str):
            raise TypeError(
                f"setLocalCertificate(): argument 1 has unexpected type '{type(certificate).__name__}'"
            )
        data = _read_file(certificate, "setLocalCertificate")
        if data is not None:
            self._config.setLocalCertificate(QSslCertificate(data, format))

    def setLocalCertificateChain(self, localChain: Any) -> None:
        """Use ``localChain`` (leaf first) as the chain sent to the peer."""
        self._config.setLocalCertificateChain(localChain)

    def localCertificate(self) -> QSslCertificate:
        """The local certificate, or a null certificate."""
        return self._config.localCertificate()

    def localCertificateChain(self) -> list[QSslCertificate]:
        """The local certificate chain, leaf first."""
        return self._config.localCertificateChain()

    def setPrivateKey(
        self,
        key: Any,
        algorithm: QSsl.KeyAlgorithm = QSsl.KeyAlgorithm.Rsa,
        format: QSsl.EncodingFormat = QSsl.EncodingFormat.Pem,
        passPhrase: Any = b"",
    ) -> None:
        """Use ``key`` (a QSslKey, or a key file name with its algorithm, format and passphrase)."""
        if isinstance(key, QSslKey):
            self._config.setPrivateKey(key)
            return
        if not isinstance(key, str):
            raise TypeError(f"setPrivateKey(): argument 1 has unexpected type '{type(key).__name__}'")
        data = _read_file(key, "setPrivateKey")
        if data is not None:
            self._config.setPrivateKey(
                QSslKey(data, algorithm, format, QSsl.KeyType.PrivateKey, bytes(passPhrase or b""))
            )

    def privateKey(self) -> QSslKey:
        """The local private key, or a null key."""
        return self._config.privateKey()

    # -- protocol and verification ----------------------------------------------------------

    def protocol(self) -> QSsl.SslProtocol:
        """The protocol (range) the next handshake may use."""
        return self._config.protocol()

    def setProtocol(self, protocol: QSsl.SslProtocol) -> None:
        """Set the protocol (range) for the next handshake."""
        self._config.setProtocol(protocol)

    def peerVerifyMode(self) -> PeerVerifyMode:
        """How the peer is verified (AutoVerifyPeer: client VerifyPeer, server QueryPeer)."""
        return self._config.peerVerifyMode()

    def setPeerVerifyMode(self, mode: PeerVerifyMode) -> None:
        """Set how the peer is verified."""
        self._config.setPeerVerifyMode(mode)

    def peerVerifyDepth(self) -> int:
        """The maximum peer chain depth checked (0: no limit)."""
        return self._config.peerVerifyDepth()

    def setPeerVerifyDepth(self, depth: int) -> None:
        """Set the maximum peer chain depth (negative values are refused with a warning, as Qt)."""
        if isinstance(depth, int) and not isinstance(depth, bool) and depth < 0:
            _log.warning("QSslSocket::setPeerVerifyDepth: cannot set negative depth of %d", depth)
            return
        self._config.setPeerVerifyDepth(depth)

    def peerVerifyName(self) -> str:
        """The name the certificate is checked against (and sent as SNI) instead of peerName()."""
        return self._verification_peer_name

    def setPeerVerifyName(self, hostName: str | None) -> None:
        """Check the peer certificate against ``hostName`` instead of the connected host name."""
        if hostName is not None and not isinstance(hostName, str):
            raise TypeError(
                f"setPeerVerifyName(self, hostName: str|None): argument 1 has unexpected type '{type(hostName).__name__}'"
            )
        self._verification_peer_name = hostName or ""

    # -- the session ------------------------------------------------------------------------

    def peerCertificate(self) -> QSslCertificate:
        """The peer's certificate (null before a handshake or when the peer sent none)."""
        return self._config.peerCertificate()

    def peerCertificateChain(self) -> list[QSslCertificate]:
        """The certificates the peer sent, leaf first (on both sides)."""
        return self._config.peerCertificateChain()

    def sessionCipher(self) -> QSslCipher:
        """The negotiated cipher (null before the handshake)."""
        return self._config.sessionCipher()

    def sessionProtocol(self) -> QSsl.SslProtocol:
        """The negotiated protocol version (UnknownProtocol before the handshake)."""
        return self._config.sessionProtocol()

    def sessionKeyExchangeGroup(self) -> str:
        """qtls extension (Qt has no such API): the key-exchange group the last handshake
        used, as OpenSSL names it ("X25519MLKEM768", "x25519", "secp256r1"); "" before a
        handshake, or for a TLS 1.2 key exchange without a group (RSA, PSK)."""
        info = self._last_info
        return (info.group or "") if info is not None else ""

    # ================================================================== configuration

    def mode(self) -> SslMode:
        """UnencryptedMode, SslClientMode or SslServerMode."""
        return self._mode

    def isEncrypted(self) -> bool:
        """True once ``encrypted`` was emitted and until the connection ends."""
        return self._phase in (TlsPhase.ENCRYPTED, TlsPhase.CLOSING) and self._engine is not None

    def sslConfiguration(self) -> QSslConfiguration:
        """A copy of the socket's configuration, including the session's negotiated fields."""
        return QSslConfiguration(self._config)

    def setSslConfiguration(self, config: QSslConfiguration) -> None:
        """Use a copy of ``config`` for the next handshake."""
        if not isinstance(config, QSslConfiguration):
            raise TypeError(
                f"setSslConfiguration(self, config: QSslConfiguration): argument 1 has unexpected type '{type(config).__name__}'"
            )
        self._config = QSslConfiguration(config)

    def sslHandshakeErrors(self) -> list[QSslError]:
        """The errors of the last handshake (what ``sslErrors`` carried)."""
        return list(self._handshake_errors)

    def ocspResponses(self) -> list[QOcspResponse]:
        """The stapled OCSP responses checked during the last handshake (client side)."""
        return list(self._ocsp)

    def ignoreSslErrors(self, errors: Any = None) -> None:
        """Ignore the verification errors of this handshake.

        Without an argument: every error; call it in the ``sslErrors`` slot, or after
        ``connectToHostEncrypted()`` (which resets it, as Qt's does). With a list: exactly those
        errors, matched by code *and* certificate; it may be set before connecting and survives
        reconnections, as in Qt.
        """
        if errors is None:
            self._ignore_all = True
            return
        try:
            items = list(errors)
        except TypeError:
            raise TypeError(
                f"ignoreSslErrors(self, errors: Iterable[QSslError]): argument 1 has unexpected type '{type(errors).__name__}'"
            ) from None
        for index, item in enumerate(items):
            if not isinstance(item, QSslError):
                raise TypeError(
                    f"index {index} has type '{type(item).__name__}' but 'QSslError' is expected"
                )
        self._ignore_list = [QSslError(e) for e in items]

    def continueInterruptedHandshake(self) -> None:
        """From a slot of ``handshakeInterruptedOnError``: let the handshake go on."""
        self._continue_interrupted = True

    # ================================================================== statics

    supportsSsl = staticmethod(_backend.supportsSsl)
    sslLibraryVersionNumber = staticmethod(_backend.sslLibraryVersionNumber)
    sslLibraryVersionString = staticmethod(_backend.sslLibraryVersionString)
    sslLibraryBuildVersionNumber = staticmethod(_backend.sslLibraryBuildVersionNumber)
    sslLibraryBuildVersionString = staticmethod(_backend.sslLibraryBuildVersionString)
    availableBackends = staticmethod(_backend.availableBackends)
    activeBackend = staticmethod(_backend.activeBackend)
    setActiveBackend = staticmethod(_backend.setActiveBackend)
    supportedProtocols = staticmethod(_backend.supportedProtocols)
    isProtocolSupported = staticmethod(_backend.isProtocolSupported)
    implementedClasses = staticmethod(_backend.implementedClasses)
    isClassImplemented = staticmethod(_backend.isClassImplemented)
    supportedFeatures = staticmethod(_backend.supportedFeatures)
    isFeatureSupported = staticmethod(_backend.isFeatureSupported)

    # ================================================================== blocking API

    def waitForConnected(self, msecs: int = 30000) -> bool:
        """Block until the TCP connection is up (True) or failed/timed out (False), no loop."""
        return _waits.wait_for_connected(self, msecs)  # type: ignore[arg-type]

    def waitForEncrypted(self, msecs: int = 30000) -> bool:
        """Block until ``encrypted`` was emitted (True), or failure/timeout (False), no loop.

        As Qt: False when already encrypted, and on a plain socket that never starts a handshake.
        """
        return _waits.wait_for_encrypted(self, msecs)  # type: ignore[arg-type]

    def waitForReadyRead(self, msecs: int = 30000) -> bool:
        """Block until ``readyRead`` was emitted (decrypted data arrived); waits for the
        handshake first when it is still running. Inside one of the socket's own slots
        (readyRead, encrypted) the new data's readyRead is emitted from inside the wait, as
        in Qt (recursively in a readyRead slot); the wait then returns True at once, where
        Qt's returns only at its timeout."""
        return _waits.wait_for_ready_read(self, msecs)  # type: ignore[arg-type]

    def waitForBytesWritten(self, msecs: int = 30000) -> bool:
        """Block until ciphertext was written to the network (after the handshake if needed)."""
        return _waits.wait_for_bytes_written(self, msecs)  # type: ignore[arg-type]

    def waitForDisconnected(self, msecs: int = 30000) -> bool:
        """Block until UnconnectedState (True); False on timeout or when not connected."""
        return _waits.wait_for_disconnected(self, msecs)  # type: ignore[arg-type]
