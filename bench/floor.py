"""The stack's floor for server handshake capacity: the *floor* column of ``make bench``.

Not an implementation under test: a deliberately minimal TLS echo server on the stack qtls is
built on (a ``selectors`` loop, pyOpenSSL memory BIOs, OpenSSL from ``cryptography``), with none
of the Qt API (no objects per connection beyond the pyOpenSSL one, no signals, no buffers).
What it spends per handshake is what any Python library on this stack spends at least, so in
the same run:

* qtls ÷ floor is the share of the stack's best that qtls reaches: the rest is the cost of the
  Qt API and of qtls's plumbing;
* floor ÷ PyQt6 is the most that any Python library on this stack could show against PyQt6 in
  the *server capacity* rows.

It serves the handshake workloads only (``cap``, and ``hs`` for the wire probe): a full or
resumed handshake, then it echoes what the client sends until the client closes. The group and
cipher are pinned like every other column's. It has no client API of its own, so its client is
the asyncio column's (:mod:`bench.aio`).
"""

from __future__ import annotations

import selectors
import socket
from typing import Any

from OpenSSL import SSL
from OpenSSL._util import ffi, lib

from bench import aio
from bench.measure import cpu_seconds, now

# What a readiness callback reads at most, and what one flush sends at most: a handshake
# flight and the echo are far smaller.
_CHUNK = 65536


class FloorServer:
    """The floor server for one measurement: serves ``params["count"]`` connections."""

    def __init__(self, spec: dict[str, Any]) -> None:
        self.spec = spec
        self.expected: int = spec["params"].get("count", 1)
        self.done = 0
        self.context = SSL.Context(SSL.TLS_SERVER_METHOD)
        self.context.set_min_proto_version(SSL.TLS1_3_VERSION)
        self.context.set_tls13_ciphersuites(b"TLS_AES_256_GCM_SHA384")
        lib.SSL_CTX_set1_curves_list(self.context._context, b"X25519")
        self.context.use_certificate_chain_file(spec["certs"]["cert"])
        self.context.use_privatekey_file(spec["certs"]["key"])
        self.selector = selectors.DefaultSelector()

    def _listen(self) -> socket.socket:
        for port in self.spec.get("ports") or [0]:
            try:
                listener = socket.create_server(("127.0.0.1", port), backlog=4096)
            except OSError:
                continue  # taken: the runner gave us a few to choose from
            listener.setblocking(False)
            return listener
        raise RuntimeError(f"listen failed on ports {self.spec.get('ports')}")

    def serve(self, ready: Any) -> dict[str, Any]:
        listener = self._listen()
        self.selector.register(listener, selectors.EVENT_READ, None)
        cpu_start = cpu_seconds()
        deadline = now() + self.spec["timeout"]
        ready(listener.getsockname()[1])
        t_first: float | None = None
        try:
            while self.done < self.expected:
                left = deadline - now()
                if left <= 0:
                    raise RuntimeError(f"timed out after {self.spec['timeout']} s "
                                       f"({self.done} of {self.expected} connections served)")
                for key, _ in self.selector.select(min(left, 1.0)):
                    if key.data is None:
                        self._accept(listener)
                        t_first = t_first or now()
                    else:
                        self._on_readable(key.fileobj, key.data)  # type: ignore[arg-type]
        finally:
            listener.close()
        return {"handshakes": self.done, "cpu": cpu_seconds() - cpu_start,
                "wall": now() - (t_first or now())}

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                sock, _ = listener.accept()
            except BlockingIOError:
                return
            sock.setblocking(False)
            conn = SSL.Connection(self.context, None)
            conn.set_accept_state()
            self.selector.register(sock, selectors.EVENT_READ, conn)

    def _close(self, sock: socket.socket) -> None:
        self.selector.unregister(sock)
        sock.close()
        self.done += 1

    def _flush(self, conn: Any, sock: socket.socket) -> None:
        # Loopback takes a handshake flight whole: no partial sends to keep.
        if lib.BIO_get_mem_data(conn._from_ssl, ffi.NULL) > 0:
            sock.sendall(conn.bio_read(_CHUNK))

    def _on_readable(self, sock: socket.socket, conn: Any) -> None:
        try:
            data = sock.recv(_CHUNK)
        except BlockingIOError:
            return
        except OSError:
            self._close(sock)
            return
        if not data:
            self._close(sock)
            return
        conn.bio_write(data)
        try:
            conn.do_handshake()
        except SSL.WantReadError:
            self._flush(conn, sock)
            return
        except SSL.Error:
            self._close(sock)
            return
        try:
            conn.send(conn.recv(_CHUNK))
        except SSL.WantReadError:
            pass  # (the handshake's last flight came alone: the data follows)
        except SSL.ZeroReturnError:  # the client's close_notify: answer it and close
            try:
                conn.shutdown()
            except SSL.Error:
                pass
            self._flush(conn, sock)
            self._close(sock)
            return
        except SSL.Error:
            self._close(sock)
            return
        self._flush(conn, sock)


def run_server(spec: dict[str, Any], ready: Any) -> dict[str, Any]:
    """Serve ``spec``'s handshake workload (calls ``ready(port)`` once listening)."""
    if spec["workload"] not in ("cap", "hs"):
        raise ValueError(f"the floor serves handshake workloads only, not {spec['workload']!r}")
    return FloorServer(spec).serve(ready)


def run_client(spec: dict[str, Any]) -> dict[str, Any]:
    """The asyncio column's client (the floor has no client API of its own)."""
    return aio.run_client(spec)
