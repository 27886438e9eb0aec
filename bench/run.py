"""The runner: ``python -m bench [--smoke] [--reps N] [--impls ...] [--workloads ...]``.

One invocation measures every available implementation on every workload. The order is
interleaved: repetition after repetition, each workload runs once per implementation (the
implementation order rotates between repetitions), so slow drift of the machine hits every
column alike. A (workload, implementation) pair that fails once is not retried: its cell says
why, and the run goes on.

Before measuring, the wire probe runs each implementation once through a relay to record the
negotiated protocol, cipher suite, group and whether sessions resume.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import ssl
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from bench.certs import KEY_TYPES, write_certificates
from bench.plan import IMPLS, Impl, Workload, availability, probe_workload, workloads
from bench.ports import PortBlocks
from bench.probe import Relay, summarize
from bench.procs import ROOT, Measurement, Outcome, pinning_available, run_measurement
from bench.report import Results, fmt, sessions_table, table, workers_summary

RESULTS_DIR = ROOT / "bench" / "results"

# OpenSSL configuration for the stdlib-ssl workers: Python 3.11 has no API for TLS 1.3 cipher
# suites, so the pinned suite (and group) come from the configuration's system_default section.
OPENSSL_PINNED_CONF = """\
openssl_conf = openssl_init
[openssl_init]
ssl_conf = ssl_sect
[ssl_sect]
system_default = system_default_sect
[system_default_sect]
Ciphersuites = TLS_AES_256_GCM_SHA384
Groups = X25519
"""


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--smoke", action="store_true",
                        help="every workload with tiny sizes, one repetition (seconds)")
    parser.add_argument("--reps", type=int, default=None,
                        help="repetitions per workload and implementation (default 3; smoke 1)")
    parser.add_argument("--impls", default="",
                        help="comma-separated implementation names (default: all)")
    parser.add_argument("--workloads", default="",
                        help="comma-separated workload ids or kinds, e.g. bulk,hs,mem")
    parser.add_argument("--jobs", type=int, default=None,
                        help="measurements at once (default 1; smoke 2, unpinned)")
    parser.add_argument("--profile", type=Path, default=None,
                        help="write a cProfile file per worker process into this directory "
                             "(the numbers are then slower than without)")
    parser.add_argument("--no-probe", action="store_true", help="skip the wire probe")
    parser.add_argument("--output", type=Path, default=RESULTS_DIR / "latest.md",
                        help="where to write the Markdown report (default bench/results/latest.md)")
    return parser.parse_args(argv)


def _select_impls(names: str) -> list[Impl]:
    if not names:
        return list(IMPLS)
    wanted = [name.strip() for name in names.split(",") if name.strip()]
    known = {impl.name: impl for impl in IMPLS}
    unknown = [name for name in wanted if name not in known]
    if unknown:
        raise SystemExit(f"unknown implementation(s) {unknown}; known: {list(known)}")
    return [known[name] for name in wanted]


def _select_workloads(rows: list[Workload], names: str) -> list[Workload]:
    if not names:
        return rows
    wanted = {name.strip() for name in names.split(",") if name.strip()}
    chosen = [row for row in rows if row.id in wanted or row.kind in wanted]
    if not chosen:
        raise SystemExit(f"no workload matches {sorted(wanted)}; ids: {[r.id for r in rows]}")
    return chosen


class Runner:
    """Runs the plan and collects :class:`Results`."""

    def __init__(self, impls: list[Impl], certs: dict[str, dict[str, str]],
                 conf_path: Path, pin: bool) -> None:
        self.impls = impls
        self.certs = certs
        self.pin = pin
        self.results = Results()
        self.base_env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
        self.pinned_aio_env = dict(self.base_env, OPENSSL_CONF=str(conf_path))
        self.ports = PortBlocks()

    def _env(self, impl: Impl) -> dict[str, str]:
        # (The floor's client is the asyncio column's, pinned the same way.)
        pinned_aio = impl.family in ("aio", "floor") and impl.pinned
        return self.pinned_aio_env if pinned_aio else self.base_env

    def _spec(self, impl: Impl, workload: Workload) -> dict[str, Any]:
        return dict(impl.spec(), workload=workload.kind, key=workload.key,
                    resume=workload.resume, certs=self.certs[workload.key],
                    params=workload.params)

    def measurement(self, impl: Impl, workload: Workload, relay: Any = None) -> Measurement:
        spec = self._spec(impl, workload)
        return Measurement(dict(spec, ports=self.ports.next()), spec, workload.timeout, relay)

    def record(self, impl: Impl, workload: Workload, outcome: Outcome) -> str:
        """Store one outcome; returns the message for the progress line."""
        key = (workload.id, impl.name)
        if outcome.error is not None or outcome.server is None or outcome.client is None:
            self.results.errors[key] = outcome.error or "no result"
            return f"FAILED: {self.results.errors[key]}"
        try:
            value = workload.metric(outcome.server, outcome.client)
        except (KeyError, ZeroDivisionError, TypeError) as exc:
            self.results.errors[key] = f"bad result {exc!r}"
            return f"FAILED: bad result {exc!r}"
        self.results.values.setdefault(key, []).append(value)
        if workload.kind == "workers":
            self.results.raw.setdefault(key, []).append((outcome.server, outcome.client))
        return f"{fmt(value)} {workload.unit}"

    def run(self, impl: Impl, workload: Workload, label: str) -> None:
        """Measure ``workload`` on ``impl`` in a fresh pair of processes; print one line."""
        t0 = time.monotonic()
        outcome = run_measurement(self.measurement(impl, workload), env=self._env(impl),
                                  pin=self.pin)
        message = self.record(impl, workload, outcome)
        print(f"{label} {workload.id:18} {impl.name:15} {message}  "
              f"({time.monotonic() - t0:.1f} s)", flush=True)

    def probe(self, impl: Impl) -> str:
        """Run the wire probe for ``impl`` and record what was negotiated."""
        relays: list[Relay] = []

        def interpose(port: int) -> int:
            relays.append(Relay(port))
            return relays[-1].port

        try:
            outcome = run_measurement(self.measurement(impl, probe_workload(), interpose),
                                      env=self._env(impl), pin=self.pin)
        finally:
            for relay in relays:
                relay.close()
        session = summarize(relays[0].hellos if relays else [])
        reported = (outcome.client or {}).get("session") or {}
        session["reported"] = (" / ".join(f"{v}" for v in reported.values())
                               if reported else (outcome.error or "?"))
        self.results.sessions[impl.name] = session
        return (f"{session['protocol']} {session['cipher']} {session['group']}, "
                f"resumed {session['resumed']}")


def _qtls_revision() -> str:
    """The commit qtls was measured at, and whether its files had uncommitted changes."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                              capture_output=True, text=True, timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "qtls"], cwd=ROOT,
                               capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "(revision unknown)"
    if not head:
        return "(revision unknown)"
    return f"at {head}" + (" + uncommitted changes" if dirty else "")


