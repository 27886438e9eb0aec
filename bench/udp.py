"""UDP ping-pong: datagram round trips per second, qtls beside PyQt6.

    python -m bench.udp [--rounds 20000] [--reps 3] [--impls qtls,PyQt6]

Two QUdpSocket objects in one process bounce a 64-byte datagram over 127.0.0.1, in two styles:
*loop* (each side answers in its readyRead slot, with receiveDatagram() and writeDatagram(),
under QCoreApplication.exec()) and *blocking* (a thread per side, waitForReadyRead() and
readDatagram(), no loop). Each (style, implementation) runs in a fresh process, repetitions
interleaved; the table shows the median and (min-max) of round trips per second. This measures
the per-datagram cost of the Python/Qt layers (both ends share one process and, for *loop*,
one thread), not the network.
"""

from __future__ import annotations

import argparse
import importlib
import json
import statistics
import subprocess
import sys
import threading
import time
from typing import Any

PAYLOAD = b"x" * 64


def _loop(prefix: str, rounds: int) -> float:
    net: Any = importlib.import_module(f"{prefix}.QtNetwork")
    core: Any = importlib.import_module(f"{prefix}.QtCore")
    app = core.QCoreApplication.instance() or core.QCoreApplication([])
    local = net.QHostAddress("127.0.0.1")
    ping, pong = net.QUdpSocket(), net.QUdpSocket()
    ping.bind(local, 0)
    pong.bind(local, 0)
    count = [0]

    def on_pong() -> None:
        while pong.hasPendingDatagrams():
            pong.writeDatagram(pong.receiveDatagram().makeReply(PAYLOAD))

    def on_ping() -> None:
        while ping.hasPendingDatagrams():
            ping.receiveDatagram()
            count[0] += 1
            if count[0] >= rounds:
                app.quit()
                return
            ping.writeDatagram(PAYLOAD, local, pong.localPort())

    pong.readyRead.connect(on_pong)
    ping.readyRead.connect(on_ping)
    core.QTimer.singleShot(120_000, app.quit)  # a bound
    start = time.perf_counter()
    ping.writeDatagram(PAYLOAD, local, pong.localPort())
    app.exec()
    elapsed = time.perf_counter() - start
    return count[0] / elapsed


def _blocking(prefix: str, rounds: int) -> float:
    net: Any = importlib.import_module(f"{prefix}.QtNetwork")
    core: Any = importlib.import_module(f"{prefix}.QtCore")
    _app = core.QCoreApplication.instance() or core.QCoreApplication([])
    local = net.QHostAddress("127.0.0.1")
    ready = threading.Event()
    port: list[int] = []

    def answer() -> None:
        pong = net.QUdpSocket()
        pong.bind(local, 0)
        port.append(pong.localPort())
        ready.set()
        for _ in range(rounds):
            if not pong.waitForReadyRead(5000):
                return
            _data, host, sender_port = pong.readDatagram(100)
            pong.writeDatagram(PAYLOAD, host, sender_port)

    thread = threading.Thread(target=answer, daemon=True)
    thread.start()
    ready.wait(5)
    ping = net.QUdpSocket()
    ping.bind(local, 0)
    done = 0
    start = time.perf_counter()
    for _ in range(rounds):
        ping.writeDatagram(PAYLOAD, local, port[0])
        if not ping.waitForReadyRead(5000):
            break
        ping.readDatagram(100)
        done += 1
    elapsed = time.perf_counter() - start
    thread.join(5)
    return done / elapsed


def _worker(style: str, prefix: str, rounds: int) -> None:
    rate = (_loop if style == "loop" else _blocking)(prefix, rounds)
    print(json.dumps({"rate": rate}))


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=20000)
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--impls", default="qtls,PyQt6")
    parser.add_argument("--worker", nargs=2, metavar=("STYLE", "PREFIX"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        _worker(args.worker[0], args.worker[1], args.rounds)
        return 0
    impls = args.impls.split(",")
    results: dict[tuple[str, str], list[float]] = {}
    for rep in range(args.reps):
        order = impls[rep % len(impls):] + impls[:rep % len(impls)]
        for style in ("loop", "blocking"):
            for impl in order:
                done = subprocess.run(
                    [sys.executable, "-m", "bench.udp", "--rounds", str(args.rounds),
                     "--worker", style, impl],
                    capture_output=True, text=True, timeout=300,
                    env={"QT_QPA_PLATFORM": "offscreen", **__import__("os").environ})
                if done.returncode:
                    print(f"{style} {impl}: failed\n{done.stderr[-2000:]}", file=sys.stderr)
                    continue
                results.setdefault((style, impl), []).append(json.loads(done.stdout)["rate"])
    print(f"UDP ping-pong, {args.rounds} round trips of 64 bytes, {args.reps} repetitions "
          "(round trips/s, median (min-max))")
    print("| style | " + " | ".join(impls) + " |")
    print("|---|" + "---:|" * len(impls))
    for style in ("loop", "blocking"):
        cells = []
        for impl in impls:
            rates = results.get((style, impl), [])
            cells.append(f"{statistics.median(rates):,.0f} ({min(rates):,.0f}-{max(rates):,.0f})"
                         if rates else "fail")
        print(f"| {style} | " + " | ".join(cells) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
