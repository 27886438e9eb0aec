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
  on_psk_required=None, on_psk_identity=None, cache=None, report_alerts=True)``: settings are
  turned into a shared context through :data:`default_context_cache` (or ``cache``); the role
  comes from the settings. A server engine with ``report_alerts=False`` makes no
  AlertSent/AlertReceived events (and cannot tell a peer's fatal alert from a local failure:
  ``TlsError.origin`` is then LOCAL); it saves OpenSSL's info callback on every state change.
* ``start_handshake()``: IDLE → HANDSHAKING; a client's ClientHello is then in ``data_to_send()``.
  (``receive_ciphertext`` in IDLE starts it implicitly, handy for servers.)
* ``receive_ciphertext(data)``: feed bytes read from TCP; ``b""`` means TCP EOF. Drives the
  handshake, or decrypts everything complete into the plaintext buffer.
* ``receive_ciphertext_pieces(pieces)``: the same for data held in pieces (no join);
  ``feed_ciphertext(data, size=-1) -> bool`` puts data in the BIO now and leaves the decrypting to the
  next ``receive_ciphertext_pieces`` call (``ciphertext_fed`` says one is due): a socket feeds
  the BIO straight from its receive buffer that way.
* ``send_plaintext(data) -> int``: encrypt up to :data:`MAX_WRITE` bytes in one ``SSL_write``
  (many records, one call); returns how many were taken. Only in ENCRYPTED.
* ``data_to_send() -> bytes | bytearray``: drain the outgoing BIO (a batch above 4 KiB comes as
  a bytearray the caller owns, read straight from the BIO).
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
"""

from __future__ import annotations

import ipaddress
import threading
import weakref
from collections.abc import Callable, Iterable
from typing import Any

from OpenSSL import SSL, crypto

from .alerts import AlertLevel, alert_description_text
from .context import ContextCache, TlsContext, alert_info_callback, default_context_cache
from .errors import LocalProtocolError
from .events import (
    AlertReceived,
    AlertSent,
    CloseNotifyReceived,
    ConnectionInfo,
    ErrorOrigin,
    Event,
    HandshakeCompleted,
    SessionTicketReceived,
    TlsError,
    TruncatedInput,
    VerifyError,
    VerifyErrorRecorded,
)
from .session import session_from_der, session_lifetime_hint, session_to_der
from .settings import AlpnStatus, TlsSettings
from .state import EngineState, check_transition

__all__ = ["MAX_WRITE", "TlsEngine"]

_lib: Any = SSL._lib  # type: ignore[attr-defined]
_ffi: Any = SSL._ffi  # type: ignore[attr-defined]



class _Scratch(threading.local):
    """A small per-thread buffer that ``data_to_send`` reads the outgoing BIO into first.

    Per thread because every cffi call releases the GIL: two threads' engines may read at
    the same time. Its size covers a request/response message and most handshake flights."""

    buffer: Any = None


_SCRATCH_SIZE = 4096
_scratch = _Scratch()


def _bio_write(conn: Any, data: bytes | bytearray | memoryview) -> None:
    """pyOpenSSL's ``bio_write`` on the data path, without its per-call Python checks (a
    ``str`` argument, a missing BIO: neither can happen here); a failure is reported by its
    own error handler, as ``bio_write`` does. Any buffer is taken without a copy."""
    bio = conn._into_ssl
    buffer = _ffi.from_buffer(data)  # (no ``with``: see TlsEngine.feed_ciphertext)
    result = _lib.BIO_write(bio, buffer, len(buffer))
    del buffer
    if result <= 0:
        conn._handle_bio_errors(bio, result)


#: Largest plaintext taken by one ``send_plaintext`` call (bounds the outgoing BIO).
MAX_WRITE = 256 * 1024
# One record (16 KiB of plaintext and its overhead) that the record layer may hold already
# read from the BIO (see _read_records).
_RECORD_ROOM = 16384 + 512
# Batches below this size get no _RECORD_ROOM (see _read_records).
_SMALL_BATCH = 4096
_WANT_READ = _lib.SSL_ERROR_WANT_READ
# States as module constants for the data path: Python 3.11 resolves ``EngineState.X``
# through EnumType.__getattr__, ~0.1 µs each.
_IDLE = EngineState.IDLE
_HANDSHAKING = EngineState.HANDSHAKING
_ENCRYPTED = EngineState.ENCRYPTED
_CLOSED = EngineState.CLOSED
_FAILED = EngineState.FAILED

VerifyHook = Callable[[VerifyError], bool]
PskClientHook = Callable[[bytes, int, int], "tuple[bytes, bytes] | None"]
PskServerHook = Callable[[bytes, int], "bytes | None"]


def _reason(exc: BaseException) -> str:
    """OpenSSL's reason strings from a pyOpenSSL exception ("no shared cipher", ...)."""
    if isinstance(exc, SSL.SysCallError):
        return "unexpected eof while reading"
    if isinstance(exc, SSL.ZeroReturnError):
        return "peer closed the connection (close_notify) during the handshake"
    args = getattr(exc, "args", ())
    if args and isinstance(args[0], list):
        reasons = [t[2] for t in args[0] if isinstance(t, tuple) and len(t) == 3 and t[2]]
        if reasons:
            return "; ".join(dict.fromkeys(reasons))
    return str(exc) or type(exc).__name__


