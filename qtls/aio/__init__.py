"""qtls.aio: asyncio streams with Qt's TLS underneath.

The stdlib's streams API (``open_connection``, ``start_server``, ``StreamReader``,
``StreamWriter``) on QSslSocket and QSslServer, so that an asyncio program gets what only Qt's
TLS gives: every verification error reported and individually ignorable, QueryPeer, PSK, OCSP
stapling, alerts, STARTTLS that works, post-quantum hybrid key exchange by default::

    reader, writer = await qtls.aio.open_connection("example.org", 443)
    writer.write(b"GET / HTTP/1.0\\r\\nHost: example.org\\r\\n\\r\\n")
    print(await reader.read())
    writer.close()
    await writer.wait_closed()

Theory of operation
-------------------
Only the public Qt API is used. :mod:`qtls.aio.handshake` waits for a socket to be connected or
encrypted, turning Qt's error signals into the stdlib's exceptions (:mod:`qtls.aio.errors`, one
table); :mod:`qtls.aio.transport` makes an ``asyncio.Transport`` of a connected socket; the
stdlib's own ``StreamReaderProtocol``, ``StreamReader`` and ``StreamWriter`` run on top of it
(:mod:`qtls.aio.streams`), so reading, EOF and flow control are the stdlib's code;
:mod:`qtls.aio.server` puts asyncio's Server API on QSslServer.

Qt's features come through the QSslConfiguration given as ``configuration`` (client
certificates, QueryPeer, ALPN, OCSP stapling, protocols, ciphers, groups), ``ignore_errors``
(a list of QSslError, or a callable) and ``psk`` (a function given the
QSslPreSharedKeyAuthenticator); ``writer.get_extra_info("qsslsocket")`` is the socket itself.

Failures raise, never hang: verification failures raise :class:`TlsHandshakeError` with the
QSslErrors in ``.errors``; a peer that vanishes ends the reader with ``b""`` and makes
``drain()`` raise ConnectionResetError.

Waiting for a signal with a timeout: ``await sock.disconnected.wait(5)`` (see
``pyqtBoundSignal.wait``); it subscribes when called, so it cannot miss an emission the way
``asyncio.wait_for(sock.disconnected, 5)`` can on Python 3.10 and 3.11.
"""

from __future__ import annotations

from qtls.aio.errors import TlsHandshakeError
from qtls.aio.handshake import IgnoreErrors, PskCallback
from qtls.aio.server import ClientConnectedCallback, ListeningSocket, Server, start_server
from qtls.aio.streams import TlsStreamWriter, open_connection
from qtls.aio.transport import TlsTransport

__all__ = [
    "ClientConnectedCallback",
    "IgnoreErrors",
    "ListeningSocket",
    "PskCallback",
    "Server",
    "TlsHandshakeError",
    "TlsStreamWriter",
    "TlsTransport",
    "open_connection",
    "start_server",
]
