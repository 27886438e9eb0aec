"""Raw access to the engine's memory BIOs through pyOpenSSL's cffi bindings.

The data path (:mod:`~qtls.ssl.engine.datapath`) writes ciphertext into the incoming BIO and
drains the outgoing one with direct ``BIO_write``/``BIO_read`` calls instead of pyOpenSSL's
``bio_write``/``bio_read``; this module holds the two pieces of that which are not methods: the
per-thread scratch buffer ``data_to_send`` reads into, and ``_bio_write``. The data path binds
these names as its own module globals (``from .bio import ...``), so using them costs no
attribute lookup.
"""

from __future__ import annotations

import threading
from typing import Any

from OpenSSL import SSL

__all__: list[str] = []

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
