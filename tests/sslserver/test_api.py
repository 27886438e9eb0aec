"""QSslServer's settings: defaults, value semantics, argument types, signal signatures."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from qtls.QtNetwork import QSsl, QSslConfiguration, QSslServer, QTcpServer

MANIFEST = Path(__file__).resolve().parents[3] / "shared" / "api" / "manifest.json"


def test_ssl_server_is_a_tcp_server_with_qt_defaults(qtls_app: Any) -> None:
    server = QSslServer()
    assert isinstance(server, QTcpServer)
    assert server.handshakeTimeout() == 5000
    assert server.maxPendingConnections() == 30
    assert not server.isListening()
    assert server.sslConfiguration() == QSslConfiguration.defaultConfiguration()


def test_ssl_configuration_is_copied_in_and_out(qtls_app: Any) -> None:
    server = QSslServer()
    conf = QSslConfiguration.defaultConfiguration()
    conf.setPeerVerifyDepth(3)
    conf.setProtocol(QSsl.SslProtocol.TlsV1_3)
    server.setSslConfiguration(conf)
    conf.setPeerVerifyDepth(7)  # changing the caller's copy afterwards changes nothing
    got = server.sslConfiguration()
    assert got.peerVerifyDepth() == 3
    assert got.protocol() == QSsl.SslProtocol.TlsV1_3
    got.setPeerVerifyDepth(9)
    assert server.sslConfiguration().peerVerifyDepth() == 3


def test_handshake_timeout_keeps_any_int_like_qt(qtls_app: Any) -> None:
    server = QSslServer()
    server.setHandshakeTimeout(250)
    assert server.handshakeTimeout() == 250
    server.setHandshakeTimeout(-5)  # Qt stores it; the timer then never starts
    assert server.handshakeTimeout() == -5


@pytest.mark.parametrize("bad", ["1", 1.5, None])
def test_set_handshake_timeout_rejects_non_int_with_type_error(qtls_app: Any, bad: Any) -> None:
    with pytest.raises(TypeError, match="setHandshakeTimeout"):
        QSslServer().setHandshakeTimeout(bad)


def test_set_ssl_configuration_rejects_none_with_type_error(qtls_app: Any) -> None:
    with pytest.raises(TypeError, match="setSslConfiguration"):
        QSslServer().setSslConfiguration(None)  # type: ignore[arg-type]


def test_incoming_connection_rejects_non_descriptor_with_type_error(qtls_app: Any) -> None:
    with pytest.raises(TypeError, match="incomingConnection"):
        QSslServer().incomingConnection("x")  # type: ignore[arg-type]


def test_signals_have_the_manifest_signatures(qtls_app: Any) -> None:
    if not MANIFEST.exists():
        pytest.skip(f"no manifest at {MANIFEST}")
    entry = json.loads(MANIFEST.read_text())["classes"]["QSslServer"]
    for name, spec in entry["signals"].items():
        signal = getattr(QSslServer, name)
        assert list(signal.signatures) == spec["signatures"], name


@pytest.mark.pyqt6
def test_defaults_match_pyqt6(qtls_app: Any, pyqt_network: Any) -> None:
    theirs = pyqt_network.QSslServer()
    ours = QSslServer()
    assert ours.handshakeTimeout() == theirs.handshakeTimeout()
    assert ours.maxPendingConnections() == theirs.maxPendingConnections()
    assert ours.listenBacklogSize() == theirs.listenBacklogSize()
