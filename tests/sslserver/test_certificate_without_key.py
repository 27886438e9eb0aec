"""A certificate whose key did not load: Qt's error state, and a message that says why.

PyQt6 6.11, for a server whose configuration has a certificate and a null key: ``listen()``
succeeds, and each client's handshake fails with ``errorOccurred(SslInvalidUserDataError)``,
"Cannot provide a certificate with no key", then ``SslInternalError`` "Unable to init SSL
Context: ...". qtls keeps that, adds the cause to the text (no key set, wrong passphrase, an EC
key loaded as RSA) and warns at ``listen()``.
"""

from __future__ import annotations

import socket
import ssl
import threading
import warnings
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization as ser

from qtls.QtNetwork import QAbstractSocket, QSsl, QSslConfiguration, QSslKey, QSslServer, QSslSocket
from qtls.ssl.tlssettings import ConfigurationWarning, certificate_key_problem
from qtls.ssl.x509.key import NullKeyWarning
from tests.sslserver.helpers import (
    EC_SERVER_CERT,
    RSA_SERVER_CERT,
    client_context,
    run_until,
    server_config,
    stdlib_client,
)

SocketError = QAbstractSocket.SocketError
QT_TEXT = "Cannot provide a certificate with no key"


def _ec_key_as_rsa() -> QSslKey:
    with pytest.warns(NullKeyWarning):
        return QSslKey(EC_SERVER_CERT.private_key_pem.bytes(), QSsl.KeyAlgorithm.Rsa)


def _wrong_passphrase() -> QSslKey:
    key = ser.load_pem_private_key(RSA_SERVER_CERT.private_key_pem.bytes(), None)
    encrypted = key.private_bytes(
        ser.Encoding.PEM,
        ser.PrivateFormat.TraditionalOpenSSL,
        ser.BestAvailableEncryption(b"right"),
    )
    with pytest.warns(NullKeyWarning):
        return QSslKey(encrypted, QSsl.KeyAlgorithm.Rsa, passPhrase=b"wrong")


def _config(key: QSslKey | None, leaf: Any = EC_SERVER_CERT) -> QSslConfiguration:
    conf = server_config(leaf, with_key=False)
    if key is not None:
        conf.setPrivateKey(key)
    return conf


CASES = {
    "no-key": (lambda: None, EC_SERVER_CERT, "no private key was set"),
    "ec-as-rsa": (_ec_key_as_rsa, EC_SERVER_CERT, "EC, not RSA"),
    "wrong-passphrase": (_wrong_passphrase, RSA_SERVER_CERT, "wrong passphrase"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_the_check_names_the_cause(case: str) -> None:
    make_key, leaf, cause = CASES[case]
    problem = certificate_key_problem(_config(make_key(), leaf)._d)
    assert problem is not None
    assert problem.startswith(QT_TEXT)
    assert cause in problem


def test_the_check_passes_a_complete_or_certificate_free_configuration() -> None:
    assert certificate_key_problem(server_config()._d) is None
    assert certificate_key_problem(QSslConfiguration()._d) is None


@pytest.mark.parametrize("case", list(CASES))
def test_server_refuses_each_handshake_naming_the_cause(qtls_app: Any, case: str) -> None:
    make_key, leaf, cause = CASES[case]
    server = QSslServer()
    server.setSslConfiguration(_config(make_key(), leaf))
    errors: list[tuple[Any, str]] = []
    server.errorOccurred.connect(lambda sock, error: errors.append((error, sock.errorString())))
    with pytest.warns(ConfigurationWarning, match=cause):
        assert server.listen()  # as in Qt: listening works, the handshakes do not
    peer = stdlib_client(server.serverPort(), client_context())
    assert peer.wait()
    assert peer.error is not None
    assert run_until(lambda: len(errors) >= 2)
    assert [error for error, _ in errors[:2]] == [
        SocketError.SslInvalidUserDataError,
        SocketError.SslInternalError,
    ]
    assert errors[0][1].startswith(QT_TEXT)
    assert cause in errors[0][1]
    server.close()


def test_server_with_its_key_does_not_warn(qtls_app: Any) -> None:
    server = QSslServer()
    server.setSslConfiguration(server_config())
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConfigurationWarning)
        assert server.listen()
    server.close()


def test_setting_a_keyless_configuration_on_a_listening_server_warns(qtls_app: Any) -> None:
    server = QSslServer()
    assert server.listen()
    with pytest.warns(ConfigurationWarning, match="no private key was set"):
        server.setSslConfiguration(_config(None))
    server.close()


def test_client_socket_refuses_naming_the_cause(qtls_app: Any) -> None:
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(5)
    accepted: list[socket.socket] = []
    thread = threading.Thread(target=lambda: accepted.append(listener.accept()[0]), daemon=True)
    thread.start()
    client = QSslSocket()
    client.setSslConfiguration(_config(_ec_key_as_rsa()))
    errors: list[tuple[Any, str]] = []
    client.errorOccurred.connect(lambda error: errors.append((error, client.errorString())))
    client.connectToHostEncrypted("127.0.0.1", listener.getsockname()[1])
    assert run_until(lambda: len(errors) >= 2)
    assert errors[0][0] is SocketError.SslInvalidUserDataError
    assert errors[1][0] is SocketError.SslInternalError
    assert errors[0][1].startswith(QT_TEXT) and "EC, not RSA" in errors[0][1]
    client.abort()
    thread.join(5)
    for sock in accepted:
        sock.close()
    listener.close()


@pytest.mark.pyqt6
def test_pyqt6_reports_the_same_error_codes_and_text(qtls_app: Any, pyqt_network: Any) -> None:
    from PyQt6.QtCore import QCoreApplication, QDeadlineTimer, QEventLoop

    net = pyqt_network
    conf = net.QSslConfiguration.defaultConfiguration()
    conf.setLocalCertificate(net.QSslCertificate(EC_SERVER_CERT.cert_chain_pems[0].bytes()))
    conf.setPrivateKey(
        net.QSslKey(EC_SERVER_CERT.private_key_pem.bytes(), net.QSsl.KeyAlgorithm.Rsa)
    )
    server = net.QSslServer()
    server.setSslConfiguration(conf)
    theirs: list[tuple[str, str]] = []
    server.errorOccurred.connect(
        lambda sock, error: theirs.append((error.name, sock.errorString()))
    )
    assert server.listen()
    done = threading.Event()

    def client() -> None:
        try:
            with socket.create_connection(("127.0.0.1", server.serverPort()), timeout=5) as raw:
                with client_context().wrap_socket(raw, server_hostname="localhost"):
                    pass
        except (OSError, ssl.SSLError):
            pass
        finally:
            done.set()

    threading.Thread(target=client, daemon=True).start()
    deadline = QDeadlineTimer(5000)
    while not (done.is_set() and len(theirs) >= 2) and not deadline.hasExpired():
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
    server.close()
    assert [name for name, _ in theirs[:2]] == ["SslInvalidUserDataError", "SslInternalError"]
    assert theirs[0][1] == QT_TEXT  # qtls's text starts with Qt's and adds the cause
