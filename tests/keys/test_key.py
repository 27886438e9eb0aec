"""QSslKey: loading every algorithm and format, bad input, encoding back; compared with PyQt6."""

from __future__ import annotations

import io
import warnings
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519, mldsa, rsa
from hypothesis import given, settings
from hypothesis import strategies as st

from qtls.core.bytearray import QByteArray
from qtls.ssl.qssl import QSsl
from qtls.ssl.x509.key import QSslKey

from .conftest import KEY_NAMES, PASSPHRASE, KeyCase, all_keys, key_named

A = QSsl.KeyAlgorithm
PEM, DER = QSsl.EncodingFormat.Pem, QSsl.EncodingFormat.Der
PRIVATE, PUBLIC = QSsl.KeyType.PrivateKey, QSsl.KeyType.PublicKey


def _alg(name: str) -> QSsl.KeyAlgorithm:
    return QSsl.KeyAlgorithm[name]


def _load(case: KeyCase, fmt: str = "trad", encoding: str = "pem") -> QSslKey:
    fmt = fmt if fmt in case.formats() else "pkcs8"
    data = case.private(fmt, encoding)
    return QSslKey(data, _alg(case.algorithm), PEM if encoding == "pem" else DER)


# -- loading ------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", [n for n in KEY_NAMES if key_named(n).algorithm])
@pytest.mark.parametrize("encoding", ["pem", "der"])
def test_private_key_loads_as_its_algorithm_in_every_format(name: str, encoding: str) -> None:
    case = key_named(name)
    for fmt in case.formats():
        key = QSslKey(
            case.private(fmt, encoding), _alg(case.algorithm), PEM if encoding == "pem" else DER
        )
        assert not key.isNull(), fmt
        assert key.algorithm() is _alg(case.algorithm)
        assert key.type() is PRIVATE
        assert key.length() == case.length


@pytest.mark.parametrize("name", [n for n in KEY_NAMES if key_named(n).algorithm])
def test_public_key_loads_from_pem_and_der(name: str) -> None:
    case = key_named(name)
    for encoding, fmt in (("pem", PEM), ("der", DER)):
        key = QSslKey(case.public(encoding), _alg(case.algorithm), fmt, PUBLIC)
        assert not key.isNull() and key.type() is PUBLIC and key.length() == case.length


def test_key_of_another_algorithm_is_null() -> None:
    pem = key_named("rsa2048").private("trad", "pem")
    for algorithm in (A.Ec, A.Dsa, A.Dh, A.Opaque):
        assert QSslKey(pem, algorithm).isNull(), algorithm
    assert QSslKey(key_named("ec-p256").private("pkcs8", "der"), A.Rsa, DER).isNull()


def test_public_key_asked_for_as_private_is_null_and_vice_versa() -> None:
    case = key_named("ec-p256")
    assert QSslKey(case.public("pem"), A.Ec, PEM, PRIVATE).isNull()
    assert QSslKey(case.private("pkcs8", "pem"), A.Ec, PEM, PUBLIC).isNull()


def test_pem_given_as_der_and_der_given_as_pem_are_null() -> None:
    case = key_named("rsa1024")
    assert QSslKey(case.private("trad", "pem"), A.Rsa, DER).isNull()
    assert QSslKey(case.private("trad", "der"), A.Rsa, PEM).isNull()


@pytest.mark.parametrize("fmt", ["trad", "pkcs8"])
def test_encrypted_pem_needs_the_right_passphrase(fmt: str) -> None:
    pem = key_named("rsa1024").private(fmt, "pem", PASSPHRASE)
    assert not QSslKey(pem, A.Rsa, PEM, PRIVATE, PASSPHRASE).isNull()
    assert QSslKey(pem, A.Rsa, PEM, PRIVATE, b"wrong").isNull()
    assert QSslKey(pem, A.Rsa).isNull()


def test_passphrase_for_an_unencrypted_key_is_ignored() -> None:
    pem = key_named("ec-p384").private("trad", "pem")
    assert QSslKey(pem, A.Ec, PEM, PRIVATE, b"unused").length() == 384


