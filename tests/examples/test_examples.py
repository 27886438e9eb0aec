"""Every program in examples/ runs as its docstring says, against local peers."""

from __future__ import annotations

import socket
import ssl
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cli.helpers import Background, Processes, environment

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
TIMEOUT_S = 30


def example(name: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(EXAMPLES / name), *args], capture_output=True,
                          text=True, timeout=TIMEOUT_S, env=environment())


@pytest.fixture(scope="module")
def certs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("certs")
    assert example("make_certs.py", str(folder)).returncode == 0
    return folder


@pytest.fixture
def processes() -> Iterator[Processes]:
    running = Processes()
    try:
        yield running
    finally:
        running.cleanup()


def start_example(processes: Processes, name: str, *args: str) -> tuple[Background, int]:
    server = processes.start([sys.executable, str(EXAMPLES / name), *args])
    return server, int(server.wait_for(r"listening on 127\.0\.0\.1:(\d+)").group(1))


def test_make_certs_writes_every_file(certs: Path) -> None:
    assert sorted(p.name for p in certs.iterdir()) == [
        "ca.pem", "client.key", "client.pem", "server.key", "server.pem"]


def test_event_driven_client_against_the_qsslserver_example(certs: Path,
                                                             processes: Processes) -> None:
    server, port = start_example(processes, "server.py", str(certs / "server.pem"),
                                 str(certs / "server.key"), "0", "--clients", "1")
    done = example("client.py", "localhost", str(port), "--cafile", str(certs / "ca.pem"))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "received: hello over TLS" in done.stdout
    assert server.finish() == 0


def test_the_server_example_takes_an_rsa_key_too(tmp_path: Path, processes: Processes) -> None:
    assert example("make_certs.py", str(tmp_path), "--rsa").returncode == 0
    _, port = start_example(processes, "server.py", str(tmp_path / "server.pem"),
                            str(tmp_path / "server.key"), "0")
    done = example("client.py", "127.0.0.1", str(port), "--cafile", str(tmp_path / "ca.pem"))
    assert done.returncode == 0 and "received: hello over TLS" in done.stdout


def test_the_client_quits_on_an_untrusted_server(certs: Path, processes: Processes) -> None:
    _, port = start_example(processes, "server.py", str(certs / "server.pem"),
                            str(certs / "server.key"), "0")
    done = example("client.py", "localhost", str(port))  # the system's CAs do not know it
    assert done.returncode == 1
    assert "verification error" in done.stdout and "error:" in done.stdout


def test_the_client_quits_when_nothing_listens() -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    done = example("client.py", "127.0.0.1", str(port))
    assert done.returncode == 1 and "refused" in done.stdout.lower()


def test_blocking_client_against_qtls_serve_http(tmp_path: Path, processes: Processes) -> None:
    ca = tmp_path / "ca.pem"
    server = processes.start([sys.executable, "-m", "qtls", "serve", "--port", "0", "--http",
                              "--write-ca", str(ca)])
    port = server.wait_for(r"listening on .*:(\d+)").group(1)
    done = example("blocking_client.py", "localhost", port, "--cafile", str(ca))
    assert done.returncode == 0, done.stderr
    assert "encrypted: TlsV1_3" in done.stdout and "HTTP/1.1 200 OK" in done.stdout


def test_the_classic_tcpserver_with_start_server_encryption(certs: Path,
                                                            processes: Processes) -> None:
    server, port = start_example(processes, "tcpserver.py", str(certs / "server.pem"),
                                 str(certs / "server.key"), "0", "--clients", "1")
    context = ssl.create_default_context(cafile=str(certs / "ca.pem"))
    with context.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=10),
                             server_hostname="localhost") as tls:
        tls.sendall(b"shout this\n")
        assert tls.recv(100) == b"SHOUT THIS\n"
    assert server.finish() == 0
    assert "encrypted: TlsV1_3" in server.output


def test_starttls_upgrades_in_the_middle(certs: Path) -> None:
    done = example("starttls.py", str(certs))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "server got: STARTTLS (plain text)" in done.stdout
    assert "server got: hello in private (encrypted)" in done.stdout


def test_mutual_tls_accepts_the_certificate_and_refuses_its_absence(certs: Path) -> None:
    done = example("mutual_tls.py", str(certs))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "server: accepted ['Example client']" in done.stdout
    assert "you are Example client" in done.stdout


def test_udp_echo_server_and_blocking_client(processes: Processes) -> None:
    server, port = start_example(processes, "udp_echo.py", "server", "--datagrams", "2")
    done = example("udp_echo.py", "client", "127.0.0.1", str(port), "hello", "world")
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"received: HELLO (from 127.0.0.1:{port})" in done.stdout
    assert f"received: WORLD (from 127.0.0.1:{port})" in done.stdout
    assert server.finish() == 0
    assert "hello" in server.output and "world" in server.output


def test_udp_echo_client_gives_up_when_nobody_answers() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as silent:
        silent.bind(("127.0.0.1", 0))  # bound, so no ICMP: the datagram is just never answered
        port = silent.getsockname()[1]
        done = example("udp_echo.py", "client", "127.0.0.1", str(port), "anyone")
    assert done.returncode == 1
    assert "error: no answer to 'anyone' (Network operation timed out)" in done.stdout


def test_dtls_echo_client_against_the_dtls_echo_server(certs: Path, processes: Processes) -> None:
    server = processes.start([sys.executable, str(EXAMPLES / "dtls_echo.py"), "server",
                              str(certs / "server.pem"), str(certs / "server.key"), "0",
                              "--clients", "1"])
    port = int(server.wait_for(r"listening on 127\.0\.0\.1:(\d+)").group(1))
    done = example("dtls_echo.py", "client", "localhost", str(port), "--cafile",
                   str(certs / "ca.pem"), "-m", "one", "-m", "two")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "encrypted with" in done.stdout
    assert "echo: one" in done.stdout and "echo: two" in done.stdout
    assert server.finish() == 0
