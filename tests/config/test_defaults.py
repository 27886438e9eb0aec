"""Every default of QSslConfiguration() and defaultConfiguration(), checked against PyQt6."""

from __future__ import annotations

from typing import Any

import pytest

from qtls.ssl.qssl import QSsl
from qtls.ssl.values.configuration import PeerVerifyMode, QSslConfiguration
from qtls.ssl.values.diffiehellman import QSslDiffieHellmanParameters

# Getters whose results compare by enum name or by plain value between PyQt6 and qtls.
SCALAR_GETTERS = [
    "isNull",
    "protocol",
    "peerVerifyMode",
    "peerVerifyDepth",
    "sessionProtocol",
    "sessionTicketLifeTimeHint",
    "nextProtocolNegotiationStatus",
    "ocspStaplingEnabled",
    "handshakeMustInterruptOnError",
    "missingCertificateIsFatal",
    "dtlsCookieVerificationEnabled",
]
BYTES_GETTERS = ["nextNegotiatedProtocol", "sessionTicket", "preSharedKeyIdentityHint"]
LIST_GETTERS = ["allowedNextProtocols", "localCertificateChain", "peerCertificateChain"]
NULL_VALUE_GETTERS = [
    ("privateKey", "isNull"),
    ("ephemeralServerKey", "isNull"),
    ("localCertificate", "isNull"),
    ("peerCertificate", "isNull"),
    ("sessionCipher", "isNull"),
]


def _plain(value: Any) -> Any:
    """Enum members by name, everything else as is: PyQt6's enums are not ours."""
    return value.name if hasattr(value, "name") and hasattr(value, "value") else value


def _pair(pyqt: Any, default: bool) -> tuple[Any, QSslConfiguration]:
    if default:
        return (
            pyqt.QSslConfiguration.defaultConfiguration(),
            QSslConfiguration.defaultConfiguration(),
        )
    return pyqt.QSslConfiguration(), QSslConfiguration()


@pytest.mark.pyqt6
@pytest.mark.parametrize("default", [False, True], ids=["null", "default"])
@pytest.mark.parametrize("getter", SCALAR_GETTERS)
def test_scalar_default_matches_pyqt6(pyqt: Any, default: bool, getter: str) -> None:
    theirs, ours = _pair(pyqt, default)
    assert _plain(getattr(ours, getter)()) == _plain(getattr(theirs, getter)())


@pytest.mark.pyqt6
@pytest.mark.parametrize("default", [False, True], ids=["null", "default"])
@pytest.mark.parametrize("getter", BYTES_GETTERS)
def test_bytes_default_matches_pyqt6(pyqt: Any, default: bool, getter: str) -> None:
    theirs, ours = _pair(pyqt, default)
    assert bytes(getattr(ours, getter)()) == bytes(getattr(theirs, getter)().data())


@pytest.mark.pyqt6
@pytest.mark.parametrize("default", [False, True], ids=["null", "default"])
@pytest.mark.parametrize("getter", LIST_GETTERS)
def test_list_default_matches_pyqt6(pyqt: Any, default: bool, getter: str) -> None:
    theirs, ours = _pair(pyqt, default)
    assert len(getattr(ours, getter)()) == len(getattr(theirs, getter)())


@pytest.mark.pyqt6
@pytest.mark.parametrize("default", [False, True], ids=["null", "default"])
@pytest.mark.parametrize(("getter", "predicate"), NULL_VALUE_GETTERS)
def test_null_value_default_matches_pyqt6(
    pyqt: Any, default: bool, getter: str, predicate: str
) -> None:
    theirs, ours = _pair(pyqt, default)
    assert (
        getattr(getattr(ours, getter)(), predicate)()
        == getattr(getattr(theirs, getter)(), predicate)()
    )


@pytest.mark.pyqt6
@pytest.mark.parametrize("default", [False, True], ids=["null", "default"])
@pytest.mark.parametrize("option", [o.name for o in QSsl.SslOption])
def test_ssl_option_default_matches_pyqt6(pyqt: Any, default: bool, option: str) -> None:
    theirs, ours = _pair(pyqt, default)
    assert ours.testSslOption(QSsl.SslOption[option]) == theirs.testSslOption(
        pyqt.QSsl.SslOption[option]
    )


@pytest.mark.pyqt6
@pytest.mark.parametrize("default", [False, True], ids=["null", "default"])
def test_backend_configuration_default_matches_pyqt6(pyqt: Any, default: bool) -> None:
    theirs, ours = _pair(pyqt, default)
    assert ours.backendConfiguration() == {} == theirs.backendConfiguration()


@pytest.mark.pyqt6
@pytest.mark.parametrize("default", [False, True], ids=["null", "default"])
def test_diffie_hellman_emptiness_matches_pyqt6(pyqt: Any, default: bool) -> None:
    theirs, ours = _pair(pyqt, default)
    assert ours.diffieHellmanParameters().isEmpty() == theirs.diffieHellmanParameters().isEmpty()


@pytest.mark.pyqt6
def test_elliptic_curves_default_matches_pyqt6(pyqt: Any) -> None:
    for default in (False, True):
        theirs, ours = _pair(pyqt, default)
        assert len(ours.ellipticCurves()) == len(theirs.ellipticCurves())


@pytest.mark.pyqt6
def test_null_configuration_has_no_ciphers_or_cas_like_pyqt6(pyqt: Any) -> None:
    theirs, ours = _pair(pyqt, default=False)
    assert len(ours.ciphers()) == len(theirs.ciphers()) == 0
    assert len(ours.caCertificates()) == len(theirs.caCertificates()) == 0


@pytest.mark.pyqt6
def test_default_ciphers_start_with_the_same_tls13_suites_as_pyqt6(pyqt: Any) -> None:
    theirs, ours = _pair(pyqt, default=True)
    ours_13 = [c.name() for c in ours.ciphers() if c.name().startswith("TLS_")]
    theirs_13 = [c.name() for c in theirs.ciphers() if c.name().startswith("TLS_")]
    assert ours_13 == theirs_13
    assert ours.ciphers()[0].name() == theirs.ciphers()[0].name()


def test_default_diffie_hellman_parameters_are_qt_defaults() -> None:
    dh = QSslConfiguration.defaultConfiguration().diffieHellmanParameters()
    assert dh == QSslDiffieHellmanParameters.defaultParameters()
    assert dh.isValid() and not dh.isEmpty()


def test_default_protocol_is_secure_protocols_and_verify_mode_auto() -> None:
    conf = QSslConfiguration.defaultConfiguration()
    assert conf.protocol() is QSsl.SslProtocol.SecureProtocols
    assert conf.peerVerifyMode() is PeerVerifyMode.AutoVerifyPeer


@pytest.mark.pyqt6
def test_enum_and_attribute_values_match_pyqt6(pyqt: Any) -> None:
    theirs = pyqt.QSslConfiguration
    assert QSslConfiguration.NextProtocolHttp1_1 == theirs.NextProtocolHttp1_1 == b"http/1.1"
    assert {m.name: m.value for m in QSslConfiguration.NextProtocolNegotiationStatus} == {
        m.name: m.value for m in theirs.NextProtocolNegotiationStatus
    }
    assert {m.name: m.value for m in PeerVerifyMode} == {
        m.name: m.value for m in pyqt.QSslSocket.PeerVerifyMode
    }