@pytest.mark.parametrize(
    "mangle",
    [
        lambda data: data[: len(data) // 2],  # truncated
        lambda data: data[:-40],  # truncated just before the end marker
        lambda data: data.replace(b"M", b"!", 3),  # corrupted base64
        lambda data: b"",
        lambda data: b"garbage" * 20,
        lambda data: b"-----BEGIN RSA PRIVATE KEY-----\n-----END RSA PRIVATE KEY-----\n",
    ],
)
def test_damaged_pem_gives_null_key(mangle: object) -> None:
    pem = key_named("rsa1024").private("trad", "pem")
    key = QSslKey(mangle(pem), A.Rsa)  # type: ignore[operator]
    assert key.isNull() and key.length() == -1 and key.toPem() == b""


@pytest.mark.parametrize("cut", [1, 10, 100, -1])
def test_truncated_der_gives_null_key(cut: int) -> None:
    der = key_named("rsa1024").private("trad", "der")
    assert QSslKey(der[:cut], A.Rsa, DER).isNull()


def test_text_around_the_pem_block_is_ignored() -> None:
    pem = b"Bag Attributes\r\n" + key_named("rsa1024").private("trad", "pem") + b"\ntrailer"
    assert QSslKey(pem, A.Rsa).length() == 1024


def test_pkcs1_public_key_is_null_except_for_the_generic_mldsa_decoder() -> None:
    from cryptography.hazmat.primitives import serialization as ser

    key = key_named("rsa1024").key.public_key()  # type: ignore[attr-defined]
    pem = key.public_bytes(ser.Encoding.PEM, ser.PublicFormat.PKCS1)
    der = key.public_bytes(ser.Encoding.DER, ser.PublicFormat.PKCS1)
    assert QSslKey(pem, A.Rsa, PEM, PUBLIC).isNull()
    assert QSslKey(der, A.Rsa, DER, PUBLIC).isNull()
    assert QSslKey(pem, A.MlDsa, PEM, PUBLIC).length() == 80


@pytest.mark.parametrize("name", ["ed25519", "ed448", "x25519"])
def test_edwards_and_montgomery_keys_only_load_through_mldsa(name: str) -> None:
    case = key_named(name)
    pem = case.private("pkcs8", "pem")
    for algorithm in (A.Opaque, A.Rsa, A.Dsa, A.Ec, A.Dh):
        assert QSslKey(pem, algorithm).isNull()
    key = QSslKey(pem, A.MlDsa)
    assert key.length() == case.length and key.toPem().startswith(b"-----BEGIN PRIVATE KEY-----")


@pytest.mark.parametrize(
    ("cls", "bits"),
    [
        (mldsa.MLDSA44PrivateKey, 128),
        (mldsa.MLDSA65PrivateKey, 192),
        (mldsa.MLDSA87PrivateKey, 256),
    ],
)
def test_ml_dsa_keys_load_with_their_security_strength(cls: type, bits: int) -> None:
    from cryptography.hazmat.primitives import serialization as ser

    private = cls.generate()  # type: ignore[attr-defined]
    pem = private.private_bytes(ser.Encoding.PEM, ser.PrivateFormat.PKCS8, ser.NoEncryption())
    key = QSslKey(pem, A.MlDsa)
    assert key.algorithm() is A.MlDsa and key.length() == bits
    assert QSslKey(key.toDer(), A.MlDsa, DER) == key
    assert QSslKey(pem, A.Rsa).isNull()


def test_mldsa_rejects_traditional_der_as_qt_does() -> None:
    case = key_named("rsa1024")
    assert QSslKey(case.private("trad", "der"), A.MlDsa, DER).isNull()
    assert QSslKey(case.private("pkcs8", "der"), A.MlDsa, DER).length() == 80


def test_key_reads_from_a_device_and_none_gives_null() -> None:
    class Device:
        def __init__(self, data: bytes) -> None:
            self._data = io.BytesIO(data)

        def readAll(self) -> QByteArray:  # noqa: N802 - Qt's name
            return QByteArray(self._data.read())

    pem = key_named("ec-p256").private("trad", "pem")
    assert QSslKey(Device(pem), A.Ec).length() == 256
    assert QSslKey(None, A.Ec).isNull()


def test_key_accepts_bytearray_memoryview_qbytearray_and_keywords(
    key_files: dict[str, Path],
) -> None:
    data = key_files["rsa1024.trad.enc.pem"].read_bytes()
    for source in (bytearray(data), memoryview(data), QByteArray(data)):
        assert not QSslKey(source, A.Rsa, passPhrase=PASSPHRASE).isNull()
    assert not QSslKey(data, A.Rsa, encoding=PEM, type=PRIVATE, passPhrase=PASSPHRASE).isNull()


def test_wrong_argument_types_raise_type_error() -> None:
    pem = key_named("rsa1024").private("trad", "pem")
    with pytest.raises(TypeError):
        QSslKey("text", A.Rsa)
    with pytest.raises(TypeError):
        QSslKey(pem, 1)
    with pytest.raises(TypeError):
        QSslKey(pem, A.Rsa, PEM, PRIVATE, "passphrase")
    with pytest.raises(TypeError):
        QSslKey(pem, A.Rsa).toPem("passphrase")  # type: ignore[arg-type]


# -- null key, value semantics ----------------------------------------------------------------


def test_null_key_reports_qt_defaults() -> None:
    key = QSslKey()
    assert key.isNull() and key.length() == -1
    assert key.algorithm() is A.Opaque and key.type() is PUBLIC
    assert key.toPem() == b"" and key.toDer() == b"" and key.handle() is None
    assert isinstance(key.toPem(), QByteArray)


def test_clear_makes_null_without_touching_copies() -> None:
    key = _load(key_named("rsa1024"))
    copy = QSslKey(key)
    copy.clear()
    assert copy.isNull() and copy.algorithm() is A.Opaque and copy.type() is PUBLIC
    assert not key.isNull()


def test_same_key_from_different_formats_is_equal_and_keys_are_unhashable() -> None:
    case = key_named("rsa1024")
    trad = QSslKey(case.private("trad", "pem"), A.Rsa)
    pkcs8 = QSslKey(case.private("pkcs8", "der"), A.Rsa, DER)
    assert trad == pkcs8 and not trad != pkcs8
    assert trad != _load(key_named("rsa2048"))
    assert trad != QSslKey(case.public("pem"), A.Rsa, PEM, PUBLIC)
    assert QSslKey() == QSslKey() and trad != QSslKey()
    with pytest.raises(TypeError):
        hash(trad)


def test_swap_exchanges_keys() -> None:
    a, b = _load(key_named("rsa1024")), _load(key_named("ec-p256"))
    a.swap(b)
    assert a.algorithm() is A.Ec and b.algorithm() is A.Rsa


# -- encoding -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "header"),
    [
        ("rsa1024", b"-----BEGIN RSA PRIVATE KEY-----"),
        ("dsa2048", b"-----BEGIN DSA PRIVATE KEY-----"),
        ("ec-p256", b"-----BEGIN EC PRIVATE KEY-----"),
        ("dh1536", b"-----BEGIN PRIVATE KEY-----"),
    ],
)
def test_private_pem_uses_qt_headers(name: str, header: bytes) -> None:
    key = _load(key_named(name), "pkcs8")
    assert key.toPem().startswith(header + b"\n")
    assert QSslKey(key.toPem(), key.algorithm()) == key
    assert QSslKey(key.toDer(), key.algorithm(), DER) == key


