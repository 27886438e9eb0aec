"""The DTLS engine alone: two engines back to back in memory, with loss, reordering and
duplication of datagrams, cookies, PSK, verification errors, bad datagrams and timers."""

from __future__ import annotations

import hashlib
import hmac
import struct
import time

import pytest

from qtls.ssl.engine import (
    CookieVerifier,
    DtlsEngine,
    EngineConfigError,
    EngineState,
    HandshakeCompleted,
    LocalProtocolError,
    TlsError,
    VerifyErrorRecorded,
    VerifyMode,
    build_context,
)
from qtls.ssl.engine.dtlsrecords import RECORD_HEADER, split_records
from qtls.ssl.engine.settings import TlsSettings

from .conftest import (
    CLIENT_CERT,
    OTHER_CA,
    Wire,
    client_settings,
    cookie_key,
    duplicated,
    server_settings,
    shuffled,
)

HANDSHAKE_TIMEOUT = 10.0


def make_wire(server: TlsSettings | None = None, client: TlsSettings | None = None,
              mtu: int = 576, **client_kw: object) -> Wire:
    c = DtlsEngine(client or client_settings(), server_hostname="localhost", mtu=mtu, **client_kw)
    s = DtlsEngine(server or server_settings(), mtu=mtu)
    return Wire(c, s)


def handshake(wire: Wire, deadline: float = HANDSHAKE_TIMEOUT) -> None:
    """Run the handshake, driving OpenSSL's retransmission timers when datagrams were lost."""
    if wire.client.state is EngineState.IDLE:
        wire.client.start_handshake()
    end = time.monotonic() + deadline
    while not wire.encrypted() and time.monotonic() < end:
        wire.pump()
        if wire.encrypted():
            break
        if EngineState.FAILED in (wire.client.state, wire.server.state):
            break
        waits = [t for t in (wire.client.timeout(), wire.server.timeout()) if t is not None]
        time.sleep(min([*waits, 0.05]) if waits else 0.05)
        wire.client.handle_timeout()
        wire.server.handle_timeout()


def test_handshake_completes_in_memory_and_reports_dtls12() -> None:
    wire = make_wire()
    handshake(wire)
    assert wire.encrypted()
    events = wire.client.events()
    completed = [e for e in events if isinstance(e, HandshakeCompleted)]
    assert completed and completed[0].info.protocol == "DTLSv1.2"
    assert wire.server.info is not None and wire.server.info.protocol == "DTLSv1.2"


def test_datagrams_never_exceed_the_mtu_during_the_handshake() -> None:
    wire = make_wire(mtu=300)
    handshake(wire)
    assert wire.encrypted()
    assert wire.sent_by_server and max(map(len, wire.sent_by_server)) <= 300
    assert max(map(len, wire.sent_by_client)) <= 300
    # The certificate flight needed more than one datagram at this MTU.
    assert len(wire.sent_by_server) >= 3


def test_every_datagram_is_whole_records() -> None:
    wire = make_wire()
    handshake(wire)
    for datagram in wire.sent_by_server + wire.sent_by_client:
        records = split_records(datagram)
        assert b"".join(records) == datagram
        for record in records:
            assert len(record) >= RECORD_HEADER
            assert len(record) == RECORD_HEADER + int.from_bytes(record[11:13], "big")


def test_application_datagrams_round_trip_one_record_each() -> None:
    wire = make_wire()
    handshake(wire)
    for size in (1, 100, 500):
        payload = bytes(range(256)) * 2
        assert wire.client.send_datagram(payload[:size]) == size
        out = wire.client.datagrams_to_send()
        assert len(out) == 1
        wire.server.receive_datagram(out[0])
        assert bytes(wire.server.read_plaintext()) == payload[:size]


