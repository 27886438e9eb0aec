"""QDataStream: byte-for-byte Qt's wire format (checked against PyQt6), status and transactions."""

from __future__ import annotations

import math
import socket
import threading
import types
from typing import Any

import pytest

import qtls.QtCore as qtls_core
from qtls.QtCore import QByteArray, QDataStream, QIODeviceBase
from qtls.QtNetwork import QTcpSocket

Mode = QIODeviceBase.OpenModeFlag


@pytest.fixture(scope="module")
def pyqt() -> types.ModuleType:
    return pytest.importorskip("PyQt6.QtCore")


# (method, argument) in writing order; "<<" writes with the operator.
WRITES: list[tuple[str, Any]] = [
    ("writeInt8", -5), ("writeUInt8", 250), ("writeInt16", -30000), ("writeUInt16", 65000),
    ("writeInt32", -(2**31)), ("writeUInt32", 2**32 - 1), ("writeInt64", -(2**63)),
    ("writeUInt64", 2**64 - 1), ("writeInt", 123456), ("writeBool", True), ("writeBool", False),
    ("writeFloat", 1.1), ("writeFloat", -0.0), ("writeFloat", math.inf), ("writeFloat", 1e39),
    ("writeDouble", math.pi), ("writeDouble", 1e300), ("writeDouble", 5e-324),
    ("writeQString", "héllo €😀\ud800"), ("writeQString", ""), ("writeQString", None),
    ("writeQStringList", ["a", "", None, "ü"]), ("writeQStringList", []),
    ("writeBytes", b"\x00bin"), ("writeBytes", b""),
    ("writeString", b"cstr"), ("writeString", None),
    ("writeRawData", b"raw"),
    ("<<", b"qba"), ("<<", None), ("<<", b""), ("<<", "Z"),
]
READS: list[str] = [
    "readInt8", "readUInt8", "readInt16", "readUInt16", "readInt32", "readUInt32", "readInt64",
    "readUInt64", "readInt", "readBool", "readBool", "readFloat", "readFloat", "readFloat",
    "readFloat", "readDouble", "readDouble", "readDouble", "readQString", "readQString",
    "readQString", "readQStringList", "readQStringList", "readBytes", "readBytes", "readString",
    "readString", "raw3", ">>", ">>", ">>", "readUInt16",
]
VERSIONS = sorted({int(v) for v in QDataStream.Version})


def configure(core: Any, stream: Any, version: int, order: str, precision: str) -> Any:
    stream.setVersion(version)
    stream.setByteOrder(getattr(core.QDataStream.ByteOrder, order))
    stream.setFloatingPointPrecision(getattr(core.QDataStream.FloatingPointPrecision, precision))
    return stream


def write_all(core: Any, version: int, order: str, precision: str) -> bytes:
    array = core.QByteArray()
    stream = configure(core, core.QDataStream(array, core.QIODeviceBase.OpenModeFlag.WriteOnly),
                       version, order, precision)
    for method, value in WRITES:
        if method == "<<":
            if isinstance(value, str):
                stream << value
            else:
                stream << (core.QByteArray() if value is None else core.QByteArray(value))
        else:
            getattr(stream, method)(value)
    assert stream.status() == core.QDataStream.Status.Ok
    return bytes(array)


def read_all(core: Any, data: bytes, version: int, order: str, precision: str,
             reads: list[str] = READS, in_place: bool = False) -> list[Any]:
    """Read ``data`` back with ``reads``: from a copy (``QDataStream(bytes)``), or in place from
    a QByteArray opened ReadOnly (``in_place``)."""
    if in_place:
        source = core.QDataStream(core.QByteArray(data), core.QIODeviceBase.OpenModeFlag.ReadOnly)
    else:
        source = core.QDataStream(core.QByteArray(data))
    stream = configure(core, source, version, order, precision)
    out: list[Any] = []
    for method in reads:
        if method == "raw3":
            value: Any = stream.readRawData(3)
        elif method == ">>":
            target = core.QByteArray(b"old")
            stream >> target
            value = (bytes(target), target.isNull())
        else:
            value = getattr(stream, method)()
        if isinstance(value, float):
            value = repr(value)  # -0.0 and inf compare exactly as text
        out.append((value, stream.status().name))
    out.append(("atEnd", stream.atEnd()))
    return out


@pytest.mark.pyqt6
@pytest.mark.parametrize("precision", ["DoublePrecision", "SinglePrecision"])
@pytest.mark.parametrize("order", ["BigEndian", "LittleEndian"])
@pytest.mark.parametrize("version", VERSIONS)
def test_every_type_is_written_as_pyqt6_writes_it_and_read_back_the_same(
    pyqt: types.ModuleType, version: int, order: str, precision: str
) -> None:
    ours = write_all(qtls_core, version, order, precision)
    theirs = write_all(pyqt, version, order, precision)
    assert ours == theirs
    expected = read_all(pyqt, theirs, version, order, precision)
    assert read_all(qtls_core, theirs, version, order, precision) == expected
    assert read_all(qtls_core, theirs, version, order, precision, in_place=True) == expected


