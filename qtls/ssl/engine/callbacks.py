"""The engine's side of OpenSSL's callbacks, as a mixin of :class:`~qtls.ssl.engine.TlsEngine`.

OpenSSL's callbacks are installed once per context (:mod:`~qtls.ssl.engine.context`,
:mod:`~qtls.ssl.engine.psk`) and forward to the ``_on_*`` methods of the connection's engine,
found through the connection's app data. Those methods live here: they record what OpenSSL
reports (verify errors, alerts, ALPN, OCSP, a TLS 1.3 ticket) and call the owner's hooks. They
run synchronously inside OpenSSL calls, so they only record and never drive the connection.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from OpenSSL import SSL, crypto

from .alerts import AlertLevel, alert_description_text
from .events import AlertReceived, AlertSent, Event, VerifyError, VerifyErrorRecorded
from .helpers import _der
from .settings import AlpnStatus, TlsSettings

__all__ = ["EngineCallbacks", "PskClientHook", "PskServerHook", "VerifyHook"]

_lib: Any = SSL._lib  # type: ignore[attr-defined]
_ffi: Any = SSL._ffi  # type: ignore[attr-defined]

VerifyHook = Callable[[VerifyError], bool]
PskClientHook = Callable[[bytes, int, int], "tuple[bytes, bytes] | None"]
PskServerHook = Callable[[bytes, int], "bytes | None"]


class EngineCallbacks:
    """The ``_on_*`` methods OpenSSL's callbacks forward to (context.py / psk.py)."""

    if TYPE_CHECKING:  # set by TlsEngine.__init__
        _settings: TlsSettings
        _events: list[Event]
        _verify_errors: list[VerifyError]
        _alpn_status: AlpnStatus
        _ocsp_response: bytes | None
        _fatal_alert_received: bool
        _ticket_arrived: bool
        on_verify_error: VerifyHook | None
        on_psk_required: PskClientHook | None
        on_psk_identity: PskServerHook | None

    # --- callbacks forwarded from context.py / psk.py -------------------------------------------

    def _on_verify(self, cert: crypto.X509, errnum: int, depth: int, ok: int) -> bool:
        if ok:
            return True
        message = _ffi.string(_lib.X509_verify_cert_error_string(errnum)).decode("ascii", "replace")
        error = VerifyError(
            code=errnum,
            depth=depth,
            certificate=_der(cert),
            message=message,
        )
        self._verify_errors.append(error)
        self._events.append(VerifyErrorRecorded(error))
        if not self._settings.interrupt_on_verify_error:
            return True
        hook = self.on_verify_error
        if hook is None:
            return False
        try:
            return bool(hook(error))
        except Exception:
            # A hook that fails cannot have decided to continue: abort, as Qt does when the
            # application does not call continueInterruptedHandshake().
            return False

    def _on_session_ticket(self) -> None:
        # Called from inside SSL_read: only flag it, the event is made once the read returned
        # (the session is complete then, and events stay in the order the caller sees).
        self._ticket_arrived = True

    def _on_alert(self, written: bool, ret: int) -> None:
        level_code = (ret >> 8) & 0xFF
        description = ret & 0xFF
        level = AlertLevel.FATAL if level_code == AlertLevel.FATAL else AlertLevel.WARNING
        text = alert_description_text(description)
        if written:
            self._events.append(AlertSent(level, description, text))
        else:
            if level is AlertLevel.FATAL:
                self._fatal_alert_received = True
            self._events.append(AlertReceived(level, description, text))

    def _on_alpn_select(self, offered: list[bytes]) -> Any:
        # The client's preference, as Qt's server (SSL_select_next_proto with the client's
        # list first): the first protocol the client offered that we allow.
        allowed = self._settings.alpn_protocols
        for protocol in offered:
            if protocol in allowed:
                self._alpn_status = AlpnStatus.NEGOTIATED
                return protocol
        self._alpn_status = AlpnStatus.UNSUPPORTED
        return SSL.NO_OVERLAPPING_PROTOCOLS

    def _on_ocsp_server(self) -> bytes:
        return self._settings.ocsp_response or b""

    def _on_ocsp_client(self, response: bytes) -> None:
        self._ocsp_response = bytes(response) if response else None

    def _on_psk_client(
        self, hint: bytes, max_identity_len: int, max_psk_len: int
    ) -> tuple[bytes, bytes] | None:
        hook = self.on_psk_required
        return hook(hint, max_identity_len, max_psk_len) if hook is not None else None

    def _on_psk_server(self, identity: bytes, max_psk_len: int) -> bytes | None:
        hook = self.on_psk_identity
        return hook(identity, max_psk_len) if hook is not None else None
