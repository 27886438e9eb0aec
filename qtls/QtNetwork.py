"""qtls.QtNetwork: PyQt6.QtNetwork's TCP and TLS classes, without Qt.

A thin façade that imports a class's module when the class is first used (PEP 562): a program
that only needs QTcpSocket never loads pyOpenSSL, and ``import qtls.QtNetwork`` costs almost
nothing. ``from qtls.QtNetwork import *`` and ``dir()`` still see every name; type checkers
read the real imports in the ``TYPE_CHECKING`` block.
"""

import importlib as _importlib
import typing as _typing

if _typing.TYPE_CHECKING:
    from qtls.network.hostaddress import QHostAddress as QHostAddress
    from qtls.network.abstractsocket import QAbstractSocket as QAbstractSocket
    from qtls.network.tcpsocket import QTcpSocket as QTcpSocket
    from qtls.network.tcpserver import QTcpServer as QTcpServer
    from qtls.network.udpsocket import QUdpSocket as QUdpSocket
    from qtls.network.networkdatagram import QNetworkDatagram as QNetworkDatagram
    from qtls.network.networkinterface import QNetworkInterface as QNetworkInterface, QNetworkAddressEntry as QNetworkAddressEntry
    from qtls.ssl.qssl import QSsl as QSsl
    from qtls.ssl.x509.error import QSslError as QSslError
    from qtls.ssl.x509.key import QSslKey as QSslKey
    from qtls.ssl.x509.extension import QSslCertificateExtension as QSslCertificateExtension
    from qtls.ssl.x509.certificate import QSslCertificate as QSslCertificate
    from qtls.ssl.values.cipher import QSslCipher as QSslCipher
    from qtls.ssl.values.ellipticcurve import QSslEllipticCurve as QSslEllipticCurve
    from qtls.ssl.values.diffiehellman import QSslDiffieHellmanParameters as QSslDiffieHellmanParameters
    from qtls.ssl.values.psk import QSslPreSharedKeyAuthenticator as QSslPreSharedKeyAuthenticator
    from qtls.ssl.values.ocsp import QOcspCertificateStatus as QOcspCertificateStatus, QOcspResponse as QOcspResponse, QOcspRevocationReason as QOcspRevocationReason
    from qtls.ssl.values.configuration import QSslConfiguration as QSslConfiguration
    from qtls.ssl.sslsocket import QSslSocket as QSslSocket
    from qtls.ssl.sslserver import QSslServer as QSslServer
    from qtls.ssl.dtlserror import QDtlsError as QDtlsError
    from qtls.ssl.dtlsverifier import QDtlsClientVerifier as QDtlsClientVerifier
    from qtls.ssl.dtls import QDtls as QDtls

# Each public name and the module that defines it (tests check this against the modules' __all__).
_MODULES: dict[str, str] = {
    "QHostAddress": "qtls.network.hostaddress",
    "QAbstractSocket": "qtls.network.abstractsocket",
    "QTcpSocket": "qtls.network.tcpsocket",
    "QTcpServer": "qtls.network.tcpserver",
    "QUdpSocket": "qtls.network.udpsocket",
    "QNetworkDatagram": "qtls.network.networkdatagram",
    "QNetworkInterface": "qtls.network.networkinterface",
    "QNetworkAddressEntry": "qtls.network.networkinterface",
    "QSsl": "qtls.ssl.qssl",
    "QSslError": "qtls.ssl.x509.error",
    "QSslKey": "qtls.ssl.x509.key",
    "QSslCertificateExtension": "qtls.ssl.x509.extension",
    "QSslCertificate": "qtls.ssl.x509.certificate",
    "QSslCipher": "qtls.ssl.values.cipher",
    "QSslEllipticCurve": "qtls.ssl.values.ellipticcurve",
    "QSslDiffieHellmanParameters": "qtls.ssl.values.diffiehellman",
    "QSslPreSharedKeyAuthenticator": "qtls.ssl.values.psk",
    "QOcspCertificateStatus": "qtls.ssl.values.ocsp",
    "QOcspResponse": "qtls.ssl.values.ocsp",
    "QOcspRevocationReason": "qtls.ssl.values.ocsp",
    "QSslConfiguration": "qtls.ssl.values.configuration",
    "QSslSocket": "qtls.ssl.sslsocket",
    "QSslServer": "qtls.ssl.sslserver",
    "QDtlsError": "qtls.ssl.dtlserror",
    "QDtlsClientVerifier": "qtls.ssl.dtlsverifier",
    "QDtls": "qtls.ssl.dtls",
}

__all__ = list(_MODULES)


def __getattr__(name: str) -> _typing.Any:
    module = _MODULES.get(name)
    if module is None:
        raise AttributeError(f"module 'qtls.QtNetwork' has no attribute {name!r}")
    value = getattr(_importlib.import_module(module), name)
    globals()[name] = value  # the next lookup is an ordinary global
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
