"""The engine against Qt's own TLS stack (PyQt6's QSslServer on the system OpenSSL).

Our engine client runs over a real TCP socket on 127.0.0.1, pumped from a QTimer inside Qt's
event loop, so both ends live in one thread and every wait is bounded.
"""

from __future__ import annotations

import socket
import time

import pytest

from qtls.ssl.engine import AlertSent, EngineState, HandshakeCompleted, TlsEngine, VerifyError

from .conftest import SERVER_CERT, client_settings
from .test_verify import EXPIRED

QtNetwork = pytest.importorskip("PyQt6.QtNetwork")
QtCore = pytest.importorskip("PyQt6.QtCore")

pytestmark = pytest.mark.pyqt6


_APP: list = []  # keeps the application object alive: PyQt6 destroys it with its last reference


def _app():
    app = QtCore.QCoreApplication.instance()
    if app is None:
        app = QtCore.QCoreApplication([])
        _APP.append(app)
    return app


@pytest.fixture(autouse=True, scope="module")
def _release_app():
    """Drop the application this module created, so later test modules may create their own."""
    yield
    _APP.clear()


def _qt_server(cert) -> tuple:
    config = QtNetwork.QSslConfiguration.defaultConfiguration()
    config.setLocalCertificate(QtNetwork.QSslCertificate(cert.cert_chain_pems[0].bytes()))
    # SERVER_CERT has an RSA key; trustme's other leaves (EXPIRED) have EC keys.
    algorithm = (
        QtNetwork.QSsl.KeyAlgorithm.Rsa if cert is SERVER_CERT else QtNetwork.QSsl.KeyAlgorithm.Ec
    )
    config.setPrivateKey(QtNetwork.QSslKey(cert.private_key_pem.bytes(), algorithm))
    config.setPeerVerifyMode(QtNetwork.QSslSocket.PeerVerifyMode.VerifyNone)
    server = QtNetwork.QSslServer()
    server.setSslConfiguration(config)
    assert server.listen(QtNetwork.QHostAddress("127.0.0.1"), 0)
    return server, server.serverPort()


def _run(engine: TlsEngine, port: int, done, timeout: float = 5.0) -> list:
    """Pump ``engine`` over TCP from inside Qt's loop until ``done()`` or the timeout."""
    app = _app()
    sock = socket.create_connection(("127.0.0.1", port), timeout=2)
    sock.setblocking(False)
    events: list = []
    engine.start_handshake()
    deadline = time.monotonic() + timeout
    loop = QtCore.QEventLoop()

    def pump() -> None:
        out = engine.data_to_send()
        if out:
            sock.sendall(out)
        try:
            data = sock.recv(65536)
            engine.receive_ciphertext(data)
        except BlockingIOError:
            pass
        except OSError:
            engine.receive_ciphertext(b"")
        out = engine.data_to_send()
        if out:
            try:
                sock.sendall(out)
            except OSError:
                pass
        events.extend(engine.events())
        if done(events) or time.monotonic() > deadline:
            loop.quit()

    timer = QtCore.QTimer()
    timer.timeout.connect(pump)
    timer.start(2)
    loop.exec()
    timer.stop()
    # Let Qt process what was sent last (alerts), bounded.
    end = time.monotonic() + 0.3
    while time.monotonic() < end:
        app.processEvents(QtCore.QEventLoop.ProcessEventsFlag.AllEvents, 20)
    sock.close()
    return events


def test_engine_client_completes_a_handshake_with_qt_server():
    _app()
    server, port = _qt_server(SERVER_CERT)
    qt_encrypted: list[str] = []

    def on_started(sock) -> None:
        sock.encrypted.connect(lambda: qt_encrypted.append(sock.sessionProtocol().name))

    server.startedEncryptionHandshake.connect(on_started)
    engine = TlsEngine(client_settings(), server_hostname="localhost")
    events = _run(engine, port, lambda ev: any(isinstance(e, HandshakeCompleted) for e in ev))
    assert engine.state is EngineState.ENCRYPTED
    info = next(e for e in events if isinstance(e, HandshakeCompleted)).info
    assert info.protocol == "TLSv1.3"
    assert qt_encrypted == ["TlsV1_3"]  # Qt's side finished too
    server.close()


def test_alert_text_matches_what_qt_reports_for_the_same_alert():
    _app()
    server, port = _qt_server(EXPIRED)
    received: list[tuple] = []

    def on_started(sock) -> None:
        sock.alertReceived.connect(lambda level, kind, text: received.append((level, kind, text)))

    server.startedEncryptionHandshake.connect(on_started)

    def refuse(error: VerifyError) -> bool:
        return False

    engine = TlsEngine(
        client_settings(interrupt_on_verify_error=True),
        server_hostname="localhost",
        on_verify_error=refuse,
    )
    events = _run(engine, port, lambda ev: engine.state is EngineState.FAILED)
    sent = [e for e in events if isinstance(e, AlertSent)]
    assert sent and sent[0].description == 45
    assert received, "Qt did not see our alert"
    level, kind, text = received[0]
    assert kind.value == sent[0].description
    assert text == sent[0].text
    assert level == QtNetwork.QSsl.AlertLevel.Fatal
    server.close()
