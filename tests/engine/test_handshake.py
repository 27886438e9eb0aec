"""Handshakes between two engines: versions, key types, connection info, data both ways."""

from __future__ import annotations

import warnings

import pytest

from qtls.ssl.engine import (
    MAX_WRITE,
    AlpnStatus,
    EngineState,
    HandshakeCompleted,
    LocalProtocolError,
    TlsEngine,
    TlsVersion,
    VerifyErrorRecorded,
)

from .conftest import (
    EC_CA,
    EC_SERVER_CERT,
    SERVER_CERT,
    chain_der,
    client_settings,
    server_settings,
)
from .helpers import connect, pump


def _versions(v: TlsVersion) -> dict[str, TlsVersion]:
    return {"min_version": v, "max_version": v}


@pytest.mark.parametrize("key", ["rsa", "ecdsa"])
def test_handshake_completes_with_the_requested_version_and_no_errors(cache, version, key):
    cert, ca = (SERVER_CERT, None) if key == "rsa" else (EC_SERVER_CERT, EC_CA)
    server = TlsEngine(server_settings(cert, **_versions(version)), cache=cache)
    csettings = (
        client_settings(**_versions(version))
        if ca is None
        else client_settings(ca, **_versions(version))
    )
    client = TlsEngine(csettings, server_hostname="localhost", cache=cache)
    c, s = connect(client, server)

    assert client.state is EngineState.ENCRYPTED and server.state is EngineState.ENCRYPTED
    assert c.of(VerifyErrorRecorded) == []
    [done] = c.of(HandshakeCompleted)
    expected = "TLSv1.3" if version is TlsVersion.TLS1_3 else "TLSv1.2"
    assert done.info.protocol == expected
    assert done.info.cipher_bits >= 128
    assert done.info.cipher_name
    assert done.info.peer_chain == chain_der(cert)
    assert done.info.verified_chain[0] == chain_der(cert)[0]
    assert len(done.info.verified_chain) == 2  # leaf + trusted root
    assert done.info.session_resumed is False
    assert s.of(HandshakeCompleted)[0].info.local_chain == chain_der(cert)
    if version is TlsVersion.TLS1_2:
        assert ("ECDSA" if key == "ecdsa" else "RSA") in done.info.cipher_name


def test_application_data_flows_both_ways_in_large_batches(cache, version):
    server = TlsEngine(server_settings(**_versions(version)), cache=cache)
    client = TlsEngine(
        client_settings(**_versions(version)), server_hostname="localhost", cache=cache
    )
    c, s = connect(client, server)
    pump(c, s)  # TLS 1.3 tickets and the like: out of the way before measuring steady state
    c.events.clear()
    s.events.clear()
    payload = bytes(range(256)) * 4096  # 1 MiB: four send_plaintext calls of MAX_WRITE
    view = memoryview(payload)
    calls = 0
    while view:
        n = client.send_plaintext(view)
        assert n == min(len(view), MAX_WRITE)  # one call encrypts a whole batch of records
        view = view[n:]
        calls += 1
        server.receive_ciphertext(client.data_to_send())
    assert calls == len(payload) // MAX_WRITE
    assert server.read_plaintext() == payload
    # Steady state: no per-record events on either side.
    assert client.events() == [] and server.events() == []
    assert server.send_plaintext(b"pong") == 4
    pump(c, s)
    assert bytes(c.received).endswith(b"pong")


def test_key_exchange_group_is_reported_and_configurable(cache):
    server = TlsEngine(server_settings(groups="P-256"), cache=cache)
    client = TlsEngine(
        client_settings(groups="P-256:X25519"), server_hostname="localhost", cache=cache
    )
    c, _ = connect(client, server)
    assert c.of(HandshakeCompleted)[0].info.group in ("prime256v1", "P-256", "secp256r1")


def test_default_groups_negotiate_a_named_group(cache):
    server = TlsEngine(server_settings(), cache=cache)
    client = TlsEngine(client_settings(), server_hostname="localhost", cache=cache)
    c, _ = connect(client, server)
    assert c.of(HandshakeCompleted)[0].info.group


