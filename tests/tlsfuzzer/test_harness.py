"""The tlsfuzzer harness itself, without tlsfuzzer: the servers answer as the scripts expect,
and the runner reads a script's summary."""

from __future__ import annotations

import os
import socket
import ssl
import subprocess
import sys
from pathlib import Path

import pytest
import trustme

from .runner import free_port, parse, table

SUMMARY = """sanity ...
OK
====================
version: 8
====================
TOTAL: 5
SKIP: 0
PASS: 3
XFAIL: 0
FAIL: 2
XPASS: 0
====================
FAILED:
\t'huge pad: 131584 of "0" byte padding'
\t'max pad'
"""


def test_parse_reads_counts_and_failed_probes() -> None:
    outcome = parse(SUMMARY)
    assert (outcome.passed, outcome.failed) == (3, 2)
    assert outcome.failed_probes == ['huge pad: 131584 of "0" byte padding', "max pad"]
    assert not outcome.note


def test_parse_notes_output_without_a_summary() -> None:
    outcome = parse("Traceback (most recent call last):\nConnectionRefusedError\n")
    assert outcome.note.startswith("no summary")


def test_table_lists_probes_failing_on_qtls_alone() -> None:
    qtls, bare = parse(SUMMARY), parse(SUMMARY.replace("\t'max pad'\n", ""))
    text = table({"test-x.py": {"qtls": qtls, "bare": bare}}, ("qtls", "bare"))
    assert "| test-x.py | 3 | 2 | 3 | 2 | max pad |" in text


@pytest.mark.parametrize("impl", ["qtls", "bare"])
def test_server_answers_a_request_then_closes(tmp_path: Path, impl: str) -> None:
    ca = trustme.CA()
    leaf = ca.issue_cert("localhost")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert.write_bytes(leaf.cert_chain_pems[0].bytes())
    key.write_bytes(leaf.private_key_pem.bytes())
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.tlsfuzzer.server", impl, "--port", str(port),
         "--cert", str(cert), "--key", str(key), "--lifetime", "20"],
        stdout=subprocess.PIPE, env=dict(os.environ, QT_QPA_PLATFORM="offscreen"))
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == b"ready"
        ctx = ssl.create_default_context()
        ca.configure_trust(ctx)
        reply = b""
        with socket.create_connection(("127.0.0.1", port), timeout=10) as raw, \
                ctx.wrap_socket(raw, server_hostname="localhost") as tls:
            tls.sendall(b"GET / HTTP/1.0\n\n")
            while chunk := tls.recv(4096):  # ends at the server's close_notify
                reply += chunk
        assert reply.startswith(b"HTTP/1.0 200 OK\r\n")
    finally:
        proc.kill()
        proc.wait(timeout=10)
