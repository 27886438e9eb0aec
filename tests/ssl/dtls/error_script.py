"""The same calls, without a network, on qtls's or PySide6's DTLS classes; each call's
(result, dtlsError name, dtlsErrorString). Imported by pyside_peer.py too (no qtls import)."""

from __future__ import annotations

from typing import Any


def error_script(network: Any) -> list[tuple[str, str, str]]:
    QDtls = network.QDtls
    QSslSocket = network.QSslSocket
    QHostAddress = network.QHostAddress
    QSslConfiguration = network.QSslConfiguration
    QSsl = network.QSsl
    QUdpSocket = network.QUdpSocket
    Verifier = network.QDtlsClientVerifier
    out: list[tuple[str, str, str]] = []
    client = QDtls(QSslSocket.SslMode.SslClientMode)
    server = QDtls(QSslSocket.SslMode.SslServerMode)
    sock = QUdpSocket()

    def record(obj: Any, result: Any) -> None:
        value = result if isinstance(result, (bool, int)) else bytes(result)
        out.append((repr(value), obj.dtlsError().name, obj.dtlsErrorString()))

    record(client, client.setPeer(QHostAddress(), 1))
    record(client, client.setPeer(QHostAddress("255.255.255.255"), 1))
    record(client, client.doHandshake(sock))
    record(client, client.shutdown(sock))
    record(client, client.writeDatagramEncrypted(sock, b"x"))
    record(client, client.decryptDatagram(sock, b"x"))
    record(client, client.resumeHandshake(sock))
    record(client, client.abortHandshake(sock))
    record(server, server.setPeer(QHostAddress("127.0.0.1"), 4000))
    record(server, server.doHandshake(sock, b""))
    record(server, server.doHandshake(sock, b"\x16\xfe\xfd" + bytes(60)))
    config = QSslConfiguration.defaultConfiguration()
    config.setProtocol(QSsl.SslProtocol.TlsV1_2)
    client.setDtlsConfiguration(config)
    client.setPeer(QHostAddress("127.0.0.1"), 4000)
    record(client, client.doHandshake(sock))
    verifier = Verifier()
    record(verifier, verifier.verifyClient(sock, b"", QHostAddress("127.0.0.1"), 1))
    record(verifier, verifier.verifyClient(sock, b"junk", QHostAddress("224.0.0.1"), 1))
    record(verifier, verifier.verifyClient(sock, b"junk", QHostAddress("127.0.0.1"), 1))
    record(verifier, verifier.verifiedHello())
    return out
