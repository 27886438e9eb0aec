"""QSslCipher: every accessor as Qt's OpenSSL backend reports it."""

from __future__ import annotations

import shutil
import subprocess
from types import ModuleType

import pytest

from qtls.QtNetwork import QSsl, QSslCipher
from qtls.ssl.values import cipher as cipher_module
from qtls.ssl.values.cipher import (
    _all_cipher_names,
    _cipher_from_name,
    _default_cipher_names,
    _describe,
    _supported_cipher_names,
)

SAMPLE = [
    "TLS_AES_256_GCM_SHA384",
    "TLS_CHACHA20_POLY1305_SHA256",
    "TLS_AES_128_GCM_SHA256",
    "ECDHE-RSA-AES256-GCM-SHA384",
    "ECDHE-ECDSA-AES128-GCM-SHA256",
    "ECDHE-ECDSA-CHACHA20-POLY1305",
    "ECDHE-RSA-AES128-SHA",  # CBC-SHA, TLS 1.0
    "AES128-SHA",  # SSLv3-era: UnknownProtocol
    "DHE-RSA-AES256-GCM-SHA384",
    "DHE-RSA-AES128-SHA",
    "PSK-AES128-GCM-SHA256",
    "ECDHE-PSK-CHACHA20-POLY1305",
    "RSA-PSK-AES256-CBC-SHA384",
    "DHE-PSK-AES128-CBC-SHA",
    "SRP-RSA-AES-256-CBC-SHA",
]

# Known to OpenSSL but not in Qt's supported list, misspelt, or not a cipher at all.
NOT_SUPPORTED = ["CAMELLIA256-SHA", "ADH-AES256-SHA", "NULL-SHA", "aes128-sha", "bogus", ""]


def fields(cipher: object) -> tuple[object, ...]:
    """Every accessor, protocol as its integer value so PyQt6's and qtls's enums compare."""
    return (
        cipher.isNull(),  # type: ignore[attr-defined]
        cipher.name(),  # type: ignore[attr-defined]
        cipher.protocol().value,  # type: ignore[attr-defined]
        cipher.protocolString(),  # type: ignore[attr-defined]
        cipher.keyExchangeMethod(),  # type: ignore[attr-defined]
        cipher.authenticationMethod(),  # type: ignore[attr-defined]
        cipher.encryptionMethod(),  # type: ignore[attr-defined]
        cipher.usedBits(),  # type: ignore[attr-defined]
        cipher.supportedBits(),  # type: ignore[attr-defined]
    )


@pytest.mark.pyqt6
@pytest.mark.parametrize("name", SAMPLE)
def test_accessors_match_pyqt6_for_sample_cipher(qt: ModuleType, name: str) -> None:
    reference = qt.QSslCipher(name)
    assert not reference.isNull(), f"PyQt6's OpenSSL lacks {name}"
    assert fields(QSslCipher(name)) == fields(reference)


@pytest.mark.pyqt6
def test_supported_ciphers_match_pyqt6_in_order_and_fields(qt: ModuleType) -> None:
    reference = [fields(c) for c in qt.QSslConfiguration.supportedCiphers()]
    ours = [fields(QSslCipher(name)) for name, _ in _supported_cipher_names()]
    assert ours == reference


@pytest.mark.pyqt6
def test_default_cipher_names_match_pyqt6_default_configuration(qt: ModuleType) -> None:
    reference = [c.name() for c in qt.QSslConfiguration.defaultConfiguration().ciphers()]
    assert [name for name, _ in _default_cipher_names()] == reference


@pytest.mark.pyqt6
@pytest.mark.parametrize("name", NOT_SUPPORTED)
def test_unsupported_or_unknown_name_gives_null_cipher_like_pyqt6(
    qt: ModuleType, name: str
) -> None:
    assert qt.QSslCipher(name).isNull()
    assert fields(QSslCipher(name)) == fields(qt.QSslCipher(name))


@pytest.mark.pyqt6
@pytest.mark.parametrize(
    ("name", "protocol"),
    [
        ("AES128-SHA", "TlsV1_2"),
        ("AES128-SHA", "UnknownProtocol"),
        ("ECDHE-RSA-AES128-SHA", "TlsV1_0"),
        ("TLS_AES_128_GCM_SHA256", "TlsV1_3"),
        ("TLS_AES_128_GCM_SHA256", "TlsV1_2"),
    ],
)
def test_name_and_protocol_constructor_needs_both_to_match_like_pyqt6(
    qt: ModuleType, name: str, protocol: str
) -> None:
    ours = QSslCipher(name, QSsl.SslProtocol[protocol])
    reference = qt.QSslCipher(name, getattr(qt.QSsl.SslProtocol, protocol))
    assert fields(ours) == fields(reference)


def test_null_cipher_reports_empty_values() -> None:
    for cipher in (QSslCipher(), QSslCipher(None)):
        assert cipher.isNull()
        assert fields(cipher) == (True, "", -1, "", "", "", "", 0, 0)


def test_tls13_suites_come_first_and_describe_any_key_exchange() -> None:
    names = [name for name, _ in _supported_cipher_names()]
    assert names[0].startswith("TLS_") and "TLS_AES_128_GCM_SHA256" in names[:3]
    cipher = QSslCipher("TLS_AES_128_GCM_SHA256")
    assert cipher.protocol() == QSsl.SslProtocol.TlsV1_3
    assert (cipher.keyExchangeMethod(), cipher.authenticationMethod()) == ("any", "any")