def test_a_datagram_larger_than_a_record_is_refused_with_a_reason() -> None:
    wire = make_wire()
    handshake(wire)
    wire.client.events()
    assert wire.client.send_datagram(b"x" * 16385) == -1
    errors = [e for e in wire.client.events() if isinstance(e, TlsError)]
    assert len(errors) == 1 and not errors[0].fatal
    assert "exceeds max fragment size" in errors[0].reason
    assert wire.client.datagrams_to_send() == []
    assert wire.client.state is EngineState.ENCRYPTED
    # The largest record still goes, alone in a datagram bigger than the MTU.
    assert wire.client.send_datagram(b"x" * 16384) == 16384
    (datagram,) = wire.client.datagrams_to_send()
    wire.server.receive_datagram(datagram)
    assert len(wire.server.read_plaintext()) == 16384


def test_reordered_flights_still_complete() -> None:
    wire = make_wire(mtu=300)
    wire.to_client = shuffled(1)
    wire.to_server = shuffled(2)
    handshake(wire)
    assert wire.encrypted()


def test_duplicated_datagrams_are_harmless() -> None:
    wire = make_wire()
    wire.to_client = duplicated
    wire.to_server = duplicated
    handshake(wire)
    assert wire.encrypted()
    wire.client.send_datagram(b"once")
    for d in duplicated(wire.client.datagrams_to_send()):
        wire.server.receive_datagram(d)
    # The replayed record is dropped (RFC 6347 §4.1.2.6): the payload arrives once.
    assert bytes(wire.server.read_plaintext()) == b"once"


def test_lost_flight_is_retransmitted_after_the_timer() -> None:
    wire = make_wire()
    dropped: list[bytes] = []

    def drop_first_server_flight(datagrams: list[bytes]) -> list[bytes]:
        if not dropped and datagrams:
            dropped.extend(datagrams)
            return []
        return datagrams

    wire.to_client = drop_first_server_flight
    wire.client.start_handshake()
    wire.pump()
    assert dropped and not wire.encrypted()
    # OpenSSL's first retransmission timer is 1 s (Qt's too).
    left = wire.client.timeout()
    assert left is not None and 0 < left <= 1.0
    assert wire.client.handle_timeout() is False  # not due yet: nothing resent
    handshake(wire)
    assert wire.encrypted()
    # The client resent its ClientHello, the same bytes except nothing (same record seq? no:
    # a retransmission gets a new record sequence number), so compare the handshake body.
    hellos = [d for d in wire.sent_by_client if d[13] == 1]
    assert len(hellos) >= 2 and hellos[0][RECORD_HEADER:] == hellos[1][RECORD_HEADER:]


def test_timer_stops_once_encrypted() -> None:
    wire = make_wire()
    handshake(wire)
    assert wire.client.timeout() is None and wire.server.timeout() is None
    assert wire.client.handle_timeout() is False


