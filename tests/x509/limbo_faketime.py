"""Run x509-limbo cases where the *system* clock must read the case's validation time.

OpenSSL's handshake verification and PyQt6's ``QSslCertificate.verify()`` read the system clock,
which a test cannot set. libfaketime can: run as ``faketime -f 'TIME' python ...`` every wall-clock call of that process
reads TIME, frozen (a case at exactly a certificate's notAfter must see exactly that second:
Qt compares with milliseconds). ``FAKETIME_DONT_FAKE_MONOTONIC=1`` leaves the monotonic clock
alone, so timeouts and the event loop's timers still run.
Debian ships it as the ``faketime`` package (``apt-get install faketime``); when it is missing
the tests that need it skip and say so. Cases are grouped by validation time, one subprocess per
group; cases without a validation time run in a plain subprocess at the real time.

This file is also the subprocess's entry point::

    python -m tests.x509.limbo_faketime MODE CASE_ID...     (prints one JSON object)

MODE is ``pyqt6-verify`` (PyQt6's verify()), ``qtls-handshake``, ``qtls-strict-handshake`` or
``pyqt6-handshake`` (a qtls or PyQt6 QSslSocket client against a pyOpenSSL server presenting the
case's chain). The answer
maps each case id to its error strings (``[]`` = accepted) or to ``{"skip": reason}``.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
from collections import defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
Result = "list[str] | dict[str, str]"


def faketime_binary() -> str | None:
    """The ``faketime`` wrapper, or None when libfaketime is not installed."""
    return shutil.which("faketime")


def missing_faketime_reason() -> str:
    return "libfaketime is not installed (Debian: apt-get install faketime); it freezes the clock"


def run_groups(mode: str, cases: Iterable[Any], timeout: float = 600.0) -> dict[str, Any]:
    """Answer *cases* in subprocesses, one per validation time, under faketime.

    Raises RuntimeError when a subprocess fails (its stderr says why).
    """
    faketime = faketime_binary()
    groups: dict[str, list[str]] = defaultdict(list)
    for case in cases:
        groups[case.time_key].append(case.id)
    results: dict[str, Any] = {}
    env = dict(os.environ, TZ="UTC", QT_QPA_PLATFORM="offscreen",
               FAKETIME_DONT_FAKE_MONOTONIC="1", PYTHONPATH=str(ROOT))
    for time_key, ids in sorted(groups.items()):
        argv = [sys.executable, "-m", "tests.x509.limbo_faketime", mode, *ids]
        if time_key:
            if faketime is None:
                raise RuntimeError(missing_faketime_reason())
            when = dt.datetime.fromisoformat(time_key).astimezone(dt.timezone.utc)
            argv = [faketime, "-f", when.strftime("%Y-%m-%d %H:%M:%S.%f"), *argv]
        done = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, timeout=timeout,
                              check=False)
        if done.returncode != 0:
            raise RuntimeError(f"{mode} {time_key or 'now'}: exit {done.returncode}\n"
                               + done.stderr.decode(errors="replace")[-4000:])
        results.update(json.loads(done.stdout.decode().strip().splitlines()[-1]))
    return results


# -- in the subprocess ------------------------------------------------------------------------


def _pyqt6_verify(cases: Sequence[Any]) -> dict[str, Any]:
    from PyQt6.QtCore import QCoreApplication
    from PyQt6.QtNetwork import QSslCertificate, QSslConfiguration

    _app = QCoreApplication.instance() or QCoreApplication([])
    out: dict[str, Any] = {}
    for case in cases:
        config = QSslConfiguration.defaultConfiguration()
        config.setCaCertificates([QSslCertificate(p.encode()) for p in case.trusted])
        QSslConfiguration.setDefaultConfiguration(config)
        chain = [QSslCertificate(case.peer.encode())]
        chain += [QSslCertificate(p.encode()) for p in case.intermediates]
        errors = QSslCertificate.verify(chain, case.peer_name)
        out[case.id] = [f"{e.error().name}: {e.errorString()}" for e in errors]
    return out


class ChainServer:
    """A bare pyOpenSSL server on 127.0.0.1 presenting one certificate chain per connection.

    ``serve(leaf, chain, key)`` sets what the next connection gets; each accepted connection is
    handshaken in this thread and closed. The server stops by itself after ``idle`` seconds
    without a connection, or when ``close()`` is called.
    """

    def __init__(self, idle: float = 30.0) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(idle)
        self.port = self._listener.getsockname()[1]
        self._context: Any = None
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def serve(self, leaf_pem: str, chain_pems: Sequence[str], key_pem: str) -> None:
        from cryptography import x509
        from cryptography.hazmat.primitives.serialization import load_pem_private_key
        from OpenSSL import SSL

        context = SSL.Context(SSL.TLS_SERVER_METHOD)
        context.use_certificate(x509.load_pem_x509_certificate(leaf_pem.encode()))
        for pem in chain_pems:
            context.add_extra_chain_cert(x509.load_pem_x509_certificate(pem.encode()))
        context.use_privatekey(load_pem_private_key(key_pem.encode(), None))  # type: ignore[arg-type]
        self._context = context

    def _run(self) -> None:
        from OpenSSL import SSL

        while True:
            try:
                raw, _ = self._listener.accept()
            except OSError:  # closed, or idle for too long
                return
            # Blocking: pyOpenSSL turns a socket timeout into WantReadError mid-handshake. The
            # client aborts after each case, which ends any read this thread is blocked in.
            raw.settimeout(None)
            try:
                connection = SSL.Connection(self._context, raw)
                connection.set_accept_state()
                connection.do_handshake()
                connection.shutdown()
            except (SSL.Error, OSError):
                pass  # the client refused the chain: that is the point of the case
            finally:
                raw.close()

    def close(self) -> None:
        try:
            self._listener.shutdown(socket.SHUT_RDWR)  # wakes the accept() (close alone does not)
        except OSError:
            pass
        self._listener.close()
        self._thread.join(5)


def _qtls_handshake(cases: Sequence[Any], strict: bool, pyqt6: bool = False) -> dict[str, Any]:
    if pyqt6:
        from PyQt6.QtCore import QCoreApplication
        from PyQt6.QtNetwork import QSslCertificate, QSslSocket
    else:
        from qtls.QtCore import QCoreApplication  # type: ignore[assignment]
        from qtls.QtNetwork import QSslCertificate, QSslSocket  # type: ignore[assignment]

    _app = QCoreApplication.instance() or QCoreApplication([])
    server = ChainServer()
    out: dict[str, Any] = {}
    try:
        for case in cases:
            if not case.peer_name:
                out[case.id] = {"skip": "the case names no peer: a client always checks one"}
                continue
            if not case.peer_key:
                out[case.id] = {"skip": "the case has no private key for the peer certificate"}
                continue
            try:
                server.serve(case.peer, case.intermediates, case.peer_key)
            except Exception as error:  # noqa: BLE001 - any refusal means "cannot present"
                out[case.id] = {"skip": f"OpenSSL cannot present this chain: {error!r}"}
                continue
            client = QSslSocket()
            config = client.sslConfiguration()
            config.setCaCertificates([QSslCertificate(p.encode()) for p in case.trusted])
            if strict:
                config.setStrictVerification(True)  # type: ignore[attr-defined]
            if case.max_chain_depth is not None:
                config.setPeerVerifyDepth(case.max_chain_depth + 1)
            client.setSslConfiguration(config)
            client.setPeerVerifyName(case.peer_name)
            client.connectToHostEncrypted("127.0.0.1", server.port)
            encrypted = client.waitForEncrypted(10000)
            errors = [f"{e.error().name}: {e.errorString()}" for e in client.sslHandshakeErrors()]
            if not encrypted and not errors:
                errors = [f"handshake failed: {client.errorString()}"]
            out[case.id] = errors
            client.abort()
    finally:
        server.close()
    return out


def main(argv: Sequence[str]) -> None:
    from tests.x509.limbo_cases import by_id

    mode, ids = argv[0], argv[1:]
    cases = [by_id(case_id) for case_id in ids]
    if mode == "pyqt6-verify":
        out = _pyqt6_verify(cases)
    elif mode in ("qtls-handshake", "qtls-strict-handshake"):
        out = _qtls_handshake(cases, strict=mode == "qtls-strict-handshake")
    elif mode == "pyqt6-handshake":
        out = _qtls_handshake(cases, strict=False, pyqt6=True)
    else:
        raise SystemExit(f"unknown mode {mode!r}")
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1:])
