"""Fixtures for the QSslSocket tests: one trustme CA for the module, servers, recorders."""

from __future__ import annotations

from typing import Any

import pytest
import trustme

from qtls.QtNetwork import QSsl
from tests.sslsocket.helpers import Pki


@pytest.fixture(scope="session")
def pki() -> Pki:
    """A CA with RSA and ECDSA leaves for localhost/127.0.0.1, and a client certificate."""
    return Pki(trustme.CA())


@pytest.fixture(params=[QSsl.SslProtocol.TlsV1_2, QSsl.SslProtocol.TlsV1_3], ids=["tls12", "tls13"])
def protocol(request: Any) -> Any:
    """Each exact TLS version qtls negotiates."""
    return request.param

