"""Fixtures for the QSslSocket tests: one trustme CA for the module, servers, recorders."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import trustme

from qtls.QtCore import QCoreApplication
from qtls.QtNetwork import QSsl
from tests.sslsocket.helpers import Pki


@pytest.fixture(scope="session")
def qtls_app() -> Any:
    """The qtls application object (some loops want one to exist)."""
    return QCoreApplication.instance() or QCoreApplication([])


@pytest.fixture(scope="session")
def pki() -> Pki:
    """A CA with RSA and ECDSA leaves for localhost/127.0.0.1, and a client certificate."""
    return Pki(trustme.CA())


@pytest.fixture(params=[QSsl.SslProtocol.TlsV1_2, QSsl.SslProtocol.TlsV1_3], ids=["tls12", "tls13"])
def protocol(request: Any) -> Any:
    """Each exact TLS version qtls negotiates."""
    return request.param


@pytest.fixture(scope="session")
def pyqt_network() -> Iterator[Any]:
    """PyQt6.QtNetwork with a QCoreApplication, or skip."""
    network = pytest.importorskip("PyQt6.QtNetwork")
    core = pytest.importorskip("PyQt6.QtCore")
    _app = core.QCoreApplication.instance() or core.QCoreApplication([])
    yield network
