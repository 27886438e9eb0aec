"""QSslCertificate: an X.509 certificate on cryptography.x509.

A QSslCertificate holds one parsed ``cryptography.x509.Certificate`` (or nothing: the null
certificate) and answers Qt's questions about it the way Qt's OpenSSL backend does: names by
OpenSSL short name, multi-valued attributes most recent first, serial numbers as colon-separated
hex, extension values as Qt's QVariants. It is an immutable value, except for ``clear()``,
``swap()`` and ``importPkcs12()`` which, as in Qt, replace the whole contents.

Loading lives in :mod:`qtls.ssl.x509.reading`, extension values in
:mod:`qtls.ssl.x509.extensionvalue`, verification in :mod:`qtls.ssl.x509.verify`.
"""

from __future__ import annotations

import datetime as _dt
import enum
import hashlib
import warnings
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.utils import CryptographyDeprecationWarning

from qtls.ssl.qssl import QSsl
from qtls.ssl.x509 import reading
from qtls.ssl.x509.blocklist import is_blacklisted
from qtls.ssl.x509.extension import QSslCertificateExtension
from qtls.ssl.x509.key import QSslKey
from qtls.ssl.x509.names import name_to_multimap
from qtls.ssl.x509.pkcs12 import load_pkcs12
from qtls.ssl.x509.qtvalues import as_bytes, to_qbytearray, to_qdatetime

# _system_ca_certificates is also reachable here for code that looks for it next to the class.
from qtls.ssl.x509.verify import _system_ca_certificates as _system_ca_certificates
from qtls.ssl.x509.verify import issued_by_itself, verify_chain

if TYPE_CHECKING:
    from OpenSSL import crypto

__all__ = ["QSslCertificate"]

_SUBJECT_INFO_KEYS = {
    "Organization": b"O",
    "CommonName": b"CN",
    "LocalityName": b"L",
    "OrganizationalUnitName": b"OU",
    "CountryName": b"C",
    "StateOrProvinceName": b"ST",
    "DistinguishedNameQualifier": b"dnQualifier",
    "SerialNumber": b"serialNumber",
    "EmailAddress": b"emailAddress",
}

_HASHES: dict[str, Any] = {
    "Md5": hashlib.md5,
    "Sha1": hashlib.sha1,
    "Sha224": hashlib.sha224,
    "Sha256": hashlib.sha256,
    "Sha384": hashlib.sha384,
    "Sha512": hashlib.sha512,
    "Sha3_224": hashlib.sha3_224,
    "Sha3_256": hashlib.sha3_256,
    "Sha3_384": hashlib.sha3_384,
    "Sha3_512": hashlib.sha3_512,
    "Blake2b_160": lambda: hashlib.blake2b(digest_size=20),
    "Blake2b_256": lambda: hashlib.blake2b(digest_size=32),
    "Blake2b_384": lambda: hashlib.blake2b(digest_size=48),
    "Blake2b_512": lambda: hashlib.blake2b(digest_size=64),
    "Blake2s_128": lambda: hashlib.blake2s(digest_size=16),
    "Blake2s_160": lambda: hashlib.blake2s(digest_size=20),
    "Blake2s_224": lambda: hashlib.blake2s(digest_size=28),
    "Blake2s_256": lambda: hashlib.blake2s(digest_size=32),
}
_ALGORITHM_NAMES = set(_HASHES) | {"Md4", "Keccak_224", "Keccak_256", "Keccak_384", "Keccak_512"}

# Qt's toText() reads the printout once into a 16 KiB buffer: longer texts are cut there.
_TEXT_LIMIT = 16384


def _check_format(format: object, where: str) -> QSsl.EncodingFormat:
    if not isinstance(format, QSsl.EncodingFormat):
        raise TypeError(f"{where}: argument 'format' has unexpected type '{type(format).__name__}'")
    return format


def _read_device(device: Any) -> bytes:
    """All remaining bytes of a QIODevice (or any object with readAll()/read())."""
    read_all = getattr(device, "readAll", None)
    data = read_all() if callable(read_all) else device.read()
    return as_bytes(data if data is not None else b"", "device")