@pytest.mark.parametrize("name", ["rsa1024", "ec-p256", "dsa2048", "dh1536"])
def test_pem_with_passphrase_is_encrypted_and_reads_back(name: str) -> None:
    key = _load(key_named(name))
    pem = bytes(key.toPem(PASSPHRASE))
    assert b"ENCRYPTED" in pem
    assert QSslKey(pem, key.algorithm(), PEM, PRIVATE, PASSPHRASE) == key
    assert QSslKey(pem, key.algorithm(), PEM, PRIVATE, b"nope").isNull()


def test_der_with_passphrase_is_empty_for_private_keys_only() -> None:
    case = key_named("rsa1024")
    assert _load(case).toDer(PASSPHRASE) == b""
    public = QSslKey(case.public("der"), A.Rsa, DER, PUBLIC)
    assert public.toDer(PASSPHRASE) == case.public("der")
    assert public.toPem(PASSPHRASE) == case.public("pem")


def test_handle_constructor_makes_an_opaque_key() -> None:
    private = ed25519.Ed25519PrivateKey.generate()
    key = QSslKey(private, PRIVATE)
    assert not key.isNull() and key.algorithm() is A.Opaque and key.length() == -1
    assert key.toPem() == b"" and key.handle() is private and key._to_cryptography() is private
    assert key == QSslKey(private) and key != QSslKey(ed25519.Ed25519PrivateKey.generate())
    assert QSslKey(private.public_key(), PRIVATE).type() is PUBLIC


def test_from_cryptography_maps_key_objects_like_qt() -> None:
    private = rsa.generate_private_key(65537, 1024)
    key = QSslKey._from_cryptography(private)
    assert (key.algorithm(), key.type(), key.length()) == (A.Rsa, PRIVATE, 1024)
    public = QSslKey._from_cryptography(private.public_key(), PRIVATE)
    assert public.type() is PUBLIC and public._to_cryptography() is not None
    # Qt has no algorithm for Ed25519: a certificate's Ed25519 public key is a null QSslKey.
    assert QSslKey._from_cryptography(ed25519.Ed25519PrivateKey.generate().public_key()).isNull()


_ROUND_TRIP_KEYS = [n for n in KEY_NAMES if key_named(n).algorithm]


