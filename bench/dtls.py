"""``python -m bench.dtls``: DTLS handshakes per server CPU-second and datagram round trips per
second, qtls's QDtls server against ``openssl s_server -dtls1_2``, in the same run.

Each measurement is a fresh server process pinned to CPU 0 and one client process pinned to
CPU 1 (when the machine has two CPUs), talking over 127.0.0.1 with an ECDSA P-256 certificate
that the client verifies. The client is the same program for both servers (qtls's QDtls, in
``client`` mode of this module), so the rows compare the servers:

* **handshakes**: the client makes N DTLS 1.2 handshakes one after the other, each from a new
  socket (a new peer for the server: cookie exchange, full handshake, close_notify). The row is
  N ÷ the server process's CPU time (user + system, from ``/proc/PID/stat``) during the run, and
  the handshakes per wall-clock second the client saw. A warm-up client makes one handshake
  before the server's CPU time is read (the qtls server imports and builds its contexts on its
  first client), and the client times its handshakes from the end of its own first one.
* **round trips**: one handshake, then M datagrams of 64 bytes, each sent when the previous one
  came back. The row is M ÷ wall seconds, and the server's CPU microseconds per round trip.

``openssl s_server`` cannot echo over DTLS (``-rev`` is TCP only), so its stdin and stdout are
both one FIFO opened read-write: what it decrypts it writes to stdout, reads straight back from
stdin and sends back, a loop inside the kernel with no other process (the two pipe hops are part
of its round trip; they cost a few microseconds). The qtls server is the echo server of
``examples/dtls_echo.py`` (QDtlsClientVerifier + one QDtls per peer).

Repetitions are interleaved (every server once, then again, the order rotating); cells show the
median and (min–max). Everything is bounded: the client has a deadline, the servers are killed
at the end of each measurement. The table goes to ``bench/results/dtls.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.procs import ROOT

RESULTS = ROOT / "bench" / "results" / "dtls.md"
SERVERS = ("qtls", "openssl")
_TICKS = os.sysconf("SC_CLK_TCK")
_PAYLOAD = b"x" * 63 + b"\n"


# --- the processes ----------------------------------------------------------------------------


def _pin(cpu: int) -> None:
    if hasattr(os, "sched_setaffinity") and (os.cpu_count() or 1) > 1:
        os.sched_setaffinity(0, {cpu})


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (``/proc/PID/stat``)."""
    with open(f"/proc/{pid}/stat") as stream:
        fields = stream.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _TICKS


def _udp_port_bound(port: int) -> bool:
    needle = f":{port:04X} "
    for table in ("/proc/net/udp", "/proc/net/udp6"):
        try:
            with open(table) as stream:
                if any(needle in line.split("local_address", 1)[-1][:40] for line in stream):
                    return True
        except OSError:
            continue
    return False


def _free_port() -> int:
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """One server process on a fresh port, pinned to CPU 0; killed by ``stop()``."""

    def __init__(self, kind: str, certs: dict[str, str]) -> None:
        self.kind = kind
        self.port = _free_port()
        self._fifo_fd: int | None = None
        if kind == "openssl":
            openssl = shutil.which("openssl")
            assert openssl is not None
            folder = tempfile.mkdtemp(prefix="qtls-dtls-bench-")
            fifo = os.path.join(folder, "echo")
            os.mkfifo(fifo)
            self._fifo_fd = os.open(fifo, os.O_RDWR)
            os.unlink(fifo)  # (the open descriptor keeps it alive)
            os.rmdir(folder)
            command = [openssl, "s_server", "-dtls1_2", "-accept", f"127.0.0.1:{self.port}",
                       "-cert", certs["cert"], "-key", certs["key"], "-quiet"]
            self.proc = subprocess.Popen(command, stdin=self._fifo_fd, stdout=self._fifo_fd,
                                         stderr=subprocess.DEVNULL, preexec_fn=lambda: _pin(0))
        else:
            command = [sys.executable, "-m", "bench.dtls", "serve", "--port", str(self.port),
                       "--cert", certs["cert"], "--key", certs["key"]]
            self.proc = subprocess.Popen(command, stdin=subprocess.DEVNULL,
                                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                         preexec_fn=lambda: _pin(0), cwd=ROOT)
        deadline = time.monotonic() + 30
        while not _udp_port_bound(self.port):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"{kind} server did not start")
            time.sleep(0.01)

    def cpu(self) -> float:
        return _cpu_seconds(self.proc.pid)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(timeout=10)
        if self._fifo_fd is not None:
            os.close(self._fifo_fd)
            self._fifo_fd = None


