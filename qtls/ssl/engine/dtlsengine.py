"""The sans-I/O DTLS engine: datagrams in, datagrams and events out.

Theory of operation
===================

A :class:`DtlsEngine` is the datagram sibling of :class:`~qtls.ssl.engine.TlsEngine`: the same
construction (settings → shared context, the verify/PSK hooks, the app-data weak reference
OpenSSL's callbacks find it through), the same state table
(:data:`~qtls.ssl.engine.state.TRANSITIONS`), the same handshake completion
(:class:`~qtls.ssl.engine.events.HandshakeCompleted` with a
:class:`~qtls.ssl.engine.events.ConnectionInfo`) and the same events. What differs is the unit:
a datagram, never a byte stream. Its owner (QDtls) moves datagrams::

      UDP ──▶ receive_datagram(d)                         read_plaintext() ──▶ application
      UDP ◀── datagrams_to_send()                         send_datagram(d) ◀── application
              timeout() / handle_timeout()                events() ──▶ QDtls's state/errors

The rule for the owner is TlsEngine's: **after every call, send what ``datagrams_to_send()``
returns, then handle ``events()``**. There is no socket, loop or clock here; OpenSSL itself
keeps the retransmission timer (``DTLSv1_get_timeout``), which :meth:`timeout` reports and
:meth:`handle_timeout` acts on, so the owner only needs a timer that calls back.

Calls
-----

* ``DtlsEngine(context_or_settings, mtu=576, cookie_key=None, ...)``: the settings must say
  ``dtls=True``. ``mtu`` is the largest datagram the engine writes (handshake messages are
  fragmented to fit); ``cookie_key`` (server) the key of the cookie the first ClientHello must
  carry — without one, a server takes any ClientHello.
* ``start_handshake()`` (client): the ClientHello is then in ``datagrams_to_send()``.
* ``start_verified(datagram) -> bool`` (server with ``cookie_key``): take the first ClientHello
  only when it carries the right cookie (``DTLSv1_listen``, its HelloVerifyRequest discarded:
  answering cookieless hellos is the stateless verifier's job); False leaves the engine IDLE.
* ``receive_datagram(datagram)``: one datagram, handshake or application data; a server's first
  one starts the handshake. Garbage, truncated and replayed records are dropped by OpenSSL
  without a word (RFC 6347 §4.1.2.7); a failure to decrypt is a non-fatal
  :class:`~qtls.ssl.engine.events.TlsError`.
* ``send_datagram(data) -> int``: encrypt one datagram's worth (one record); ``-1`` on failure
  (a non-fatal TlsError says why). Only in ENCRYPTED.
* ``datagrams_to_send() -> list[bytes]``, ``read_plaintext()``, ``events()``, ``shutdown()``
  (close_notify), ``abort()`` (drop everything, send nothing).
* ``timeout() -> float | None``: seconds until OpenSSL retransmits the last flight (None: no
  timer running); ``handle_timeout() -> bool``: retransmit if it is due (then True).

Invariants
----------

* One datagram in, processed at once: the memory BIO never holds two (see
  :mod:`~qtls.ssl.engine.dtlsrecords`).
* Datagrams out never exceed ``mtu`` unless one record does (application data larger than
  the MTU allows, which the caller chose to send).
* A peer's bad datagram never fails the engine after the handshake: DTLS drops what it cannot
  use, and so does the engine (Qt's ``TlsNonFatalError`` for what OpenSSL reports).
"""

from __future__ import annotations

import threading
from typing import Any

from OpenSSL import SSL

from .dtlscookie import CookieKey
from .dtlsrecords import discard, drain, pack_datagrams, split_records
from .engine import TlsEngine
from .errors import EngineConfigError, LocalProtocolError
from .events import ErrorOrigin, TlsError
from .helpers import _reason
from .state import EngineState

__all__ = ["DEFAULT_MTU", "DtlsEngine"]

_lib: Any = SSL._lib  # type: ignore[attr-defined]
_ffi: Any = SSL._ffi  # type: ignore[attr-defined]

#: Qt's guess when the application gives no MTU hint (RFC 791's minimum reassembly size).
DEFAULT_MTU = 576
# OpenSSL refuses a smaller MTU (DTLS1_MIN_MTU... its link minimum, 256 bytes).
_MIN_MTU = 256
# The largest plaintext one DTLS record carries (and so one read returns).
_MAX_RECORD_PLAINTEXT = 16384
_WANT_READ = _lib.SSL_ERROR_WANT_READ
_ZERO_RETURN = _lib.SSL_ERROR_ZERO_RETURN


