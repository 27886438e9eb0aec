"""What the Qt-style benchmark code shares in both styles: the module, the configurations.

The Qt-style code is written once and imports ``<prefix>.QtCore`` and ``<prefix>.QtNetwork``,
where the prefix is ``PyQt6`` or ``qtls``: qtls is API-compatible, so the only difference between
the two columns of the table is that import.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any

# The pinned parameters (the issue: the same group and cipher for every implementation).
PINNED_CIPHER = "TLS_AES_256_GCM_SHA384"
PINNED_GROUP = "X25519"


# The application of each implementation, referenced for the life of the process: PyQt6 deletes
# a QCoreApplication when its last Python reference goes, which would pull the loop out from
# under the sockets of a later measurement in the same process.
_APPS: dict[str, Any] = {}


class QtModules:
    """``QtCore`` and ``QtNetwork`` of one implementation, and its QCoreApplication."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.core: ModuleType = importlib.import_module(f"{prefix}.QtCore")
        self.net: ModuleType = importlib.import_module(f"{prefix}.QtNetwork")
        if prefix not in _APPS:
            app_class = self.core.QCoreApplication
            _APPS[prefix] = app_class.instance() or app_class(["bench"])
        self.app: Any = _APPS[prefix]


def _read(path: str) -> bytes:
    with open(path, "rb") as handle:
        return handle.read()


def _pin(qt: QtModules, conf: Any) -> None:
    net = qt.net
    cipher = net.QSslCipher(PINNED_CIPHER)
    if cipher.isNull():
        raise RuntimeError(f"{qt.prefix}: cipher {PINNED_CIPHER} is not supported")
    conf.setCiphers([cipher])
    curve = net.QSslEllipticCurve.fromShortName(PINNED_GROUP)
    if not curve.isValid():
        raise RuntimeError(f"{qt.prefix}: group {PINNED_GROUP} is not supported")
    conf.setEllipticCurves([curve])


def server_configuration(qt: QtModules, spec: dict[str, Any]) -> Any:
    """The server's QSslConfiguration: certificate and key, TLS 1.3 only, no client
    certificate, pinned group and cipher unless the implementation runs with its defaults."""
    net = qt.net
    certs = spec["certs"]
    conf = net.QSslConfiguration.defaultConfiguration()
    cert = net.QSslCertificate(_read(certs["cert"]), net.QSsl.EncodingFormat.Pem)
    algorithm = net.QSsl.KeyAlgorithm.Ec if spec["key"] == "ecdsa" else net.QSsl.KeyAlgorithm.Rsa
    key = net.QSslKey(_read(certs["key"]), algorithm, net.QSsl.EncodingFormat.Pem)
    if cert.isNull() or key.isNull():
        raise RuntimeError(f"{qt.prefix}: could not load the server certificate or key")
    conf.setLocalCertificate(cert)
    conf.setPrivateKey(key)
    conf.setProtocol(net.QSsl.SslProtocol.TlsV1_3OrLater)
    conf.setPeerVerifyMode(net.QSslSocket.PeerVerifyMode.VerifyNone)
    if spec["pinned"]:
        _pin(qt, conf)
    return conf


def client_configuration(qt: QtModules, spec: dict[str, Any]) -> Any:
    """The client's QSslConfiguration: the bench CA as the only trust anchor, TLS 1.3 only,
    session persistence on when the workload resumes sessions (Qt disables it by default)."""
    net = qt.net
    conf = net.QSslConfiguration.defaultConfiguration()
    ca = net.QSslCertificate(_read(spec["certs"]["ca"]), net.QSsl.EncodingFormat.Pem)
    if ca.isNull():
        raise RuntimeError(f"{qt.prefix}: could not load the CA certificate")
    conf.setCaCertificates([ca])
    conf.setProtocol(net.QSsl.SslProtocol.TlsV1_3OrLater)
    conf.setPeerVerifyMode(net.QSslSocket.PeerVerifyMode.VerifyPeer)
    if spec["resume"]:
        conf.setSslOption(net.QSsl.SslOption.SslOptionDisableSessionPersistence, False)
    if spec["pinned"]:
        _pin(qt, conf)
    return conf


def session_info(qt: QtModules, socket: Any) -> dict[str, str]:
    """What the implementation itself reports about the session (the group comes from the
    wire probe: Qt has no API for the negotiated key-exchange group)."""
    protocol = socket.sessionProtocol()
    return {
        "protocol": getattr(protocol, "name", str(protocol)),
        "cipher": socket.sessionCipher().name(),
    }


def ticket_of(socket: Any) -> Any:
    """The session ticket the socket received, or None (QByteArray or bytes, both sized)."""
    ticket = socket.sslConfiguration().sessionTicket()
    return ticket if len(ticket) else None


def listen(qt: QtModules, server: Any, ports: list[int]) -> None:
    """Listen on 127.0.0.1 at the first of ``ports`` that is free (port 0: any port).

    The runner hands out ports below the kernel's ephemeral range (see ``bench.ports``).
    """
    address = qt.net.QHostAddress(qt.net.QHostAddress.SpecialAddress.LocalHost)
    for port in ports or [0]:
        if server.listen(address, port):
            return
    raise RuntimeError(f"listen failed on ports {ports}: {server.errorString()}")
