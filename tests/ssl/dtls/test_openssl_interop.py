"""QDtls against OpenSSL's own DTLS peers, both directions: ``openssl s_server -dtls`` (which
answers with a HelloVerifyRequest first) and ``openssl s_client -dtls``, with certificates and
with PSK. Every process is bounded and killed at teardown."""

from __future__ import annotations

import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from qtls.QtNetwork import QSslCipher, QSslPreSharedKeyAuthenticator, QSslSocket
from tests.loops import run_until

from .conftest import CA, SERVER_CERT
from .harness import EchoClient, EchoServer, client_configuration, server_configuration

OPENSSL = shutil.which("openssl")
pytestmark = [
    pytest.mark.usefixtures("qtls_app"),
    pytest.mark.skipif(OPENSSL is None, reason="the openssl command-line tool is not installed "
                       "(install your system's openssl package)"),
]
PSK_HEX = "00112233445566778899aabbccddeeff"
PSK_CIPHER = "PSK-AES128-GCM-SHA256"


class OpenSsl:
    """One openssl process; its output is collected by a thread as it comes."""

    def __init__(self, *args: str) -> None:
        assert OPENSSL is not None
        self.proc = subprocess.Popen([OPENSSL, *args], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        self._chunks: list[bytes] = []
        self._lock = threading.Lock()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in iter(self.proc.stdout.readline, b""):
            with self._lock:
                self._chunks.append(line)

    @property
    def output(self) -> str:
        with self._lock:
            return b"".join(self._chunks).decode("utf-8", "replace")

    def send(self, data: bytes) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(data)
        self.proc.stdin.flush()

    def wait_for(self, text: str, timeout_ms: int = 5000) -> bool:
        return run_until(lambda: text in self.output, timeout_ms)

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(timeout=5)


@pytest.fixture
def processes() -> Iterator[list[OpenSsl]]:
    started: list[OpenSsl] = []
    yield started
    for p in started:
        p.kill()


def free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def write_pems(tmp_path: Path) -> tuple[str, str]:
    cert = tmp_path / "cert.pem"
    key = tmp_path / "key.pem"
    cert.write_bytes(b"".join(b.bytes() for b in SERVER_CERT.cert_chain_pems))
    key.write_bytes(SERVER_CERT.private_key_pem.bytes())
    return str(cert), str(key)


def start_s_server(processes: list[OpenSsl], *args: str) -> int:
    port = free_udp_port()
    server = OpenSsl("s_server", "-dtls1_2", "-accept", f"127.0.0.1:{port}", *args)
    processes.append(server)
    # s_server says ACCEPT once its socket is bound (not with -quiet).
    deadline = time.monotonic() + 5
    while "ACCEPT" not in server.output and time.monotonic() < deadline:
        time.sleep(0.02)
    assert "ACCEPT" in server.output, server.output
    return port


def test_qtls_client_with_openssl_s_server_certificates(processes: list[OpenSsl], tmp_path: Path) -> None:
    cert, key = write_pems(tmp_path)
    port = start_s_server(processes, "-cert", cert, "-key", key)
    server = processes[0]
    client = EchoClient(client_configuration(CA), port)
    assert client.start()
    assert run_until(lambda: client.encrypted() or bool(client.failures), 8000), server.output
    assert client.encrypted(), client.failures
    assert client.dtls.dtlsConfiguration().peerCertificate() == \
        client.dtls.dtlsConfiguration().peerCertificateChain()[0]
    assert client.dtls.writeDatagramEncrypted(client.socket, b"hello from qtls\n") > 0
    assert server.wait_for("hello from qtls")
    server.send(b"hello from openssl\n")
    assert run_until(lambda: b"hello from openssl\n" in client.echoes, 5000)
    client.close()


def test_qtls_client_with_openssl_s_server_psk(processes: list[OpenSsl]) -> None:
    port = start_s_server(processes, "-nocert", "-psk", PSK_HEX, "-psk_hint", "openssl-hint",
                          "-cipher", PSK_CIPHER)
    server = processes[0]
    config = client_configuration(None)
    config.setCiphers([QSslCipher(PSK_CIPHER)])
    config.setPeerVerifyMode(QSslSocket.PeerVerifyMode.VerifyNone)
    client = EchoClient(config, port)
    hints: list[bytes] = []

    def on_psk(auth: QSslPreSharedKeyAuthenticator) -> None:
        hints.append(bytes(auth.identityHint()))
        auth.setIdentity(b"Client_identity")  # s_server's default expected identity
        auth.setPreSharedKey(bytes.fromhex(PSK_HEX))

    client.dtls.pskRequired.connect(on_psk)
    assert client.start()
    assert run_until(lambda: client.encrypted() or bool(client.failures), 8000), server.output
    assert client.encrypted(), client.failures
    assert hints == [b"openssl-hint"]
    assert client.dtls.sessionCipher().name() == PSK_CIPHER
    client.dtls.writeDatagramEncrypted(client.socket, b"psk from qtls\n")
    assert server.wait_for("psk from qtls")
    client.close()


def s_client(processes: list[OpenSsl], port: int, *args: str) -> OpenSsl:
    proc = OpenSsl("s_client", "-dtls1_2", "-connect", f"127.0.0.1:{port}", "-quiet", *args)
    processes.append(proc)
    return proc


def test_openssl_s_client_with_qtls_server_certificates(processes: list[OpenSsl]) -> None:
    server = EchoServer(server_configuration(SERVER_CERT))
    try:
        client = s_client(processes, server.port, "-servername", "localhost")
        assert run_until(lambda: server.encrypted_peers() == 1, 8000), (client.output, server.errors)
        assert server.hello_verify_requests >= 1  # s_client went through the cookie exchange
        client.send(b"ping from openssl\n")
        assert run_until(lambda: b"ping from openssl\n" in server.received, 5000), client.output
        assert client.wait_for("PING FROM OPENSSL")
    finally:
        server.close()


def test_openssl_s_client_with_qtls_server_psk(processes: list[OpenSsl]) -> None:
    identities: list[bytes] = []

    def on_psk(auth: QSslPreSharedKeyAuthenticator) -> None:
        identities.append(bytes(auth.identity()))
        auth.setPreSharedKey(bytes.fromhex(PSK_HEX))

    config = client_configuration(None)
    config.setCiphers([QSslCipher(PSK_CIPHER)])
    config.setPreSharedKeyIdentityHint(b"qtls-hint")
    server = EchoServer(config, on_psk=on_psk)
    try:
        client = s_client(processes, server.port, "-psk", PSK_HEX, "-psk_identity", "openssl-id",
                          "-cipher", PSK_CIPHER)
        assert run_until(lambda: server.encrypted_peers() == 1, 8000), (client.output, server.errors)
        assert identities == [b"openssl-id"]
        client.send(b"psk ping\n")
        assert client.wait_for("PSK PING")
    finally:
        server.close()