@pytest.mark.pyqt6
@pytest.mark.parametrize("version", [1, 12, 21, 24])
def test_truncated_input_gives_pyqt6s_values_and_status(
    pyqt: types.ModuleType, version: int
) -> None:
    data = write_all(pyqt, version, "BigEndian", "DoublePrecision")
    for cut in range(len(data) + 1):
        prefix = data[:cut]
        expected = read_all(pyqt, prefix, version, "BigEndian", "DoublePrecision")
        assert read_all(qtls_core, prefix, version, "BigEndian", "DoublePrecision") == expected
        assert read_all(qtls_core, prefix, version, "BigEndian", "DoublePrecision",
                        in_place=True) == expected, cut


CORRUPT = [
    bytes.fromhex("ffffffff"), bytes.fromhex("00000003616263"), bytes.fromhex("0000000a6162"),
    bytes.fromhex("00000002ffffffff00000002"), bytes.fromhex("fffffffe0000000000000002abcd"),
    bytes.fromhex("00000000"), bytes.fromhex("0000000461620063"),
]


@pytest.mark.pyqt6
@pytest.mark.parametrize("data", CORRUPT, ids=lambda d: d.hex())
@pytest.mark.parametrize("method", ["readQString", "readBytes", "readString", "readQStringList",
                                    ">>"])
def test_corrupt_sizes_give_pyqt6s_values_and_status(
    pyqt: types.ModuleType, data: bytes, method: str
) -> None:
    for version in (1, 2, 3, 21, 22, 24):
        reads = [method, "readInt8"]
        assert read_all(qtls_core, data, version, "BigEndian", "DoublePrecision", reads) == \
            read_all(pyqt, data, version, "BigEndian", "DoublePrecision", reads), version


TRANSACTION_SCRIPTS = [
    ["start", "i16", "i32", "commit", "start", "i16", "i16", "rollback", "i16"],
    ["start", "i16", "start", "i32", "commit", "commit", "i16", "i16"],
    ["start", "i16", "abort", "commit", "i8", "reset", "i8"],
    ["commit", "rollback", "abort", "i8"],
    ["start", "i32", "i32", "commit", "start", "i8", "commit", "i8"],
    ["i32", "i32", "start", "i8", "commit", "reset", "start", "i16", "commit"],
]


def run_script(core: Any, data: bytes, script: list[str]) -> list[Any]:
    stream = core.QDataStream(core.QByteArray(data))
    out: list[Any] = []
    for step in script:
        result: Any = None
        if step == "start":
            stream.startTransaction()
        elif step == "commit":
            result = stream.commitTransaction()
        elif step == "rollback":
            stream.rollbackTransaction()
        elif step == "abort":
            stream.abortTransaction()
        elif step == "reset":
            stream.resetStatus()
        else:
            result = getattr(stream, {"i8": "readInt8", "i16": "readInt16",
                                      "i32": "readInt32"}[step])()
        out.append((step, result, stream.status().name, stream.device().pos()))
    return out


@pytest.mark.pyqt6
@pytest.mark.parametrize("script", TRANSACTION_SCRIPTS, ids=lambda s: "-".join(s))
def test_transactions_follow_pyqt6(pyqt: types.ModuleType, script: list[str]) -> None:
    data = bytes.fromhex("000100020003")
    assert run_script(qtls_core, data, script) == run_script(pyqt, data, script)


def test_placeholder_size_is_patched_through_the_device_as_in_qts_fortune_example() -> None:
    block = QByteArray()
    out = QDataStream(block, Mode.WriteOnly)
    out.writeUInt16(0)
    out.writeQString("fortune")
    device = out.device()
    assert device is not None and device.seek(0)
    out.writeUInt16(len(block) - 2)
    reader = QDataStream(bytes(block))
    assert reader.readUInt16() == len(block) - 2
    assert reader.readQString() == "fortune"
    assert reader.atEnd() and reader.status() is QDataStream.Status.Ok


def test_out_of_range_and_wrong_types_raise_as_pyqt6() -> None:
    stream = QDataStream(QByteArray(), Mode.WriteOnly)
    with pytest.raises(OverflowError, match="-128 to 127"):
        stream.writeInt8(200)
    with pytest.raises(OverflowError):
        stream.writeUInt32(-1)
    with pytest.raises(TypeError):
        stream.writeInt32("1")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        stream << 5
    with pytest.raises(ValueError):
        stream << "AB"
    with pytest.raises(TypeError):
        QDataStream(b"ab", Mode.WriteOnly)  # type: ignore[call-overload]


