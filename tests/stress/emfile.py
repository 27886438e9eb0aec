"""Descriptor exhaustion (EMFILE) while accepting: the server keeps serving and recovers.

The server runs in a subprocess (``python -m tests.stress.emfile HEADROOM``) whose soft
RLIMIT_NOFILE is lowered, once it listens, to the descriptors it has open plus ``HEADROOM``.
This process connects more TLS clients than that (asyncio, in a thread of its own), so the
server's ``accept()`` fails with EMFILE. As in Qt, QTcpServer then pauses accepting and emits
``acceptError(SocketResourceError)``; the application (harness.StressServer) resumes after
50 ms. Meanwhile the clients already in must still be served; once some of them leave, the
clients waiting in the listen backlog must get in, and the server's descriptors must come back
to their count before the clients came.

The child answers a line ``report`` on its standard input with a JSON line of its figures, and
exits (with a last report) when its standard input closes; it never runs longer than 120 s.
"""

from __future__ import annotations

import asyncio
import json
import os
import resource
import ssl
import subprocess
import sys
import threading
import time
from typing import Any

from tests.stress.harness import Figures, Sample

CHILD_LIFETIME_S = 120.0


def _child(headroom: int) -> int:
    """The server side (in the subprocess)."""
    from qtls.QtCore import QCoreApplication
    app = QCoreApplication.instance() or QCoreApplication([])
    from tests.loops import run_until
    from tests.stress.harness import StressServer, ca_file, sample, settle

    server = StressServer()
    run_until(lambda: False, 20)
    cafile = ca_file()  # (opened before the limit is lowered)
    base = sample()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (base.fds + headroom, hard))
    # (The certificates are made per process: the clients need this one's CA.)
    print(json.dumps({"port": server.port, "fds": base.fds, "limit": base.fds + headroom,
                      "cafile": cafile}), flush=True)
    os.set_blocking(sys.stdin.fileno(), False)

    def report(final: bool = False) -> None:
        # (Measuring needs descriptors: only once the clients are gone.)
        figures: dict[str, Any] = {"accept_errors": server.accept_errors, "live": server.live,
                                   "served": server.served, "errors": server.errors}
        if final:
            now = sample()
            figures.update(fds=now.fds, threads=now.threads)
        print(json.dumps(figures), flush=True)

    pending = ""
    deadline = time.monotonic() + CHILD_LIFETIME_S
    while time.monotonic() < deadline:
        run_until(lambda: False, 20)
        try:
            chunk = os.read(sys.stdin.fileno(), 4096)
        except BlockingIOError:
            continue
        if not chunk:
            break  # the parent is done
        pending += chunk.decode()
        while "\n" in pending:
            line, pending = pending.split("\n", 1)
            if line.strip() == "report":
                report()
    settle(server)
    report(final=True)
    server.close()
    del app
    return 0


class _Child:
    """The server subprocess, seen from the parent."""

    def __init__(self, headroom: int) -> None:
        root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.stress.emfile", str(headroom)], cwd=root,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.first = self._line()

    def _line(self) -> dict[str, Any]:
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()  # (the child always answers, or exits)
        return json.loads(line) if line.strip() else {}

    def report(self) -> dict[str, Any]:
        assert self.proc.stdin is not None
        self.proc.stdin.write("report\n")
        self.proc.stdin.flush()
        return self._line()

    def finish(self) -> dict[str, Any]:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        last = self._line()
        try:
            self.proc.wait(15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)
        return last


async def _scenario(child: _Child, ctx: ssl.SSLContext, clients: int) -> dict[str, Any]:
    port = child.first["port"]
    found: dict[str, Any] = {"clients": clients}
    held: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []

    async def connect() -> None:
        reader, writer = await asyncio.wait_for(asyncio.open_connection(
            "127.0.0.1", port, ssl=ctx, server_hostname="localhost"), 30)
        held.append((reader, writer))

    async def ping(pair: tuple[asyncio.StreamReader, asyncio.StreamWriter]) -> bool:
        pair[1].write(b"ping")
        return await asyncio.wait_for(pair[0].readexactly(4), 10) == b"PING"

    tasks = [asyncio.ensure_future(connect()) for _ in range(clients)]
    # Until the server ran out of descriptors and the clients it could take are in.
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        await asyncio.sleep(0.2)
        state = child.report()
        if state.get("accept_errors") and len(held) == state.get("live"):
            break
    found["exhausted"] = child.report()
    found["held_while_exhausted"] = len(held)
    found["served_while_exhausted"] = bool(held) and await ping(held[0])
    # All but five of the clients in leave: those in the backlog must get in.
    leaving = held[5:]
    del held[5:]
    for _reader, writer in leaving:
        writer.close()
    done, _ = await asyncio.wait(tasks, timeout=30)
    found["connected"] = sum(1 for t in done if t.exception() is None)
    found["all_served_after"] = all([await ping(pair) for pair in held])
    for _reader, writer in held:
        writer.close()
    await asyncio.sleep(0.2)
    for task in tasks:
        task.cancel()
    return found


def exhaust(headroom: int, clients: int) -> dict[str, Any]:
    """Run the scenario: the child's figures and what the clients saw."""
    child = _Child(headroom)
    ctx = ssl.create_default_context(cafile=child.first["cafile"])
    box: dict[str, Any] = {}

    def run() -> None:
        try:
            box.update(asyncio.run(_scenario(child, ctx, clients)))
        except Exception as exc:  # reported in the figures
            box["error"] = f"{type(exc).__name__}: {exc}"

    started = time.monotonic()
    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(90)
    box["final"] = child.finish()
    box["first"] = child.first
    box["seconds"] = round(time.monotonic() - started, 1)
    return box


def as_figures(headroom: int, extra: int) -> Figures:
    """The EMFILE scenario as a row (its server is a subprocess: descriptors and threads only)."""
    found = exhaust(headroom, headroom + extra)
    first, final, during = found.get("first", {}), found.get("final", {}), found.get(
        "exhausted", {})
    before = Sample(first.get("fds", -1), 1, -1, -1)
    after = Sample(final.get("fds", -2), final.get("threads", -2), -1, -1)
    ok = (during.get("accept_errors", 0) > 0 and found.get("served_while_exhausted")
          and found.get("connected") == found.get("clients") and found.get("all_served_after"))
    notes = [f"limit {first.get('limit')} descriptors, {found.get('clients')} clients",
             f"acceptError x{final.get('accept_errors')}",
             f"held while exhausted {found.get('held_while_exhausted')}",
             f"served while exhausted {found.get('served_while_exhausted')}",
             f"connected in the end {found.get('connected')}/{found.get('clients')}",
             f"server errors {final.get('errors')}"]
    if found.get("error"):
        notes.append(found["error"])
    return Figures("emfile" if ok else "emfile (failed)", found.get("clients", 0),
                   found.get("seconds", 0.0), before, after, None, notes)


if __name__ == "__main__":
    sys.exit(_child(int(sys.argv[1])))
