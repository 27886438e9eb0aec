"""QSslCipher: a cipher suite as Qt describes it from OpenSSL's name.

Theory of operation
-------------------
Qt's OpenSSL backend builds every QSslCipher from ``SSL_CIPHER_description()``, a line such as::

    ECDHE-RSA-AES256-GCM-SHA384 TLSv1.2 Kx=ECDH Au=RSA Enc=AESGCM(256) Mac=AEAD

plus ``SSL_CIPHER_get_bits()`` for usedBits/supportedBits (``QTlsBackendOpenSSL::
qt_OpenSSL_cipher_to_QSslCipher`` and ``QTlsBackend::createCiphersuite``). The list Qt calls
*supported* is ``SSL_get_ciphers()`` of a fresh ``TLS_client_method()`` connection, i.e. OpenSSL's
default cipher list (TLS 1.3 suites first), minus anonymous ``ADH``/``AECDH`` suites; the
*default* ciphers are the supported ones with at least 128 used bits. ``QSslCipher(name)`` is
non-null only for a name in that supported list.

cryptography's OpenSSL binding (the one pyOpenSSL runs on) exposes ``SSL_CIPHER_find``,
``SSL_CIPHER_get_name``, ``SSL_CIPHER_get_version`` and ``SSL_CIPHER_get_bits`` but not
``SSL_CIPHER_description`` nor ``SSL_get_ciphers``. So, once per process:

* the protocol string and the bits come from OpenSSL itself: every two-byte IANA cipher id is
  looked up with ``SSL_CIPHER_find`` (65536 cheap calls, ~50 ms) to map names to ``SSL_CIPHER``;
* the key exchange, authentication and encryption fields are derived from the OpenSSL cipher
  name by :func:`_describe`, a parser of OpenSSL's naming scheme written to reproduce the
  ``Kx=``/``Au=``/``Enc=`` fields of ``SSL_CIPHER_description`` (TLS 1.3 suites by table). The
  tests check it against ``openssl ciphers -v`` and against PyQt6.

``SSL_CIPHER_get_version`` spells TLS 1.0 "TLSv1.0" where the description says "TLSv1"; Qt parses
the description, so the string is normalised to "TLSv1".
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, overload

from qtls.ssl.qssl import QSsl

__all__ = ["QSslCipher"]


@dataclass(frozen=True)
class _CipherData:
    """Everything a QSslCipher reports; shared between copies (Qt's implicit sharing)."""

    name: str
    protocol_string: str
    protocol: QSsl.SslProtocol
    key_exchange: str
    authentication: str
    encryption: str
    used_bits: int
    supported_bits: int


class QSslCipher:
    """A TLS cipher suite (``QSslCipher``), as Qt's OpenSSL backend describes it.

    ``QSslCipher(name)`` looks *name* up (case-sensitively, OpenSSL spelling such as
    ``"ECDHE-RSA-AES128-GCM-SHA256"`` or ``"TLS_AES_256_GCM_SHA384"``) among
    ``QSslConfiguration.supportedCiphers()``; ``QSslCipher(name, protocol)`` also requires the
    protocol to match. An unknown name gives a null cipher. Two ciphers are equal when name and
    protocol are. Like PyQt6's, the class is not hashable (Qt has no ``qHash(QSslCipher)``).
    """

    __slots__ = ("_d",)
    __hash__ = None  # type: ignore[assignment]  # PyQt6: unhashable type: 'QSslCipher'

    @overload
    def __init__(self) -> None: ...
    @overload
    def __init__(self, name: str | None) -> None: ...
    @overload
    def __init__(self, name: str | None, protocol: QSsl.SslProtocol) -> None: ...
    @overload
    def __init__(self, other: QSslCipher) -> None: ...

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._d: _CipherData | None = None
        if kwargs:
            args = _keyword_arguments(args, kwargs)
        if not args:
            return
        if len(args) == 1 and isinstance(args[0], QSslCipher):
            self._d = args[0]._d
            return
        if len(args) == 1 and (args[0] is None or isinstance(args[0], str)):
            self._d = _lookup(args[0], None)
            return
        if (
            len(args) == 2
            and (args[0] is None or isinstance(args[0], str))
            and isinstance(args[1], QSsl.SslProtocol)
        ):
            self._d = _lookup(args[0], args[1])
            return
        raise TypeError(
            "arguments did not match any overloaded call:\n"
            "  QSslCipher(): too many arguments\n"
            "  QSslCipher(name: str|None): argument 1 has unexpected type "
            f"'{type(args[0]).__name__}'\n"
            "  QSslCipher(name: str|None, protocol: QSsl.SslProtocol): argument has unexpected type\n"
            "  QSslCipher(other: QSslCipher): argument 1 has unexpected type "
            f"'{type(args[0]).__name__}'"
        )

    @classmethod
    def _from_data(cls, data: _CipherData | None) -> QSslCipher:
        cipher = cls()
        cipher._d = data
        return cipher

    # -- accessors -------------------------------------------------------------------------
    def isNull(self) -> bool:
        """True for a default-constructed cipher or one whose name OpenSSL does not support."""
        return self._d is None

    def name(self) -> str:
        """The OpenSSL name of the suite (e.g. ``"ECDHE-RSA-AES256-GCM-SHA384"``); "" if null."""
        return self._d.name if self._d else ""

    def protocol(self) -> QSsl.SslProtocol:
        """The lowest protocol the suite exists in, from OpenSSL's description.

        As in Qt, suites that date back to SSLv3 (``AES128-SHA``, ``DHE-RSA-AES256-SHA``...)
        report ``UnknownProtocol`` with protocolString() "SSLv3"; TLS 1.0 ones ``TlsV1_0``.
        """
        return self._d.protocol if self._d else QSsl.SslProtocol.UnknownProtocol

    def protocolString(self) -> str:
        """OpenSSL's protocol text: "TLSv1.3", "TLSv1.2", "TLSv1", "SSLv3"; "" if null."""
        return self._d.protocol_string if self._d else ""

    def keyExchangeMethod(self) -> str:
        """The ``Kx=`` field: "ECDH", "DH", "RSA", "PSK", "ECDHEPSK", ... ("any" for TLS 1.3)."""
        return self._d.key_exchange if self._d else ""

    def authenticationMethod(self) -> str:
        """The ``Au=`` field: "RSA", "ECDSA", "DSS", "PSK", "SRP", "None" ("any" for TLS 1.3)."""
        return self._d.authentication if self._d else ""

    def encryptionMethod(self) -> str:
        """The ``Enc=`` field, with key size: "AESGCM(256)", "CHACHA20/POLY1305(256)", ..."""
        return self._d.encryption if self._d else ""

    def usedBits(self) -> int:
        """The strength in bits OpenSSL reports for the suite (``SSL_CIPHER_get_bits``); 0 if null."""
        return self._d.used_bits if self._d else 0

    def supportedBits(self) -> int:
        """The key size of the cipher algorithm (``SSL_CIPHER_get_bits``'s alg_bits); 0 if null."""
        return self._d.supported_bits if self._d else 0

    def swap(self, other: QSslCipher) -> None:
        """Exchange the contents of this cipher and *other*."""
        if not isinstance(other, QSslCipher):
            raise TypeError(
                "swap(self, other: QSslCipher): argument 1 has unexpected type "
                f"'{type(other).__name__}'"
            )
        self._d, other._d = other._d, self._d

    # -- comparison ------------------------------------------------------------------------
    def __eq__(self, other: object) -> bool:
        """Qt compares name and protocol only."""
        if not isinstance(other, QSslCipher):
            return NotImplemented
        return self.name() == other.name() and self.protocol() == other.protocol()

    def __ne__(self, other: object) -> bool:
        result = self.__eq__(other)
        return result if result is NotImplemented else not result

    def __repr__(self) -> str:
        if self._d is None:
            return "<QSslCipher null>"
        return f"<QSslCipher {self._d.name!r} {self._d.protocol_string}>"


def _keyword_arguments(args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[Any, ...]:
    """Fold PyQt6's keyword spellings (name=, protocol=, other=) into positional arguments."""
    if set(kwargs) == {"other"} and not args:
        return (kwargs["other"],)
    names = ("name", "protocol")
    if not set(kwargs) <= set(names[len(args) :]):
        unknown = ", ".join(sorted(kwargs))
        raise TypeError(f"QSslCipher(): unexpected keyword argument(s): {unknown}")
    folded = list(args)
    for key in names[len(args) :]:
        if key in kwargs:
            folded.append(kwargs[key])
        elif key == "name":
            raise TypeError("QSslCipher(): 'name' is required when 'protocol' is given")
    return tuple(folded)


# ---------------------------------------------------------------------------------------------
# Lookup tables
# ---------------------------------------------------------------------------------------------


def _lookup(name: str | None, protocol: QSsl.SslProtocol | None) -> _CipherData | None:
    """Qt's constructor: the first supported cipher with that name (and protocol, if given)."""
    if not name:
        return None
    for data in _supported_table():
        if data.name == name and (protocol is None or data.protocol == protocol):
            return data
    return None


def _cipher_from_name(name: str) -> QSslCipher:
    """A QSslCipher for any suite OpenSSL knows, supported by default or not.

    For the TLS engine: ``sessionCipher()`` after a handshake (``SSL_get_current_cipher``'s
    name). Null for a name OpenSSL does not know.
    """
    return QSslCipher._from_data(_openssl_table().get(name))


def _supported_cipher_names() -> list[tuple[str, str]]:
    """(name, protocol string) of QSslConfiguration.supportedCiphers(), in OpenSSL's order.

    Qt's list: ``SSL_get_ciphers()`` of a default ``TLS_client_method()`` connection (TLS 1.3
    suites + OpenSSL's DEFAULT list), without anonymous (ADH/AECDH) suites.
    """
    return [(d.name, d.protocol_string) for d in _supported_table()]


def _default_cipher_names() -> list[tuple[str, str]]:
    """(name, protocol string) of QSslConfiguration.defaultConfiguration().ciphers().

    Qt keeps the supported suites with at least 128 used bits.
    """
    return [(d.name, d.protocol_string) for d in _supported_table() if d.used_bits >= 128]


def _all_cipher_names() -> list[tuple[str, str]]:
    """(name, protocol string) of every suite OpenSSL can enable: the TLS 1.3 suites it knows
    plus ``ALL:COMPLEMENTOFALL``. Beyond Qt (whose supportedCiphers() is the default list);
    for diagnostics such as ``python -m qtls``.
    """
    names = _cipher_list_of(b"ALL:COMPLEMENTOFALL", all_tls13=True)
    table = _openssl_table()
    return [(n, table[n].protocol_string) for n in names if n in table]


@functools.lru_cache(maxsize=1)
def _supported_table() -> tuple[_CipherData, ...]:
    table = _openssl_table()
    result = []
    for name in _cipher_list_of(None, all_tls13=False):
        # Qt drops anonymous suites unconditionally: they offer no MITM protection.
        if name.lower().startswith(("adh", "exp-adh", "aecdh")):
            continue
        data = table.get(name)
        if data is not None:
            result.append(data)
    return tuple(result)


_TLS13_SUITES = (
    b"TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256:"
    b"TLS_AES_128_CCM_SHA256:TLS_AES_128_CCM_8_SHA256"
)


def _binding() -> tuple[Any, Any]:
    from cryptography.hazmat.bindings.openssl.binding import Binding

    return Binding.lib, Binding.ffi


def _cipher_list_of(cipher_list: bytes | None, *, all_tls13: bool) -> list[str]:
    """The names ``SSL_get_cipher_list`` yields for a fresh client connection."""
    lib, ffi = _binding()
    ctx = lib.SSL_CTX_new(lib.TLS_client_method())
    if ctx == ffi.NULL:
        return []
    try:
        if cipher_list is not None:
            lib.SSL_CTX_set_cipher_list(ctx, cipher_list)
        if all_tls13:
            lib.SSL_CTX_set_ciphersuites(ctx, _TLS13_SUITES)
        ssl = lib.SSL_new(ctx)
        if ssl == ffi.NULL:
            return []
        try:
            names: list[str] = []
            while True:
                raw = lib.SSL_get_cipher_list(ssl, len(names))
                if raw == ffi.NULL:
                    break
                names.append(ffi.string(raw).decode("ascii"))
            return names
        finally:
            lib.SSL_free(ssl)
    finally:
        lib.SSL_CTX_free(ctx)
        lib.ERR_clear_error()


# The first bytes of every cipher suite value IANA's TLS registry has assigned (0x00xx, the
# TLS 1.3 suites 0x13xx, 0x16B7-0x16BA, TLS_FALLBACK_SCSV 0x5600, 0xC0xx, 0xC1xx, 0xCCA8-0xCCAE,
# 0xD0xx) and the private-use range 0xFFxx (OpenSSL's GOST suites). Asking OpenSSL about these
# 2,304 values finds every cipher it knows, as asking about all 65,536 did (it took ~30 ms of
# the first handshake's time).
_REGISTERED_FIRST_BYTES = (0x00, 0x13, 0x16, 0x56, 0xC0, 0xC1, 0xCC, 0xD0, 0xFF)


def _candidate_ids() -> Iterator[int]:
    for first in _REGISTERED_FIRST_BYTES:
        yield from range(first << 8, (first << 8) + 0x100)


@functools.lru_cache(maxsize=1)
def _openssl_table() -> dict[str, _CipherData]:
    """Every cipher OpenSSL knows, by name, with OpenSSL's protocol and bits."""
    lib, ffi = _binding()
    table: dict[str, _CipherData] = {}
    ctx = lib.SSL_CTX_new(lib.TLS_client_method())
    if ctx == ffi.NULL:
        return table
    ssl = lib.SSL_new(ctx)
    try:
        if ssl == ffi.NULL:
            return table
        cipher_id = ffi.new("unsigned char[2]")
        alg_bits = ffi.new("int *")
        for value in _candidate_ids():
            cipher_id[0], cipher_id[1] = value >> 8, value & 0xFF
            cipher = lib.SSL_CIPHER_find(ssl, cipher_id)
            if cipher == ffi.NULL:
                continue
            name = ffi.string(lib.SSL_CIPHER_get_name(cipher)).decode("ascii")
            version = ffi.string(lib.SSL_CIPHER_get_version(cipher)).decode("ascii")
            if version == "TLSv1.0":
                version = "TLSv1"  # SSL_CIPHER_description's spelling, which Qt parses
            used = lib.SSL_CIPHER_get_bits(cipher, alg_bits)
            kx, au, enc = _describe(name)
            table[name] = _CipherData(
                name, version, _protocol_of(version), kx, au, enc, used, alg_bits[0]
            )
    finally:
        if ssl != ffi.NULL:
            lib.SSL_free(ssl)
        lib.SSL_CTX_free(ctx)
        lib.ERR_clear_error()
    return table


def _protocol_of(version: str) -> QSsl.SslProtocol:
    """QTlsBackend::createCiphersuite's mapping; "SSLv3" and anything else is unknown."""
    return {
        "TLSv1": QSsl.SslProtocol.TlsV1_0,
        "TLSv1.1": QSsl.SslProtocol.TlsV1_1,
        "TLSv1.2": QSsl.SslProtocol.TlsV1_2,
        "TLSv1.3": QSsl.SslProtocol.TlsV1_3,
    }.get(version, QSsl.SslProtocol.UnknownProtocol)


# ---------------------------------------------------------------------------------------------
# The name parser: OpenSSL's naming scheme -> SSL_CIPHER_description's Kx/Au/Enc fields
# ---------------------------------------------------------------------------------------------

# TLS 1.3 suites name only the AEAD and the hash; key exchange and authentication are
# negotiated separately, which OpenSSL describes as "any".
_TLS13_ENCRYPTION = {
    "TLS_AES_128_GCM_SHA256": "AESGCM(128)",
    "TLS_AES_256_GCM_SHA384": "AESGCM(256)",
    "TLS_CHACHA20_POLY1305_SHA256": "CHACHA20/POLY1305(256)",
    "TLS_AES_128_CCM_SHA256": "AESCCM(128)",
    "TLS_AES_128_CCM_8_SHA256": "AESCCM8(128)",
    # RFC 9150 integrity-only suites (OpenSSL 3.4+): no encryption at all.
    "TLS_SHA256_SHA256": "None",
    "TLS_SHA384_SHA384": "None",
    "TLS_SM4_GCM_SM3": "SM4GCM(128)",
    "TLS_SM4_CCM_SM3": "SM4CCM(128)",
}

# Name prefix -> (Kx, Au), longest prefixes first. A name without one of these prefixes is a
# plain RSA key transport suite ("AES128-SHA", "DES-CBC3-SHA", "CAMELLIA256-SHA256"...).
_PREFIXES = (
    ("ECDHE-ECDSA-", "ECDH", "ECDSA"),
    ("ECDHE-RSA-", "ECDH", "RSA"),
    ("ECDHE-PSK-", "ECDHEPSK", "PSK"),
    # RFC 6209's ARIA names drop the "RSA": ECDHE-ARIA128-GCM-SHA256 is ECDHE with RSA.
    ("ECDHE-", "ECDH", "RSA"),
    ("DHE-RSA-", "DH", "RSA"),
    ("DHE-DSS-", "DH", "DSS"),
    ("DHE-PSK-", "DHEPSK", "PSK"),
    ("EDH-RSA-", "DH", "RSA"),
    ("EDH-DSS-", "DH", "DSS"),
    ("AECDH-", "ECDH", "None"),
    ("ADH-", "DH", "None"),
    ("RSA-PSK-", "RSAPSK", "RSA"),
    ("PSK-", "PSK", "PSK"),
    ("SRP-RSA-", "SRP", "RSA"),
    ("SRP-DSS-", "SRP", "DSS"),
    ("SRP-", "SRP", "SRP"),
)

# "AES128-GCM", "AES-256-CBC" (SRP names), "CAMELLIA256", "ARIA128-GCM", "AES256-CCM8"...
_BLOCK_CIPHER = re.compile(r"(AES|CAMELLIA|ARIA)-?(128|256)(?:-(GCM|CCM8|CCM)\b)?")
_BLOCK_NAMES = {
    ("AES", None): "AES",
    ("AES", "GCM"): "AESGCM",
    ("AES", "CCM"): "AESCCM",
    ("AES", "CCM8"): "AESCCM8",
    ("CAMELLIA", None): "Camellia",
    ("ARIA", None): "ARIA",
    ("ARIA", "GCM"): "ARIAGCM",
}
# Other algorithms, tested in order against the part of the name after the Kx/Au prefix.
_OTHER_CIPHERS = (
    ("CHACHA20-POLY1305", "CHACHA20/POLY1305(256)"),
    ("NULL", "None"),
    ("DES-CBC3", "3DES(168)"),
    ("3DES-EDE", "3DES(168)"),
    ("DES-CBC", "DES(56)"),
    ("SEED", "SEED(128)"),
    ("IDEA", "IDEA(128)"),
    ("RC4", "RC4(128)"),
    ("RC2", "RC2(128)"),
)


def _describe(name: str) -> tuple[str, str, str]:
    """(Kx, Au, Enc) as ``SSL_CIPHER_description`` prints them for the OpenSSL name *name*.

    Unrecognised parts are "" (Qt leaves a field empty when the description lacks it).
    """
    if name.startswith("TLS_"):
        return "any", "any", _TLS13_ENCRYPTION.get(name, "")
    kx, au, rest = "RSA", "RSA", name
    for prefix, prefix_kx, prefix_au in _PREFIXES:
        if name.startswith(prefix):
            kx, au, rest = prefix_kx, prefix_au, name[len(prefix) :]
            break
    match = _BLOCK_CIPHER.match(rest)
    if match:
        algorithm, bits, mode = match.group(1), match.group(2), match.group(3)
        label = _BLOCK_NAMES.get((algorithm, mode))
        return kx, au, f"{label}({bits})" if label else ""
    for marker, encryption in _OTHER_CIPHERS:
        if rest.startswith(marker):
            return kx, au, encryption
    return kx, au, ""
