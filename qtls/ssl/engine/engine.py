"""The sans-I/O TLS engine: ciphertext and plaintext in, ciphertext, plaintext and events out.

Theory of operation
===================

A :class:`TlsEngine` wraps one pyOpenSSL ``SSL.Connection`` built on two memory BIOs
(``Connection(ctx, None)``). It never touches a socket, a loop, a clock or a Qt class. Its owner
(QSslSocket's ``transmit()``) is the only thing that moves bytes::

      TCP socket ──recv──▶ receive_ciphertext(data)        read_plaintext() ──▶ application
      TCP socket ◀─send─── data_to_send()                  send_plaintext(data) ◀── application
                                     events() ──▶ signals (encrypted, sslErrors, alert*, ...)

The rule for the owner is one sentence: **after every call into the engine, send what
``data_to_send()`` returns, then handle ``events()``** (and read ``read_plaintext()`` when it
wants data). That holds after failures too: a fatal alert produced by a failing handshake is in
``data_to_send()`` and must reach the peer before the TCP connection is closed.

Calls
-----

* ``TlsEngine(context_or_settings, server_hostname=None, session=None, on_verify_error=None,
  on_psk_required=None, on_psk_identity=None, cache=None, report_alerts=True,
  report_tickets=True)``: settings are turned into a shared context through
  :data:`default_context_cache` (or ``cache``); the role comes from the settings. An engine with
  ``report_alerts=False`` makes no AlertSent/AlertReceived events (and cannot tell a peer's
  fatal alert from a local failure: ``TlsError.origin`` is then LOCAL), a client engine with
  ``report_tickets=False`` no SessionTicketReceived for TLS 1.3 tickets; an engine that reports
  neither saves OpenSSL's info callback on every state change (~20 per handshake).
* ``start_handshake()``: IDLE → HANDSHAKING; a client's ClientHello is then in ``data_to_send()``.
  (``receive_ciphertext`` in IDLE starts it implicitly, handy for servers.)
* ``receive_ciphertext(data, size=-1)``: feed bytes read from TCP (the one way in; ``b""``
  means TCP EOF; ``size`` takes only the start of a reused receive buffer). Drives the
  handshake, or decrypts everything complete into the plaintext buffer.
* ``send_plaintext(data) -> int``: encrypt up to :data:`MAX_WRITE` bytes in one ``SSL_write``
  (many records, one call); returns how many were taken. Only in ENCRYPTED.
* ``data_to_send() -> bytes | memoryview``: drain the outgoing BIO (a batch above 4 KiB comes
  as a writable memoryview of a block the caller owns, read straight from the BIO into memory
  that was not zero-filled first).
* ``read_plaintext() -> bytes | bytearray``: everything decrypted so far (``plaintext_pending``
  says how much), in a block made by ``new_plaintext_block`` (bytearray, or a subclass the
  owner sets) that the caller then owns.
* ``shutdown()``: send close_notify (ENCRYPTED → CLOSING, or → CLOSED when the peer's came first).
* ``events() -> list[Event]``: the events since the last call, oldest first.
* ``state``, ``info`` (:class:`ConnectionInfo` once encrypted), ``verify_errors``,
  ``session_ticket()``, ``session_lifetime_hint()``, ``alpn_status``, ``ocsp_response``,
  ``plaintext_pending``, ``negotiated_protocol_version()``, ``is_server``, ``settings``.
* Hooks (constructor keywords, also public attributes of the same name, called synchronously
  from inside OpenSSL): ``on_verify_error(VerifyError) -> bool``,
  ``on_psk_required(hint, max_identity_len, max_psk_len) -> (identity, key) | None``,
  ``on_psk_identity(identity, max_psk_len) -> key | None``.
* ``session`` (client only) is what ``session_ticket()`` or a :class:`SessionTicketReceived`
  gave earlier (Qt's ``sessionTicket``); bytes that do not parse mean a full handshake.

Not the engine's job (the socket's): host-name checking against the certificate (Qt does it
itself), deciding which verify errors are fatal (sslErrors/ignoreSslErrors), validating the
stapled OCSP response, buffering writes made before ``encrypted()``, mapping to Qt enums.

Invariants
----------

* The state only moves along :data:`~qtls.ssl.engine.state.TRANSITIONS`; a call that makes no
  sense in the current state raises :class:`LocalProtocolError` (the caller's bug), whereas every
  failure caused by the peer or the negotiation is a :class:`TlsError` event and state FAILED.
* Events are produced only by calls; nothing happens between calls. Within a handshake the
  order is what OpenSSL did: VerifyErrorRecorded*, AlertSent/Received*, HandshakeCompleted.
* Steady state makes no events: one ``bio_write``, one ``SSL_read`` per record straight into
  one bytearray per batch (OpenSSL returns at most one record per read), one exception at the
  end of the batch; writes are one ``SSL_write`` per call and one ``BIO_read`` per drain.
* The engine holds no reference cycle with OpenSSL: the connection's app data is a *weak*
  reference to the engine, which is how context-wide callbacks find it.

OpenSSL quirks worked around
----------------------------

* Callbacks are per ``SSL_CTX`` but state is per connection: the callbacks in ``context.py``
  look the engine up through ``Connection.get_app_data()``.
* The verify callback must return 1 to let the handshake continue past an error; every error is
  recorded first (Qt's sslErrors wants them all, at every depth). pyOpenSSL then resets the
  store error, so ``SSL_get_verify_result`` is useless: our list is the truth.
* Returning 0 from the verify callback (``interrupt_on_verify_error`` and a hook saying no)
  makes OpenSSL send a fatal alert matching the error (unknown_ca, certificate_expired, ...).
* ``SSL_get_peer_cert_chain`` omits the leaf on the server side; :class:`ConnectionInfo` puts it
  back so the chain is leaf-first on both sides.
* TLS 1.3 tickets arrive *after* the handshake, in application-data reads. Qt learns of them
  through ``SSL_CTX_sess_set_new_cb``, which the bindings do not expose; here the info
  callback sees the client's state machine pass "read server session ticket" after the
  handshake, and the read batch that contained it emits :class:`SessionTicketReceived`. In
  TLS 1.2 the ticket comes inside the handshake and is reported with it.
* Renegotiation is refused with ``SSL_OP_NO_RENEGOTIATION``: a TLS 1.2 peer asking for it gets a
  ``no_renegotiation`` warning alert (AlertSent) and the connection goes on.
* A TCP EOF is never given to OpenSSL (that would make ``SSL_read`` raise "unexpected eof"); the
  engine decides by state: after close_notify it is a clean close, otherwise
  :class:`TruncatedInput` (plus a TlsError if it happened during the handshake).
* ``SSL_MODE_AUTO_RETRY`` is on (pyOpenSSL sets it), so non-application records inside a read
  batch do not end it early.
* pyOpenSSL also turns ``SSL_MODE_ENABLE_PARTIAL_WRITE`` on, which with a memory BIO (never
  full) makes ``SSL_write`` return after one 16 KiB record. The context clears it, so one call
  encrypts a whole batch.
* OpenSSL asks a PSK client for a TLS 1.3 PSK (without identity hint) while building the
  ClientHello, and again with the server's hint for a TLS 1.2 PSK cipher: ``on_psk_required``
  may be called twice in one handshake.

Layout
------

:class:`TlsEngine` (this module: construction, state, public queries, closing, failure) is
assembled from mixins with one job each:

* :class:`~qtls.ssl.engine.datapath.EngineDataPath`: the data path, ciphertext and plaintext
  in and out (the benchmarked hot path);
* :class:`~qtls.ssl.engine.handshake.EngineHandshake`: driving and completing the handshake;
* :class:`~qtls.ssl.engine.callbacks.EngineCallbacks`: the ``_on_*`` methods OpenSSL's
  callbacks forward to.

Helpers without state are in :mod:`~qtls.ssl.engine.bio` (the memory BIOs through cffi) and
:mod:`~qtls.ssl.engine.helpers`.
"""

