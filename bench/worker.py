"""One side (server or client) of one measurement, in its own process.

``python -m bench.worker SPEC_JSON`` (the spec: role, cpu, timeout, implementation, workload,
sizes, certificates). The process pins itself to ``cpu``, raises its descriptor limit, arms a
hard ``SIGALRM`` deadline (so it ends even if a loop is stuck), imports the implementation and
runs its side. A server prints ``READY <port>`` once listening; a client reads the port from
its stdin (so it imports while the server starts); both end with ``RESULT <json>`` or
``ERROR <message>``. The runner reads nothing else from stdout.
"""

from __future__ import annotations

import importlib
import json
import os
import resource
import signal
import sys
import traceback
from typing import Any


def _pin(cpu: int | None) -> None:
    if cpu is not None and hasattr(os, "sched_setaffinity"):
        try:
            os.sched_setaffinity(0, {cpu})
        except OSError:
            pass  # fewer cores than asked: the runner reports pinning as off


def _raise_fd_limit() -> None:
    # The memory workload holds 2,000 connections per side: lift the soft limit to the hard one.
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or hard > soft:
        target = 65536 if hard == resource.RLIM_INFINITY else hard
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))


def _say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def _runner(spec: dict[str, Any]) -> Any:
    """The module that implements ``spec``'s family: run_server(spec, ready), run_client(spec)."""
    modules = {"qt": "bench.qtstyle", "qtblocking": "bench.qtblocking", "aio": "bench.aio",
               "qtlsaio": "bench.qtlsaio", "floor": "bench.floor"}
    if spec["workload"] == "workers":
        return importlib.import_module("bench.workers")  # (a pool of qtls servers)
    family = spec["family"]
    if family not in modules:
        raise ValueError(f"unknown implementation family {family!r}")
    return importlib.import_module(modules[family])


def _prepare(spec: dict[str, Any]) -> Any:
    """Import the implementation now, before the port is known, so that start-up time is
    never inside a measurement."""
    module = _runner(spec)
    if spec["workload"] == "workers":
        import qtls.prefork  # noqa: F401  (no QCoreApplication: the pool forks)
    elif spec["family"] in ("qt", "qtblocking", "qtlsaio"):
        from bench.qtcommon import QtModules

        QtModules(spec["prefix"] or "qtls")
    elif spec.get("loop") == "uvloop":
        import uvloop  # noqa: F401
    return module


def _profiled(spec: dict[str, Any], function: Any, *args: Any) -> Any:
    """Call ``function(*args)``, under cProfile when ``BENCH_PROFILE`` names a directory
    (``python -m bench --profile DIR``): one ``<impl>-<workload>-<role>.prof`` per process."""
    directory = os.environ.get("BENCH_PROFILE")
    if not directory:
        return function(*args)
    import cProfile

    profiler = cProfile.Profile()
    try:
        return profiler.runcall(function, *args)
    finally:
        name = "-".join(str(spec.get(k) or "") for k in ("prefix", "loop", "family", "workload",
                                                           "key", "role"))
        if spec.get("resume"):
            name += "-resumed"
        profiler.dump_stats(os.path.join(directory, name.replace("--", "-") + ".prof"))


def _run(spec: dict[str, Any]) -> bool:
    """Run the measurement; prints its RESULT or ERROR line; True when it succeeded."""
    try:
        module = _prepare(spec)
        if spec["role"] == "server":
            result = _profiled(spec, module.run_server, spec,
                               lambda port: _say(f"READY {port}"))
        else:
            line = sys.stdin.readline()
            if not line:
                return False  # the runner gave up (the server never listened)
            spec = dict(spec, port=int(line))
            result = _profiled(spec, module.run_client, spec)
    except Exception as exc:  # reported to the runner, which records the failure
        traceback.print_exc(file=sys.stderr)
        _say(f"ERROR {type(exc).__name__}: {exc}".replace("\n", " "))
        return False
    _say("RESULT " + json.dumps(result))
    return True


def main(argv: list[str] | None = None) -> int:
    """Run the measurement side described by ``SPEC_JSON``."""
    args = sys.argv[1:] if argv is None else argv
    spec: dict[str, Any] = json.loads(args[0])
    # The hard backstop: SIGALRM's default action ends the process.
    signal.alarm(int(spec["timeout"]) + 10)
    _pin(spec.get("cpu"))
    _raise_fd_limit()
    return 0 if _run(spec) else 1


if __name__ == "__main__":
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    # Skip interpreter teardown: destroying thousands of sockets and a Qt application on the way
    # out is slow and not part of any measurement.
    os._exit(code)
