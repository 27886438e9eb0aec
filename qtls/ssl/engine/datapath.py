"""The data path, as a mixin of :class:`~qtls.ssl.engine.TlsEngine`: ciphertext in and out,
plaintext in and out.

Everything a connection does after the handshake runs here, once or more per message: feeding
ciphertext into the incoming BIO (``receive_ciphertext``, the one way in), decrypting every complete record straight into one block per
batch (``_read_records``), encrypting (``send_plaintext``) and draining the outgoing BIO
(``data_to_send``). It is the benchmarked hot path: pyOpenSSL's wrappers are bypassed for direct
cffi calls, and every constant these methods read is a global of this module (``_lib``,
``_ffi``, the states, the BIO helpers imported from :mod:`~qtls.ssl.engine.bio`), never an
attribute of another module or of the ``EngineState`` enum.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from OpenSSL import SSL

from .bio import _SCRATCH_SIZE, _scratch
from .errors import LocalProtocolError
from .state import EngineState

__all__ = ["MAX_WRITE", "EngineDataPath"]

_lib: Any = SSL._lib  # type: ignore[attr-defined]
_ffi: Any = SSL._ffi  # type: ignore[attr-defined]

#: Largest plaintext taken by one ``send_plaintext`` call (bounds the outgoing BIO).
MAX_WRITE = 256 * 1024
# One record (16 KiB of plaintext and its overhead) that the record layer may hold already
# read from the BIO (see _read_records).
_RECORD_ROOM = 16384 + 512
# Batches below this size get no _RECORD_ROOM (see _read_records).
_SMALL_BATCH = 4096
_WANT_READ = _lib.SSL_ERROR_WANT_READ
# cffi's allocator without the zero-fill (data_to_send's big batches, written over at once).
_new_unfilled = _ffi.new_allocator(should_clear_after_alloc=False)
# States as module constants for the data path: Python 3.11 resolves ``EngineState.X``
# through EnumType.__getattr__, ~0.1 µs each.
_IDLE = EngineState.IDLE
_HANDSHAKING = EngineState.HANDSHAKING
_ENCRYPTED = EngineState.ENCRYPTED
_CLOSED = EngineState.CLOSED
_FAILED = EngineState.FAILED


class EngineDataPath:
    """Bytes in and out of an encrypted connection (see the module docstring)."""

    #: Makes the buffer (a bytearray or a subclass) that a batch of records is decrypted into;
    #: ``read_plaintext`` returns it. An owner may set a subclass its API hands out as it is
    #: (QSslSocket: QByteArray, so readAll() needs no copy).
    new_plaintext_block: Callable[[int], bytearray] = bytearray
    # How many bytes the incoming BIO holds, when known (-1: ask the BIO): a size hint for
    # _read_records' block; a wrong hint costs only an extra read.
    _input_known = 0

    if TYPE_CHECKING:  # set by TlsEngine.__init__ / defined by TlsEngine and its mixins
        _state: EngineState
        _conn: SSL.Connection
        _ssl: Any
        _into_ssl: Any
        _from_ssl: Any
        _plaintext: list[bytes | bytearray]
        _plaintext_size: int
        _ticket_arrived: bool

        def _fail(self, exc: BaseException, *, during_handshake: bool) -> None: ...
        def _set_state(self, new: EngineState) -> None: ...
        def _do_handshake(self) -> None: ...
        def _emit_session(self) -> None: ...
        def _on_close_notify(self) -> None: ...
        def _receive_eof(self) -> None: ...

    # --- outgoing and incoming bytes ----------------------------------------------------------

    def receive_ciphertext(self, data: bytes | bytearray | memoryview, size: int = -1) -> None:
        """Feed bytes read from the transport, then decrypt or handshake with them; ``b""``
        signals the transport's EOF. The one way ciphertext comes in.

        With ``size``, only the first ``size`` bytes of ``data`` are taken (a socket passes its
        reused receive buffer and the count recv_into returned, without slicing it).
        Data arriving after the connection is CLOSED or FAILED is dropped.
        """
        if not size or (size < 0 and not data):
            self._receive_eof()
            return
        state = self._state
        if state is _CLOSED or state is _FAILED:
            return
        # BIO_write itself, without pyOpenSSL's per-call checks. (No ``with`` around
        # from_buffer() on the data path: it costs ~0.4 µs, and the buffer is released as soon
        # as the cdata goes, here at once.)
        # (A view per call: a view cached per engine cost memory on every connection, and a
        # process-wide one crashed the interpreter at exit.)
        buffer = _ffi.from_buffer(data)
        size = len(buffer) if size < 0 else min(size, len(buffer))  # never past its end
        bio = self._into_ssl
        result = _lib.BIO_write(bio, buffer, size)
        del buffer
        if result <= 0:
            self._conn._handle_bio_errors(bio, result)  # type: ignore[attr-defined]
        self._input_known = -1
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
        )  # (no ``with`` around from_buffer: see receive_ciphertext)
        if result > 0:
            return int(result)
        try:
            self._conn._raise_ssl_error(ssl, result)  # type: ignore[attr-defined]
        except SSL.Error as exc:
            self._fail(exc, during_handshake=False)
        return 0

    def data_to_send(self) -> bytes | memoryview:
        """Return (and remove) all ciphertext waiting to go to the peer; b"" when none.

        A big batch comes as a writable ``memoryview`` of a block the caller owns (the engine
        keeps no reference), a small one as ``bytes``.
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
        # Into memory nobody zero-fills first (a bytearray would be, and for a bulk sender
        # that memset of every byte sent was a few per cent of its time): BIO_read overwrites
        # all of it that the view returned covers.
        block = _new_unfilled("char[]", result + pending)
        _ffi.memmove(block, scratch, result)
        more = _lib.BIO_read(bio, block + result, pending)
        if more <= 0:
            self._conn._handle_bio_errors(bio, more)  # type: ignore[attr-defined]
            more = 0
        # The view keeps the block alive, and frees it when it goes.
        return memoryview(_ffi.buffer(block))[: result + more]

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
            buffer = _ffi.from_buffer(out)  # (no ``with``: see receive_ciphertext)
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
