"""One QIODevice conformance suite, run unchanged over every stream type qtls has.

The suite checks the buffered QIODevice API as a program sees it on a connected stream: lines
split across sends, peek, getChar/ungetChar/putChar, read/readAll/skip, atEnd after the peer
closed, writes reaching the peer, megabytes through readAll, transactions and readyRead.

How to include it
-----------------
Subclass ``IODeviceConformance`` in a test module (the class name then starts with ``Test`` so
pytest collects it) and provide a fixture named ``pair`` that yields an object following the
``DevicePair`` protocol below::

    import pytest
    from tests.conformance.iodevice_suite import IODeviceConformance

    class TestTcpSocketConformance(IODeviceConformance):
        @pytest.fixture
        def pair(self):
            pair = make_my_tcp_pair()      # device connected and open ReadWrite
            yield pair
            pair.shutdown()                 # whatever cleanup the pair needs

The pair owns everything that moves bytes, so the suite never touches sockets or loops:

* ``send(data)`` must not block forever when ``data`` is larger than the socket buffers (queue
  what does not fit and deliver it while ``wait_for_bytes``/``receive`` drive the device).
* ``wait_for_bytes(n)`` drives the device (event loop or ``waitForReadyRead``) until
  ``device.bytesAvailable() >= n`` and fails the test on timeout.
* ``receive(n)`` drives the device until the peer got ``n`` bytes the device wrote.
* ``close_peer()`` delivers what was sent, then closes the peer's side; the device must keep
  its buffered data readable afterwards (as Qt sockets do after the remote host closed).

``tests/io/test_conformance_socketpair.py`` runs the suite over a minimal in-process device and
is the reference implementation of a pair.
"""

from __future__ import annotations

import os
from typing import Any, Protocol

import pytest

from qtls.core.iodevice import QIODevice

__all__ = ["DevicePair", "IODeviceConformance"]


def _is_qbytearray(value: object) -> bool:
    # By name, so that the suite also runs over PyQt6's sockets (tests/io proves it does).
    return type(value).__name__ == "QByteArray"


class DevicePair(Protocol):
    """A connected device under test and the peer at the other end of its stream."""

    device: QIODevice

    def send(self, data: bytes) -> None:
        """The peer sends ``data`` to the device."""

    def close_peer(self) -> None:
        """The peer closes its side after delivering everything sent (device sees EOF)."""

    def receive(self, n: int, timeout: float = 5.0) -> bytes:
        """The peer reads exactly ``n`` bytes the device wrote (fails on timeout)."""

    def wait_for_bytes(self, n: int, timeout: float = 5.0) -> None:
        """Drive until ``device.bytesAvailable() >= n`` (fails on timeout)."""