def test_default_ciphers_are_supported_ones_with_at_least_128_bits() -> None:
    supported = _supported_cipher_names()
    defaults = _default_cipher_names()
    assert set(defaults) <= set(supported)
    assert all(QSslCipher(name).usedBits() >= 128 for name, _ in defaults)
    assert all(not name.startswith(("ADH", "AECDH")) for name, _ in supported)


def test_copy_constructor_and_equality_follow_name_and_protocol() -> None:
    a = QSslCipher("ECDHE-RSA-AES128-GCM-SHA256")
    assert QSslCipher(a) == a
    assert not (QSslCipher(a) != a)
    assert a != QSslCipher("ECDHE-RSA-AES256-GCM-SHA384")
    assert QSslCipher() == QSslCipher()
    assert a != QSslCipher()
    assert (a == 5) is False and (a != "x") is True


def test_cipher_is_unhashable_like_pyqt6() -> None:
    with pytest.raises(TypeError):
        hash(QSslCipher("AES128-SHA"))


def test_swap_exchanges_contents() -> None:
    a, b = QSslCipher("AES128-SHA"), QSslCipher()
    a.swap(b)
    assert (a.isNull(), b.name()) == (True, "AES128-SHA")
    with pytest.raises(TypeError):
        a.swap("AES128-SHA")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "args", [(5,), (b"AES128-SHA",), ("AES128-SHA", 2), ("a", QSsl.SslProtocol.TlsV1_2, 1)]
)
def test_wrong_argument_types_raise_type_error(args: tuple[object, ...]) -> None:
    with pytest.raises(TypeError):
        QSslCipher(*args)  # type: ignore[call-overload]


def test_keyword_arguments_are_accepted() -> None:
    by_keyword = QSslCipher(name="AES128-SHA", protocol=QSsl.SslProtocol.UnknownProtocol)
    assert by_keyword == QSslCipher("AES128-SHA")
    assert QSslCipher(other=by_keyword) == by_keyword
    with pytest.raises(TypeError):
        QSslCipher(protocol=QSsl.SslProtocol.TlsV1_2)  # type: ignore[call-overload]


def test_cipher_from_name_describes_suites_outside_the_supported_list() -> None:
    cipher = _cipher_from_name("CAMELLIA256-SHA")
    assert not cipher.isNull() and QSslCipher("CAMELLIA256-SHA").isNull()
    assert (cipher.protocolString(), cipher.protocol()) == (
        "SSLv3",
        QSsl.SslProtocol.UnknownProtocol,
    )
    assert (cipher.keyExchangeMethod(), cipher.encryptionMethod()) == ("RSA", "Camellia(256)")
    assert _cipher_from_name("NOT-A-CIPHER").isNull()


def test_all_cipher_names_include_every_supported_one_and_more() -> None:
    everything = _all_cipher_names()
    assert set(_supported_cipher_names()) < set(everything)
    assert ("TLS_AES_128_CCM_SHA256", "TLSv1.3") in everything


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("ECDHE-ARIA128-GCM-SHA256", ("ECDH", "RSA", "ARIAGCM(128)")),
        ("DHE-DSS-AES256-SHA", ("DH", "DSS", "AES(256)")),
        ("AECDH-NULL-SHA", ("ECDH", "None", "None")),
        ("ECDHE-ECDSA-AES128-CCM8", ("ECDH", "ECDSA", "AESCCM8(128)")),
        ("DES-CBC3-SHA", ("RSA", "RSA", "3DES(168)")),
        ("SRP-3DES-EDE-CBC-SHA", ("SRP", "SRP", "3DES(168)")),
        ("TLS_AES_128_CCM_8_SHA256", ("any", "any", "AESCCM8(128)")),
        ("MYSTERY-CIPHER", ("RSA", "RSA", "")),
    ],
)
def test_name_parser_follows_openssl_naming_scheme(
    name: str, expected: tuple[str, str, str]
) -> None:
    assert _describe(name) == expected


@pytest.mark.skipif(shutil.which("openssl") is None, reason="no openssl command line tool")
def test_derived_fields_match_openssl_ciphers_verbose_output() -> None:
    """Every suite the local ``openssl ciphers -v`` knows is described exactly as it prints."""
    output = subprocess.run(
        ["openssl", "ciphers", "-v", "ALL:COMPLEMENTOFALL"],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    ).stdout
    checked = 0
    for line in output.splitlines():
        name, version, kx, au, enc = line.split()[:5]
        cipher = _cipher_from_name(name)
        if cipher.isNull():
            continue  # a suite this OpenSSL build dropped
        expected = (version, kx[3:], au[3:], enc[4:])
        got = (
            cipher.protocolString(),
            cipher.keyExchangeMethod(),
            cipher.authenticationMethod(),
            cipher.encryptionMethod(),
        )
        assert got == expected, name
        checked += 1
    assert checked > 50


def test_cipher_table_finds_every_cipher_openssl_knows() -> None:
    # The table asks OpenSSL only about IANA-assigned first bytes; a scan of every 2-byte
    # value must find no cipher it missed.
    lib, ffi = cipher_module._binding()
    ctx = lib.SSL_CTX_new(lib.TLS_client_method())
    ssl = lib.SSL_new(ctx)
    try:
        cipher_id = ffi.new("unsigned char[2]")
        everything = set()
        for value in range(0x10000):
            cipher_id[0], cipher_id[1] = value >> 8, value & 0xFF
            found = lib.SSL_CIPHER_find(ssl, cipher_id)
            if found != ffi.NULL:
                everything.add(ffi.string(lib.SSL_CIPHER_get_name(found)).decode("ascii"))
    finally:
        lib.SSL_free(ssl)
        lib.SSL_CTX_free(ctx)
    assert everything, "OpenSSL found no cipher at all"
    assert set(cipher_module._openssl_table()) == everything
