"""Running one measurement: a server process and a client process, pinned and bounded.

The server prints ``READY <port>`` once listening; the client gets the port (or the port of
the wire probe's relay) on its stdin and runs; both print ``RESULT <json>``. Every wait here has a deadline,
and a process still alive after it is killed, so a stuck implementation costs one timeout and
never hangs the run.
"""

from __future__ import annotations

import json
import os
import selectors
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

SERVER_CPU = 0
CLIENT_CPU = 1


@dataclass
class Outcome:
    """Both sides' results, or why the measurement failed."""

    server: dict[str, Any] | None = None
    client: dict[str, Any] | None = None
    error: str | None = None


def pinning_available() -> bool:
    """True when the machine has two CPUs we may pin the two processes to."""
    try:
        allowed = os.sched_getaffinity(0)
    except (AttributeError, OSError):
        return False
    return {SERVER_CPU, CLIENT_CPU} <= allowed


# The stderr file of each live worker, by pid (read for the error message when one fails).
_STDERR: dict[int, Any] = {}


def _spawn(spec: dict[str, Any], env: dict[str, str]) -> subprocess.Popen[str]:
    # stderr goes to a file, not a pipe: a chatty implementation (Qt warnings) must never block
    # on a full pipe nobody reads during the measurement.
    errors = tempfile.TemporaryFile(mode="w+")
    proc = subprocess.Popen(
        [sys.executable, "-m", "bench.worker", json.dumps(spec)],
        cwd=ROOT,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=errors,
        text=True,
    )
    _STDERR[proc.pid] = errors
    return proc


def _read_line(proc: subprocess.Popen[str], deadline: float) -> str | None:
    """The next stdout line of ``proc``, or None at EOF or past ``deadline``."""
    assert proc.stdout is not None
    with selectors.DefaultSelector() as selector:
        selector.register(proc.stdout, selectors.EVENT_READ)
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not selector.select(remaining):
                return None
            line = proc.stdout.readline()
            if not line:
                return None
            line = line.strip()
            if line.startswith(("READY ", "RESULT ", "ERROR ")):
                return line


def _reap(proc: subprocess.Popen[str], grace: float) -> None:
    try:
        proc.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=5)


def _stderr_tail(proc: subprocess.Popen[str]) -> str:
    """The last lines the process wrote to stderr (its traceback, usually)."""
    handle = _STDERR.get(proc.pid)
    if handle is None:
        return ""
    handle.seek(0)
    text = [line for line in handle.read().strip().splitlines() if line.strip()]
    return (": " + " | ".join(text[-3:])) if text else ""


def _result(line: str | None, proc: subprocess.Popen[str]) -> tuple[dict[str, Any] | None, str]:
    """Decode a RESULT/ERROR line; returns (result, error text)."""
    if line is None:
        return None, "no result (timed out or crashed)" + _stderr_tail(proc)
    if line.startswith("ERROR "):
        return None, line[len("ERROR "):]
    if line.startswith("RESULT "):
        return json.loads(line[len("RESULT "):]), ""
    return None, f"unexpected line {line!r}"


@dataclass
class Measurement:
    """One measurement: the two sides' specs, a deadline, an optional relay."""

    server: dict[str, Any]
    client: dict[str, Any]
    timeout: float
    relay: Any = None  # relay(port) -> port: interposes the wire probe


def run_measurement(item: Measurement, *, env: dict[str, str], pin: bool) -> Outcome:
    """Run ``item`` in a fresh server process and a fresh client process.

    Both start at once (the client imports its implementation while the server starts
    listening); the server prints ``READY <port>``, the runner passes the port (or the relay's)
    to the client on its stdin, and both print their result. Whatever is still running at the
    end is killed.
    """
    server = _spawn(dict(item.server, role="server", timeout=item.timeout,
                         cpu=SERVER_CPU if pin else None), env)
    client = _spawn(dict(item.client, role="client", timeout=item.timeout,
                         cpu=CLIENT_CPU if pin else None), env)
    outcome = Outcome(error="not run")
    try:
        outcome = _exchange(item, server, client)
        return outcome
    finally:
        for proc in (client, server):
            if proc.stdin is not None and not proc.stdin.closed:
                try:
                    proc.stdin.close()
                except OSError:
                    pass
            _reap(proc, 0 if outcome.error else 5)
            if proc.stdout is not None:
                proc.stdout.close()
            errors = _STDERR.pop(proc.pid, None)
            if errors is not None:
                errors.close()


def _exchange(item: Measurement, server: subprocess.Popen[str],
              client: subprocess.Popen[str]) -> Outcome:
    line = _read_line(server, time.monotonic() + 30)
    if line is None or not line.startswith("READY "):
        detail = line[len("ERROR "):] if line and line.startswith("ERROR ") else (
            "server did not start" + _stderr_tail(server))
        return Outcome(error=f"server: {detail}")
    port = int(line.split()[1])
    if item.relay is not None:
        port = item.relay(port)
    assert client.stdin is not None
    try:
        client.stdin.write(f"{port}\n")
        client.stdin.flush()
    except OSError:
        return Outcome(error="client: exited early" + _stderr_tail(client))
    deadline = time.monotonic() + item.timeout + 5
    client_result, client_error = _result(_read_line(client, deadline), client)
    server_deadline = deadline if client_result else time.monotonic() + 3
    server_result, server_error = _result(_read_line(server, server_deadline), server)
    if client_result is None or server_result is None:
        parts = [f"client: {client_error}" if client_error else "",
                 f"server: {server_error}" if server_error else ""]
        return Outcome(server_result, client_result, "; ".join(p for p in parts if p))
    return Outcome(server_result, client_result)
