"""Run a set of tlsfuzzer scripts against qtls's QSslServer and a bare pyOpenSSL server.

``python -m tests.tlsfuzzer.runner --tlsfuzzer /path/to/tlsfuzzer [--python PY] [--out FILE]``

tlsfuzzer is a tool fetched when needed, never part of qtls: its checkout (the ``scripts/`` and
``tlsfuzzer/`` folders) and a Python that has ``tlslite-ng`` and ``ecdsa`` are given on the
command line (``make conformance-tlsfuzzer`` says how to get both). The runner makes one RSA
certificate, starts the servers of :mod:`tests.tlsfuzzer.server` on free 127.0.0.1 ports, runs
every script of :data:`SCRIPTS` against each (both at once, one script at a time per server,
each bounded by a timeout), and prints a Markdown table: probes passed and failed per script
and server, with the names of the probes that fail on qtls alone.

Exit status: 0 when no script fails more probes on qtls than on the bare server, 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import trustme

# (script, extra arguments). TLS 1.2 scripts get -d where they take it: their default
# ClientHello offers only SHA-1 signatures, which OpenSSL's default security level refuses.
# (test-lengths and test-tls13-lengths are left out: they want an echo server, and run 16,384
# probes.)
TLS12 = "-d"
# Every probe, not a random sample, so that both servers see the same ones.
COMMON_ARGUMENTS = ("-n", "0")
SCRIPTS: list[tuple[str, tuple[str, ...]]] = [
    # TLS 1.3
    ("test-tls13-conversation.py", ()),
    ("test-tls13-ccs.py", ()),
    ("test-tls13-multiple-ccs-messages.py", ()),
    ("test-tls13-empty-alert.py", ()),
    ("test-tls13-unencrypted-alert.py", ()),
    ("test-tls13-finished.py", ()),
    ("test-tls13-finished-plaintext.py", ()),
    ("test-tls13-hrr.py", ()),
    ("test-tls13-keyshare-omitted.py", ()),
    ("test-tls13-invalid-ciphers.py", ()),
    ("test-tls13-nociphers.py", ()),
    ("test-tls13-keyupdate.py", ()),
    ("test-tls13-legacy-version.py", ()),
    ("test-tls13-version-negotiation.py", ()),
    ("test-tls13-record-layer-limits.py", ()),
    ("test-tls13-record-padding.py", ()),
    ("test-tls13-zero-content-type.py", ()),
    ("test-tls13-zero-length-data.py", ()),
    ("test-tls13-shuffled-extentions.py", ()),
    ("test-tls13-large-number-of-extensions.py", ()),
    ("test-tls13-signature-algorithms.py", ()),
    ("test-tls13-session-resumption.py", ()),
    ("test-tls13-count-tickets.py", ()),
    ("test-tls13-0rtt-garbage.py", ()),
    ("test-tls13-connection-abort.py", ()),
    # TLS 1.2
    ("test-conversation.py", (TLS12,)),
    ("test-invalid-client-hello.py", ()),
    ("test-invalid-client-hello-w-record-overflow.py", (TLS12,)),
    ("test-truncating-of-client-hello.py", (TLS12,)),
    ("test-large-hello.py", (TLS12,)),
    ("test-client-hello-max-size.py", (TLS12,)),
    ("test-record-layer-fragmentation.py", (TLS12,)),
    ("test-zero-length-data.py", (TLS12,)),
    ("test-invalid-content-type.py", (TLS12,)),
    ("test-ssl-death-alert.py", (TLS12,)),
    ("test-connection-abort.py", (TLS12,)),
    ("test-message-duplication.py", ()),
    ("test-invalid-version.py", ()),
    ("test-empty-extensions.py", ()),
    ("test-invalid-compression-methods.py", (TLS12,)),
    ("test-invalid-cipher-suites.py", ()),
    ("test-truncating-of-finished.py", ()),
    ("test-fallback-scsv.py", (TLS12,)),
    ("test-renegotiation-disabled.py", (TLS12,)),
    ("test-ccs.py", (TLS12,)),
    ("test-sessionID-resumption.py", (TLS12,)),
    ("test-session-ticket-resumption.py", (TLS12,)),
    ("test-ecdhe-rsa-key-exchange-with-bad-messages.py", ()),
    ("test-version-numbers.py", (TLS12,)),
    ("test-hello-request-by-client.py", (TLS12,)),
    ("test-cve-2016-6309.py", ()),
    ("test-atypical-padding.py", (TLS12,)),
    ("test-extensions.py", ()),
    ("test-no-heartbeat.py", (TLS12,)),
    ("test-encrypt-then-mac.py", (TLS12,)),
    ("test-extended-master-secret-extension.py", (TLS12,)),
    ("test-x25519.py", ()),
    ("test-tls13-ecdhe-curves.py", ()),
    ("test-tls13-symetric-ciphers.py", ()),
    ("test-tls13-rsapss-signatures.py", ()),
]

SCRIPT_TIMEOUT_S = 600.0
SERVERS = ("qtls", "bare")  # and "pyqt6" with --pyqt6


@dataclass
class Outcome:
    """What one script reported against one server."""

    passed: int = 0
    failed: int = 0
    failed_probes: list[str] = field(default_factory=list)
    seconds: float = 0.0
    note: str = ""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def parse(output: str) -> Outcome:
    """Read a script's summary (``PASS: n``, ``FAIL: n``, ``FAILED:`` and the probe names)."""
    outcome = Outcome()
    passed = re.search(r"^PASS: (\d+)", output, re.M)
    failed = re.search(r"^FAIL: (\d+)", output, re.M)
    if passed is None or failed is None:
        outcome.note = "no summary: " + " ".join(output.strip().splitlines()[-3:])[:200]
        return outcome
    outcome.passed, outcome.failed = int(passed.group(1)), int(failed.group(1))
    listing = re.search(r"^FAILED:\n((?:\t.*\n?)*)", output, re.M)
    if listing:
        outcome.failed_probes = [line.strip().strip("'\"") for line in
                                 listing.group(1).splitlines() if line.strip()]
    return outcome