def test_sending_before_the_handshake_is_a_local_protocol_error(cache):
    client = TlsEngine(client_settings(), server_hostname="localhost", cache=cache)
    with pytest.raises(LocalProtocolError):
        client.send_plaintext(b"too early")
    client.start_handshake()
    with pytest.raises(LocalProtocolError):
        client.start_handshake()


def test_client_hello_is_ready_right_after_start_handshake(cache):
    client = TlsEngine(client_settings(), server_hostname="localhost", cache=cache)
    client.start_handshake()
    hello = client.data_to_send()
    assert hello[:1] == b"\x16"  # handshake record
    assert client.data_to_send() == b""
    assert client.state is EngineState.HANDSHAKING


@pytest.mark.parametrize(
    ("client_alpn", "server_alpn", "expected", "client_status", "server_status"),
    [
        (
            (b"h2", b"http/1.1"),
            (b"http/1.1", b"h2"),
            b"h2",
            AlpnStatus.NEGOTIATED,
            AlpnStatus.NEGOTIATED,
        ),
        ((b"h2",), (b"h2",), b"h2", AlpnStatus.NEGOTIATED, AlpnStatus.NEGOTIATED),
        ((b"spdy/1",), (b"h2",), None, AlpnStatus.NONE, AlpnStatus.UNSUPPORTED),
        ((), (b"h2",), None, AlpnStatus.NONE, AlpnStatus.NONE),
    ],
)
def test_alpn_server_picks_the_clients_first_protocol_it_allows(
    cache, client_alpn, server_alpn, expected, client_status, server_status
):
    server = TlsEngine(server_settings(alpn_protocols=server_alpn), cache=cache)
    client = TlsEngine(
        client_settings(alpn_protocols=client_alpn), server_hostname="localhost", cache=cache
    )
    c, s = connect(client, server)
    cinfo = c.of(HandshakeCompleted)[0].info
    sinfo = s.of(HandshakeCompleted)[0].info
    assert cinfo.alpn_protocol == expected and sinfo.alpn_protocol == expected
    assert client.alpn_status is client_status
    assert server.alpn_status is server_status


@pytest.mark.parametrize(
    ("hostname", "expected"),
    [("localhost", "localhost"), ("127.0.0.1", None), ("::1", None), (None, None)],
)
def test_sni_is_sent_for_host_names_and_never_for_ip_addresses(cache, hostname, expected):
    server = TlsEngine(server_settings(), cache=cache)
    client = TlsEngine(client_settings(), server_hostname=hostname, cache=cache)
    _, s = connect(client, server)
    assert s.of(HandshakeCompleted)[0].info.server_name == expected


def test_disable_sni_option_suppresses_the_server_name(cache):
    server = TlsEngine(server_settings(), cache=cache)
    client = TlsEngine(client_settings(disable_sni=True), server_hostname="localhost", cache=cache)
    _, s = connect(client, server)
    assert s.of(HandshakeCompleted)[0].info.server_name is None


def test_dhe_cipher_uses_configured_dh_parameters(cache):
    params = _ffdhe2048()
    server = TlsEngine(
        server_settings(
            max_version=TlsVersion.TLS1_2,
            cipher_list="DHE-RSA-AES128-GCM-SHA256",
            dh_parameters=params,
        ),
        cache=cache,
    )
    client = TlsEngine(
        client_settings(cipher_list="DHE-RSA-AES128-GCM-SHA256"),
        server_hostname="localhost",
        cache=cache,
    )
    c, _ = connect(client, server)
    assert c.of(HandshakeCompleted)[0].info.cipher_name == "DHE-RSA-AES128-GCM-SHA256"