def measure(kind: str, workload: str, count: int, certs: dict[str, str]) -> dict[str, float]:
    """One measurement: a fresh server, the client run, the server's CPU time around it."""
    server = Server(kind, certs)

    def client_run(workload: str, count: int) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "bench.dtls", "client", "--port", str(server.port),
             "--cafile", certs["ca"], "--workload", workload, "--count", str(count)],
            capture_output=True, text=True, timeout=300, cwd=ROOT, preexec_fn=lambda: _pin(1))

    try:
        # A warm-up handshake first: the qtls server imports its modules and builds its
        # contexts on its first client, which is start-up, not a handshake's cost.
        client_run("handshakes", 1)
        before = server.cpu()
        done = client_run(workload, count)
        cpu = server.cpu() - before
    finally:
        server.stop()
    if done.returncode != 0:
        raise RuntimeError(f"{kind} {workload}: client failed: {done.stderr.strip()[-400:]}")
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    result["server_cpu"] = cpu
    return result


# --- the qtls server and the client (child processes) -----------------------------------------


def serve(args: argparse.Namespace) -> int:
    """The qtls DTLS echo server (examples/dtls_echo.py's), until killed (or 10 minutes)."""
    from qtls.QtCore import QCoreApplication, QTimer
    from qtls.QtNetwork import (
        QDtls,
        QDtlsClientVerifier,
        QHostAddress,
        QSsl,
        QSslCertificate,
        QSslConfiguration,
        QSslKey,
        QSslSocket,
        QUdpSocket,
    )

    app = QCoreApplication([])
    config = QSslConfiguration.defaultDtlsConfiguration()
    config.setLocalCertificateChain(QSslCertificate.fromPath(args.cert))
    with open(args.key, "rb") as stream:
        config.setPrivateKey(QSslKey(stream.read(), QSsl.KeyAlgorithm.Ec))
    config.setPeerVerifyMode(QSslSocket.PeerVerifyMode.VerifyNone)
    sock = QUdpSocket()
    if not sock.bind(QHostAddress("127.0.0.1"), args.port):
        return 1
    verifier = QDtlsClientVerifier()
    peers: dict[tuple[str, int], QDtls] = {}

    def on_ready_read() -> None:
        while sock.hasPendingDatagrams():
            datagram = sock.receiveDatagram()
            address, port = datagram.senderAddress(), datagram.senderPort()
            data = datagram.data()
            key = (address.toString(), port)
            dtls = peers.get(key)
            if dtls is None:
                if not verifier.verifyClient(sock, data, address, port):
                    continue
                dtls = QDtls(QSslSocket.SslMode.SslServerMode)
                dtls.setDtlsConfiguration(config)
                dtls.setPeer(address, port)
                if dtls.doHandshake(sock, verifier.verifiedHello()):
                    peers[key] = dtls
            elif dtls.isConnectionEncrypted():
                message = dtls.decryptDatagram(sock, data)
                if not message.isEmpty():
                    dtls.writeDatagramEncrypted(sock, message)
                if dtls.handshakeState() is QDtls.HandshakeState.HandshakeNotStarted:
                    del peers[key]
            elif not dtls.doHandshake(sock, data):
                del peers[key]

    sock.readyRead.connect(on_ready_read)
    QTimer.singleShot(600_000, app.quit)
    return app.exec()


