"""A WorkerPool program for the tests: ``python -m tests.prefork.poolserver CERT KEY [options]``.

It prints ``port N``, each worker prints ``worker N pid P serving`` and answers every line a
client sends with its pid, so a test knows which worker served it. When ``run()`` returns it
prints its status and whether any child is left (a zombie would be one).
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
from typing import Any

from qtls.prefork import WorkerPool
from qtls.QtCore import QCoreApplication, QTimer
from qtls.QtNetwork import QSsl, QSslCertificate, QSslConfiguration, QSslKey, QSslServer


def _configuration(cert: str, key: str) -> QSslConfiguration:
    conf = QSslConfiguration.defaultConfiguration()
    conf.setLocalCertificateChain(QSslCertificate.fromPath(cert))
    with open(key, "rb") as stream:
        data = stream.read()
    conf.setPrivateKey(QSslKey(data, QSsl.KeyAlgorithm.Ec))
    return conf


def _echo_pid(server: QSslServer) -> None:
    def take() -> None:
        while (client := server.nextPendingConnection()) is not None:
            client.readyRead.connect(
                lambda c=client: c.readAll() and c.write(f"{os.getpid()}\n".encode()))
            client.disconnected.connect(client.deleteLater)

    server.pendingConnectionAvailable.connect(take)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("cert")
    parser.add_argument("key")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--reuse-port", action="store_true")
    parser.add_argument("--stop-timeout", type=float, default=10.0)
    parser.add_argument("--ready-fails", action="store_true")
    parser.add_argument("--mode", choices=["echo", "fail", "finish", "stubborn"], default="echo")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="pool: %(message)s", stream=sys.stdout)
    pool = WorkerPool(_configuration(args.cert, args.key), port=0, workers=args.workers,
                      reuse_port=args.reuse_port, stop_timeout=args.stop_timeout)
    print(f"port {pool.port} reuse_port {pool.reuse_port}", flush=True)

    def serve(server: QSslServer, number: int) -> Any:
        print(f"worker {number} pid {os.getpid()} starting", flush=True)
        if args.mode == "fail":
            raise RuntimeError("this worker cannot start")
        _echo_pid(server)
        if args.mode == "finish":  # ends by itself, status 0: not restarted
            QTimer.singleShot(300, QCoreApplication.quit)
        if args.mode == "stubborn":  # ignores SIGTERM: the pool must kill it
            from qtls.core.dispatch import thread_loop

            thread_loop().remove_signal_handler(signal.SIGTERM)
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
        print(f"worker {number} pid {os.getpid()} serving", flush=True)
        return None

    def ready() -> None:
        print("every worker is ready", flush=True)
        if args.ready_fails:
            raise RuntimeError("ready() failed")

    status = pool.run(serve, ready=ready)
    try:
        left = f"pid {os.waitpid(-1, os.WNOHANG)[0]}"
    except ChildProcessError:
        left = "none"
    stopped = pool.stop_signal.name if pool.stop_signal is not None else "-"
    print(f"run returned {status}, stopped by {stopped}, children left: {left}", flush=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
