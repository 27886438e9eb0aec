"""Raw access to the engine's memory BIOs through pyOpenSSL's cffi bindings.

The data path (:mod:`~qtls.ssl.engine.datapath`) writes ciphertext into the incoming BIO and
drains the outgoing one with direct ``BIO_write``/``BIO_read`` calls instead of pyOpenSSL's
``bio_write``/``bio_read``; this module holds the piece of that which is not a method: the
per-thread scratch buffer ``data_to_send`` reads into. The data path binds
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
