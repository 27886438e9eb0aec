"""QCryptographicHash: known answers, incremental hashing, and every algorithm against PyQt6."""

from __future__ import annotations

import io

import pytest

from qtls.core.bytearray import QByteArray
from qtls.core.cryptographichash import QCryptographicHash

H = QCryptographicHash.Algorithm
# Known answers for b"abc" (FIPS 180 / FIPS 202 test vectors).
_ABC = {
    H.Md5: "900150983cd24fb0d6963f7d28e17f72",
    H.Sha1: "a9993e364706816aba3e25717850c26c9cd0d89d",
    H.Sha256: "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    H.Sha3_256: "3a985da74fe225b2045c172d6bd390bd855f086e3e9d525b46bfe24511431532",
}


@pytest.mark.parametrize(("algorithm", "digest"), list(_ABC.items()))
def test_hash_of_abc_matches_known_answer(
    algorithm: QCryptographicHash.Algorithm, digest: str
) -> None:
    result = QCryptographicHash.hash(b"abc", algorithm)
    assert isinstance(result, QByteArray)
    assert bytes(result).hex() == digest


def test_incremental_hashing_continues_after_result() -> None:
    hasher = QCryptographicHash(H.Sha256)
    hasher.addData(b"a")
    hasher.addData(QByteArray(b"b"))
    hasher.addData(memoryview(b"c"))
    assert bytes(hasher.result()).hex() == _ABC[H.Sha256]
    hasher.addData(b"d")
    assert hasher.result() == QCryptographicHash.hash(b"abcd", H.Sha256)
    hasher.reset()
    assert hasher.result() == QCryptographicHash.hash(b"", H.Sha256)
    assert hasher.resultView() == hasher.result()


def test_add_data_reads_a_device() -> None:
    class Device:
        def __init__(self, data: bytes, is_open: bool = True) -> None:
            self._data, self._open = io.BytesIO(data), is_open

        def isOpen(self) -> bool:  # noqa: N802 - Qt's name
            return self._open

        def readAll(self) -> QByteArray:  # noqa: N802 - Qt's name
            return QByteArray(self._data.read())

    hasher = QCryptographicHash(H.Md5)
    assert hasher.addData(Device(b"abc")) is True
    assert bytes(hasher.result()).hex() == _ABC[H.Md5]
    assert hasher.addData(Device(b"x", is_open=False)) is False


def test_hash_lengths_and_aliases() -> None:
    assert H.RealSha3_256 is H.Sha3_256
    for algorithm in H:
        if QCryptographicHash.supportsAlgorithm(algorithm):
            assert len(QCryptographicHash.hash(b"x", algorithm)) == QCryptographicHash.hashLength(
                algorithm
            )
    assert QCryptographicHash.hashLength(H.Blake2s_128) == 16


def test_unsupported_algorithms_give_empty_results() -> None:
    assert not QCryptographicHash.supportsAlgorithm(H.Keccak_256)
    assert QCryptographicHash.hash(b"abc", H.Keccak_256) == b""
    hasher = QCryptographicHash(H.Keccak_512)
    hasher.addData(b"abc")
    assert hasher.result() == b"" and hasher.algorithm() is H.Keccak_512


def test_swap_exchanges_state() -> None:
    a, b = QCryptographicHash(H.Sha1), QCryptographicHash(H.Md5)
    a.addData(b"abc")
    a.swap(b)
    assert a.algorithm() is H.Md5 and bytes(b.result()).hex() == _ABC[H.Sha1]


def test_wrong_argument_types_raise_type_error() -> None:
    with pytest.raises(TypeError):
        QCryptographicHash(4)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        QCryptographicHash(H.Sha1).addData("text")
    with pytest.raises(TypeError):
        QCryptographicHash.hash("text", H.Sha1)


@pytest.mark.pyqt6
def test_every_supported_algorithm_matches_pyqt6() -> None:
    core = pytest.importorskip("PyQt6.QtCore")
    theirs_class = core.QCryptographicHash
    assert {a.name: a.value for a in H if a.name in theirs_class.Algorithm.__members__} == {
        a.name: a.value for a in theirs_class.Algorithm
    }
    data = bytes(range(256)) * 5
    compared = 0
    for algorithm in H:
        theirs_algorithm = theirs_class.Algorithm(algorithm.value)
        assert QCryptographicHash.hashLength(algorithm) == theirs_class.hashLength(theirs_algorithm)
        if not QCryptographicHash.supportsAlgorithm(algorithm):
            continue
        assert bytes(QCryptographicHash.hash(data, algorithm)) == bytes(
            theirs_class.hash(data, theirs_algorithm)
        ), algorithm
        compared += 1
    assert compared >= 18  # everything but Keccak (and Md4 without the legacy provider)