def test_writes_stop_while_the_status_is_not_ok_and_read_only_arrays_refuse_writes() -> None:
    array = QByteArray()
    stream = QDataStream(array, Mode.WriteOnly)
    stream.setStatus(QDataStream.Status.ReadPastEnd)
    stream.writeInt8(1)
    assert stream.writeRawData(b"x") == -1
    assert bytes(array) == b""
    stream.resetStatus()
    stream.writeInt8(1)
    assert bytes(array) == b"\x01"
    frozen = QByteArray(b"\x00\x05")
    read_only = QDataStream(frozen, Mode.ReadOnly)
    read_only.writeInt16(1)
    assert read_only.status() is QDataStream.Status.WriteFailed and bytes(frozen) == b"\x00\x05"


def test_append_and_read_write_modes_on_a_byte_array() -> None:
    array = QByteArray(b"zz")
    QDataStream(array, Mode.Append).writeInt16(1)
    assert bytes(array) == b"zz\x00\x01"
    both = QDataStream(array, Mode.ReadWrite)
    assert both.readInt8() == ord("z")
    both.writeInt8(0)
    assert bytes(array) == b"z\x00\x00\x01"


def test_a_stream_without_device_reads_zeros_and_stays_ok() -> None:
    stream = QDataStream()
    assert stream.device() is None and stream.atEnd()
    assert stream.readInt32() == 0 and stream.readQString() == ""
    assert stream.status() is QDataStream.Status.Ok
    assert stream.version() == QDataStream.Version.Qt_6_11 == 24


class FramedPeer:
    """A stdlib peer on 127.0.0.1 that sends ``parts`` with a pause between them, then stops."""

    def __init__(self, parts: list[bytes]) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(5)
        self.port = self.listener.getsockname()[1]
        self.parts = parts
        self.go = [threading.Event() for _ in parts]
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        try:
            peer, _ = self.listener.accept()
        except OSError:
            return
        with peer:
            for part, go in zip(self.parts, self.go, strict=True):
                if not go.wait(5):
                    return
                peer.sendall(part)
            peer.settimeout(5)
            try:
                peer.recv(1)
            except OSError:
                pass

    def close(self) -> None:
        for go in self.go:
            go.set()
        self.listener.close()
        self.thread.join(5)


@pytest.mark.pyqt6
def test_a_message_framed_by_pyqt6_is_read_from_a_socket_with_a_transaction(
    pyqt: types.ModuleType,
) -> None:
    array = pyqt.QByteArray()
    writer = pyqt.QDataStream(array, pyqt.QIODeviceBase.OpenModeFlag.WriteOnly)
    writer.writeQString("first message")
    writer.writeUInt32(7)
    writer.writeQStringList(["x", "y"])
    data = bytes(array)
    peer = FramedPeer([data[:5], data[5:]])
    client = QTcpSocket()
    try:
        client.connectToHost("127.0.0.1", peer.port)
        assert client.waitForConnected(3000)
        stream = QDataStream(client)
        peer.go[0].set()
        assert client.waitForReadyRead(3000)
        stream.startTransaction()
        stream.readQString()
        stream.readUInt32()
        stream.readQStringList()
        assert not stream.commitTransaction()  # incomplete: rolled back, nothing lost
        assert client.bytesAvailable() == 5
        peer.go[1].set()
        while client.bytesAvailable() < len(data):
            assert client.waitForReadyRead(3000)
        stream.startTransaction()
        message = (stream.readQString(), stream.readUInt32(), stream.readQStringList())
        assert stream.commitTransaction()
        assert message == ("first message", 7, ["x", "y"])
        assert stream.status() is QDataStream.Status.Ok
    finally:
        client.abort()
        peer.close()


@pytest.mark.pyqt6
def test_values_written_by_qtls_to_a_socket_are_read_by_pyqt6(pyqt: types.ModuleType) -> None:
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(5)
    client = QTcpSocket()
    try:
        client.connectToHost("127.0.0.1", listener.getsockname()[1])
        assert client.waitForConnected(3000)
        peer, _ = listener.accept()
        stream = QDataStream(client)
        stream.setByteOrder(QDataStream.ByteOrder.LittleEndian)
        stream.writeQString("to pyqt")
        stream.writeDouble(2.5)
        stream.writeInt64(-42)
        assert client.waitForBytesWritten(3000)
        peer.settimeout(5)
        received = b""
        while len(received) < 4 + 14 + 8 + 8:
            chunk = peer.recv(1024)
            assert chunk
            received += chunk
        peer.close()
        reader = pyqt.QDataStream(pyqt.QByteArray(received))
        reader.setByteOrder(pyqt.QDataStream.ByteOrder.LittleEndian)
        assert (reader.readQString(), reader.readDouble(), reader.readInt64()) == (
            "to pyqt", 2.5, -42)
    finally:
        client.abort()
        listener.close()