def client(args: argparse.Namespace) -> int:
    """N handshakes, or one handshake and N round trips; prints one JSON line."""
    from qtls.QtCore import QCoreApplication, QTimer
    from qtls.QtNetwork import (
        QDtls,
        QHostAddress,
        QSslCertificate,
        QSslConfiguration,
        QSslSocket,
        QUdpSocket,
    )

    app = QCoreApplication([])
    config = QSslConfiguration.defaultDtlsConfiguration()
    config.setCaCertificates(QSslCertificate.fromPath(args.cafile))
    server = QHostAddress("127.0.0.1")
    state: dict[str, Any] = {"done": 0, "error": ""}

    def connection() -> tuple[QUdpSocket, QDtls]:
        sock = QUdpSocket()
        sock.bind(QHostAddress("127.0.0.1"), 0)
        dtls = QDtls(QSslSocket.SslMode.SslClientMode)
        dtls.setDtlsConfiguration(config)
        dtls.setPeer(server, args.port, "localhost")
        dtls.handshakeTimeout.connect(lambda: dtls.handleTimeout(sock))
        return sock, dtls

    def fail(text: str) -> None:
        state["error"] = text
        app.quit()

    current: list[tuple[QUdpSocket, QDtls]] = []

    def start_next() -> None:
        if current:
            old_sock, old_dtls = current.pop()
            old_sock.readyRead.disconnect()
            old_sock.close()
        sock, dtls = connection()
        current.append((sock, dtls))
        sock.readyRead.connect(lambda: on_ready_read(sock, dtls))
        if not dtls.doHandshake(sock):
            fail(dtls.dtlsErrorString())

    def on_ready_read(sock: QUdpSocket, dtls: QDtls) -> None:
        while sock.hasPendingDatagrams():
            data = sock.receiveDatagram().data()
            if dtls.handshakeState() is QDtls.HandshakeState.HandshakeInProgress:
                if not dtls.doHandshake(sock, data):
                    fail(dtls.dtlsErrorString())
                    return
                if not dtls.isConnectionEncrypted():
                    continue
                if args.workload == "handshakes":
                    dtls.shutdown(sock)
                    state["done"] += 1
                    if state["done"] == 1:
                        # (The client's own first handshake builds its context: not timed.)
                        state["t0"] = time.perf_counter()
                    if state["done"] > args.count:
                        state["t1"] = time.perf_counter()
                        app.quit()
                    else:
                        QTimer.singleShot(0, start_next)
                    return
                state["t0"] = time.perf_counter()
                dtls.writeDatagramEncrypted(sock, _PAYLOAD)
            elif dtls.isConnectionEncrypted():
                if dtls.decryptDatagram(sock, data).isEmpty():
                    continue
                state["done"] += 1
                if state["done"] >= args.count:
                    state["t1"] = time.perf_counter()
                    dtls.shutdown(sock)
                    app.quit()
                    return
                dtls.writeDatagramEncrypted(sock, _PAYLOAD)

    QTimer.singleShot(int(args.deadline * 1000), lambda: fail("deadline"))
    start = time.perf_counter()
    if args.workload == "handshakes":
        args.count = max(args.count, 1)
    start_next()
    app.exec()
    end = time.perf_counter()
    if state["error"]:
        print(f"client: {state['error']} after {state['done']}", file=sys.stderr)
        return 1
    if args.workload == "handshakes":
        # One more handshake than counted was made: the first one is not timed.
        result = {"count": max(state["done"] - 1, 1),
                  "wall": state.get("t1", end) - state.get("t0", start)}
    else:
        result = {"count": state["done"], "wall": state["t1"] - state["t0"]}
    print(json.dumps(result))
    return 0


# --- the run and its table --------------------------------------------------------------------


def run(reps: int, handshakes: int, roundtrips: int, servers: list[str],
        certs: dict[str, str]) -> dict[tuple[str, str], list[dict[str, float]]]:
    samples: dict[tuple[str, str], list[dict[str, float]]] = {}
    order = list(servers)
    for _ in range(reps):
        for kind in order:
            for workload, count in (("handshakes", handshakes), ("roundtrips", roundtrips)):
                samples.setdefault((kind, workload), []).append(
                    measure(kind, workload, count, certs))
        order = order[1:] + order[:1]  # rotate: no server always goes first
    return samples