def _der(cert: crypto.X509) -> bytes:
    """The DER encoding of a pyOpenSSL certificate."""
    return crypto.dump_certificate(crypto.FILETYPE_ASN1, cert)


def _is_ip_address(name: str) -> bool:
    try:
        ipaddress.ip_address(name.strip("[]").split("%")[0])
    except ValueError:
        return False
    return True


def _sni_name(host: str | None) -> bytes | None:
    """The SNI bytes for ``host``: None for IP literals (RFC 6066 §3) and unencodable names."""
    if not host or _is_ip_address(host):
        return None
    host = host.rstrip(".")
    try:
        return host.encode("idna")
    except UnicodeError:
        # Python's IDNA 2003 codec refuses some valid DNS names (underscores, long labels);
        # plain ASCII names go out as they are, anything else without SNI.
        try:
            return host.encode("ascii") or None
        except UnicodeError:
            return None


class TlsEngine:
    """One TLS connection as a sans-I/O state machine (see the module docstring for the rules).

    Hooks, all optional and called synchronously from inside OpenSSL callbacks:

    * ``on_verify_error(error) -> bool`` — only with ``settings.interrupt_on_verify_error``:
      True lets the handshake go on, False (or an exception) aborts it with a fatal alert
      (Qt's ``handshakeInterruptedOnError`` + ``continueInterruptedHandshake``).
    * ``on_psk_required(identity_hint, max_identity_length, max_psk_length)
      -> (identity, key) | None`` — client side PSK (Qt's preSharedKeyAuthenticationRequired).
    * ``on_psk_identity(identity, max_psk_length) -> key | None`` — server side PSK.
    """

    #: Makes the buffer (a bytearray or a subclass) that a batch of records is decrypted into;
    #: ``read_plaintext`` returns it. An owner may set a subclass its API hands out as it is
    #: (QSslSocket: QByteArray, so readAll() needs no copy).
    new_plaintext_block: Callable[[int], bytearray] = bytearray
    #: True while :meth:`feed_ciphertext` put data in the BIO that was not decrypted yet.
    ciphertext_fed = False
    # How many bytes the incoming BIO holds, when known (-1: ask the BIO): a size hint for
    # _read_records' block that saves a C call per message. Known only from a batch that
    # emptied the BIO through feed_ciphertext calls; a wrong hint costs only an extra read.
    _input_known = 0
    # feed_ciphertext's reused source (a socket's per-thread receive buffer) and its C view:
    # kept on the engine, as plain attributes are faster to read than thread-local ones.
    _feed_source: Any = None
    _feed_buffer: Any = None

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

        conn = SSL.Connection(context.ssl_context, None)
        conn.set_app_data(weakref.ref(self))
        self._conn = conn
        # pyOpenSSL's internals the data path reads on every call, cached once: the SSL
        # pointer and the two memory BIOs live as long as the connection.
        self._ssl: Any = conn._ssl  # type: ignore[attr-defined]
        self._into_ssl: Any = conn._into_ssl  # type: ignore[attr-defined]
        self._from_ssl: Any = conn._from_ssl  # type: ignore[attr-defined]
        if self._server:
            conn.set_accept_state()
            if report_alerts:
                self.report_alerts()
        else:
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
        """Make AlertSent/AlertReceived events from now on (a server engine created with
        ``report_alerts=False``; client engines always report them)."""
        if self._server and not self._alerts_reported:
            self._alerts_reported = True
            # Server contexts have no info callback (see build_context): alerts cost one cffi
            # callback per state change, so only engines that report them pay for it.
            _lib.SSL_set_info_callback(self._conn._ssl, alert_info_callback)  # type: ignore[attr-defined]

    @property
    def state(self) -> EngineState:
        """The current :class:`EngineState`."""
        return self._state

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

    def receive_ciphertext(self, data: bytes | bytearray | memoryview) -> None:
        """Feed bytes read from the transport; ``b""`` signals the transport's EOF.

        Data arriving after the connection is CLOSED or FAILED is dropped.
        """
        if not data:
            self._receive_eof()
            return
        state = self._state
        if state is _CLOSED or state is _FAILED:
            return
        # bio_write takes any buffer (bytes, bytearray, memoryview) without a copy of its own.
        self._input_known = -1
        self._conn.bio_write(data)
        self._process_input(state)

    def feed_ciphertext(self, data: bytes | bytearray | memoryview, size: int = -1) -> bool:
        """Put ``data`` into the BIO without decrypting it yet (True), only when ENCRYPTED
        (False otherwise: nothing was taken). The next :meth:`receive_ciphertext_pieces` call,
        even with no pieces, decrypts it; :attr:`ciphertext_fed` says one is due. This lets a
        socket feed the BIO straight from its receive buffer, without a copy of its own.

        With ``size``, only the first ``size`` bytes of ``data`` are taken, and ``data`` must be
        a buffer that lives as long as the thread and is never resized (a socket's reusable
        receive buffer): its C view is kept for the next call, which saves exporting a slice
        of it per chunk."""
        if self._state is not _ENCRYPTED:
            return False
        # _bio_write inlined: this runs for every read burst of an encrypted socket. (No
        # ``with`` around from_buffer() on the data path: it costs ~0.4 µs, and the buffer is
        # released as soon as the cdata goes, here at once.)
        if size >= 0:
            if data is self._feed_source:
                buffer = self._feed_buffer
            else:
                buffer = _ffi.from_buffer(data)
                self._feed_source, self._feed_buffer = data, buffer
            if size > len(buffer):
                size = len(buffer)  # (never read past the buffer, whatever the caller says)
        else:
            buffer = _ffi.from_buffer(data)
            size = len(buffer)
        bio = self._into_ssl
        result = _lib.BIO_write(bio, buffer, size)
        del buffer
        if result <= 0:
            self._conn._handle_bio_errors(bio, result)  # type: ignore[attr-defined]
        known = self._input_known
        if known >= 0:
            self._input_known = known + result
        self.ciphertext_fed = True
        return True

    def receive_ciphertext_pieces(self, pieces: Iterable[bytes | bytearray | memoryview]) -> None:
        """:meth:`receive_ciphertext` for data held in pieces (a socket's read buffer): each
        piece goes into the BIO as it is, then one decrypt batch runs (no join of the pieces).
        Empty pieces are skipped; an empty list does nothing (EOF is ``receive_ciphertext(b"")``).
        """
        state = self._state
        if state is _CLOSED or state is _FAILED:
            return
        fed = self.ciphertext_fed
        self.ciphertext_fed = False
        for piece in pieces:
            if piece:
                self._input_known = -1
                _bio_write(self._conn, piece)
                fed = True
        if fed:
            if state is _ENCRYPTED:
                self._read_records()  # (the steady state, without _process_input's dispatch)
            else:
                self._process_input(state)

    def _process_input(self, state: EngineState) -> None:
        if state is _IDLE:
            self._set_state(_HANDSHAKING)
            state = _HANDSHAKING
        if state is _HANDSHAKING:
            self._do_handshake()
        else:
            self._read_records()

    def send_plaintext(self, data: bytes | bytearray | memoryview) -> int:
        """Encrypt up to :data:`MAX_WRITE` bytes of ``data``; return how many were taken.

        Raises :class:`LocalProtocolError` unless the state is ENCRYPTED (Qt buffers writes made
        during the handshake in the socket, not in the backend).
        """
        if self._state is not _ENCRYPTED:
            raise LocalProtocolError(f"cannot send application data in state {self._state.name}")
        size = len(data) if type(data) is bytes else memoryview(data).nbytes
        if not size:
            return 0
        if size > MAX_WRITE or type(data) is not bytes:
            data = memoryview(data)[:MAX_WRITE]
            size = data.nbytes
        ssl = self._ssl
        # SSL_write itself: pyOpenSSL's send() adds a type check and its error helpers'
        # checks to every call; its error mapping is still used for failures.
        # (A bytes object goes to C as it is; cffi needs from_buffer only for other buffers.)
        result = _lib.SSL_write(
            ssl, data if type(data) is bytes else _ffi.from_buffer(data), size
        )  # (no ``with`` around from_buffer: see feed_ciphertext)
        if result > 0:
            return int(result)
        try:
            self._conn._raise_ssl_error(ssl, result)  # type: ignore[attr-defined]
        except SSL.Error as exc:
            self._fail(exc, during_handshake=False)
        return 0

    def data_to_send(self) -> bytes | bytearray:
        """Return (and remove) all ciphertext waiting to go to the peer; b"" when none.

        A big batch comes as a ``bytearray`` the caller owns (the engine keeps no reference),
        a small one as ``bytes``.
        """
        bio = self._from_ssl
        # pyOpenSSL's bio_read without its argument checks or its WantReadError, and with one
        # C call for a small message: every cffi call releases and takes the GIL (~1,000
        # instructions), so reading into a ready per-thread buffer beats asking the BIO its
        # size first and allocating one to fit. An empty memory BIO returns -1 (retry), and
        # reading from one has no other way to fail.
        scratch = _scratch.buffer
        if scratch is None:
            scratch = _scratch.buffer = _ffi.new("char[]", _SCRATCH_SIZE)
        result = _lib.BIO_read(bio, scratch, _SCRATCH_SIZE)
        if result < _SCRATCH_SIZE:
            return _ffi.unpack(scratch, result) if result > 0 else b""  # type: ignore[no-any-return]
        # More than the scratch buffer holds (bulk data, a big handshake flight): the rest in
        # one read of exactly the size the BIO reports, straight into the bytearray that is
        # returned (no cffi buffer copied out again: for 256 KiB that copy, and the buffer's
        # allocation, were most of a blocking sender's time).
        pending = _lib.BIO_get_mem_data(bio, _ffi.NULL)
        if pending <= 0:
            return _ffi.unpack(scratch, result)  # type: ignore[no-any-return]
        out = bytearray(result + pending)
        buffer = _ffi.from_buffer(out)  # (no ``with``: see feed_ciphertext)
        _ffi.memmove(buffer, scratch, result)
        more = _lib.BIO_read(bio, buffer + result, pending)
        del buffer  # release the export before a resize
        if more <= 0:
            self._conn._handle_bio_errors(bio, more)  # type: ignore[attr-defined]
            more = 0
        if more < pending:
            del out[result + more :]
        return out

    def read_plaintext(self) -> bytes | bytearray:
        """Return (and remove) every decrypted byte received so far.

        The result is a new object the caller owns (a ``bytearray`` when the records were
        decrypted straight into it, see ``_read_records``); the engine keeps no reference.
        """
        chunks = self._plaintext
        if not chunks:
            return b""
        data = chunks[0] if len(chunks) == 1 else b"".join(chunks)
        chunks.clear()
        self._plaintext_size = 0
        return data

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

    # --- handshake ----------------------------------------------------------------------------

    def _do_handshake(self) -> None:
        self._input_known = -1
        try:
            self._conn.do_handshake()
        except SSL.WantReadError:
            return
        except SSL.Error as exc:
            self._fail(exc, during_handshake=True)
            return
        self._on_handshake_complete()
        # Records that followed the peer's Finished in the same chunk (TLS 1.3 tickets,
        # early application data) are already in the BIO.
        self._read_records()

    def _on_handshake_complete(self) -> None:
        self._set_state(EngineState.ENCRYPTED)
        conn = self._conn
        # (Without protocols of ours OpenSSL negotiates none: skip the query, which allocates.)
        if not self._server and self._settings.alpn_protocols and conn.get_alpn_proto_negotiated():
            self._alpn_status = AlpnStatus.NEGOTIATED
        self._info = self._collect_info()
        self._events.append(HandshakeCompleted(self._info))
        # TLS 1.2 sends its ticket inside the handshake; TLS 1.3 sends it afterwards
        # (see _on_session_ticket).
        if not self._server and not self._info.session_resumed and self._info.protocol != "TLSv1.3":
            self._emit_session()

    def _collect_info(self) -> ConnectionInfo:
        conn = self._conn
        try:
            group = conn.get_group_name()
        except Exception:  # older OpenSSL without SSL_get0_group_name
            group = None
        # DER straight from OpenSSL (i2d): going through cryptography objects would parse
        # every certificate only to serialize it again (the socket parses them once, cached).
        peer_chain = [_der(c) for c in conn.get_peer_cert_chain() or ()]
        leaf = conn.get_peer_certificate()
        if leaf is not None:
            leaf_der = _der(leaf)
            if not peer_chain or peer_chain[0] != leaf_der:
                peer_chain.insert(0, leaf_der)
        verified = conn.get_verified_chain() or ()
        server_name: str | None
        if self._server:
            raw = conn.get_servername()
            server_name = raw.decode("ascii", "replace") if raw else None
        else:
            server_name = self.server_hostname
        return ConnectionInfo(
            protocol=conn.get_protocol_version_name(),
            cipher_name=conn.get_cipher_name() or "",
            cipher_bits=conn.get_cipher_bits() or 0,
            group=group,
            alpn_protocol=(conn.get_alpn_proto_negotiated() or None)
            if self._settings.alpn_protocols else None,
            alpn_status=self._alpn_status,
            peer_chain=tuple(peer_chain),
            verified_chain=tuple(_der(c) for c in verified),
            local_chain=self._settings.local_certificate_chain,
            session_resumed=bool(_lib.SSL_session_reused(conn._ssl)),  # type: ignore[attr-defined]
            server_name=server_name,
            ocsp_response=self._ocsp_response,
        )

    # --- incoming -----------------------------------------------------------------------------

    def _read_records(self) -> None:
        # SSL_read straight into one bytearray per batch. pyOpenSSL's recv() would allocate a
        # cffi buffer and copy it into a new bytes for every record (16 KiB), and the batch
        # would then be joined: two extra copies of every byte and a dozen Python calls per
        # record. The plaintext of the batch cannot exceed the ciphertext waiting in the BIO,
        # plus the record OpenSSL's record layer may already have pulled from it, plus what it
        # decrypted and not returned yet: one block of that size holds it all (the outer loop
        # is only a safety net), and the loop always ends on a read that says why it stopped.
        ssl = self._ssl
        into_ssl = self._into_ssl
        ssl_read = _lib.SSL_read
        mem_data = _lib.BIO_get_mem_data
        result = 1
        drained = False
        while result > 0 and not drained:
            capacity = self._input_known
            if capacity <= 0:
                capacity = mem_data(into_ssl, _ffi.NULL)
            self._input_known = -1
            if not 0 < capacity < _SMALL_BATCH:
                capacity += _lib.SSL_pending(ssl) + _RECORD_ROOM
            # else a small batch (a ping-pong's message): no room for a record the record
            # layer might hold, or for what it decrypted and not returned yet, as that is rare
            # there, and a 17 KiB zeroed block (and an SSL_pending call) per message is not;
            # if there is such data, the block fills up and the outer loop takes the rest.
            out = self.new_plaintext_block(capacity)
            size = 0
            buffer = _ffi.from_buffer(out)  # (no ``with``: see feed_ciphertext)
            while size < capacity:
                want = capacity - size
                result = ssl_read(ssl, buffer + size if size else buffer, want)
                if result <= 0:
                    break
                size += result
                if result < want and not mem_data(into_ssl, _ffi.NULL):
                    # Less than asked means no decrypted byte is left (SSL_read fills the
                    # buffer when it can), and the BIO is empty: another SSL_read could only
                    # say WANT_READ (the record layer reads no further than the record it
                    # needs: read-ahead is off). A ping-pong message saves that call and the
                    # SSL_get_error after it.
                    drained = True
                    self._input_known = 0
                    break
            del buffer  # the block is resized below: release the export first
            if size:
                del out[size:]
                self._plaintext.append(out)
                self._plaintext_size += size
        # WANT_READ is the usual end of a batch: no pyOpenSSL WantReadError raised and caught.
        # (pyOpenSSL's deferred callback errors belong to handshake calls, which raise them.)
        if not drained and _lib.SSL_get_error(ssl, result) != _WANT_READ:
            self._read_error(ssl, result)
        if self._ticket_arrived:
            self._ticket_arrived = False
            self._emit_session()

    def _read_error(self, ssl: Any, result: int) -> None:
        try:
            self._conn._raise_ssl_error(ssl, result)  # type: ignore[attr-defined]
        except SSL.WantReadError:
            pass
        except SSL.ZeroReturnError:
            self._on_close_notify()
        except SSL.Error as exc:
            self._fail(exc, during_handshake=False)

    def _emit_session(self) -> None:
        der = self.session_ticket()
        if der:
            self._events.append(SessionTicketReceived(der, session_lifetime_hint(der)))

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
        # Server preference: the first of *our* protocols that the client offered.
        for protocol in self._settings.alpn_protocols:
            if protocol in offered:
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