class _ReadBuffer(threading.local):
    """One record's worth of memory per thread that ``SSL_read`` decrypts into (every cffi call
    releases the GIL, so two threads' engines may read at once); a fresh zeroed 16 KiB block
    per datagram was most of the engine's share of a small round trip."""

    buffer: Any = None


_read_buffer = _ReadBuffer()


class DtlsEngine(TlsEngine):
    """One DTLS connection as a sans-I/O state machine (see the module docstring)."""

    def __init__(
        self,
        context: Any,
        *,
        mtu: int = DEFAULT_MTU,
        cookie_key: CookieKey | None = None,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("report_alerts", False)
        kwargs.setdefault("report_tickets", False)
        super().__init__(context, **kwargs)
        if not self._settings.dtls:
            raise EngineConfigError("a DTLS engine needs DTLS settings (dtls=True)")
        self._cookie_key = cookie_key
        self._mtu = DEFAULT_MTU
        self._outgoing: list[bytes] = []
        # The MTU is ours to choose (there is no socket to ask): OpenSSL must not query it.
        _lib.SSL_set_options(self._ssl, _lib.SSL_OP_NO_QUERY_MTU)
        self.set_mtu(mtu)
        if self._server and cookie_key is not None:
            _lib.SSL_set_options(self._ssl, _lib.SSL_OP_COOKIE_EXCHANGE)

    # --- configuration ------------------------------------------------------------------------

    @property
    def checks_cookies(self) -> bool:
        """A server made with a cookie key: it starts only on a ClientHello with a valid cookie."""
        return self._server and self._cookie_key is not None

    @property
    def mtu(self) -> int:
        """The largest datagram this engine writes."""
        return self._mtu

    def set_mtu(self, mtu: int) -> None:
        """Set the largest datagram to write (at least 256 bytes, OpenSSL's minimum)."""
        mtu = max(int(mtu), _MIN_MTU)
        self._conn.set_ciphertext_mtu(mtu)
        self._mtu = mtu

    def data_mtu(self) -> int:
        """How much plaintext fits one datagram with the negotiated cipher (``DTLS_get_data_mtu``;
        0 before the handshake)."""
        return int(self._conn.get_cleartext_mtu()) if self._info is not None else 0

    # --- handshake ----------------------------------------------------------------------------

    def start_verified(self, datagram: bytes | bytearray | memoryview) -> bool:
        """Server: start the handshake only if ``datagram`` is a ClientHello with a valid cookie.

        Returns False (engine still IDLE, nothing to send) for anything else. Without a
        ``cookie_key`` every ClientHello is taken, as :meth:`receive_datagram` would.
        """
        if not self._server or self._state is not EngineState.IDLE:
            raise LocalProtocolError("start_verified() is for a server that has not started")
        if self._cookie_key is None:
            self.receive_datagram(datagram)
            return True
        conn = self._conn
        _lib.BIO_write(self._into_ssl, bytes(datagram), len(datagram))
        try:
            conn.DTLSv1_listen()
        except SSL.Error:
            # WantReadError: no valid cookie (OpenSSL wrote a HelloVerifyRequest, which is the
            # stateless verifier's to send, not ours); any other: not a ClientHello at all.
            discard(self._into_ssl)
            discard(self._from_ssl)
            _lib.ERR_clear_error()
            return False
        # OpenSSL keeps the verified ClientHello and answers it in the first handshake step.
        self._set_state(EngineState.HANDSHAKING)
        self._do_handshake()
        self._collect_output()
        return True

    # --- datagrams in -------------------------------------------------------------------------

    def receive_datagram(self, datagram: bytes | bytearray | memoryview) -> None:
        """Process one datagram from the peer (see the module docstring)."""
        state = self._state
        if state is EngineState.CLOSED or state is EngineState.FAILED or not datagram:
            return
        data = bytes(datagram)
        _lib.BIO_write(self._into_ssl, data, len(data))
        if state is EngineState.IDLE:
            if not self._server:
                discard(self._into_ssl)  # a client speaks first: nothing can be for us yet
                return
            self._set_state(EngineState.HANDSHAKING)
            state = EngineState.HANDSHAKING
        if state is EngineState.HANDSHAKING:
            self._do_handshake()
        else:
            self._read_records()
        discard(self._into_ssl)
        self._collect_output()

    def _do_handshake(self) -> None:
        super()._do_handshake()
        self._collect_output()

    def _read_records(self) -> None:
        # One SSL_read per record; a datagram may carry several (RFC 6347 §4.1.1).
        ssl = self._ssl
        buf = _read_buffer.buffer
        if buf is None:
            buf = _read_buffer.buffer = _ffi.new("char[]", _MAX_RECORD_PLAINTEXT)
        while True:
            result = _lib.SSL_read(ssl, buf, _MAX_RECORD_PLAINTEXT)
            if result > 0:
                block = self.new_plaintext_block(result)
                block[:] = _ffi.buffer(buf, result)
                self._plaintext.append(block)
                self._plaintext_size += result
                continue
            code = _lib.SSL_get_error(ssl, result)
            if code == _WANT_READ:
                break
            if code == _ZERO_RETURN:
                self._on_close_notify()
                break
            try:
                self._conn._raise_ssl_error(ssl, result)  # type: ignore[attr-defined]
            except SSL.WantReadError:
                break
            except SSL.Error as exc:
                self._nonfatal(exc)
            break
        _lib.ERR_clear_error()

    # --- datagrams out ------------------------------------------------------------------------

    def send_datagram(self, data: bytes | bytearray | memoryview) -> int:
        """Encrypt ``data`` as one record (one datagram); return its plaintext size, or -1 when
        OpenSSL refused (a non-fatal TlsError says why). Only in ENCRYPTED."""
        if self._state is not EngineState.ENCRYPTED:
            raise LocalProtocolError(f"cannot send application data in state {self._state.name}")
        payload = bytes(data)
        if not payload:
            return 0
        if len(payload) > _MAX_RECORD_PLAINTEXT:
            # One datagram is one record: OpenSSL refuses more (its error queue then says
            # nothing useful, so the engine says it in OpenSSL's words).
            self._events.append(TlsError(
                fatal=False, origin=ErrorOrigin.LOCAL, during_handshake=False,
                reason=f"exceeds max fragment size ({len(payload)} > {_MAX_RECORD_PLAINTEXT} bytes)",
            ))
            return -1
        result = _lib.SSL_write(self._ssl, payload, len(payload))
        if result <= 0:
            try:
                self._conn._raise_ssl_error(self._ssl, result)  # type: ignore[attr-defined]
            except SSL.Error as exc:
                self._nonfatal(exc)
            _lib.ERR_clear_error()
            self._collect_output()
            return -1
        self._collect_output()
        return int(result)

    def datagrams_to_send(self) -> list[bytes]:
        """Return (and forget) the datagrams waiting to go to the peer, in order."""
        self._collect_output()
        out, self._outgoing = self._outgoing, []
        return out

    def _collect_output(self) -> None:
        data = drain(self._from_ssl)
        if data:
            self._outgoing.extend(pack_datagrams(split_records(data), self._mtu))

    # --- timers -------------------------------------------------------------------------------

    def timeout(self) -> float | None:
        """Seconds until the last flight is due for retransmission; None when no timer runs."""
        if self._state is not EngineState.HANDSHAKING:
            return None
        left = self._conn.DTLSv1_get_timeout()
        return None if left is None else float(left)

    def handle_timeout(self) -> bool:
        """Retransmit the last flight if its timer expired (OpenSSL doubles the next one, from
        1 s up to 60 s); True when it did. The retransmission is in ``datagrams_to_send()``."""
        if self._state is not EngineState.HANDSHAKING:
            return False
        try:
            done = bool(self._conn.DTLSv1_handle_timeout())
        except SSL.Error as exc:
            # Too many retransmissions (OpenSSL gives up after its limit): the handshake failed.
            self._fail(exc, during_handshake=True)
            return False
        self._collect_output()
        return done

    # --- closing ------------------------------------------------------------------------------

    def shutdown(self) -> None:
        """Send close_notify (ENCRYPTED → CLOSING); nothing to send before the handshake."""
        super().shutdown()
        self._collect_output()

    def abort(self) -> None:
        """Forget the connection without a word to the peer (state CLOSED)."""
        if self._state not in (EngineState.CLOSED, EngineState.FAILED):
            self._set_state(EngineState.CLOSED)
        self._outgoing.clear()
        discard(self._from_ssl)

    # --- failures -----------------------------------------------------------------------------

    def _nonfatal(self, exc: BaseException) -> None:
        self._events.append(
            TlsError(fatal=False, reason=_reason(exc), origin=ErrorOrigin.LOCAL,
                     during_handshake=False)
        )