from __future__ import annotations

import weakref
from typing import Any

from OpenSSL import SSL

from .callbacks import EngineCallbacks, PskClientHook, PskServerHook, VerifyHook
from .context import ContextCache, TlsContext, default_context_cache, info_callback
from .datapath import MAX_WRITE, EngineDataPath
from .errors import LocalProtocolError
from .events import (
    CloseNotifyReceived,
    ConnectionInfo,
    ErrorOrigin,
    Event,
    TlsError,
    TruncatedInput,
    VerifyError,
)
from .handshake import EngineHandshake
from .helpers import _reason, _sni_name
from .session import session_from_der, session_lifetime_hint, session_to_der
from .settings import AlpnStatus, TlsSettings
from .state import EngineState, check_transition

__all__ = ["MAX_WRITE", "TlsEngine"]

_lib: Any = SSL._lib  # type: ignore[attr-defined]


class TlsEngine(EngineDataPath, EngineHandshake, EngineCallbacks):
    """One TLS connection as a sans-I/O state machine (see the module docstring for the rules).

    Hooks, all optional and called synchronously from inside OpenSSL callbacks:

    * ``on_verify_error(error) -> bool`` — only with ``settings.interrupt_on_verify_error``:
      True lets the handshake go on, False (or an exception) aborts it with a fatal alert
      (Qt's ``handshakeInterruptedOnError`` + ``continueInterruptedHandshake``).
    * ``on_psk_required(identity_hint, max_identity_length, max_psk_length)
      -> (identity, key) | None`` — client side PSK (Qt's preSharedKeyAuthenticationRequired).
    * ``on_psk_identity(identity, max_psk_length) -> key | None`` — server side PSK.
    """

    def __init__(
        self,
        context: TlsContext | TlsSettings,
        *,
        server_hostname: str | None = None,
        session: bytes | None = None,
        on_verify_error: VerifyHook | None = None,
        on_psk_required: PskClientHook | None = None,
        on_psk_identity: PskServerHook | None = None,
        cache: ContextCache | None = None,
        report_alerts: bool = True,
        report_tickets: bool = True,
    ) -> None:
        if isinstance(context, TlsSettings):
            context = (cache if cache is not None else default_context_cache).get(context)
        elif not isinstance(context, TlsContext):
            raise TypeError(
                f"context must be TlsContext or TlsSettings, not {type(context).__name__}"
            )
        self._context = context
        self._settings = settings = context.settings
        self._server = settings.is_server
        self.server_hostname = server_hostname
        #: The hooks; public so that the owner may set them after construction.
        self.on_verify_error = on_verify_error
        self.on_psk_required = on_psk_required
        self.on_psk_identity = on_psk_identity

        self._state = EngineState.IDLE
        self._events: list[Event] = []
        self._plaintext: list[bytes | bytearray] = []
        self._plaintext_size = 0
        self._verify_errors: list[VerifyError] = []
        self._alpn_status = AlpnStatus.NONE
        self._ocsp_response: bytes | None = None
        self._info: ConnectionInfo | None = None
        self._fatal_alert_received = False
        self._close_notify_received = False
        self._close_notify_sent = False
        self._ticket_arrived = False
        self._alerts_reported = False
        self._tickets_reported = False
        self._info_callback_set = False

        conn = SSL.Connection(context.ssl_context, None)
        conn.set_app_data(weakref.ref(self))
        self._conn = conn
        # pyOpenSSL's internals the data path reads on every call, cached once: the SSL
        # pointer and the two memory BIOs live as long as the connection.
        self._ssl: Any = conn._ssl  # type: ignore[attr-defined]
        self._into_ssl: Any = conn._into_ssl  # type: ignore[attr-defined]
        self._from_ssl: Any = conn._from_ssl  # type: ignore[attr-defined]
        if report_alerts:
            self.report_alerts()
        if self._server:
            conn.set_accept_state()
        else:
            if report_tickets:
                # (A TLS 1.3 ticket is noticed in the info callback: SSL_CTX_sess_set_new_cb
                # is not in the bindings.)
                self._tickets_reported = True
                self._set_info_callback()
            conn.set_connect_state()
            sni = _sni_name(server_hostname) if not settings.disable_sni else None
            if sni is not None:
                conn.set_tlsext_host_name(sni)
            if settings.ocsp_stapling:
                conn.request_ocsp()
            if session:
                ptr = session_from_der(bytes(session))
                # A session that does not parse is ignored (full handshake), as Qt does.
                if ptr is not None:
                    _lib.SSL_set_session(conn._ssl, ptr)  # type: ignore[attr-defined]

    # --- public API ---------------------------------------------------------------------------

    def report_alerts(self) -> None:
        """Make AlertSent/AlertReceived events from now on (an engine created with
        ``report_alerts=False``)."""
        if not self._alerts_reported:
            self._alerts_reported = True
            self._set_info_callback()

    def _set_info_callback(self) -> None:
        # Contexts have no info callback (see build_context): it costs one cffi callback per
        # state change, so only the connections that report alerts or tickets pay for it.
        if not self._info_callback_set:
            self._info_callback_set = True
            _lib.SSL_set_info_callback(self._conn._ssl, info_callback)  # type: ignore[attr-defined]

    @property
    def state(self) -> EngineState:
        """The current :class:`EngineState`."""
        return self._state

    @property
    def close_notify_received(self) -> bool:
        """True once the peer's close_notify came: it sends nothing more on this connection."""
        return self._close_notify_received

    @property
    def settings(self) -> TlsSettings:
        """The settings of the context this engine runs on."""
        return self._settings

    @property
    def is_server(self) -> bool:
        """True when this engine plays the server side."""
        return self._server

    @property
    def info(self) -> ConnectionInfo | None:
        """What was negotiated, once the handshake completed; None before."""
        return self._info

    @property
    def verify_errors(self) -> tuple[VerifyError, ...]:
        """Every verification error recorded during the handshake, in OpenSSL's order."""
        return tuple(self._verify_errors)

    @property
    def alpn_status(self) -> AlpnStatus:
        """Qt's NextProtocolNegotiationStatus for this connection."""
        return self._alpn_status

    @property
    def ocsp_response(self) -> bytes | None:
        """The DER OCSP response the server stapled (client side), None if none was."""
        return self._ocsp_response

    @property
    def context(self) -> TlsContext:
        """The shared context this engine's connection was made from."""
        return self._context

    @property
    def ciphertext_pending(self) -> int:
        """Bytes received and not processed yet (a record not complete yet)."""
        return max(0, int(_lib.BIO_get_mem_data(self._into_ssl, SSL._ffi.NULL)))  # type: ignore[attr-defined]

    @property
    def plaintext_pending(self) -> int:
        """Number of decrypted bytes waiting in :meth:`read_plaintext`."""
        return self._plaintext_size

    def start_handshake(self) -> None:
        """Begin the handshake (IDLE → HANDSHAKING); a client's ClientHello becomes sendable.

        Raises :class:`LocalProtocolError` when the handshake already started.
        """
        if self._state is not EngineState.IDLE:
            raise LocalProtocolError(f"cannot start a handshake in state {self._state.name}")
        self._set_state(EngineState.HANDSHAKING)
        self._do_handshake()

    def shutdown(self) -> None:
        """Close the TLS layer: send close_notify when encrypted (Qt's disconnectFromHost).

        ENCRYPTED → CLOSING (waiting for the peer's close_notify); after the peer's
        close_notify → CLOSED. Before the handshake completed the engine just goes to CLOSED
        (nothing to protect). A no-op once CLOSED or FAILED, or when close_notify was sent.
        """
        state = self._state
        if state in (EngineState.CLOSED, EngineState.FAILED) or self._close_notify_sent:
            return
        if state in (EngineState.IDLE, EngineState.HANDSHAKING):
            self._set_state(EngineState.CLOSED)
            return
        self._close_notify_sent = True
        self._input_known = -1
        try:
            self._conn.shutdown()
        except SSL.Error as exc:
            self._fail(exc, during_handshake=False)
            return
        self._set_state(EngineState.CLOSED if self._close_notify_received else EngineState.CLOSING)

    def events(self) -> list[Event]:
        """Return and forget the events produced since the last call, oldest first."""
        events, self._events = self._events, []
        return events

    def session_ticket(self) -> bytes:
        """The current session as ``i2d_SSL_SESSION`` DER (Qt's sessionTicket); b"" if none.

        A server gets b"" (sessions are resumed by clients). In TLS 1.3 a client's session is
        resumable only once a :class:`SessionTicketReceived` event arrived.
        """
        if self._server or self._state is EngineState.IDLE:
            return b""
        return session_to_der(_lib.SSL_get_session(self._conn._ssl))  # type: ignore[attr-defined]

    def session_lifetime_hint(self) -> int:
        """The ticket lifetime hint in seconds of :meth:`session_ticket`, -1 if unknown."""
        return session_lifetime_hint(self.session_ticket())

    def negotiated_protocol_version(self) -> int:
        """OpenSSL's number of the negotiated version (0x0304 for TLS 1.3); 0 before."""
        return int(_lib.SSL_version(self._conn._ssl)) if self._info else 0  # type: ignore[attr-defined]

    # --- closing ------------------------------------------------------------------------------

    def _on_close_notify(self) -> None:
        if self._close_notify_received:
            return
        self._close_notify_received = True
        self._events.append(CloseNotifyReceived())
        self._set_state(EngineState.CLOSED if self._close_notify_sent else EngineState.CLOSING)

    def _receive_eof(self) -> None:
        state = self._state
        if state in (EngineState.CLOSED, EngineState.FAILED):
            return
        if self._close_notify_received:
            self._set_state(EngineState.CLOSED)
            return
        during = state in (EngineState.IDLE, EngineState.HANDSHAKING)
        self._events.append(TruncatedInput(during_handshake=during))
        if during:
            self._events.append(
                TlsError(
                    fatal=True,
                    reason="unexpected eof while reading",
                    origin=ErrorOrigin.REMOTE,
                    during_handshake=True,
                )
            )
            self._set_state(EngineState.FAILED)
        else:
            self._set_state(EngineState.CLOSED)

    # --- failure and state --------------------------------------------------------------------

    def _fail(self, exc: BaseException, *, during_handshake: bool) -> None:
        remote = self._fatal_alert_received or isinstance(exc, SSL.ZeroReturnError)
        origin = ErrorOrigin.REMOTE if remote else ErrorOrigin.LOCAL
        self._events.append(
            TlsError(
                fatal=True, reason=_reason(exc), origin=origin, during_handshake=during_handshake
            )
        )
        _lib.ERR_clear_error()
        self._set_state(EngineState.FAILED)

    def _set_state(self, new: EngineState) -> None:
        if new is not self._state:
            check_transition(self._state, new)
            self._state = new
