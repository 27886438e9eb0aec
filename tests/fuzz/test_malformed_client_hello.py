"""tlsfuzzer's malformed-ClientHello cases, reproduced with raw sockets against QSslServer.

A fast subset of ``make conformance`` that needs nothing from outside: a valid ClientHello
(from the stdlib's ``ssl`` on memory BIOs) is broken the way tlsfuzzer's scripts break it
(test-truncating-of-client-hello, test-cve-2016-6309, test-invalid-client-hello-w-record-
overflow, test-record-layer-fragmentation, test-invalid-content-type, test-sslv2-connection),
sent from a plain TCP client, and the server's answer is checked: the fatal alert OpenSSL
sends (the same as a bare pyOpenSSL server's, per the tlsfuzzer comparison), the connection
closed, and errorOccurred(socket, …) emitted by the server — or, where Qt drops the connection
silently (the first byte is not a handshake record), no alert and no signal at all.
"""

from __future__ import annotations

import ssl
from typing import Any

import pytest

from qtls.QtNetwork import QAbstractSocket
from tests.sslserver.helpers import raw_client, record_server, run_until, start_server

_TIMEOUT_MS = 300  # the server's handshake timeout here (Qt's default is 5 s)
_HANDSHAKE, _ALERT, _FATAL = 0x16, 0x15, 2
_SOCKET_ERRORS = QAbstractSocket.SocketError


