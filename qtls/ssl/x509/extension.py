"""QSslCertificateExtension: one X.509 extension as Qt presents it."""

from __future__ import annotations

from typing import Any

from cryptography import x509

from qtls.ssl.x509.extensionvalue import extension_value
from qtls.ssl.x509.names import EXTENSION_SHORT_NAMES, oid_short_name

__all__ = ["QSslCertificateExtension"]


class QSslCertificateExtension:
    """One extension of a certificate: its OID, OpenSSL short name, criticality and value.

    A default-constructed extension is empty (empty name and OID, not critical, not supported,
    value None). ``isSupported()`` is true only for the extensions Qt converts itself
    (basicConstraints, authorityInfoAccess, subjectKeyIdentifier, authorityKeyIdentifier);
    the values of the others come from OpenSSL's printers and Qt does not promise their form.
    """

    __slots__ = ("_oid", "_name", "_critical", "_supported", "_value")

    def __init__(self, other: QSslCertificateExtension | None = None) -> None:
        """An empty extension, or a copy of *other*."""
        self._oid = ""
        self._name = ""
        self._critical = False
        self._supported = False
        self._value: Any = None
        if other is not None:
            if not isinstance(other, QSslCertificateExtension):
                raise TypeError(
                    f"QSslCertificateExtension(): argument 1 has unexpected type '{type(other).__name__}'"
                )
            self._copy_from(other)

    @classmethod
    def _from_cryptography(
        cls, ext: x509.Extension[x509.ExtensionType]
    ) -> QSslCertificateExtension:
        """The Qt view of a parsed ``cryptography`` extension (internal, used by QSslCertificate)."""
        result = cls()
        result._oid = ext.oid.dotted_string
        result._name = oid_short_name(ext.oid, EXTENSION_SHORT_NAMES)
        result._critical = bool(ext.critical)
        try:
            result._value, result._supported = extension_value(ext)
        except (ValueError, TypeError, AttributeError):
            # A value cryptography parsed but that our printers cannot render: Qt shows an
            # invalid QVariant for extensions it cannot decode.
            result._value, result._supported = None, False
        return result

    def _copy_from(self, other: QSslCertificateExtension) -> None:
        self._oid = other._oid
        self._name = other._name
        self._critical = other._critical
        self._supported = other._supported
        self._value = other._value

    def oid(self) -> str:
        """The extension's OID in dotted form, e.g. ``"2.5.29.19"``."""
        return self._oid

    def name(self) -> str:
        """OpenSSL's short name (``"basicConstraints"``), or the OID when OpenSSL has none."""
        return self._name

    def isCritical(self) -> bool:
        """True when the certificate marks this extension critical."""
        return self._critical

    def isSupported(self) -> bool:
        """True when Qt guarantees the form of value() (the four extensions Qt converts)."""
        return self._supported

    def value(self) -> Any:
        """The extension's value: a dict, list, str or QByteArray, as PyQt6 returns Qt's QVariant."""
        return self._value

    def swap(self, other: QSslCertificateExtension) -> None:
        """Exchange the contents of this extension and *other*."""
        if not isinstance(other, QSslCertificateExtension):
            raise TypeError(f"swap(): argument 1 has unexpected type '{type(other).__name__}'")
        mine = QSslCertificateExtension(self)
        self._copy_from(other)
        other._copy_from(mine)

    def __repr__(self) -> str:
        return f"<QSslCertificateExtension {self._name or '(empty)'} critical={self._critical}>"
