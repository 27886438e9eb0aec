"""The engine's data path buffers: data_to_send around its scratch size, receive_ciphertext
batches that end with an empty BIO, and records split across feeds."""

from __future__ import annotations

import os

import pytest

from qtls.ssl.engine import TlsEngine

from .conftest import client_settings, server_settings
from .helpers import connect


def _pair(cache, version=None):
    kw = {} if version is None else {"min_version": version, "max_version": version}
    client = TlsEngine(client_settings(**kw), server_hostname="localhost", cache=cache)
    server = TlsEngine(server_settings(**kw), cache=cache)
    c, s = connect(client, server)
    return c.engine, s.engine


def _feed_all(engine: TlsEngine, data: bytes) -> None:
    engine.receive_ciphertext(data)


# Plaintext sizes whose ciphertext lands below, on and above the 4 KiB scratch buffer.
@pytest.mark.parametrize("size", [1, 64, 4000, 4074, 4075, 4100, 70_000, 256 * 1024])
def test_data_to_send_returns_every_byte_whatever_the_batch_size(cache, version, size):
    client, server = _pair(cache, version)
    payload = os.urandom(size)
    taken = 0
    while taken < size:
        taken += client.send_plaintext(payload[taken:])
    wire = client.data_to_send()
    assert client.data_to_send() == b""  # everything came out in one call
    _feed_all(server, bytes(wire))
    assert bytes(server.read_plaintext()) == payload


def test_a_big_batch_is_a_writable_view_the_engine_keeps_no_reference_to(cache):
    client, server = _pair(cache)
    first = os.urandom(100_000)
    client.send_plaintext(first)
    wire = client.data_to_send()
    assert type(wire) is memoryview and not wire.readonly
    assert wire.itemsize == 1 and wire.c_contiguous and len(wire) > len(first)
    copy = bytes(wire)
    wire[:] = b"\0" * len(wire)  # the owner scribbles over it: the engine must not care
    client.send_plaintext(b"next")
    later = client.data_to_send()
    _feed_all(server, copy + bytes(later))
    assert bytes(server.read_plaintext()) == first + b"next"


def test_messages_fed_one_by_one_are_each_decrypted_whole(cache, version):
    client, server = _pair(cache, version)
    for i in range(20):
        message = bytes([i]) * (i * 37 + 1)
        client.send_plaintext(message)
        _feed_all(server, bytes(client.data_to_send()))
        assert bytes(server.read_plaintext()) == message


def test_a_record_split_across_feeds_is_decrypted_once_complete(cache, version):
    client, server = _pair(cache, version)
    client.send_plaintext(b"a" * 300)
    wire = bytes(client.data_to_send())
    _feed_all(server, wire[:5])  # the header only
    assert server.read_plaintext() == b""
    _feed_all(server, wire[5:200])
    assert server.read_plaintext() == b""
    _feed_all(server, wire[200:])
    assert bytes(server.read_plaintext()) == b"a" * 300
    # And the next message, after a batch that ended with an empty BIO, is read whole.
    client.send_plaintext(b"b" * 50)
    _feed_all(server, bytes(client.data_to_send()))
    assert bytes(server.read_plaintext()) == b"b" * 50


def test_data_followed_by_close_notify_in_one_feed_gives_both(cache, version):
    client, server = _pair(cache, version)
    client.send_plaintext(b"last words")
    client.shutdown()
    _feed_all(server, bytes(client.data_to_send()))
    assert bytes(server.read_plaintext()) == b"last words"
    assert any(type(e).__name__ == "CloseNotifyReceived" for e in server.events())


def test_feeding_the_start_of_a_reused_receive_buffer_takes_only_those_bytes(cache, version):
    client, server = _pair(cache, version)
    receive = memoryview(bytearray(64 * 1024))  # as a socket's per-thread receive buffer
    for i in range(5):
        message = bytes([65 + i]) * (100 + i)
        client.send_plaintext(message)
        wire = bytes(client.data_to_send())
        receive[: len(wire)] = wire
        receive[len(wire) : len(wire) + 50] = b"\xff" * 50  # garbage behind: never read
        server.receive_ciphertext(receive, len(wire))
        assert bytes(server.read_plaintext()) == message
    assert server.events() == []