@settings(max_examples=40, deadline=None)
@given(
    name=st.sampled_from(_ROUND_TRIP_KEYS),
    public=st.booleans(),
    passphrase=st.binary(min_size=1, max_size=40),
)
def test_round_trip_key_to_pem_to_der_to_key(name: str, public: bool, passphrase: bytes) -> None:
    case = key_named(name)
    algorithm = _alg(case.algorithm)
    if public:
        key = QSslKey(case.public("pem"), algorithm, PEM, PUBLIC)
    else:
        key = _load(case)
    from_pem = QSslKey(key.toPem(), algorithm, PEM, key.type())
    from_der = QSslKey(from_pem.toDer(), algorithm, DER, key.type())
    assert from_pem == key and from_der == key
    encrypted = QSslKey(key.toPem(passphrase), algorithm, PEM, key.type(), passphrase)
    assert encrypted == key


# -- against PyQt6 ------------------------------------------------------------------------------


def _pyqt6_network() -> object:
    return pytest.importorskip("PyQt6.QtNetwork")


@pytest.mark.pyqt6
@pytest.mark.parametrize("name", KEY_NAMES)
def test_every_format_and_algorithm_matches_pyqt6(name: str, key_files: dict[str, Path]) -> None:
    network = _pyqt6_network()
    QtKey, QtSsl = network.QSslKey, network.QSsl  # type: ignore[attr-defined]  # noqa: N806
    files = {f: p for f, p in key_files.items() if f.startswith(name + ".")}
    assert files
    for filename, path in sorted(files.items()):
        data = path.read_bytes()
        der = filename.endswith(".der")
        key_type = PUBLIC if ".pub." in filename else PRIVATE
        passphrase = PASSPHRASE if ".enc." in filename else b""
        for algorithm in A:
            theirs = QtKey(data, QtSsl.KeyAlgorithm[algorithm.name],
                           QtSsl.EncodingFormat.Der if der else QtSsl.EncodingFormat.Pem,
                           QtSsl.KeyType[key_type.name], passphrase)  # fmt: skip
            ours = QSslKey(data, algorithm, DER if der else PEM, key_type, passphrase)
            where = f"{filename} as {algorithm.name}"
            assert ours.isNull() == theirs.isNull(), where
            assert ours.algorithm().name == theirs.algorithm().name, where
            assert ours.type().name == theirs.type().name, where
            assert ours.length() == theirs.length(), where
            assert bytes(ours.toPem()).split(b"\n")[0] == bytes(theirs.toPem()).split(b"\n")[0]
            if algorithm in (A.Rsa, A.Dsa, A.Ec) or (algorithm is not A.Dh and key_type is PUBLIC
                                                      and not name.startswith("dh")):  # fmt: skip
                # Same bytes, except DH: OpenSSL 4 writes X9.42 parameters, Qt's PKCS#3.
                assert bytes(ours.toDer()) == bytes(theirs.toDer()), where


@pytest.mark.pyqt6
@pytest.mark.parametrize("name", ["rsa2048", "ec-p256", "dsa2048", "dh1536"])
def test_pyqt6_reads_our_encrypted_pem_and_we_read_theirs(name: str) -> None:
    network = _pyqt6_network()
    QtKey, QtSsl = network.QSslKey, network.QSsl  # type: ignore[attr-defined]  # noqa: N806
    ours = _load(key_named(name))
    algorithm = QtSsl.KeyAlgorithm[ours.algorithm().name]
    private = QtSsl.KeyType.PrivateKey
    theirs = QtKey(bytes(ours.toPem(PASSPHRASE)), algorithm, QtSsl.EncodingFormat.Pem, private,
                   PASSPHRASE)  # fmt: skip
    assert not theirs.isNull() and theirs.length() == ours.length()
    back = QSslKey(bytes(theirs.toPem(PASSPHRASE)), ours.algorithm(), PEM, PRIVATE, PASSPHRASE)
    assert back == ours


def test_dh_operations_do_not_leak_cryptography_deprecation_warnings() -> None:
    case = key_named("dh1536")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        key = QSslKey(case.private("pkcs8", "pem"), A.Dh)
        assert key.length() == 1536 and key.toPem() and key.toDer()
        assert QSslKey(case.private("pkcs8", "pem"), A.MlDsa).length() == 80


def test_all_generated_keys_are_distinct() -> None:
    assert len({case.name for case in all_keys()}) == len(KEY_NAMES)


def test_failed_load_keeps_requested_algorithm_and_type_but_empty_data_does_not() -> None:
    pem = key_named("rsa1024").private("trad", "pem")
    failed = QSslKey(pem, A.Ec, PEM, PRIVATE)
    assert failed.isNull() and failed.algorithm() is A.Ec and failed.type() is PRIVATE
    assert failed == QSslKey()
    empty = QSslKey(b"", A.Ec, PEM, PRIVATE)
    assert empty.algorithm() is A.Opaque and empty.type() is PUBLIC
