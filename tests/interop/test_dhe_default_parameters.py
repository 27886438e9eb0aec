"""A QSslServer applies Qt's default Diffie-Hellman parameters: DHE suites for every client.

Qt's server sets ``QSslDiffieHellmanParameters.defaultParameters()`` (RFC 3526, 2048 bits) on
its context, so ``openssl s_client -tls1_2 -cipher DHE`` gets a DHE suite even when it lists
no FFDHE group (PyQt6 6.11 with an RSA certificate: 7 DHE suites). Without those parameters
OpenSSL offers DHE only to a client that lists FFDHE groups.
"""

from __future__ import annotations

import re
import subprocess
import threading
import time
from typing import Any

import pytest

from qtls.QtNetwork import QSslConfiguration
from tests.interop.helpers import OPENSSL, PROCESS_TIMEOUT_S, SClient, needs_openssl
from tests.sslserver.helpers import RSA_SERVER_CERT, SESSIONS, server_config, start_server

pytestmark = needs_openssl

# No FFDHE group in the ClientHello: only the server's own parameters make DHE possible.
DHE_ARGS = ("-tls1_2", "-groups", "X25519:P-256")


def _dhe_suites() -> list[str]:
    """The TLS 1.2 DHE suites with RSA authentication this openssl offers."""
    assert OPENSSL is not None
    out = subprocess.run(
        [OPENSSL, "ciphers", "-tls1_2", "kDHE+aRSA"],
        capture_output=True,
        text=True,
        timeout=10,
        check=True,
    ).stdout
    return [name for name in out.strip().split(":") if name]


def _cipher_and_group(output: str) -> tuple[str, str]:
    cipher = re.search(r"Cipher is (\S+)", output)
    group = re.search(r"Server Temp Key: ([^\n]+)", output)
    return (cipher.group(1) if cipher else "", group.group(1).strip() if group else "")


def test_default_configuration_offers_dhe_with_qts_2048_bit_group(
    qtls_app: Any, s_client: SClient
) -> None:
    server, accepted = start_server(server_config(RSA_SERVER_CERT), close_after_reply=True)
    run = s_client(server.serverPort(), "-cipher", "DHE", "-ign_eof", *DHE_ARGS)
    assert run.wait()
    cipher, group = _cipher_and_group(run.output)
    assert cipher.startswith("DHE-RSA-"), run.output
    assert group == "DH, 2048 bits"
    assert "PING" in run.output
    (sock,) = accepted
    assert SESSIONS[sock][1] == cipher
    server.close()


def _accepted_suites_qtls(s_client: SClient) -> list[str]:
    conf: QSslConfiguration = server_config(RSA_SERVER_CERT)
    server, _accepted = start_server(conf, close_after_reply=True)
    suites = []
    for name in _dhe_suites():
        run = s_client(server.serverPort(), "-cipher", name, *DHE_ARGS, stdin=b"")
        assert run.wait()
        if _cipher_and_group(run.output)[0] == name:
            suites.append(name)
    server.close()
    return suites


def _accepted_suites_pyqt6(network: Any) -> list[str]:
    from PyQt6.QtCore import QCoreApplication, QEventLoop

    assert OPENSSL is not None
    conf = network.QSslConfiguration.defaultConfiguration()
    conf.setLocalCertificate(network.QSslCertificate(RSA_SERVER_CERT.cert_chain_pems[0].bytes()))
    conf.setPrivateKey(
        network.QSslKey(RSA_SERVER_CERT.private_key_pem.bytes(), network.QSsl.KeyAlgorithm.Rsa)
    )
    server = network.QSslServer()
    server.setSslConfiguration(conf)
    assert server.listen(network.QHostAddress(network.QHostAddress.SpecialAddress.LocalHost), 0)
    suites = []
    for name in _dhe_suites():
        command = [
            OPENSSL,
            "s_client",
            "-connect",
            f"127.0.0.1:{server.serverPort()}",
            "-cipher",
            name,
            *DHE_ARGS,
        ]
        proc = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
        )
        result: dict[str, str] = {}

        def communicate(proc: Any = proc, result: dict[str, str] = result) -> None:
            try:
                out, _ = proc.communicate(b"", timeout=PROCESS_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                proc.kill()
                out, _ = proc.communicate()
            result["output"] = out.decode("utf-8", "replace")

        thread = threading.Thread(target=communicate, daemon=True)
        thread.start()
        deadline = time.monotonic() + PROCESS_TIMEOUT_S + 2
        while thread.is_alive() and time.monotonic() < deadline:
            QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
        thread.join(5)
        if _cipher_and_group(result.get("output", ""))[0] == name:
            suites.append(name)
    server.close()
    return suites


@pytest.mark.pyqt6
def test_the_same_dhe_suites_as_pyqt6(qtls_app: Any, pyqt_network: Any, s_client: SClient) -> None:
    theirs = _accepted_suites_pyqt6(pyqt_network)
    assert theirs, "PyQt6 accepted no DHE suite: the reference scenario is broken"
    assert _accepted_suites_qtls(s_client) == theirs