def client_hello(maximum: ssl.TLSVersion = ssl.TLSVersion.TLSv1_3) -> bytes:
    """One ClientHello record, as the stdlib (OpenSSL) client sends it."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    ctx.maximum_version = maximum
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    obj = ctx.wrap_bio(incoming, outgoing, server_hostname="localhost")
    with pytest.raises(ssl.SSLWantReadError):
        obj.do_handshake()
    record = outgoing.read()
    assert record[0] == _HANDSHAKE and record[5] == 1  # a ClientHello
    return record


def records_of(payload: bytes, version: bytes = b"\x03\x01", size: int = 1) -> bytes:
    """``payload`` as handshake records of ``size`` bytes each (legal fragmentation)."""
    return b"".join(bytes([_HANDSHAKE]) + version + len(piece).to_bytes(2, "big") + piece
                    for piece in (payload[i:i + size] for i in range(0, len(payload), size)))


def alerts_in(reply: bytes) -> list[tuple[int, int]]:
    """(level, description) of every plaintext alert record at the start of ``reply``."""
    found = []
    while len(reply) >= 7 and reply[0] == _ALERT:
        found.append((reply[5], reply[6]))
        reply = reply[5 + int.from_bytes(reply[3:5], "big"):]
    return found


def exchange(payload: bytes, *, linger_s: float = 0.0) -> tuple[bytes, list[str]]:
    """Send ``payload`` to a fresh QSslServer; (what came back until EOF, the server's log)."""
    server, _accepted = start_server(timeout_ms=_TIMEOUT_MS)
    log: list[str] = []
    record_server(server, log)
    peer = raw_client(server.serverPort(), payload, linger_s=linger_s)
    assert peer.wait(), "the server never closed the connection"
    run_until(lambda: False, 50)  # let the server's signals land
    server.close()
    return peer.reply, log


def errors_of(log: list[str]) -> list[str]:
    return [entry for entry in log if entry.startswith("errorOccurred")]


@pytest.fixture(autouse=True)
def _app(qtls_app: Any) -> None:
    """(Every test here needs the application object.)"""


def test_valid_client_hello_gets_a_server_hello() -> None:
    reply, log = exchange(client_hello())
    assert reply[0] == _HANDSHAKE and reply[5] == 2  # ServerHello
    assert "startedEncryptionHandshake" in " ".join(log)


def test_client_hello_in_one_byte_records_is_accepted() -> None:
    hello = client_hello()
    reply, _ = exchange(records_of(hello[5:]))
    assert reply[0] == _HANDSHAKE and reply[5] == 2


def padded(hello: bytes, size: int) -> bytes:
    """The handshake message of ``hello`` (a record) with an extension of ``size`` zero bytes
    (of an unassigned type: OpenSSL's hello may carry a padding extension already, and a
    second one of a type is illegal)."""
    message = bytearray(hello[5:])
    at = 4 + 2 + 32
    at += 1 + message[at]  # session id
    at += 2 + int.from_bytes(message[at:at + 2], "big")  # cipher suites
    at += 1 + message[at]  # compression methods
    extensions = int.from_bytes(message[at:at + 2], "big")
    message += b"\x3f\x3f" + size.to_bytes(2, "big") + bytes(size)
    message[at:at + 2] = (extensions + 4 + size).to_bytes(2, "big")
    message[1:4] = (len(message) - 4).to_bytes(3, "big")
    return bytes(message)


def test_large_padded_client_hello_in_two_byte_records_is_accepted() -> None:
    # test-large-hello "fragmented, padding ext 65340 bytes": ~30,000 records of 2 bytes.
    # (Under load that script's own client can take longer than QSslServer's 5 s handshake
    # deadline to produce them: Qt's deadline counts from the first byte, as here.)
    reply, _ = exchange(records_of(padded(client_hello(), 60000), size=2))
    assert reply[0] == _HANDSHAKE and reply[5] == 2


def test_truncated_client_hello_then_eof_fails_the_handshake() -> None:
    hello = client_hello()
    reply, log = exchange(hello[: len(hello) // 2])  # raw_client then half-closes by leaving
    assert not alerts_in(reply) or alerts_in(reply)[0][0] == _FATAL
    assert errors_of(log), log


def test_large_incorrect_client_hello_length_ends_at_the_handshake_timeout() -> None:
    # test-cve-2016-6309 "Large incorrect ClientHello length": the message's length says
    # 0x5555 bytes (under OpenSSL's limit for a ClientHello), far more than come. OpenSSL waits for them; QSslServer closes at its handshake timeout
    # without an alert (Qt does the same: that probe, which waits 6 s for nothing, fails on
    # Qt's 5 s default timeout alike).
    hello = bytearray(client_hello(ssl.TLSVersion.TLSv1_2))
    hello[7:9] = b"\x55\x55"
    reply, log = exchange(bytes(hello), linger_s=0.0)
    assert reply == b""
    assert any(_SOCKET_ERRORS.SocketTimeoutError.name in entry for entry in errors_of(log)), log


def test_record_over_the_maximum_length_gets_record_overflow() -> None:
    # test-invalid-client-hello-w-record-overflow: a record longer than 2**14 + 2048.
    size = 2**14 + 2048 + 1
    payload = b"\x16\x03\x01" + size.to_bytes(2, "big") + bytes(size)
    reply, log = exchange(payload)
    assert alerts_in(reply) == [(_FATAL, 22)]  # record_overflow
    assert errors_of(log)


def test_zero_length_handshake_record_before_the_hello_is_tolerated() -> None:
    # OpenSSL skips an empty handshake record in front of the ClientHello (a bare pyOpenSSL
    # server too): the handshake goes on, and ends at the timeout as the client says no more.
    reply, log = exchange(b"\x16\x03\x01\x00\x00" + client_hello())
    assert reply[0] == _HANDSHAKE and reply[5] == 2  # ServerHello
    assert any(_SOCKET_ERRORS.SocketTimeoutError.name in entry for entry in errors_of(log)), log


def test_server_hello_sent_to_the_server_is_unexpected() -> None:
    hello = bytearray(client_hello())
    hello[5] = 2  # handshake type ServerHello
    reply, log = exchange(bytes(hello))
    assert alerts_in(reply) == [(_FATAL, 10)]  # unexpected_message
    assert errors_of(log)


def test_client_hello_with_garbage_body_is_a_decode_error() -> None:
    body = b"\x03\x03" + bytes(32) + b"\x00" + b"\x00\x00" + b"\x00"  # no ciphers, no methods
    message = b"\x01" + len(body).to_bytes(3, "big") + body
    reply, log = exchange(records_of(message, size=len(message)))
    assert alerts_in(reply) and alerts_in(reply)[0][0] == _FATAL
    assert errors_of(log)


@pytest.mark.parametrize("payload", [
    b"\x80\x2e\x01\x03\x01\x00\x15\x00\x00\x00\x10" + bytes(21) + bytes(16),  # SSLv2 hello
    b"\x15\x03\x01\x00\x02\x01\x00",  # a warning alert first
    b"\x17\x03\x03\x00\x05hello",  # application data first
], ids=["sslv2-hello", "alert-first", "application-data-first"])
def test_not_a_handshake_record_is_dropped_silently(payload: bytes) -> None:
    # Qt peeks at the first byte: anything but a handshake record is closed without a word.
    reply, log = exchange(payload)
    assert reply == b""
    assert not errors_of(log) and "startedEncryptionHandshake" not in " ".join(log)
