"""What only Qt's TLS gives, through qtls.aio: PSK, OCSP stapling, QueryPeer."""

from __future__ import annotations

import asyncio
import datetime
from collections.abc import Callable
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509 import ocsp

import qtls.aio
from qtls.QtNetwork import (
    QOcspCertificateStatus,
    QSsl,
    QSslCertificate,
    QSslCipher,
    QSslConfiguration,
    QSslError,
    QSslPreSharedKeyAuthenticator,
    QSslSocket,
)
from tests.aio.helpers import Pki

KEY = b"\x01" * 16


async def _echo(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    writer.write(await reader.readline())
    await writer.drain()
    writer.close()


def _psk_conf(cipher: QSslCipher) -> QSslConfiguration:
    conf = QSslConfiguration.defaultConfiguration()
    conf.setProtocol(QSsl.SslProtocol.TlsV1_2)
    conf.setCiphers([cipher])
    conf.setPeerVerifyMode(QSslSocket.PeerVerifyMode.VerifyNone)
    return conf


def test_pre_shared_keys_on_both_sides(run: Callable[..., Any]) -> None:
    cipher = QSslCipher("PSK-AES128-GCM-SHA256")
    if cipher.isNull():
        pytest.skip("no PSK cipher in this OpenSSL")
    seen: dict[str, bytes] = {}

    def server_psk(auth: QSslPreSharedKeyAuthenticator) -> None:
        seen["identity"] = bytes(auth.identity())
        auth.setPreSharedKey(KEY)

    def client_psk(key: bytes) -> Callable[[QSslPreSharedKeyAuthenticator], None]:
        def answer(auth: QSslPreSharedKeyAuthenticator) -> None:
            seen["hint"] = bytes(auth.identityHint())
            auth.setIdentity(b"alice")
            auth.setPreSharedKey(key)
        return answer

    async def main() -> None:
        conf = _psk_conf(cipher)
        conf.setPreSharedKeyIdentityHint(b"hint")
        server = await qtls.aio.start_server(_echo, "127.0.0.1", 0, configuration=conf,
                                             psk=server_psk)
        async with server:
            port = server.sockets[0].getsockname()[1]
            reader, writer = await qtls.aio.open_connection(
                "127.0.0.1", port, configuration=_psk_conf(cipher), psk=client_psk(KEY),
                timeout=10)
            assert writer.get_extra_info("cipher").name() == "PSK-AES128-GCM-SHA256"
            writer.write(b"psk\n")
            assert await reader.readline() == b"psk\n"
            writer.close()
            await writer.wait_closed()
            with pytest.raises(qtls.aio.TlsHandshakeError) as caught:
                await qtls.aio.open_connection("127.0.0.1", port, configuration=_psk_conf(cipher),
                                               psk=client_psk(b"\x02" * 16), timeout=10)
            assert caught.value.errors == []
        assert seen == {"hint": b"hint", "identity": b"alice"}

    run(main())


def _ocsp_response(pki: Pki, status: ocsp.OCSPCertStatus) -> bytes:
    leaf = x509.load_pem_x509_certificate(pki.server.cert_pem)
    issuer = x509.load_pem_x509_certificate(pki.ca_pem)
    key = serialization.load_pem_private_key(pki.ca.private_key_pem.bytes(), None)
    now = datetime.datetime.now(datetime.timezone.utc)
    revoked = status is ocsp.OCSPCertStatus.REVOKED
    builder = ocsp.OCSPResponseBuilder().add_response(
        cert=leaf, issuer=issuer, algorithm=hashes.SHA1(), cert_status=status,
        this_update=now - datetime.timedelta(minutes=5),
        next_update=now + datetime.timedelta(days=1),
        revocation_time=now - datetime.timedelta(days=1) if revoked else None,
        revocation_reason=x509.ReasonFlags.key_compromise if revoked else None,
    ).responder_id(ocsp.OCSPResponderEncoding.HASH, issuer)
    return builder.sign(key, hashes.SHA256()).public_bytes(  # type: ignore[arg-type]
        serialization.Encoding.DER)


def test_ocsp_stapling_good_and_revoked(run: Callable[..., Any], pki: Pki) -> None:
    def stapling_server(status: ocsp.OCSPCertStatus) -> QSslConfiguration:
        conf = pki.server_conf()
        conf.setBackendConfigurationOption(b"Qt-OCSP-response", _ocsp_response(pki, status))
        return conf

    client = pki.client_conf()
    client.setOcspStaplingEnabled(True)

    async def main() -> None:
        server = await qtls.aio.start_server(
            _echo, "127.0.0.1", 0, configuration=stapling_server(ocsp.OCSPCertStatus.GOOD))
        async with server:
            reader, writer = await qtls.aio.open_connection(
                "localhost", server.sockets[0].getsockname()[1], configuration=client,
                timeout=10)
            responses = writer.get_extra_info("qsslsocket").ocspResponses()
            assert [r.certificateStatus() for r in responses] == [QOcspCertificateStatus.Good]
            writer.close()
            await writer.wait_closed()
        server = await qtls.aio.start_server(
            _echo, "127.0.0.1", 0, configuration=stapling_server(ocsp.OCSPCertStatus.REVOKED))
        async with server:
            with pytest.raises(qtls.aio.TlsHandshakeError) as caught:
                await qtls.aio.open_connection(
                    "localhost", server.sockets[0].getsockname()[1], configuration=client,
                    timeout=10)
            assert QSslError.SslError.CertificateRevoked in [e.error()
                                                             for e in caught.value.errors]

    run(main())


def test_query_peer_server_accepts_clients_with_and_without_a_certificate(
        run: Callable[..., Any], pki: Pki) -> None:
    async def who(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        cert = writer.get_extra_info("peercert")
        writer.write(b"known\n" if cert == QSslCertificate(pki.client.cert_pem) else b"anon\n")
        writer.close()

    async def main() -> None:
        conf = pki.server_conf(verify_clients=True)
        conf.setPeerVerifyMode(QSslSocket.PeerVerifyMode.QueryPeer)
        server = await qtls.aio.start_server(who, "127.0.0.1", 0, configuration=conf)
        async with server:
            port = server.sockets[0].getsockname()[1]
            answers = []
            for cert in (pki.client, None):
                reader, writer = await qtls.aio.open_connection(
                    "localhost", port, configuration=pki.client_conf(cert=cert), timeout=10)
                answers.append(await reader.readline())
                writer.close()
            assert answers == [b"known\n", b"anon\n"]

    run(main())
