"""Shared helpers for the network tests: bounded loop runs, signal recorders, peers."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable
from typing import Any

from tests.loops import run_until, spin  # noqa: F401  (re-exported for this area's tests)


def record(sock: Any, log: list[str], tag: str = "") -> None:
    """Append every QAbstractSocket/QIODevice signal of ``sock`` to ``log`` as text.

    Works for qtls and PyQt6 sockets alike, so that sequences can be compared.
    """
    sock.stateChanged.connect(lambda state: log.append(f"{tag}stateChanged({state.name})"))
    sock.hostFound.connect(lambda: log.append(f"{tag}hostFound"))
    sock.connected.connect(lambda: log.append(f"{tag}connected"))
    sock.disconnected.connect(lambda: log.append(f"{tag}disconnected"))
    sock.errorOccurred.connect(lambda error: log.append(f"{tag}errorOccurred({error.name})"))
    sock.readyRead.connect(lambda: log.append(f"{tag}readyRead"))
    sock.bytesWritten.connect(lambda n: log.append(f"{tag}bytesWritten({n})"))
    sock.readChannelFinished.connect(lambda: log.append(f"{tag}readChannelFinished"))
    sock.aboutToClose.connect(lambda: log.append(f"{tag}aboutToClose"))


def free_port(host: str = "127.0.0.1") -> int:
    """A port nobody listens on (bound then released)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family) as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


def raw_listener(host: str = "127.0.0.1") -> socket.socket:
    """A plain Python listening socket on an ephemeral port."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listener = socket.socket(family)
    listener.bind((host, 0))
    listener.listen(16)
    listener.settimeout(5)
    return listener


def wait_for(condition: Callable[[], bool], timeout: float = 5.0, step: float = 0.005) -> bool:
    """Poll ``condition`` without any event loop (for peers in other threads)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(step)
    return True