class IODeviceConformance:
    """QIODevice behaviour every connected stream device must have (see the module docstring)."""

    # ------------------------------------------------------------------ lines
    def test_read_line_assembles_line_split_across_sends(self, pair: DevicePair) -> None:
        dev = pair.device
        pair.send(b"hel")
        pair.wait_for_bytes(3)
        assert not dev.canReadLine()
        pair.send(b"lo\nwor")
        pair.wait_for_bytes(9)
        assert dev.canReadLine()
        line = dev.readLine()
        assert _is_qbytearray(line) and line == b"hello\n"
        assert not dev.canReadLine()
        assert dev.bytesAvailable() == 3

    def test_read_line_returns_partial_line_when_no_newline_buffered(self, pair: DevicePair
                                                                     ) -> None:
        pair.send(b"no newline yet")
        pair.wait_for_bytes(14)
        assert pair.device.readLine() == b"no newline yet"
        assert pair.device.bytesAvailable() == 0

    def test_read_line_assembles_line_from_many_small_sends(self, pair: DevicePair) -> None:
        expected = b"".join(bytes([65 + i % 26]) for i in range(200)) + b"\n"
        for i in range(len(expected)):
            pair.send(expected[i : i + 1])
        pair.wait_for_bytes(len(expected))
        assert pair.device.canReadLine()
        assert pair.device.readLine() == expected

    def test_read_line_reads_successive_lines(self, pair: DevicePair) -> None:
        pair.send(b"one\ntwo\n\nthree\n")
        pair.wait_for_bytes(15)
        dev = pair.device
        assert [dev.readLine() for _ in range(4)] == [b"one\n", b"two\n", b"\n", b"three\n"]
        assert dev.readLine() == b""

    def test_read_line_with_maxlen_returns_at_most_maxlen_minus_one_bytes(
            self, pair: DevicePair) -> None:
        pair.send(b"abcdef\n")
        pair.wait_for_bytes(7)
        dev = pair.device
        first = dev.readLine(4)
        assert type(first) is bytes and first == b"abc"
        assert dev.readLine(100) == b"def\n"
        assert dev.readLine(100) == b""

    # ------------------------------------------------------------- characters
    def test_get_char_and_unget_char_round_trip(self, pair: DevicePair) -> None:
        pair.send(b"xy")
        pair.wait_for_bytes(2)
        dev = pair.device
        assert dev.getChar() == (True, b"x")
        dev.ungetChar(b"x")
        assert dev.bytesAvailable() == 2
        assert dev.read(2) == b"xy"
        assert dev.getChar() == (False, b"\x00")

    def test_unget_char_puts_back_a_different_byte(self, pair: DevicePair) -> None:
        pair.send(b"bc")
        pair.wait_for_bytes(2)
        pair.device.ungetChar(b"a")
        assert pair.device.read(3) == b"abc"

    def test_put_char_reaches_peer(self, pair: DevicePair) -> None:
        assert pair.device.putChar(b"Z") is True
        assert pair.receive(1) == b"Z"

    # ---------------------------------------------------------------- reading
    def test_peek_does_not_consume(self, pair: DevicePair) -> None:
        pair.send(b"peekaboo")
        pair.wait_for_bytes(8)
        dev = pair.device
        assert dev.peek(4) == b"peek"
        assert dev.peek(100) == b"peekaboo"
        assert dev.bytesAvailable() == 8
        assert dev.read(8) == b"peekaboo"

    def test_read_returns_at_most_what_is_available(self, pair: DevicePair) -> None:
        pair.send(b"0123456789")
        pair.wait_for_bytes(10)
        dev = pair.device
        assert dev.read(4) == b"0123"
        assert dev.bytesAvailable() == 6
        assert dev.read(100) == b"456789"
        assert dev.read(10) == b""
        assert dev.read(0) == b""

    def test_read_all_returns_qbytearray_of_everything_buffered(self, pair: DevicePair) -> None:
        pair.send(b"first ")
        pair.send(b"second")
        pair.wait_for_bytes(12)
        data = pair.device.readAll()
        assert _is_qbytearray(data) and data == b"first second"
        assert pair.device.readAll() == b""

    def test_skip_drops_bytes(self, pair: DevicePair) -> None:
        pair.send(b"0123456789")
        pair.wait_for_bytes(10)
        dev = pair.device
        assert dev.skip(3) == 3
        assert dev.read(2) == b"34"
        assert dev.skip(100) == 5
        assert dev.bytesAvailable() == 0

    def test_bytes_available_grows_with_each_send(self, pair: DevicePair) -> None:
        pair.send(b"a" * 100)
        pair.wait_for_bytes(100)
        assert pair.device.bytesAvailable() == 100
        pair.send(b"b" * 50)
        pair.wait_for_bytes(150)
        assert pair.device.bytesAvailable() == 150

    def test_at_end_after_peer_close_and_drain(self, pair: DevicePair) -> None:
        dev = pair.device
        pair.send(b"last words\n")
        pair.close_peer()
        pair.wait_for_bytes(11)
        assert not dev.atEnd()
        assert dev.readLine() == b"last words\n"
        assert dev.atEnd()
        assert dev.read(10) in (b"", None)

    def test_ready_read_is_emitted_when_data_arrives(self, pair: DevicePair) -> None:
        calls: list[int] = []
        pair.device.readyRead.connect(lambda: calls.append(pair.device.bytesAvailable()))
        pair.send(b"ping")
        pair.wait_for_bytes(4)
        assert calls and calls[-1] >= 1

    # ---------------------------------------------------------------- writing
    def test_write_reaches_peer_for_every_bytes_like_type(self, pair: DevicePair) -> None:
        dev = pair.device
        assert dev.write(b"ab") == 2
        assert dev.write(bytearray(b"cd")) == 2
        assert dev.write(memoryview(b"xefx")[1:3]) == 2
        assert dev.write(bytearray(b"gh")) == 2
        assert pair.receive(8) == b"abcdefgh"

    def test_write_of_mutable_buffer_is_not_affected_by_later_changes(self, pair: DevicePair
                                                                      ) -> None:
        buf = bytearray(b"original")
        assert pair.device.write(buf) == 8
        buf[:] = b"XXXXXXXX"
        assert pair.receive(8) == b"original"

    def test_echo_round_trip(self, pair: DevicePair) -> None:
        pair.send(b"request\n")
        pair.wait_for_bytes(8)
        line = pair.device.readLine()
        assert pair.device.write(b"echo: " + bytes(line)) == 14
        assert pair.receive(14) == b"echo: request\n"

    # ----------------------------------------------------------------- large
    def test_large_data_arrives_whole_through_read_all(self, pair: DevicePair) -> None:
        payload = os.urandom(4 * 1024 * 1024)
        pair.send(payload)
        pair.wait_for_bytes(len(payload), timeout=30.0)
        data = pair.device.readAll()
        assert len(data) == len(payload) and data == payload

    def test_large_write_reaches_peer_intact(self, pair: DevicePair) -> None:
        payload = os.urandom(3 * 1024 * 1024)
        assert pair.device.write(payload) == len(payload)
        assert pair.receive(len(payload), timeout=30.0) == payload

    def test_large_data_read_line_by_line(self, pair: DevicePair) -> None:
        lines = [b"%06d " % i + b"x" * (i % 300) + b"\n" for i in range(5000)]
        blob = b"".join(lines)
        pair.send(blob)
        pair.wait_for_bytes(len(blob), timeout=30.0)
        dev = pair.device
        got = []
        while dev.canReadLine():
            got.append(bytes(dev.readLine()))
        assert got == lines

    # ---------------------------------------------------------- transactions
    def test_rollback_transaction_restores_read_bytes(self, pair: DevicePair) -> None:
        pair.send(b"partial")
        pair.wait_for_bytes(7)
        dev = pair.device
        dev.startTransaction()
        assert dev.isTransactionStarted()
        assert dev.read(4) == b"part"
        assert dev.getChar() == (True, b"i")
        dev.rollbackTransaction()
        assert not dev.isTransactionStarted()
        assert dev.bytesAvailable() == 7
        assert dev.read(7) == b"partial"

    def test_commit_transaction_keeps_bytes_consumed(self, pair: DevicePair) -> None:
        pair.send(b"abcdef")
        pair.wait_for_bytes(6)
        dev = pair.device
        dev.startTransaction()
        assert dev.read(3) == b"abc"
        dev.commitTransaction()
        assert dev.read(10) == b"def"

    def test_transaction_retries_a_message_until_complete(self, pair: DevicePair) -> None:
        # Qt's documented pattern: read a length-prefixed message, roll back while incomplete.
        dev = pair.device
        message = b"hello transactions"
        frame = len(message).to_bytes(4, "big") + message

        def try_read() -> bytes | None:
            dev.startTransaction()
            header = dev.read(4)
            if header is None or len(header) < 4:
                dev.rollbackTransaction()
                return None
            body = dev.read(int.from_bytes(header, "big"))
            if body is None or len(body) < int.from_bytes(header, "big"):
                dev.rollbackTransaction()
                return None
            dev.commitTransaction()
            return body

        pair.send(frame[:2])
        pair.wait_for_bytes(2)
        assert try_read() is None
        pair.send(frame[2:10])
        pair.wait_for_bytes(10)
        assert try_read() is None
        assert dev.bytesAvailable() == 10
        pair.send(frame[10:])
        pair.wait_for_bytes(len(frame))
        assert try_read() == message
        assert dev.bytesAvailable() == 0

    def test_rollback_restores_read_line_and_read_all(self, pair: DevicePair) -> None:
        pair.send(b"line\nrest")
        pair.wait_for_bytes(9)
        dev = pair.device
        dev.startTransaction()
        assert dev.readLine() == b"line\n"
        assert dev.readAll() == b"rest"
        dev.rollbackTransaction()
        assert dev.readAll() == b"line\nrest"

    # ------------------------------------------------------------ open state
    def test_device_is_open_read_write_and_sequential(self, pair: DevicePair) -> None:
        dev = pair.device
        assert dev.isOpen() and dev.isReadable() and dev.isWritable()
        assert dev.isSequential()
        read_write = type(dev).OpenModeFlag.ReadWrite
        assert dev.openMode() & read_write == read_write

    def test_peek_and_read_with_negative_length_raise_value_error(self, pair: DevicePair
                                                                  ) -> None:
        with pytest.raises(ValueError):
            pair.device.read(-1)
        with pytest.raises(ValueError):
            pair.device.peek(-1)

    def test_write_of_str_raises_type_error(self, pair: DevicePair) -> None:
        bad: Any = "text"
        with pytest.raises(TypeError):
            pair.device.write(bad)
