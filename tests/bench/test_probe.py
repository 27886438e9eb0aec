"""The wire probe decodes real TLS 1.3 hellos (made by the stdlib ``ssl`` module in memory)."""

from __future__ import annotations

import ssl
from pathlib import Path

import pytest

from bench.certs import write_certificates
from bench.probe import client_offers_psk, parse_server_hello


def _first_flights(tmp_path: Path, *, group: str | None) -> tuple[bytes, bytes, ssl.SSLObject]:
    """The ClientHello and the server's first flight of an in-memory TLS 1.3 handshake."""
    certs = write_certificates(tmp_path, "ecdsa")
    server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_ctx.load_cert_chain(certs["cert"], certs["key"])
    client_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    client_ctx.load_verify_locations(certs["ca"])
    client_ctx.minimum_version = ssl.TLSVersion.TLSv1_3
    if group is not None:
        client_ctx.set_ecdh_curve(group)
    c_in, c_out, s_in, s_out = (ssl.MemoryBIO() for _ in range(4))
    client = client_ctx.wrap_bio(c_in, c_out, server_hostname="127.0.0.1")
    server = server_ctx.wrap_bio(s_in, s_out, server_side=True)
    with pytest.raises(ssl.SSLWantReadError):
        client.do_handshake()
    client_hello = c_out.read()
    s_in.write(client_hello)
    with pytest.raises(ssl.SSLWantReadError):
        server.do_handshake()
    server_flight = s_out.read()
    c_in.write(server_flight)
    client.do_handshake()
    return client_hello, server_flight, client


@pytest.mark.parametrize("group", ["X25519", "prime256v1"])
def test_server_hello_gives_the_version_cipher_and_group_the_client_negotiated(
    tmp_path: Path, group: str
) -> None:
    client_hello, server_flight, client = _first_flights(tmp_path, group=group)
    hello, consumed = parse_server_hello(server_flight)
    assert hello is not None
    assert 0 < consumed <= len(server_flight)
    assert hello.version == client.version()
    negotiated = client.cipher()
    assert negotiated is not None
    assert hello.cipher == negotiated[0]
    assert hello.group == {"X25519": "X25519", "prime256v1": "secp256r1"}[group]
    assert not hello.resumed
    assert client_offers_psk(client_hello) is False


def test_incomplete_server_hello_asks_for_more_bytes(tmp_path: Path) -> None:
    _client_hello, server_flight, _client = _first_flights(tmp_path, group="X25519")
    hello, needed = parse_server_hello(server_flight[:20])
    assert hello is None
    assert needed > 20
    assert client_offers_psk(b"\x16\x03\x01") is None