def _cell(values: list[float], fmt: str) -> str:
    if not values:
        return "n/a"
    return f"{fmt.format(statistics.median(values))} ({fmt.format(min(values))}–" \
           f"{fmt.format(max(values))})"


def report(samples: dict[tuple[str, str], list[dict[str, float]]], reps: int,
           handshakes: int, roundtrips: int, servers: list[str]) -> str:
    from OpenSSL import SSL

    openssl = shutil.which("openssl")
    version = subprocess.run([openssl, "version"], capture_output=True, text=True).stdout.strip() \
        if openssl else "absent"
    rows: list[tuple[str, str, str, Any]] = [
        ("handshakes per server CPU-second", "handshakes",
         "{:.0f}", lambda r: r["count"] / r["server_cpu"] if r["server_cpu"] > 0 else float("nan")),
        ("handshakes per second (client wall clock)", "handshakes", "{:.0f}",
         lambda r: r["count"] / r["wall"]),
        ("datagram round trips per second", "roundtrips", "{:.0f}",
         lambda r: r["count"] / r["wall"]),
        ("server CPU µs per round trip", "roundtrips", "{:.1f}",
         lambda r: r["server_cpu"] / r["count"] * 1e6),
    ]
    lines = [
        f"# DTLS 1.2: median (min–max) of {reps} interleaved runs",
        "",
        f"{handshakes} handshakes per run, {roundtrips} round trips of {len(_PAYLOAD)} bytes per"
        " run; ECDSA P-256, the client verifies the chain. Same qtls QDtls client for every"
        " server. qtls on " + SSL.OpenSSL_version(SSL.OPENSSL_VERSION).decode()
        + f"; openssl s_server: {version}. Server CPU from /proc (10 ms ticks).",
        "",
        "| row | " + " | ".join(servers) + " |",
        "|---|" + "---|" * len(servers),
    ]
    for label, workload, fmt, value in rows:
        cells = [_cell([value(r) for r in samples.get((kind, workload), [])], fmt)
                 for kind in servers]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def _certificates() -> dict[str, str]:
    from bench.certs import write_certificates

    folder = Path(tempfile.mkdtemp(prefix="qtls-dtls-certs-"))
    return write_certificates(folder, "ecdsa")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.dtls", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="mode")
    serve_p = sub.add_parser("serve", help="(internal) the qtls DTLS echo server")
    serve_p.add_argument("--port", type=int, required=True)
    serve_p.add_argument("--cert", required=True)
    serve_p.add_argument("--key", required=True)
    client_p = sub.add_parser("client", help="(internal) the measuring client")
    client_p.add_argument("--port", type=int, required=True)
    client_p.add_argument("--cafile", required=True)
    client_p.add_argument("--workload", choices=("handshakes", "roundtrips"), required=True)
    client_p.add_argument("--count", type=int, required=True)
    client_p.add_argument("--deadline", type=float, default=120.0)
    parser.add_argument("--reps", type=int, default=5, help="interleaved runs (default 5)")
    parser.add_argument("--handshakes", type=int, default=300)
    parser.add_argument("--roundtrips", type=int, default=5000)
    parser.add_argument("--smoke", action="store_true", help="tiny counts, one run")
    parser.add_argument("--output", type=Path, default=RESULTS,
                        help="where to write the Markdown table (default %(default)s)")
    args = parser.parse_args(argv)
    if args.mode == "serve":
        return serve(args)
    if args.mode == "client":
        return client(args)
    if args.smoke:
        args.reps, args.handshakes, args.roundtrips = 1, 5, 50
    servers = [s for s in SERVERS if s != "openssl" or shutil.which("openssl")]
    samples = run(args.reps, args.handshakes, args.roundtrips, servers, _certificates())
    text = report(samples, args.reps, args.handshakes, args.roundtrips, servers)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text)
    print(text, end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
