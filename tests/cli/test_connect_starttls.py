"""qtls connect --starttls: each protocol's plain-text opening against a scripted server that
then hands the same connection to the stdlib's TLS (a real, independent peer)."""

from __future__ import annotations

import json
import socket
import ssl
import threading
from typing import Any

import pytest

from tests.cli.helpers import Pki, qtls

XMPP_FEATURES = (b"<?xml version='1.0'?><stream:stream xmlns='jabber:client' "
                 b"xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>"
                 b"<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'>"
                 b"<required/></starttls></stream:features>")

# greeting, then (what the client must send, the server's answer) in order
SCRIPTS: dict[str, tuple[bytes, list[tuple[bytes, bytes]]]] = {
    "smtp": (b"220-test.example ESMTP\r\n220 ready\r\n",
             [(b"EHLO", b"250-test.example\r\n250 STARTTLS\r\n"),
              (b"STARTTLS", b"220 2.0.0 go ahead\r\n")]),
    "imap": (b"* OK [CAPABILITY IMAP4rev1 STARTTLS] ready\r\n",
             [(b". STARTTLS", b". OK begin TLS negotiation now\r\n")]),
    "pop3": (b"+OK POP3 ready\r\n", [(b"STLS", b"+OK begin TLS\r\n")]),
    "ftp": (b"220-welcome\r\n220 FTP ready\r\n", [(b"AUTH TLS", b"234 AUTH TLS ok\r\n")]),
    "xmpp": (b"", [(b"<stream:stream", XMPP_FEATURES),
                   (b"<starttls", b"<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>")]),
}


class ScriptedServer:
    """One connection: the plain-text script, then TLS with the stdlib on the same socket."""

    def __init__(self, pki: Pki, greeting: bytes, steps: list[tuple[bytes, bytes]]) -> None:
        self.context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self.context.load_cert_chain(pki.path("server.pem"), pki.path("server.key"))
        self.greeting, self.steps = greeting, steps
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(20)
        self.port = self.listener.getsockname()[1]
        self.tls_version: str | None = None
        self.failure: BaseException | None = None
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        try:
            conn, _ = self.listener.accept()
            conn.settimeout(10)
            with conn:
                if self.greeting:
                    conn.sendall(self.greeting)
                for expected, answer in self.steps:
                    received = b""
                    while expected not in received:
                        chunk = conn.recv(4096)
                        if not chunk:
                            raise AssertionError(f"closed while waiting for {expected!r}")
                        received += chunk
                    conn.sendall(answer)
                if self.steps[-1][1].startswith(b"454"):  # refused: no TLS follows
                    return
                tls = self.context.wrap_socket(conn, server_side=True)
                self.tls_version = tls.version()
                tls.recv(1)  # until the client closes
        except BaseException as error:  # reported by the test
            self.failure = error
        finally:
            self.listener.close()

    def join(self) -> None:
        self.thread.join(timeout=20)


@pytest.mark.parametrize("protocol", sorted(SCRIPTS))
def test_starttls_opening_then_a_verified_handshake(pki: Pki, protocol: str) -> None:
    greeting, steps = SCRIPTS[protocol]
    server = ScriptedServer(pki, greeting, steps)
    done = qtls("connect", f"localhost:{server.port}", "--starttls", protocol, "--cafile",
                pki.path("ca.pem"), "--json", "--timeout", "5")
    server.join()
    assert server.failure is None, server.failure
    doc: Any = json.loads(done.stdout)
    assert done.returncode == 0 and doc["verified"], doc
    assert server.tls_version == "TLSv1.3"
    said = [e["event"] for e in doc["events"]]
    assert any(e.startswith("C: ") for e in said) and any(e.startswith("S: ") for e in said)
    assert said.index("encrypted") > max(i for i, e in enumerate(said) if e.startswith("S: "))


def test_a_server_refusing_starttls_ends_the_run_with_its_answer(pki: Pki) -> None:
    server = ScriptedServer(pki, b"220 ready\r\n", [
        (b"EHLO", b"250 test.example\r\n"), (b"STARTTLS", b"454 TLS not available\r\n")])
    done = qtls("connect", f"localhost:{server.port}", "--starttls", "smtp", "--timeout", "5")
    server.join()
    assert done.returncode == 1
    assert done.stderr.strip() == "qtls connect: smtp STARTTLS refused: '454 TLS not available'"


def test_a_silent_server_ends_the_opening_after_the_timeout() -> None:
    with socket.create_server(("127.0.0.1", 0)) as listener:
        port = listener.getsockname()[1]
        accepted: list[socket.socket] = []
        threading.Thread(target=lambda: accepted.append(listener.accept()[0]),
                         daemon=True).start()
        done = qtls("connect", f"localhost:{port}", "--starttls", "imap", "--timeout", "1",
                    timeout=20)
        for sock in accepted:
            sock.close()
    assert done.returncode == 1
    assert done.stderr.startswith("qtls connect: imap STARTTLS: the server timed out")
