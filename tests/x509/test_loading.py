"""Loading certificates: constructors, fromData/fromDevice/fromFile/fromPath, and bad input."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from cryptography import x509

from qtls.ssl.qssl import QSsl
from qtls.ssl.x509.certificate import QSslCertificate

from .conftest import Pki, der, pem

PEM = QSsl.EncodingFormat.Pem
DER = QSsl.EncodingFormat.Der
Syntax = QSslCertificate.PatternSyntax


class FakeDevice:
    """The part of QIODevice QSslCertificate reads: readAll()."""

    def __init__(self, data: bytes) -> None:
        self._buffer = io.BytesIO(data)

    def readAll(self) -> bytes:
        return self._buffer.read()


def names(certs: list[QSslCertificate]) -> list[str]:
    return [c.subjectDisplayName() for c in certs]


def test_default_certificate_is_null() -> None:
    cert = QSslCertificate()
    assert cert.isNull()
    assert bytes(cert.toDer()) == b""
    assert bytes(cert.toPem()) == b""


def test_constructor_reads_first_certificate_of_pem(pki: Pki) -> None:
    cert = QSslCertificate(pki.chain_pem)
    assert not cert.isNull()
    assert cert.subjectDisplayName() == "leaf CN"


@pytest.mark.parametrize("wrap", [bytes, bytearray, memoryview])
def test_constructor_accepts_bytes_like(pki: Pki, wrap: type) -> None:
    assert QSslCertificate(wrap(pki.leaf_pem)).subjectDisplayName() == "leaf CN"


def test_constructor_accepts_qbytearray(pki: Pki) -> None:
    from qtls.core.bytearray import QByteArray

    assert QSslCertificate(QByteArray(pki.leaf_pem)).subjectDisplayName() == "leaf CN"


def test_constructor_reads_der(odd_cert: x509.Certificate) -> None:
    cert = QSslCertificate(der(odd_cert), DER)
    assert cert.subjectDisplayName() == "self.test"
    assert bytes(cert.toDer()) == der(odd_cert)


def test_constructor_reads_device(pki: Pki) -> None:
    assert QSslCertificate(FakeDevice(pki.leaf_pem), PEM).subjectDisplayName() == "leaf CN"


def test_constructor_copies_other_certificate(pki: Pki) -> None:
    original = QSslCertificate(pki.leaf_pem)
    copy = QSslCertificate(original)
    assert copy == original
    copy.clear()
    assert copy.isNull() and not original.isNull()


def test_constructor_rejects_str_and_int_format(pki: Pki) -> None:
    with pytest.raises(TypeError):
        QSslCertificate("not bytes")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        QSslCertificate(pki.leaf_pem, 1)  # type: ignore[arg-type]


def test_constructor_with_none_device_is_null() -> None:
    assert QSslCertificate(None).isNull()


@pytest.mark.parametrize(
    "data",
    [b"", b"garbage", b"-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n", b"\x30\x82\xff\xff"],
)
def test_garbage_gives_null_certificate(data: bytes) -> None:
    assert QSslCertificate(data).isNull()
    assert QSslCertificate(data, DER).isNull()
    assert QSslCertificate.fromData(data) == []
    assert QSslCertificate.fromData(data, DER) == []


def test_truncated_pem_and_der_give_nothing(pki: Pki, odd_cert: x509.Certificate) -> None:
    assert QSslCertificate.fromData(pki.leaf_pem[: len(pki.leaf_pem) // 2]) == []
    assert QSslCertificate.fromData(der(odd_cert)[:-10], DER) == []


def test_from_data_reads_every_pem_block(pki: Pki) -> None:
    found = QSslCertificate.fromData(pki.chain_pem + pki.root_pem)
    expected = [QSslCertificate(p) for p in (pki.leaf_pem, pki.intermediate_pem, pki.root_pem)]
    assert found == expected


def test_from_data_tolerates_junk_between_blocks(pki: Pki) -> None:
    data = b"junk before\n" + pki.leaf_pem + b"text between\n" + pki.intermediate_pem + b"after"
    assert len(QSslCertificate.fromData(data)) == 2


def test_from_data_accepts_crlf_and_trailing_spaces(pki: Pki) -> None:
    assert len(QSslCertificate.fromData(pki.chain_pem.replace(b"\n", b"\r\n"))) == 2
    spaced = pki.chain_pem.replace(b"-----BEGIN CERTIFICATE-----\n", b"-----BEGIN CERTIFICATE-----  \n")
    assert len(QSslCertificate.fromData(spaced)) == 2


def test_from_data_stops_when_end_marker_is_not_followed_by_newline(pki: Pki) -> None:
    # Qt's scanner gives up at an END line glued to the next block.
    glued = pki.chain_pem.replace(b"-----END CERTIFICATE-----\n", b"-----END CERTIFICATE-----")
    assert QSslCertificate.fromData(glued) == []
    last_unterminated = pki.leaf_pem.rstrip(b"\n")
    assert len(QSslCertificate.fromData(last_unterminated)) == 1


def test_from_data_skips_a_corrupt_block_and_keeps_the_rest(pki: Pki) -> None:
    bad = b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"
    assert names(QSslCertificate.fromData(bad + pki.leaf_pem)) == ["leaf CN"]


def test_from_data_reads_concatenated_der(odd_cert: x509.Certificate, pki: Pki) -> None:
    leaf_der = bytes(QSslCertificate(pki.leaf_pem).toDer())
    found = QSslCertificate.fromData(der(odd_cert) + leaf_der + b"\x00trailing", DER)
    assert names(found) == ["self.test", "leaf CN"]


def test_from_device_reads_all_and_none_gives_empty(pki: Pki) -> None:
    assert len(QSslCertificate.fromDevice(FakeDevice(pki.chain_pem))) == 2
    assert QSslCertificate.fromDevice(None) == []


def test_from_file_reads_pem_and_der(cert_dir: Path) -> None:
    assert len(QSslCertificate.fromFile(str(cert_dir / "chain.pem"))) == 2
    assert names(QSslCertificate.fromFile(str(cert_dir / "odd.der"), DER)) == ["self.test"]
    assert QSslCertificate.fromFile(str(cert_dir / "missing.pem")) == []


def test_from_path_reads_a_single_file(cert_dir: Path) -> None:
    assert len(QSslCertificate.fromPath(str(cert_dir / "chain.pem"))) == 2


def test_from_path_with_fixed_string_directory_gives_nothing(cert_dir: Path) -> None:
    assert QSslCertificate.fromPath(str(cert_dir)) == []


def test_from_path_wildcard_matches_files_in_one_directory(cert_dir: Path) -> None:
    found = QSslCertificate.fromPath(str(cert_dir / "*.pem"), PEM, Syntax.Wildcard)
    # chain.pem (2), leaf.pem (1), odd.pem (1); sub/root.pem is in a subdirectory.
    assert sorted(names(found)).count("leaf CN") == 2
    assert len(found) == 4 and "self.test" in names(found)


def test_from_path_wildcard_in_directory_part_searches_below(cert_dir: Path) -> None:
    found = QSslCertificate.fromPath(str(cert_dir) + "/s?b/*", PEM, Syntax.Wildcard)
    assert len(found) == 2


def test_from_path_wildcard_does_not_cross_directories(cert_dir: Path) -> None:
    found = QSslCertificate.fromPath(str(cert_dir / "*.crt"), PEM, Syntax.Wildcard)
    assert found == []


def test_from_path_regular_expression_matches_whole_path(cert_dir: Path, pki: Pki) -> None:
    found = QSslCertificate.fromPath(str(cert_dir) + r"/.*\.(crt|der)", DER, Syntax.RegularExpression)
    assert names(found) == ["self.test"]
    found = QSslCertificate.fromPath(str(cert_dir) + r"/.*\.crt", PEM, Syntax.RegularExpression)
    assert found == [QSslCertificate(pki.rsa_leaf_pem)]


def test_from_path_relative_wildcard_uses_current_directory(cert_dir: Path) -> None:
    cwd = os.getcwd()
    os.chdir(cert_dir)
    try:
        assert len(QSslCertificate.fromPath("*.pem", PEM, Syntax.Wildcard)) == 4
    finally:
        os.chdir(cwd)


def test_from_path_invalid_regex_and_empty_path_give_nothing(cert_dir: Path) -> None:
    assert QSslCertificate.fromPath(str(cert_dir) + "/(unclosed", PEM, Syntax.RegularExpression) == []
    assert QSslCertificate.fromPath("") == []


def test_pem_round_trip_keeps_der(odd_cert: x509.Certificate) -> None:
    cert = QSslCertificate(pem(odd_cert))
    again = QSslCertificate(bytes(cert.toPem()))
    assert bytes(again.toDer()) == der(odd_cert)
    assert QSslCertificate(bytes(cert.toDer()), DER) == cert


def _qiodevice_over(data: bytes) -> object:
    """A real qtls QIODevice (sequential, read-only) serving *data*."""
    from qtls.core.iodevice import QIODevice

    class BytesDevice(QIODevice):
        def __init__(self) -> None:
            super().__init__()
            self._data = data
            self._offset = 0

        def isSequential(self) -> bool:
            return True

        def readData(self, maxlen: int) -> bytes:
            chunk = self._data[self._offset:self._offset + maxlen]
            self._offset += len(chunk)
            return chunk

        def bytesAvailable(self) -> int:
            return len(self._data) - self._offset + super().bytesAvailable()

    device = BytesDevice()
    assert device.open(QIODevice.OpenModeFlag.ReadOnly)
    return device


def test_qiodevice_input_for_constructor_and_from_device(pki: Pki) -> None:
    assert QSslCertificate(_qiodevice_over(pki.leaf_pem)).subjectDisplayName() == "leaf CN"
    assert len(QSslCertificate.fromDevice(_qiodevice_over(pki.chain_pem))) == 2
