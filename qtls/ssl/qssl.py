"""The QSsl namespace: the enums shared by every SSL class, with Qt's exact values.

PyQt6 exposes C++ enums as Python :class:`enum.Enum` (and :class:`enum.Flag` for QFlags), scoped:
``QSsl.SslProtocol.TlsV1_2``. The values below are Qt 6's, as PyQt6 reports them.
"""

from __future__ import annotations

import enum

__all__ = ["QSsl"]


class QSsl:
    """Namespace of the SSL enums (``QSsl::KeyType``, ``QSsl::SslProtocol``, ...)."""

    class AlertLevel(enum.Enum):
        Warning = 0
        Fatal = 1
        Unknown = 2

    class AlertType(enum.Enum):
        CloseNotify = 0
        UnexpectedMessage = 10
        BadRecordMac = 20
        RecordOverflow = 22
        DecompressionFailure = 30
        HandshakeFailure = 40
        NoCertificate = 41
        BadCertificate = 42
        UnsupportedCertificate = 43
        CertificateRevoked = 44
        CertificateExpired = 45
        CertificateUnknown = 46
        IllegalParameter = 47
        UnknownCa = 48
        AccessDenied = 49
        DecodeError = 50
        DecryptError = 51
        ExportRestriction = 60
        ProtocolVersion = 70
        InsufficientSecurity = 71
        InternalError = 80
        InappropriateFallback = 86
        UserCancelled = 90
        NoRenegotiation = 100
        MissingExtension = 109
        UnsupportedExtension = 110
        CertificateUnobtainable = 111
        UnrecognizedName = 112
        BadCertificateStatusResponse = 113
        BadCertificateHashValue = 114
        UnknownPskIdentity = 115
        CertificateRequired = 116
        NoApplicationProtocol = 120
        UnknownAlertMessage = 255

    class AlternativeNameEntryType(enum.Enum):
        EmailEntry = 0
        DnsEntry = 1
        IpAddressEntry = 2

    class EncodingFormat(enum.Enum):
        Pem = 0
        Der = 1

    class ImplementedClass(enum.Enum):
        Key = 0
        Certificate = 1
        Socket = 2
        DiffieHellman = 3
        EllipticCurve = 4
        Dtls = 5
        DtlsCookie = 6

    class KeyAlgorithm(enum.Enum):
        Opaque = 0
        Rsa = 1
        Dsa = 2
        Ec = 3
        Dh = 4
        MlDsa = 5

    class KeyType(enum.Enum):
        PrivateKey = 0
        PublicKey = 1

    class SslOption(enum.Flag):
        SslOptionDisableEmptyFragments = 1
        SslOptionDisableSessionTickets = 2
        SslOptionDisableCompression = 4
        SslOptionDisableServerNameIndication = 8
        SslOptionDisableLegacyRenegotiation = 16
        SslOptionDisableSessionSharing = 32
        SslOptionDisableSessionPersistence = 64
        SslOptionDisableServerCipherPreference = 128

    class SslProtocol(enum.Enum):
        UnknownProtocol = -1
        TlsV1_0 = 0
        TlsV1_0OrLater = 5
        TlsV1_1 = 1
        TlsV1_1OrLater = 6
        TlsV1_2 = 2
        TlsV1_2OrLater = 7
        AnyProtocol = 3
        SecureProtocols = 4
        DtlsV1_0 = 8
        DtlsV1_0OrLater = 9
        DtlsV1_2 = 10
        DtlsV1_2OrLater = 11
        TlsV1_3 = 12
        TlsV1_3OrLater = 13

    class SupportedFeature(enum.Enum):
        CertificateVerification = 0
        ClientSideAlpn = 1
        ServerSideAlpn = 2
        Ocsp = 3
        Psk = 4
        SessionTicket = 5
        Alerts = 6