def _header(args: argparse.Namespace, impls: list[Impl], reps: int, pin: bool) -> str:
    versions = [f"Python {platform.python_version()}", f"stdlib ssl: {ssl.OPENSSL_VERSION}"]
    try:
        from OpenSSL import SSL

        versions.append("qtls (pyOpenSSL): " + SSL.OpenSSL_version(SSL.OPENSSL_VERSION).decode())
    except ImportError:
        pass
    versions.append(f"qtls {_qtls_revision()}")
    try:
        # Qt warns about a null connect while it probes the OpenSSL backend: noise here.
        os.environ.setdefault("QT_LOGGING_RULES", "qt.core.qobject.connect=false")
        from PyQt6.QtCore import PYQT_VERSION_STR, QT_VERSION_STR
        from PyQt6.QtNetwork import QSslSocket

        versions.append(f"PyQt6 {PYQT_VERSION_STR} (Qt {QT_VERSION_STR}): "
                        f"{QSslSocket.sslLibraryVersionString()}")
    except ImportError:
        pass
    try:
        import uvloop

        versions.append(f"uvloop {uvloop.__version__}")
    except ImportError:
        pass
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    when = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    mode = "smoke (tiny sizes; numbers mean nothing)" if args.smoke else "full"
    return "\n".join([
        f"# qtls benchmark — {mode}",
        "",
        f"{when}; {os.cpu_count()} CPUs ({cpu}); server and client processes "
        + ("pinned to CPU 0 and CPU 1" if pin else "NOT pinned")
        + f"; 127.0.0.1; TLS 1.3; {reps} repetition(s), interleaved; "
        "median (min–max).",
        "",
        "; ".join(versions) + ".",
        "",
        "Pinned for all except *qtls default*: group X25519, cipher TLS_AES_256_GCM_SHA384.",
    ])


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    reps = args.reps if args.reps is not None else (1 if args.smoke else 3)
    rows = _select_workloads(workloads(args.smoke), args.workloads)
    impls = []
    results_unavailable: dict[str, str] = {}
    for impl in _select_impls(args.impls):
        reason = availability(impl)
        if reason is None:
            impls.append(impl)
        else:
            results_unavailable[impl.name] = reason
            print(f"skipping {impl.name}: {reason}", flush=True)
    if not impls:
        print("no implementation available", file=sys.stderr)
        return 2
    jobs = max(1, args.jobs if args.jobs is not None else (2 if args.smoke else 1))
    pin = pinning_available() and jobs == 1
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="qtls-bench-") as scratch:
        directory = Path(scratch)
        certs = {key: write_certificates(directory, key) for key in KEY_TYPES}
        conf_path = directory / "openssl-pinned.cnf"
        conf_path.write_text(OPENSSL_PINNED_CONF)
        runner = Runner(impls, certs, conf_path, pin)
        if args.profile is not None:
            args.profile.mkdir(parents=True, exist_ok=True)
            for env in (runner.base_env, runner.pinned_aio_env):
                env["BENCH_PROFILE"] = str(args.profile.resolve())
        runner.results.unavailable = results_unavailable
        plan = [(rep, workload, impl)
                for rep in range(reps) for workload in rows
                for impl in impls[rep % len(impls):] + impls[:rep % len(impls)]
                if impl.runs(workload)]

        def probe(impl: Impl) -> None:
            print(f"probe  {impl.name:15} {runner.probe(impl)}", flush=True)

        def measure(index: int) -> None:
            rep, workload, impl = plan[index]
            if (workload.id, impl.name) in runner.results.errors:
                return  # failed before: one timeout per pair is enough
            runner.run(impl, workload, f"[{index + 1:3}/{len(plan)}] rep {rep + 1}")

        # A measurement has the machine to itself; only the smoke run (whose numbers mean
        # nothing) runs two unpinned pairs at once, to finish in seconds.
        with ThreadPoolExecutor(max_workers=jobs) as pool:
            if not args.no_probe:
                list(pool.map(probe, impls))
            list(pool.map(measure, range(len(plan))))
    elapsed = time.monotonic() - started
    report = "\n\n".join([
        _header(args, impls, reps, pin),
        table(runner.results, impls, rows),
        *([summary] if (summary := workers_summary(runner.results)) else []),
        "Negotiated (read off the wire by the probe; *reported* is the implementation's own "
        "API: protocol / cipher):",
        sessions_table(runner.results, impls),
        *([("Not run: " + "; ".join(f"{k}: {v}" for k, v in results_unavailable.items()))]
          if results_unavailable else []),
        f"Total time {elapsed:.0f} s.",
    ]) + "\n"
    print()
    print(report)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(report)
    args.output.with_suffix(".json").write_text(json.dumps({
        "values": {f"{w}|{i}": v for (w, i), v in runner.results.values.items()},
        "errors": {f"{w}|{i}": v for (w, i), v in runner.results.errors.items()},
        "sessions": runner.results.sessions,
        "unavailable": results_unavailable,
    }, indent=1))
    print(f"written to {args.output}")
    return 0
