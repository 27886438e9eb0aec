"""qtls serve against openssl s_client, the stdlib and qtls connect: echo, HTTP, mutual TLS,
a throwaway CA a client can trust, and a server that stops by itself."""

from __future__ import annotations

import json
import os
import signal
import socket
import ssl
import sys
import time
from pathlib import Path

import pytest

from tests.cli.helpers import OPENSSL, Pki, Processes, needs_openssl, qtls


def _tls_client(ca: str, port: int, cert: tuple[str, str] | None = None) -> ssl.SSLSocket:
    context = ssl.create_default_context(cafile=ca)
    if cert:
        context.load_cert_chain(*cert)
    raw = socket.create_connection(("127.0.0.1", port), timeout=10)
    return context.wrap_socket(raw, server_hostname="localhost")


def _read_all(sock: ssl.SSLSocket) -> bytes:
    data = b""
    while chunk := sock.recv(65536):
        data += chunk
    return data


def test_the_throwaway_ca_written_out_lets_qtls_connect_verify(processes: Processes,
                                                               tmp_path: Path) -> None:
    ca = tmp_path / "ca.pem"
    server, port = processes.qtls_serve("--write-ca", str(ca), "--alpn", "h2,http/1.1",
                                        "--max-clients", "1")
    done = qtls("connect", f"localhost:{port}", "--cafile", str(ca), "--alpn", "h2", "--json",
                "--timeout", "5")
    doc = json.loads(done.stdout)
    assert done.returncode == 0 and doc["verified"] and doc["session"]["alpn"] == "h2"
    server.wait_for(r"client 1 .*encrypted TlsV1_3, .*ALPN h2, no client certificate")
    assert server.finish() == 0  # --max-clients 1: it stops by itself


def test_echo_to_a_stdlib_client_by_ip_address(processes: Processes, tmp_path: Path) -> None:
    ca = tmp_path / "ca.pem"
    _, port = processes.qtls_serve("--write-ca", str(ca))
    context = ssl.create_default_context(cafile=str(ca))
    with context.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=10),
                             server_hostname="127.0.0.1") as tls:
        tls.sendall(b"ping over TLS\n")
        assert tls.recv(100) == b"ping over TLS\n"


def test_http_mode_answers_a_request_and_closes(processes: Processes, tmp_path: Path) -> None:
    ca = tmp_path / "ca.pem"
    server, port = processes.qtls_serve("--write-ca", str(ca), "--http")
    with _tls_client(str(ca), port) as tls:
        tls.sendall(b"GET /hello HTTP/1.1\r\nHost: localhost\r\n\r\n")
        reply = _read_all(tls)
    head, _, body = reply.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200 OK")
    assert b"hello from qtls serve" in body and b"protocol: TlsV1_3" in body
    server.wait_for(r"GET /hello HTTP/1.1")


def test_mutual_tls_with_a_client_certificate_from_the_throwaway_ca(processes: Processes,
                                                                    tmp_path: Path) -> None:
    ca, cert, key = (str(tmp_path / n) for n in ("ca.pem", "client.pem", "client.key"))
    server, port = processes.qtls_serve("--write-ca", ca, "--write-client-cert", cert,
                                        "--write-client-key", key, "--verify-client",
                                        "--max-clients", "2")
    done = qtls("connect", f"localhost:{port}", "--cafile", ca, "--cert", cert, "--key", key,
                "--timeout", "5")
    assert done.returncode == 0, done.stdout
    server.wait_for(r"client 1 .*encrypted .*CN=qtls client")
    refused = qtls("connect", f"localhost:{port}", "--cafile", ca, "--timeout", "5")
    assert refused.returncode == 1
    assert "refused by the peer after the handshake" in refused.stdout
    server.wait_for(r"client 2 .*NoPeerCertificate")
    assert server.finish() == 0


@needs_openssl
def test_serving_a_given_rsa_certificate_to_openssl_s_client(processes: Processes,
                                                              tmp_path: Path) -> None:
    import trustme

    from tests.cli.helpers import make_pki

    pki = make_pki(tmp_path, key_type=trustme.KeyType.RSA)
    server, port = processes.qtls_serve("--cert", pki.path("server.pem"), "--key",
                                        pki.path("server.key"), "--protocol", "1.2",
                                        "--max-clients", "1")
    assert OPENSSL is not None
    client = processes.start([OPENSSL, "s_client", "-connect", f"127.0.0.1:{port}",
                              "-CAfile", pki.path("ca.pem"), "-verify_return_error",
                              "-servername", "localhost", "-no_ign_eof"],
                             stdin=None)
    assert client.finish() == 0 or "Verify return code: 0 (ok)" in client.output
    client.wait_for(r"Verify return code: 0 \(ok\)")
    client.wait_for(r"Protocol *: TLSv1.2")
    server.wait_for(r"client 1 .*encrypted TlsV1_2, ECDHE-RSA-")