class Server:
    """One server process of :mod:`tests.tlsfuzzer.server`, restarted if it died."""

    def __init__(self, impl: str, cert: str, key: str, extra: tuple[str, ...] = ()) -> None:
        self.impl, self.cert, self.key, self.extra = impl, cert, key, extra
        self.port = 0
        self.proc: subprocess.Popen[bytes] | None = None
        self.restarts = -1

    def ensure(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            return
        self.restarts += 1
        self.port = free_port()
        env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.tlsfuzzer.server", self.impl, "--port", str(self.port),
             "--cert", self.cert, "--key", self.key, "--lifetime", "7200", *self.extra],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env)
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if b"ready" not in line:
            raise RuntimeError(f"{self.impl} server did not start: {line!r}")
        # Keep draining its output so that a chatty server never blocks on a full pipe.
        threading.Thread(target=self.proc.stdout.read, daemon=True).start()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)


def run_script(python: str, tlsfuzzer: Path, script: str, args: tuple[str, ...],
               server: Server) -> Outcome:
    server.ensure()
    command = [python, str(tlsfuzzer / "scripts" / script), "-h", "127.0.0.1",
               "-p", str(server.port), *COMMON_ARGUMENTS, *args]
    started = time.monotonic()
    try:
        done = subprocess.run(command, cwd=tlsfuzzer, capture_output=True,
                              timeout=SCRIPT_TIMEOUT_S, check=False)
        outcome = parse(done.stdout.decode("utf-8", "replace"))
        if outcome.note:
            outcome.note += " " + done.stderr.decode("utf-8", "replace").strip()[-200:]
    except subprocess.TimeoutExpired:
        outcome = Outcome(note=f"timed out after {SCRIPT_TIMEOUT_S:.0f} s")
    except OSError as exc:
        outcome = Outcome(note=f"could not run: {exc}")
    outcome.seconds = time.monotonic() - started
    if server.proc is not None and server.proc.poll() is not None:
        outcome.note += f" server exited ({server.proc.returncode})"
    return outcome