def _ffdhe2048() -> bytes:
    # RFC 7919 ffdhe2048 group as PEM DH parameters, built with cryptography.
    from cryptography.hazmat.primitives.asymmetric import dh
    from cryptography.hazmat.primitives.serialization import Encoding, ParameterFormat

    p = int(
        "FFFFFFFFFFFFFFFFADF85458A2BB4A9AAFDC5620273D3CF1D8B9C583CE2D3695A9E13641146433FBCC939DCE249B3EF9"
        "7D2FE363630C75D8F681B202AEC4617AD3DF1ED5D5FD65612433F51F5F066ED0856365553DED1AF3B557135E7F57C935"
        "984F0C70E0E68B77E2A689DAF3EFE8721DF158A136ADE73530ACCA4F483A797ABC0AB182B324FB61D108A94BB2C8E3FB"
        "B96ADAB760D7F4681D4F42A3DE394DF4AE56EDE76372BB190B07A7C8EE0A6D709E02FCE1CDF7E2ECC03404CD28342F61"
        "9172FE9CE98583FF8E4F1232EEF28183C3FE3B1B4C6FAD733BB5FCBC2EC22005C58EF1837D1683B2C6F34A26C1B2EFFA"
        "886B423861285C97FFFFFFFFFFFFFFFF",
        16,
    )
    with warnings.catch_warnings():  # FFDH is deprecated in cryptography, still valid TLS 1.2
        warnings.simplefilter("ignore")
        return (
            dh.DHParameterNumbers(p, 2)
            .parameters()
            .parameter_bytes(Encoding.PEM, ParameterFormat.PKCS3)
        )


def test_a_dropped_engine_is_freed_despite_its_shared_context(cache):
    import gc
    import weakref

    server = TlsEngine(server_settings(), cache=cache)
    client = TlsEngine(client_settings(), server_hostname="localhost", cache=cache)
    connect(client, server)
    ref = weakref.ref(client)
    del client
    gc.collect()
    assert ref() is None
    # The context lives on in the cache and still serves new connections.
    again = TlsEngine(client_settings(), server_hostname="localhost", cache=cache)
    again.start_handshake()
    assert again.data_to_send()


@pytest.mark.parametrize("suite", ["TLS_CHACHA20_POLY1305_SHA256", "TLS_AES_128_GCM_SHA256"])
def test_tls13_ciphersuite_setting_is_honoured(cache, suite):
    server = TlsEngine(server_settings(ciphersuites=suite), cache=cache)
    client = TlsEngine(client_settings(), server_hostname="localhost", cache=cache)
    c, _ = connect(client, server)
    assert c.of(HandshakeCompleted)[0].info.cipher_name == suite


def test_connection_info_agrees_with_pyopenssls_getters(cache, version):
    # The info is read from OpenSSL directly (cipher and protocol cached by address); each
    # field must be what pyOpenSSL's own getters say for the same connection, on both sides.
    server = TlsEngine(server_settings(SERVER_CERT, **_versions(version)), cache=cache)
    client = TlsEngine(client_settings(**_versions(version)), server_hostname="localhost",
                       cache=cache)
    c, s = connect(client, server)
    for engine, recorder in ((client, c), (server, s)):
        [done] = recorder.of(HandshakeCompleted)
        conn = engine._conn
        assert done.info.cipher_name == conn.get_cipher_name()
        assert done.info.cipher_bits == conn.get_cipher_bits()
        assert done.info.protocol == conn.get_protocol_version_name()
        assert done.info.group == conn.get_group_name()
    raw = server._conn.get_servername()
    assert s.of(HandshakeCompleted)[0].info.server_name == (raw.decode() if raw else None)


def test_an_exception_raised_inside_an_openssl_callback_still_surfaces(cache, monkeypatch):
    # The handshake calls SSL_do_handshake directly; an exception a Python callback raised
    # inside OpenSSL (kept by pyOpenSSL, whose wrapper fails the handshake) must still come
    # out of the call that ran it, as pyOpenSSL's do_handshake() raises it.
    def broken(self, offered):
        raise RuntimeError("alpn callback bug")

    monkeypatch.setattr(TlsEngine, "_on_alpn_select", broken)
    server = TlsEngine(server_settings(alpn_protocols=[b"h2"]), cache=cache)
    client = TlsEngine(client_settings(alpn_protocols=[b"h2"]), server_hostname="localhost",
                       cache=cache)
    client.start_handshake()
    hello = client.data_to_send()
    with pytest.raises(RuntimeError, match="alpn callback bug"):
        server.receive_ciphertext(hello)