READERS = sorted(set(READS) - {"raw3", ">>"}) + ["raw3", ">>", "skip2"]


def run_reads(core: Any, data: bytes, version: int, little: bool, single: bool,
              reads: list[str], transaction: bool) -> list[Any]:
    stream = core.QDataStream(core.QByteArray(data))
    stream.setVersion(version)
    if little:
        stream.setByteOrder(core.QDataStream.ByteOrder.LittleEndian)
    if single:
        stream.setFloatingPointPrecision(core.QDataStream.FloatingPointPrecision.SinglePrecision)
    if transaction:
        stream.startTransaction()
    out: list[Any] = []
    for method in reads:
        if method == "raw3":
            value: Any = stream.readRawData(3)
        elif method == "skip2":
            value = stream.skipRawData(2)
        elif method == ">>":
            target = core.QByteArray(b"old")
            stream >> target
            value = bytes(target)
        else:
            value = getattr(stream, method)()
        if isinstance(value, float):
            value = repr(value)
        out.append((value, stream.status().name))
    if transaction:
        out.append(("commit", stream.commitTransaction(), stream.status().name))
    out.append(("end", stream.atEnd(), stream.device().pos()))
    return out


@pytest.mark.pyqt6
def test_random_bytes_read_with_random_readers_match_pyqt6(pyqt: types.ModuleType) -> None:
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    @settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
    @given(
        data=st.binary(max_size=48),
        version=st.sampled_from(VERSIONS),
        little=st.booleans(),
        single=st.booleans(),
        reads=st.lists(st.sampled_from(READERS), max_size=8),
        transaction=st.booleans(),
    )
    def check(data: bytes, version: int, little: bool, single: bool, reads: list[str],
              transaction: bool) -> None:
        args = (data, version, little, single, reads, transaction)
        assert run_reads(qtls_core, *args) == run_reads(pyqt, *args)

    check()


@pytest.mark.pyqt6
def test_random_values_are_written_as_pyqt6_writes_them(pyqt: types.ModuleType) -> None:
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    def ints(bits: int, signed: bool) -> Any:
        low, high = (-(2 ** (bits - 1)), 2 ** (bits - 1) - 1) if signed else (0, 2**bits - 1)
        return st.integers(low, high)

    text = st.one_of(st.none(), st.text(max_size=6))
    value = st.one_of(
        st.tuples(st.just("writeInt8"), ints(8, True)),
        st.tuples(st.just("writeUInt8"), ints(8, False)),
        st.tuples(st.just("writeInt16"), ints(16, True)),
        st.tuples(st.just("writeUInt16"), ints(16, False)),
        st.tuples(st.just("writeInt32"), ints(32, True)),
        st.tuples(st.just("writeUInt32"), ints(32, False)),
        st.tuples(st.just("writeInt64"), ints(64, True)),
        st.tuples(st.just("writeUInt64"), ints(64, False)),
        st.tuples(st.just("writeBool"), st.booleans()),
        st.tuples(st.just("writeFloat"), st.floats(allow_nan=False)),
        st.tuples(st.just("writeDouble"), st.floats(allow_nan=False)),
        st.tuples(st.just("writeQString"), text),
        st.tuples(st.just("writeQStringList"), st.lists(text, max_size=3)),
        st.tuples(st.just("writeBytes"), st.binary(max_size=6)),
        st.tuples(st.just("writeString"), st.one_of(st.none(), st.binary(max_size=6))),
    )

    def written(core: Any, version: int, little: bool, single: bool,
                values: list[tuple[str, Any]]) -> bytes:
        array = core.QByteArray()
        stream = core.QDataStream(array, core.QIODeviceBase.OpenModeFlag.WriteOnly)
        stream.setVersion(version)
        if little:
            stream.setByteOrder(core.QDataStream.ByteOrder.LittleEndian)
        if single:
            stream.setFloatingPointPrecision(
                core.QDataStream.FloatingPointPrecision.SinglePrecision)
        for method, argument in values:
            getattr(stream, method)(argument)
        return bytes(array)

    @settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
    @given(version=st.sampled_from(VERSIONS), little=st.booleans(), single=st.booleans(),
           values=st.lists(value, max_size=6))
    def check(version: int, little: bool, single: bool, values: list[tuple[str, Any]]) -> None:
        assert written(qtls_core, version, little, single, values) == written(
            pyqt, version, little, single, values)

    check()
