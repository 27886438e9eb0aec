"""What is measured: the implementations, the workloads and their sizes (full and smoke).

Each workload row of the table is one :class:`Workload`; its ``metric`` turns the two sides'
results into one number. Each column is one :class:`Impl`. The blocking style serves one
connection at a time, so it has no capacity or memory rows (n/a). The *floor* column is a
reference, not an implementation (:mod:`bench.floor`): it has the capacity rows only.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

Result = dict[str, Any]
MIB = 1 << 20


@dataclass(frozen=True)
class Impl:
    """One column: an implementation in one style, with pinned or default TLS parameters."""

    name: str
    family: str  # "qt" (event-driven), "qtblocking", "aio", "qtlsaio" or "floor"
    prefix: str = ""  # Qt-style: the package whose QtCore/QtNetwork are imported
    loop: str = ""  # aio (and the floor's aio client): "asyncio" or "uvloop"
    pinned: bool = True  # X25519 + TLS_AES_256_GCM_SHA384, or the implementation's defaults

    def spec(self) -> dict[str, Any]:
        return {"family": self.family, "prefix": self.prefix, "loop": self.loop,
                "pinned": self.pinned}

    def runs(self, workload: Workload) -> bool:
        if workload.kind == "workers":  # qtls.prefork: qtls's own helper, no reference has it
            return self.name == "qtls"
        if self.family == "floor":
            return workload.kind == "cap"
        return self.family != "qtblocking" or workload.kind in ("bulk", "hs", "pingpong")


IMPLS = (
    Impl("PyQt6", "qt", prefix="PyQt6"),
    Impl("qtls", "qt", prefix="qtls"),
    Impl("qtls default", "qt", prefix="qtls", pinned=False),
    Impl("PyQt6 blocking", "qtblocking", prefix="PyQt6"),
    Impl("qtls blocking", "qtblocking", prefix="qtls"),
    Impl("asyncio", "aio", loop="asyncio"),
    Impl("qtls.aio", "qtlsaio", prefix="qtls", loop="asyncio"),
    Impl("uvloop", "aio", loop="uvloop"),
    Impl("floor", "floor", loop="asyncio"),
)

# The ratio columns: (numerator, denominator). The first is the one the targets use.
RATIOS = (
    ("qtls", "PyQt6"),
    ("qtls", "asyncio"),
    ("qtls", "uvloop"),
    ("qtls blocking", "PyQt6 blocking"),
    ("qtls default", "qtls"),
    # qtls.aio against the stdlib's streams on the same loop (target: >= 1).
    ("qtls.aio", "asyncio"),
    # How much of the stack's best qtls reaches, and the most any library on it could show
    # against PyQt6 (capacity rows only: the floor has no others).
    ("qtls", "floor"),
    ("floor", "PyQt6"),
)


def availability(impl: Impl) -> str | None:
    """None when ``impl`` can run here, else why not (the table says so and skips it)."""
    if impl.family == "floor":
        return None  # (pyOpenSSL and the stdlib: qtls's own dependencies)
    if impl.family == "qtlsaio":
        if importlib.util.find_spec("qtls.aio") is None:
            return "qtls.aio cannot be imported"
        return None
    if impl.family == "aio":
        if impl.loop == "uvloop" and importlib.util.find_spec("uvloop") is None:
            return "uvloop is not installed (pip install uvloop)"
        return None
    try:
        module = importlib.import_module(f"{impl.prefix}.QtNetwork")
    except ImportError as exc:
        return f"{impl.prefix}.QtNetwork cannot be imported ({exc})"
    missing = [name for name in ("QSslSocket", "QSslServer", "QTcpServer")
               if not hasattr(module, name)]
    if missing:
        return f"{impl.prefix}.QtNetwork has no {', '.join(missing)} yet"
    return None


def _mb_per_s(server: Result, client: Result) -> float:
    return server["bytes"] / server["seconds"] / 1e6


def _handshakes_per_s(server: Result, client: Result) -> float:
    return client["handshakes"] / client["seconds"]


def _handshakes_per_cpu_s(server: Result, client: Result) -> float:
    return server["handshakes"] / server["cpu"]


def _round_trips_per_s(server: Result, client: Result) -> float:
    return client["round_trips"] / client["seconds"]


def _cross_worker_resumed_pct(server: Result, client: Result) -> float:
    # Of the tickets offered to a worker other than the one that issued them, the share resumed.
    offered = sum(row["offered_other"] for row in client["served"].values())
    resumed = sum(row["resumed_other"] for row in client["served"].values())
    if not offered:
        raise ValueError("no ticket was offered to another worker")
    return 100.0 * resumed / offered


def _kib_per_connection(server: Result, client: Result) -> float:
    # RSS with every connection up, less RSS with the first one up, over the others.
    return (server["rss_all"] - server["rss_first"]) / max(1, server["connections"] - 1) / 1024


@dataclass(frozen=True)
class Workload:
    """One row of the table."""

    id: str
    title: str
    kind: str  # bulk | hs | cap | pingpong | mem | workers: what the workers run
    unit: str
    metric: Callable[[Result, Result], float]
    key: str = "ecdsa"
    resume: bool = False
    higher_is_better: bool = True
    target: float | None = None  # the target for qtls ÷ PyQt6
    params: dict[str, Any] = field(default_factory=dict)
    timeout: float = 60.0


def workloads(smoke: bool) -> list[Workload]:
    """Every workload, with the full sizes or the smoke sizes (seconds for the whole run)."""
    bulk = {"total": 2 * MIB if smoke else 1024 * MIB, "chunk": 64 * 1024}
    seq = {"count": 5 if smoke else 400}
    seq_rsa = {"count": 5 if smoke else 300}
    cap = {"count": 64 if smoke else 1000, "concurrency": 32}
    ping = {"count": 1, "size": 64, "round_trips": 200 if smoke else 10000}
    mem = {"count": 40 if smoke else 2000, "concurrency": 32, "settle": 0.2 if smoke else 1.0}
    short = 20.0 if smoke else 90.0
    rows = [Workload("bulk", "bulk, 1 GiB one way in 64 KiB writes" if not smoke else
                     "bulk, 2 MiB one way in 64 KiB writes", "bulk", "MB/s", _mb_per_s,
                     target=2.0, params=bulk, timeout=short if smoke else 180.0)]
    for resume in (False, True):
        for key in ("ecdsa", "rsa"):
            label = ("ECDSA P-256" if key == "ecdsa" else "RSA-2048") + (
                ", resumed" if resume else "")
            rows.append(Workload(
                f"hs-{key}{'-resumed' if resume else ''}",
                f"sequential handshakes, {label}", "hs", "conn/s", _handshakes_per_s,
                key=key, resume=resume, params=seq if key == "ecdsa" else seq_rsa,
                timeout=short))
    for resume in (False, True):
        for key in ("ecdsa", "rsa"):
            label = ("ECDSA P-256" if key == "ecdsa" else "RSA-2048") + (
                ", resumed" if resume else "")
            rows.append(Workload(
                f"cap-{key}{'-resumed' if resume else ''}",
                f"server capacity, 32 clients, {label}", "cap", "hs/CPU-s",
                _handshakes_per_cpu_s, key=key, resume=resume, target=2.0, params=cap,
                timeout=short))
    rows.append(Workload("pingpong", "ping-pong, 64-byte round trips, one connection",
                         "pingpong", "RT/s", _round_trips_per_s, target=1.0, params=ping,
                         timeout=short))
    rows.append(Workload("mem", f"server memory per idle TLS connection ({mem['count']})",
                         "mem", "KiB", _kib_per_connection, higher_is_better=False,
                         target=0.6, params=mem, timeout=short if smoke else 180.0))
    # Using every core (qtls.prefork.WorkerPool; bench/workers.py): wall-clock handshakes per
    # second with 1 and 2 worker processes, and the tickets that resume on another worker.
    pool = {"count": 64 if smoke else 2000, "concurrency": 32}
    # Full RSA-2048 handshakes: the server signs, the client only verifies, so the client
    # (on the same two cores) costs the least next to the server (see bench/README.md).
    for workers in (1, 2):
        rows.append(Workload(
            f"cap-workers-{workers}",
            f"server capacity, {workers} worker process{'es' if workers > 1 else ''} "
            "(qtls.prefork), 32 clients, RSA-2048", "workers", "hs/s", _handshakes_per_s,
            key="rsa", params=dict(pool, workers=workers), timeout=short))
    rows.append(Workload(
        "cap-workers-2-reuseport", "server capacity, 2 worker processes, a SO_REUSEPORT "
        "socket each, 32 clients, RSA-2048", "workers", "hs/s", _handshakes_per_s, key="rsa",
        params=dict(pool, workers=2, reuse_port=True), timeout=short))
    rows.append(Workload(
        "resume-workers-2", "tickets resumed by another worker than their issuer, 2 workers",
        "workers", "%", _cross_worker_resumed_pct, resume=True, params=dict(pool, workers=2),
        timeout=short))
    if smoke:
        # Every kind of workload, both key types and resumption, in few rows: the smoke run
        # checks that everything works, not how fast.
        keep = {"bulk", "hs-ecdsa", "hs-rsa-resumed", "cap-ecdsa-resumed", "cap-rsa",
                "pingpong", "mem", "cap-workers-1", "cap-workers-2",
                "cap-workers-2-reuseport", "resume-workers-2"}
        rows = [row for row in rows if row.id in keep]
    return rows


def probe_workload() -> Workload:
    """The wire probe's run: four sequential ECDSA handshakes, resuming when possible."""
    return Workload("probe", "negotiated parameters", "hs", "", _handshakes_per_s,
                    resume=True, params={"count": 4}, timeout=20.0)