def test_a_busy_port_is_one_line_and_status_1(processes: Processes) -> None:
    _, port = processes.qtls_serve()
    done = qtls("serve", "--port", str(port))
    assert done.returncode == 1
    assert done.stderr.startswith(f"qtls serve: cannot listen on 127.0.0.1:{port}")


def test_duration_stops_the_server(processes: Processes) -> None:
    server = processes.start([sys.executable, "-m", "qtls", "serve", "--port", "0",
                              "--duration", "0.5"])
    assert server.finish() == 0
    server.wait_for(r"time is up")


def test_write_ca_with_a_given_certificate_is_refused(pki: Pki) -> None:
    done = qtls("serve", "--cert", pki.path("server.pem"), "--key", pki.path("server.key"),
                "--write-ca", pki.path("x.pem"))
    assert done.returncode == 2 and "throwaway CA" in done.stderr


def test_workers_share_one_port_and_stop_together(processes: Processes, tmp_path: Path) -> None:
    ca = tmp_path / "ca.pem"
    server, port = processes.qtls_serve("--write-ca", str(ca), "--workers", "2",
                                        "--duration", "20")
    pids = [int(server.wait_for(rf"worker {n} \(pid (\d+)\) serving").group(1))
            for n in (1, 2)]
    for _ in range(6):
        with _tls_client(str(ca), port) as tls:
            tls.sendall(b"to any worker\n")
            assert tls.recv(100) == b"to any worker\n"
    # Every client was handled by one worker or the other (which one is the kernel's choice).
    deadline = time.monotonic() + 10
    while server.output.count(": disconnected") < 6 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.output.count(": disconnected") == 6
    assert server.output.count("worker 1: client") + server.output.count("worker 2: client") > 0
    server.proc.send_signal(signal.SIGTERM)  # the parent passes it on to the workers
    assert server.finish() == 0
    for pid in pids:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)


def test_workers_validate_before_forking() -> None:
    done = qtls("serve", "--workers", "0")
    assert done.returncode == 2 and "--workers must be 1 or more" in done.stderr


def test_a_session_resumes_whichever_worker_a_client_reaches(processes: Processes,
                                                              tmp_path: Path) -> None:
    # The workers share the TLS context made before the fork, so their session-ticket keys.
    ca = tmp_path / "ca.pem"
    server, port = processes.qtls_serve("--write-ca", str(ca), "--workers", "2",
                                        "--duration", "20")
    for n in (1, 2):
        server.wait_for(rf"worker {n} \(pid (\d+)\) serving")
    context = ssl.create_default_context(cafile=str(ca))
    session = None
    resumed = []
    for _ in range(12):
        raw = socket.create_connection(("127.0.0.1", port), timeout=10)
        with context.wrap_socket(raw, server_hostname="localhost", session=session) as tls:
            tls.sendall(b"again\n")
            assert tls.recv(100) == b"again\n"  # (the TLS 1.3 ticket came before the echo)
            resumed.append(tls.session_reused)
            session = tls.session
    deadline = time.monotonic() + 10
    while server.output.count(": disconnected") < 12 and time.monotonic() < deadline:
        time.sleep(0.05)
    served = {n for n in (1, 2) if f"worker {n}: client" in server.output}
    assert resumed[0] is False and all(resumed[1:]), resumed
    assert served == {1, 2}, "the kernel gave every client to one worker; nothing was shown"
    server.proc.send_signal(signal.SIGTERM)
    assert server.finish() == 0


def test_reuse_port_workers_each_serve_and_a_killed_one_is_restarted(processes: Processes,
                                                                     tmp_path: Path) -> None:
    ca = tmp_path / "ca.pem"
    server, port = processes.qtls_serve("--write-ca", str(ca), "--workers", "2",
                                        "--reuse-port", "--duration", "30")
    first = int(server.wait_for(r"worker 1 \(pid (\d+)\) serving").group(1))
    os.kill(first, signal.SIGKILL)
    server.wait_for(rf"qtls serve: worker 1 \(pid {first}\) was killed by SIGKILL .*restarting")
    server.wait_for(rf"worker 1 \(pid (?!{first}\))\d+\) serving")
    for _ in range(6):  # (connections the dead worker's socket held are gone; new ones work)
        with _tls_client(str(ca), port) as tls:
            tls.sendall(b"reuse\n")
            assert tls.recv(100) == b"reuse\n"
    server.proc.send_signal(signal.SIGTERM)
    assert server.finish() == 0
    assert "Traceback" not in server.output