def test_garbage_and_truncated_datagrams_are_dropped_during_and_after_the_handshake() -> None:
    wire = make_wire()
    wire.client.start_handshake()
    hello = wire.client.datagrams_to_send()
    wire.server.receive_datagram(b"\x00" * 40)  # garbage first: the server starts, drops it
    wire.server.receive_datagram(hello[0][: len(hello[0]) // 2])  # truncated ClientHello
    assert wire.server.state is not EngineState.FAILED
    for d in hello:
        wire.server.receive_datagram(d)
    wire.pump()
    handshake(wire)
    assert wire.encrypted()
    wire.client.send_datagram(b"payload")
    record = wire.client.datagrams_to_send()[0]
    wire.server.receive_datagram(record[:-5])  # truncated record
    wire.server.receive_datagram(b"\x17\xfe\xfd" + b"\x00" * 30)  # bogus application record
    tampered = bytearray(record)
    tampered[-1] ^= 0xFF
    wire.server.receive_datagram(bytes(tampered))  # fails authentication: dropped
    assert wire.server.read_plaintext() == b""
    assert wire.server.state is EngineState.ENCRYPTED
    wire.server.receive_datagram(record)
    assert bytes(wire.server.read_plaintext()) == b"payload"


def test_verify_errors_are_recorded_and_the_handshake_goes_on() -> None:
    wire = make_wire(client=client_settings(ca=OTHER_CA))
    handshake(wire)
    assert wire.encrypted()
    errors = [e for e in wire.client.events() if isinstance(e, VerifyErrorRecorded)]
    assert errors and errors[0].error.depth in (0, 1)


def test_client_certificate_reaches_the_server() -> None:
    from .conftest import chain_der

    wire = make_wire(
        server=server_settings(verify_mode=VerifyMode.VERIFY,
                               ca_certificates=client_settings().ca_certificates),
        client=client_settings(local_certificate_chain=chain_der(CLIENT_CERT),
                               private_key=CLIENT_CERT.private_key_pem.bytes()),
    )
    handshake(wire)
    assert wire.encrypted()
    assert wire.server.info is not None and wire.server.info.peer_chain[0] == chain_der(CLIENT_CERT)[0]


def test_psk_handshake_without_certificates() -> None:
    server = server_settings(local_certificate_chain=(), private_key=None, psk=True,
                             psk_identity_hint=b"hint", cipher_list="PSK-AES128-GCM-SHA256")
    client = client_settings(psk=True, cipher_list="PSK-AES128-GCM-SHA256")
    seen: list[object] = []

    def client_hook(hint: bytes, max_id: int, max_psk: int) -> tuple[bytes, bytes]:
        seen.append(hint)
        return b"alice", b"\x01" * 16

    def server_hook(identity: bytes, max_psk: int) -> bytes | None:
        seen.append(identity)
        return b"\x01" * 16 if identity == b"alice" else None

    wire = make_wire(server=server, client=client, on_psk_required=client_hook)
    wire.server.on_psk_identity = server_hook
    handshake(wire)
    assert wire.encrypted()
    assert b"hint" in seen and b"alice" in seen
    assert wire.client.info is not None and "PSK" in wire.client.info.cipher_name


def test_psk_with_a_wrong_key_never_completes() -> None:
    server = server_settings(local_certificate_chain=(), private_key=None, psk=True,
                             cipher_list="PSK-AES128-GCM-SHA256")
    client = client_settings(psk=True, cipher_list="PSK-AES128-GCM-SHA256")
    wire = make_wire(server=server, client=client,
                     on_psk_required=lambda h, a, b: (b"alice", b"\x01" * 16))
    wire.server.on_psk_identity = lambda identity, m: b"\x02" * 16
    handshake(wire, deadline=2.5)
    # Records protected with the wrong key fail authentication, and DTLS drops those silently
    # (RFC 6347 §4.1.2.7): the handshake never completes, it is never "failed" either.
    assert not wire.encrypted()
    assert wire.server.state is not EngineState.ENCRYPTED
    assert not [e for e in wire.client.events() if isinstance(e, HandshakeCompleted)]


def test_close_notify_reaches_the_peer() -> None:
    wire = make_wire()
    handshake(wire)
    wire.client.shutdown()
    for d in wire.client.datagrams_to_send():
        wire.server.receive_datagram(d)
    assert wire.server.close_notify_received
    assert wire.server.state is EngineState.CLOSING


def test_abort_sends_nothing() -> None:
    wire = make_wire()
    wire.client.start_handshake()
    wire.client.abort()
    assert wire.client.datagrams_to_send() == []
    assert wire.client.state is EngineState.CLOSED


def test_send_before_encrypted_is_a_local_error() -> None:
    wire = make_wire()
    with pytest.raises(LocalProtocolError):
        wire.client.send_datagram(b"early")


def test_tls_settings_are_refused_by_the_dtls_engine() -> None:
    with pytest.raises(EngineConfigError):
        DtlsEngine(TlsSettings())


# --- cookies ------------------------------------------------------------------------------------


def qt_cookie(secret: bytes, host_v4: str, port: int) -> bytes:
    """Qt's cookie, computed independently: HMAC-SHA256(secret, port ‖ IPv4), host order."""
    import ipaddress

    peer = struct.pack("=H", port) + struct.pack("=I", int(ipaddress.IPv4Address(host_v4)))
    return hmac.new(secret, peer, hashlib.sha256).digest()


def hello_verify_cookie(datagram: bytes) -> bytes:
    # record header (13) + handshake header (12) + server_version (2) + cookie length (1)
    body = datagram[RECORD_HEADER + 12:]
    assert datagram[RECORD_HEADER] == 3  # HelloVerifyRequest
    return body[3 : 3 + body[2]]


def test_cookie_verifier_answers_a_cookieless_hello_with_qts_cookie() -> None:
    verifier = CookieVerifier(build_context(server_settings()))
    client = DtlsEngine(client_settings(), server_hostname="localhost")
    client.start_handshake()
    hello = client.datagrams_to_send()[0]
    key = cookie_key(b"s" * 32, "127.0.0.1", 40001)
    ok, replies, error = verifier.verify(hello, key)
    assert not ok and error == "" and len(replies) == 1
    assert hello_verify_cookie(replies[0]) == qt_cookie(b"s" * 32, "127.0.0.1", 40001)
    client.receive_datagram(replies[0])
    second = client.datagrams_to_send()[0]
    assert verifier.verify(second, key)[0] is True
    # The same hello from another port does not pass.
    assert verifier.verify(second, cookie_key(b"s" * 32, "127.0.0.1", 40002))[0] is False


def test_a_retransmitted_first_hello_does_not_stall_the_server_flight() -> None:
    # The client's first ClientHello went out k times (lost, retransmitted): the copy that
    # reaches the verifier has record number k. The server's first flight is numbered from 1
    # on (OpenSSL 3.2+): a HelloVerifyRequest numbered k made the client drop the server's
    # record k as a replay, and the handshake waited for a retransmission.
    key = cookie_key()
    client = DtlsEngine(client_settings(), server_hostname="localhost")
    client.start_handshake()
    hello = bytearray(client.datagrams_to_send()[0])
    hello[5:11] = (2).to_bytes(6, "big")  # as the third copy of the hello would be numbered
    ok, replies, _ = CookieVerifier(build_context(server_settings())).verify(bytes(hello), key)
    assert not ok and int.from_bytes(replies[0][5:11], "big") == 0
    client.receive_datagram(replies[0])
    server = DtlsEngine(server_settings(), cookie_key=key)
    assert server.start_verified(client.datagrams_to_send()[0])
    for datagram in server.datagrams_to_send():
        client.receive_datagram(datagram)
    # The whole flight was taken at once: the client answers without any retransmission.
    assert client.datagrams_to_send(), "the client dropped part of the server's first flight"


def test_server_engine_with_a_cookie_key_takes_only_a_verified_hello() -> None:
    key = cookie_key()
    client = DtlsEngine(client_settings(), server_hostname="localhost")
    client.start_handshake()
    first = client.datagrams_to_send()[0]
    server = DtlsEngine(server_settings(), cookie_key=key)
    assert server.start_verified(first) is False
    assert server.state is EngineState.IDLE and server.datagrams_to_send() == []
    ok, replies, _ = CookieVerifier(build_context(server_settings())).verify(first, key)
    client.receive_datagram(replies[0])
    verified = client.datagrams_to_send()[0]
    assert server.start_verified(verified) is True
    wire = Wire(client, server)
    handshake(wire)
    assert wire.encrypted()


def test_a_flood_of_cookieless_hellos_keeps_no_state_and_real_clients_get_through() -> None:
    verifier = CookieVerifier(build_context(server_settings()))
    key = cookie_key()
    hellos = []
    for _ in range(50):
        c = DtlsEngine(client_settings(), server_hostname="localhost")
        c.start_handshake()
        hellos.append(c.datagrams_to_send()[0])
    for i, hello in enumerate(hellos * 4):
        ok, replies, _ = verifier.verify(hello, cookie_key(port=1000 + i))
        assert not ok and len(replies) == 1  # each one only a small HelloVerifyRequest
        assert len(replies[0]) < len(hello)
    for garbage in (b"", b"\x16", b"\x16\xfe\xfd" + b"\xff" * 60, bytes(300)):
        ok, replies, _ = verifier.verify(garbage, key)
        assert not ok and replies == []
    real = DtlsEngine(client_settings(), server_hostname="localhost")
    real.start_handshake()
    _, replies, _ = verifier.verify(real.datagrams_to_send()[0], key)
    real.receive_datagram(replies[0])
    assert verifier.verify(real.datagrams_to_send()[0], key)[0] is True