def _is_device(obj: object) -> bool:
    return callable(getattr(obj, "readAll", None))


def _certificates(data: bytes, format: QSsl.EncodingFormat) -> list[x509.Certificate]:
    if format is QSsl.EncodingFormat.Pem:
        return reading.certificates_from_pem(data)
    return reading.certificates_from_der(data)


class QSslCertificate:
    """An X.509 certificate, as Qt's QSslCertificate.

    Constructed from PEM or DER bytes (or a QByteArray), from a QIODevice (all its remaining
    data is read), or as a copy of another certificate; the first certificate found is used,
    and anything unreadable gives a null certificate (``isNull()``), never an exception.
    Getters of a null certificate return empty values. Equality and ``hash()`` compare the DER.
    Non-ASCII bytes in a DNS or e-mail subjectAltName are read as Latin-1, as Qt reads them, in
    subjectAlternativeNames() and in host-name matching: a SAN written as UTF-8 ``😀.example``
    does not match ``xn--i28h.example``.
    """

    class SubjectInfo(enum.Enum):
        """Keys of subjectInfo()/issuerInfo() (Qt's QSslCertificate::SubjectInfo)."""

        Organization = 0
        CommonName = 1
        LocalityName = 2
        OrganizationalUnitName = 3
        CountryName = 4
        StateOrProvinceName = 5
        DistinguishedNameQualifier = 6
        SerialNumber = 7
        EmailAddress = 8

    class PatternSyntax(enum.Enum):
        """How fromPath() reads its path (Qt's QSslCertificate::PatternSyntax)."""

        RegularExpression = 0
        Wildcard = 1
        FixedString = 2

    __slots__ = ("_cert", "_cache")

    def __init__(
        self, data: Any = b"", format: QSsl.EncodingFormat = QSsl.EncodingFormat.Pem
    ) -> None:
        """QSslCertificate(data=b"", format=Pem), QSslCertificate(device, format) or
        QSslCertificate(other)."""
        self._cert: x509.Certificate | None = None
        self._cache: dict[str, Any] = {}
        if isinstance(data, QSslCertificate):
            self._cert = data._cert
            self._cache = data._cache
            return
        format = _check_format(format, "QSslCertificate()")
        if data is None:
            return
        raw = _read_device(data) if _is_device(data) else as_bytes(data)
        found = _certificates(raw, format)
        if found:
            self._cert = found[0]

    @classmethod
    def _from_cryptography(cls, cert: x509.Certificate | None) -> QSslCertificate:
        """Wrap a parsed certificate (internal: used by the TLS engine and QSslConfiguration)."""
        result = cls()
        result._cert = cert
        return result

    def _cryptography(self) -> x509.Certificate | None:
        """The underlying ``cryptography`` certificate, or None for a null certificate."""
        return self._cert

    # -- identity -------------------------------------------------------------------------------

    def isNull(self) -> bool:
        """True for a certificate with no contents (default-constructed, cleared, or unreadable)."""
        return self._cert is None

    def clear(self) -> None:
        """Make this certificate null."""
        self._cert = None
        self._cache = {}

    def swap(self, other: QSslCertificate) -> None:
        """Exchange the contents of this certificate and *other*."""
        if not isinstance(other, QSslCertificate):
            raise TypeError(f"swap(): argument 1 has unexpected type '{type(other).__name__}'")
        self._cert, other._cert = other._cert, self._cert
        self._cache, other._cache = other._cache, self._cache

    def _der(self) -> bytes:
        if self._cert is None:
            return b""
        der = self._cache.get("der")
        if der is None:
            der = self._cache["der"] = self._cert.public_bytes(serialization.Encoding.DER)
        return der

    def _openssl(self) -> crypto.X509:
        """The certificate as a pyOpenSSL X509 (internal: verification and the TLS engine)."""
        x = self._cache.get("openssl")
        if x is None:
            # pyOpenSSL only when a certificate meets OpenSSL: reading and showing certificates
            # (qtls inspect, a QSslCertificate in a program) does not need it.
            from OpenSSL import crypto

            assert self._cert is not None, "a null certificate has no OpenSSL form"
            x = self._cache["openssl"] = crypto.X509.from_cryptography(self._cert)
        return x

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, QSslCertificate):
            return NotImplemented
        return self._der() == other._der()

    def __ne__(self, other: object) -> bool:
        result = self.__eq__(other)
        return result if result is NotImplemented else not result

    def __hash__(self) -> int:
        return hash(self._der())

    def __repr__(self) -> str:
        if self._cert is None:
            return "<QSslCertificate (null)>"
        return f"<QSslCertificate {self.subjectDisplayName()!r} serial {self.serialNumber()!r}>"

    # -- fields ---------------------------------------------------------------------------------

    def version(self) -> Any:
        """The X.509 version as text bytes (``b"3"``); empty for a null certificate."""
        if self._cert is None:
            return to_qbytearray(b"")
        return to_qbytearray(str(self._cert.version.value + 1).encode("ascii"))

    def _serial_bytes(self) -> bytes:
        if self._cert is None:
            return b""
        # Qt prints the bytes of OpenSSL's ASN1_INTEGER, which holds the magnitude (the sign
        # is in its type): -5 shows as "05", and a DER sign-padding 00 byte is not shown.
        with warnings.catch_warnings():
            # cryptography warns about non-positive serials; Qt shows them without complaint.
            warnings.simplefilter("ignore", CryptographyDeprecationWarning)
            magnitude = abs(self._cert.serial_number)
        raw = magnitude.to_bytes(max(1, (magnitude.bit_length() + 7) // 8), "big")
        return ":".join(f"{byte:02x}" for byte in raw).encode("ascii")

    def serialNumber(self) -> Any:
        """The serial number as lowercase hex bytes joined by ':' (``b"0f:ab"``)."""
        return to_qbytearray(self._serial_bytes())

    def digest(self, algorithm: Any = None) -> Any:
        """The hash of the DER encoding with a QCryptographicHash.Algorithm (MD5 by default).

        A null certificate gives the hash of no bytes, as Qt does.
        """
        name = "Md5" if algorithm is None else getattr(algorithm, "name", None)
        if name not in _ALGORITHM_NAMES:
            raise TypeError(
                f"digest(): argument 1 has unexpected type '{type(algorithm).__name__}'"
            )
        factory = _HASHES.get(name)
        if factory is None:
            try:  # MD4 and Keccak: hashlib has no portable implementation; qtls core may.
                from qtls.core.cryptographichash import QCryptographicHash  # type: ignore[attr-defined]

                return QCryptographicHash.hash(self._der(), algorithm)
            except (ImportError, AttributeError, TypeError, ValueError):
                return to_qbytearray(b"")
        hasher = factory()
        hasher.update(self._der())
        return to_qbytearray(hasher.digest())

    def _info(self, which: str) -> dict[bytes, list[str]]:
        info = self._cache.get(which)
        if info is None:
            info = {}
            if self._cert is not None:
                try:
                    name = self._cert.subject if which == "subject" else self._cert.issuer
                    info = name_to_multimap(name)
                except (ValueError, TypeError):
                    # (cryptography parses names lazily, and refuses some attribute types
                    # with TypeError, e.g. a BIT STRING under an OID other than
                    # x500UniqueIdentifier)
                    info = {}
            self._cache[which] = info
        return info

    @staticmethod
    def _info_key(key: object, where: str) -> bytes:
        if isinstance(key, QSslCertificate.SubjectInfo):
            return _SUBJECT_INFO_KEYS[key.name]
        try:
            return as_bytes(key, "attribute")
        except TypeError:
            raise TypeError(
                f"{where}(): argument 1 has unexpected type '{type(key).__name__}'"
            ) from None

    def subjectInfo(self, info: Any) -> list[str]:
        """Values of a subject attribute, by SubjectInfo or by OpenSSL short name / OID bytes.

        Multi-valued attributes are listed most recent first, as Qt's QMultiMap::values().
        """
        return list(self._info("subject").get(self._info_key(info, "subjectInfo"), []))

    def issuerInfo(self, info: Any) -> list[str]:
        """Values of an issuer attribute, by SubjectInfo or by attribute name bytes."""
        return list(self._info("issuer").get(self._info_key(info, "issuerInfo"), []))

    def subjectInfoAttributes(self) -> list[Any]:
        """The attribute names (OpenSSL short names, else OIDs) present in the subject, sorted."""
        return [to_qbytearray(key) for key in sorted(self._info("subject"))]

    def issuerInfoAttributes(self) -> list[Any]:
        """The attribute names present in the issuer, sorted."""
        return [to_qbytearray(key) for key in sorted(self._info("issuer"))]

    def _display_name(self, which: str) -> str:
        info = self._info(which)
        for key in (b"CN", b"O", b"OU"):
            if info.get(key):
                return info[key][0]
        return ""

    def subjectDisplayName(self) -> str:
        """The subject's CN, else its O, else its OU, else an empty string (Qt's rule)."""
        return self._display_name("subject")

    def issuerDisplayName(self) -> str:
        """The issuer's CN, else its O, else its OU, else an empty string."""
        return self._display_name("issuer")

    def _extensions(self) -> x509.Extensions | None:
        if self._cert is None:
            return None
        try:
            return self._cert.extensions
        except (ValueError, x509.DuplicateExtension, x509.UnsupportedGeneralNameType):
            return None  # cryptography parses extensions lazily and all at once

    def _alternative_names(self) -> dict[QSsl.AlternativeNameEntryType, list[str]]:
        names = self._cache.get("san")
        if names is None:
            names = self._cache["san"] = self._compute_alternative_names()
        return names

    def _compute_alternative_names(self) -> dict[QSsl.AlternativeNameEntryType, list[str]]:
        extensions = self._extensions()
        if extensions is None:
            return {}
        try:
            san = extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        except x509.ExtensionNotFound:
            return {}
        kinds = QSsl.AlternativeNameEntryType
        result: dict[QSsl.AlternativeNameEntryType, list[str]] = {}
        for name in san:
            kind: QSsl.AlternativeNameEntryType | None = None
            text = ""
            if isinstance(name, x509.DNSName):
                kind, text = kinds.DnsEntry, _ia5_as_qt_reads_it(name.value)
            elif isinstance(name, x509.RFC822Name):
                kind, text = kinds.EmailEntry, _ia5_as_qt_reads_it(name.value)
            elif isinstance(name, x509.IPAddress):
                text = _address_text(name.value)
                kind = kinds.IpAddressEntry if text else None
            if kind is not None and len(text) < 8192:
                result.setdefault(kind, []).insert(0, text)  # QMultiMap: most recent first
        return {kind: result[kind] for kind in sorted(result, key=lambda k: k.value)}

    def subjectAlternativeNames(self) -> dict[QSsl.AlternativeNameEntryType, list[str]]:
        """DNS names, e-mail addresses and IP addresses of the subjectAltName extension.

        As PyQt6 returns Qt's QMultiMap: a dict from entry type to a list, most recent first.
        DNS names and e-mail addresses are IA5Strings, and Qt reads their bytes as Latin-1, so
        a UTF-8 ``bücher.example`` comes back as ``bÃ¼cher.example``, and host-name matching
        compares that text (a certificate must carry an IDN as its ``xn--`` A-label to match).
        """
        return {kind: list(values) for kind, values in self._alternative_names().items()}

    def _not_before(self) -> _dt.datetime | None:
        return None if self._cert is None else self._cert.not_valid_before_utc

    def _not_after(self) -> _dt.datetime | None:
        return None if self._cert is None else self._cert.not_valid_after_utc

    def effectiveDate(self) -> Any:
        """The start of the validity period, a UTC QDateTime (invalid for a null certificate)."""
        return to_qdatetime(self._not_before())

    def expiryDate(self) -> Any:
        """The end of the validity period, a UTC QDateTime (invalid for a null certificate)."""
        return to_qdatetime(self._not_after())

    def isBlacklisted(self) -> bool:
        """True for one of the fraudulent certificates Qt lists (Comodo, DigiNotar, ...)."""
        if self._cert is None:
            return False
        return is_blacklisted(self._serial_bytes(), self.subjectInfo(b"CN"), self.issuerInfo(b"CN"))

    def isSelfSigned(self) -> bool:
        """True when the certificate could have issued itself: OpenSSL's X509_check_issued(x, x).

        That is: subject equals issuer, an authority key identifier (if any) matches its own
        subject key identifier and serial, and a keyUsage extension (if any) allows certificate
        signing. As in Qt, the signature itself is not checked.
        """
        cert = self._cert
        if cert is None:
            return False
        try:
            if cert.subject != cert.issuer:
                return False
            extensions = self._extensions()
            if extensions is None:
                return True
            return issued_by_itself(cert, extensions)
        except (ValueError, TypeError):  # a name cryptography cannot parse (see _info)
            return False

    def publicKey(self) -> Any:
        """The subject's public key as a QSslKey (a null QSslKey for a null certificate)."""
        if self._cert is None:
            return QSslKey()
        try:
            key = self._cert.public_key()
        except (ValueError, TypeError, NotImplementedError, UnsupportedAlgorithm):
            return QSslKey()  # an algorithm (or a curve) cryptography cannot load
        return QSslKey._from_cryptography(key, QSsl.KeyType.PublicKey)

    def extensions(self) -> list[QSslCertificateExtension]:
        """The certificate's extensions in certificate order, as Qt presents them."""
        extensions = self._extensions()
        if extensions is None:
            return []
        return [QSslCertificateExtension._from_cryptography(ext) for ext in extensions]

    # -- encodings ------------------------------------------------------------------------------

    def toDer(self) -> Any:
        """The DER encoding (empty for a null certificate)."""
        return to_qbytearray(self._der())

    def toPem(self) -> Any:
        """The PEM encoding, base64 wrapped at 64 columns (empty for a null certificate)."""
        if self._cert is None:
            return to_qbytearray(b"")
        return to_qbytearray(self._cert.public_bytes(serialization.Encoding.PEM))

    def toText(self) -> str:
        """OpenSSL's human-readable dump (X509_print), as Qt returns it: Latin-1 decoded and cut
        at 16 KiB."""
        if self._cert is None:
            return ""
        from OpenSSL import crypto

        try:
            text = crypto.dump_certificate(crypto.FILETYPE_TEXT, self._openssl())
        except crypto.Error:
            return ""
        return text[:_TEXT_LIMIT].decode("latin-1")

    def handle(self) -> int:
        """Qt returns the native X509 pointer; qtls has none and returns 0."""
        return 0

    # -- statics --------------------------------------------------------------------------------

    @staticmethod
    def fromData(
        data: Any, format: QSsl.EncodingFormat = QSsl.EncodingFormat.Pem
    ) -> list[QSslCertificate]:
        """Every certificate in *data*: PEM blocks (junk between them ignored) or consecutive DER."""
        format = _check_format(format, "fromData()")
        return [
            QSslCertificate._from_cryptography(c) for c in _certificates(as_bytes(data), format)
        ]

    @staticmethod
    def fromDevice(
        device: Any, format: QSsl.EncodingFormat = QSsl.EncodingFormat.Pem
    ) -> list[QSslCertificate]:
        """Every certificate in the remaining data of *device* (empty list for None)."""
        format = _check_format(format, "fromDevice()")
        if device is None:
            return []
        return QSslCertificate.fromData(_read_device(device), format)

    @staticmethod
    def fromFile(
        filePath: str | None, format: QSsl.EncodingFormat = QSsl.EncodingFormat.Pem
    ) -> list[QSslCertificate]:
        """Every certificate in the file *filePath* (Qt 6.8); empty if it cannot be read."""
        format = _check_format(format, "fromFile()")
        if not filePath:
            return []
        if not isinstance(filePath, str):
            raise TypeError(
                f"fromFile(): argument 1 has unexpected type '{type(filePath).__name__}'"
            )
        data = next(reading.read_paths([filePath]), None)
        return [] if data is None else QSslCertificate.fromData(data, format)

    @staticmethod
    def fromPath(
        path: str | None,
        format: QSsl.EncodingFormat = QSsl.EncodingFormat.Pem,
        syntax: QSslCertificate.PatternSyntax = PatternSyntax.FixedString,
    ) -> list[QSslCertificate]:
        """Certificates from a file, or from every file matching a Wildcard or
        RegularExpression pattern (searched recursively below its fixed directory part)."""
        format = _check_format(format, "fromPath()")
        if not isinstance(syntax, QSslCertificate.PatternSyntax):
            raise TypeError(
                f"fromPath(): argument 'syntax' has unexpected type '{type(syntax).__name__}'"
            )
        if not path:
            return []
        if not isinstance(path, str):
            raise TypeError(f"fromPath(): argument 1 has unexpected type '{type(path).__name__}'")
        files = reading.paths_matching(path, syntax.name)
        result: list[QSslCertificate] = []
        for data in reading.read_paths(files):
            result.extend(QSslCertificate.fromData(data, format))
        return result

    @staticmethod
    def verify(
        certificateChain: Iterable[QSslCertificate], hostName: str | None = "", *,
        strict: bool = False,
    ) -> list[Any]:
        """The QSslErrors of a chain (leaf first, root optional) against the system's roots.

        Qt's order: CertificateBlacklisted, HostNameMismatch (when *hostName* is given), then
        the chain errors OpenSSL reports, then the validity errors. An empty chain gives one
        UnspecifiedError. See :mod:`qtls.ssl.x509.verify` for how every error is found.

        qtls extension: ``strict=True`` adds the Web-PKI and RFC 5280 rules Qt does not check,
        one error per broken rule, after Qt's errors (see :mod:`qtls.ssl.x509.strict`;
        ``QSslConfiguration.setStrictVerification`` is the same for a socket's handshake).
        """
        chain = list(certificateChain)
        for cert in chain:
            if not isinstance(cert, QSslCertificate):
                raise TypeError(f"verify(): chain item has unexpected type '{type(cert).__name__}'")
        return verify_chain(chain, hostName or "", bool(strict))

    @staticmethod
    def importPkcs12(
        device: Any,
        key: Any,
        certificate: QSslCertificate | None,
        caCertificates: Any = None,
        passPhrase: Any = b"",
    ) -> bool:
        """Read a PKCS#12 bundle from *device* into *key* (a QSslKey) and *certificate*, in place.

        Returns False, leaving them untouched, when the data is empty, unreadable, has no key or
        certificate, or the pass phrase is wrong. Where qtls differs on purpose: PyQt6 leaves
        *caCertificates* alone; qtls fills it in place when it is a list.
        """
        if device is None or key is None or certificate is None:
            return False
        if not isinstance(key, QSslKey):
            raise TypeError(f"importPkcs12(): argument 2 has unexpected type '{type(key).__name__}'")
        if not isinstance(certificate, QSslCertificate):
            raise TypeError(
                f"importPkcs12(): argument 3 has unexpected type '{type(certificate).__name__}'"
            )
        loaded = load_pkcs12(_read_device(device), as_bytes(passPhrase, "passPhrase"))
        if loaded is None:
            return False
        new_key, cert, extra = loaded
        key.swap(new_key)
        certificate.swap(QSslCertificate._from_cryptography(cert))
        if isinstance(caCertificates, list):
            caCertificates[:] = [QSslCertificate._from_cryptography(c) for c in extra]
        return True


def _ia5_as_qt_reads_it(text: str) -> str:
    """An IA5String of a subjectAltName as Qt reads it: its bytes as Latin-1.

    cryptography decodes the bytes as UTF-8; Qt (``QString::fromLatin1`` in qx509_openssl.cpp)
    does not, so a non-ASCII name such as ``😜.example.com`` (forbidden by RFC 5280 7.2) reads
    as mojibake and matches no host name, not even its own A-label.
    """
    if text.isascii():
        return text
    return text.encode("utf-8", "surrogateescape").decode("latin-1")


def _address_text(address: object) -> str:
    """QHostAddress::toString() of an IP SAN; empty for anything but a 4- or 16-byte address."""
    import ipaddress

    if isinstance(address, ipaddress.IPv6Address):
        mapped = address.ipv4_mapped
        return f"::ffff:{mapped}" if mapped is not None else str(address)
    if isinstance(address, ipaddress.IPv4Address):
        return str(address)
    return ""