def table(results: dict[str, dict[str, Outcome]], servers: tuple[str, ...]) -> str:
    head = " | ".join(f"{impl} pass | {impl} fail" for impl in servers)
    lines = [f"| script | {head} | failing on qtls alone |",
             "|---" * (2 + 2 * len(servers)) + "|"]
    for script, by_server in results.items():
        q, b = by_server["qtls"], by_server["bare"]
        alone = sorted(set(q.failed_probes) - set(b.failed_probes))
        notes = "; ".join(f"{name}: {o.note}" for name, o in by_server.items() if o.note)
        extra = ", ".join(alone) + (f" ({notes})" if notes else "")
        cells = " | ".join(f"{by_server[i].passed} | {by_server[i].failed}" for i in servers)
        lines.append(f"| {script} | {cells} | {extra} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tlsfuzzer", required=True, type=Path,
                        help="a tlsfuzzer checkout (with scripts/ and tlsfuzzer/)")
    parser.add_argument("--python", default=sys.executable,
                        help="a Python with tlslite-ng and ecdsa installed")
    parser.add_argument("--out", type=Path, help="also write the results as JSON here")
    parser.add_argument("--pyqt6", action="store_true",
                        help="also run PyQt6's QSslServer (Qt's own behaviour) as a third column")
    parser.add_argument("--bare-timeout", type=float, default=5.0,
                        help="seconds the bare server's reads wait (default: QSslServer's "
                             "handshake timeout; 0: forever, as openssl s_server)")
    parser.add_argument("scripts", nargs="*", help="only these scripts (default: all of SCRIPTS)")
    args = parser.parse_args(argv)
    # The scripts run in the checkout's folder: a relative path would no longer point at the
    # Python (abspath, not resolve: a venv's python must keep its own path).
    args.python = os.path.abspath(args.python)
    if not os.access(args.python, os.X_OK):
        parser.error(f"no Python at {args.python}")
    chosen = [(s, a) for s, a in SCRIPTS if not args.scripts or s in args.scripts]
    with tempfile.TemporaryDirectory() as tmp:
        ca = trustme.CA(key_type=trustme.KeyType.RSA)
        leaf = ca.issue_cert("localhost", "127.0.0.1", key_type=trustme.KeyType.RSA)
        cert, key = Path(tmp, "cert.pem"), Path(tmp, "key.pem")
        cert.write_bytes(leaf.cert_chain_pems[0].bytes())
        key.write_bytes(leaf.private_key_pem.bytes())
        names = (*SERVERS, "pyqt6") if args.pyqt6 else SERVERS
        extra = {"bare": ("--timeout", str(args.bare_timeout))}
        servers = {impl: Server(impl, str(cert), str(key), extra.get(impl, ())) for impl in names}
        results: dict[str, dict[str, Outcome]] = {s: {} for s, _ in chosen}

        def worker(impl: str) -> None:
            for script, extra in chosen:
                outcome = run_script(args.python, args.tlsfuzzer, script, extra, servers[impl])
                results[script][impl] = outcome
                print(f"{impl:5} {script}: {outcome.passed} passed, {outcome.failed} failed"
                      f" ({outcome.seconds:.0f} s) {outcome.note}", flush=True)

        threads = [threading.Thread(target=worker, args=(impl,)) for impl in names]
        try:
            for t in threads:
                t.start()
            for t in threads:
                t.join()
        finally:
            for server in servers.values():
                server.stop()
    print(table(results, names))
    if args.out:
        args.out.write_text(json.dumps(
            {s: {i: asdict(o) for i, o in r.items()} for s, r in results.items()}, indent=1))
    worse = [s for s, r in results.items() if r["qtls"].failed > r["bare"].failed
             or r["qtls"].note and not r["bare"].note]
    print(f"scripts where qtls fails more probes than the bare server: {len(worse)}"
          + (f" ({', '.join(worse)})" if worse else ""))
    return 1 if worse else 0


if __name__ == "__main__":
    sys.exit(main())
