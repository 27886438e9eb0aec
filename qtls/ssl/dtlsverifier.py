"""QDtlsClientVerifier: stateless DTLS cookie checks of new clients (RFC 6347 §4.2.1).

A server reads a datagram from an unknown peer and calls ``verifyClient(socket, datagram,
address, port)``: True when the datagram is a ClientHello carrying the cookie this server
would give that address and port (the hello is then ``verifiedHello()``, for a server QDtls's
first ``doHandshake``); otherwise a HelloVerifyRequest with that cookie goes back through the
socket (nothing for a datagram that is not a ClientHello) and False comes back. Nothing is kept
per client, so a flood of hellos from forged addresses costs the server one small reply each
and no memory. The cookie is Qt's (see :mod:`qtls.ssl.engine.dtlscookie`), made with the
generator parameters: SHA-256 and a per-process random secret, shared with QDtls, by default.
"""

from __future__ import annotations

from typing import Any

from qtls.core.bytearray import QByteArray
from qtls.core.qobject import QObject
from qtls.ssl.dtlsbase import (
    DtlsErrorState,
    address_problem,
    as_address,
    as_bytes,
    cookie_key,
    write_datagram,
)
from qtls.ssl.dtlserror import GeneratorParameters as _Params
from qtls.ssl.dtlserror import QDtlsError
from qtls.ssl.engine import CookieVerifier, EngineConfigError, default_context_cache
from qtls.ssl.tlssettings import ConfigurationError, tls_settings

__all__ = ["QDtlsClientVerifier"]

_SIGNATURE = (
    "verifyClient(self, socket: QUdpSocket, dgram: QByteArray|bytes|bytearray|memoryview, "
    "address: QHostAddress|QHostAddress.SpecialAddress, port: int)"
)


class QDtlsClientVerifier(DtlsErrorState, QObject):
    """Server-side DTLS cookie generation and verification (Qt's QDtlsClientVerifier).

    As in Qt it works with the application's QUdpSocket without reading from it, and it runs
    on the default DTLS configuration with peer verification off (no handshake is ever done
    here). qtls differs in one detail: the check never keeps an OpenSSL object between calls
    that saw a verified hello (Qt reuses one), which changes nothing visible.
    """

    GeneratorParameters = _Params

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._params = _Params._default()
        self._verified = QByteArray()
        self._checker: CookieVerifier | None = None

    # --- parameters ---------------------------------------------------------------------------

    def setCookieGeneratorParameters(self, params: _Params) -> bool:
        """Use ``params`` for cookies from now on; False (and no change) for an empty secret."""
        if not isinstance(params, _Params):
            raise TypeError(
                "setCookieGeneratorParameters(): argument 1 has unexpected type "
                f"'{type(params).__name__}'"
            )
        if not bytes(params.secret):
            return False
        self._params = _Params(params)
        return True

    def cookieGeneratorParameters(self) -> _Params:
        """The hash algorithm and secret cookies are made with."""
        return _Params(self._params)

    # --- verification -------------------------------------------------------------------------

    def verifyClient(self, socket: Any, dgram: Any, address: Any, port: int) -> bool:
        """True when ``dgram`` is a ClientHello with a valid cookie for ``address``:``port``;
        otherwise send a HelloVerifyRequest through ``socket`` (for a ClientHello) and return
        False. Errors (dtlsError()) only for bad arguments or a failure to send."""
        data = as_bytes(dgram, _SIGNATURE)
        peer = as_address(address)
        if socket is None or peer.isNull() or not data:
            self._set_error(
                QDtlsError.InvalidInputParameters,
                "A valid UDP socket, non-empty datagram, and valid address/port were expected",
            )
            return False
        problem = address_problem(peer)
        if problem is not None:
            self._set_error(QDtlsError.InvalidInputParameters, problem)
            return False
        self._clear_error()
        self._verified = QByteArray()
        checker = self._cookie_checker()
        if checker is None:
            return False
        key = cookie_key(self._params.hash, bytes(self._params.secret), peer, int(port))
        if key is None:
            self._set_error(
                QDtlsError.TlsInitializationError,
                f"The hash algorithm {self._params.hash.name} is not available for cookies",
            )
            return False
        verified, replies, error = checker.verify(data, key)
        if error:
            self._set_error(QDtlsError.TlsFatalError, error)
            return False
        for reply in replies:
            if write_datagram(socket, reply, peer, int(port)) < 0:
                self._set_error(QDtlsError.UnderlyingSocketError, socket.errorString())
                return False
        if verified:
            self._verified = QByteArray(data)
        return verified

    def verifiedHello(self) -> QByteArray:
        """The last ClientHello that verifyClient() accepted; empty if none."""
        return QByteArray(self._verified)

    def _cookie_checker(self) -> CookieVerifier | None:
        if self._checker is None:
            # As Qt: the default DTLS configuration, no peer verification (no handshake here).
            from qtls.ssl.values.configuration import QSslConfiguration
            from qtls.ssl.values.configurationdata import PeerVerifyMode

            config = QSslConfiguration.defaultDtlsConfiguration()
            config.setPeerVerifyMode(PeerVerifyMode.VerifyNone)
            try:
                settings = tls_settings(config, server=True, dtls=True)
                self._checker = CookieVerifier(default_context_cache.get(settings))
            except (ConfigurationError, EngineConfigError) as exc:
                self._set_error(QDtlsError.TlsInitializationError, str(exc))
                return None
        return self._checker
