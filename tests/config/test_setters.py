"""Each QSslConfiguration setter: round trip, Qt's edge cases, PyQt6's TypeErrors."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from qtls.core.bytearray import QByteArray
from qtls.ssl.qssl import QSsl
from qtls.ssl.values.cipher import QSslCipher
from qtls.ssl.values.configuration import PeerVerifyMode, QSslConfiguration
from qtls.ssl.values.diffiehellman import QSslDiffieHellmanParameters
from qtls.ssl.values.ellipticcurve import QSslEllipticCurve
from qtls.ssl.x509.certificate import QSslCertificate

NextProtocolNegotiationStatus = QSslConfiguration.NextProtocolNegotiationStatus

Opt = QSsl.SslOption


def test_protocol_round_trip_and_type_check() -> None:
    conf = QSslConfiguration()
    conf.setProtocol(QSsl.SslProtocol.TlsV1_3OrLater)
    assert conf.protocol() is QSsl.SslProtocol.TlsV1_3OrLater
    with pytest.raises(
        TypeError,
        match=r"setProtocol\(self, protocol: QSsl.SslProtocol\): argument 1 has unexpected type 'int'",
    ):
        conf.setProtocol(3)  # type: ignore[arg-type]


def test_peer_verify_mode_round_trip_and_type_check() -> None:
    conf = QSslConfiguration()
    conf.setPeerVerifyMode(PeerVerifyMode.VerifyNone)
    assert conf.peerVerifyMode() is PeerVerifyMode.VerifyNone
    with pytest.raises(TypeError, match="setPeerVerifyMode"):
        conf.setPeerVerifyMode(1)  # type: ignore[arg-type]


def test_negative_peer_verify_depth_is_refused_with_a_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    conf = QSslConfiguration()
    conf.setPeerVerifyDepth(3)
    with caplog.at_level(logging.WARNING, logger="qtls.ssl"):
        conf.setPeerVerifyDepth(-3)
    assert conf.peerVerifyDepth() == 3
    assert "negative depth of -3" in caplog.text
    with pytest.raises(TypeError, match="setPeerVerifyDepth"):
        conf.setPeerVerifyDepth("x")  # type: ignore[arg-type]


def test_ssl_options_set_clear_and_test_several_flags() -> None:
    conf = QSslConfiguration()
    conf.setSslOption(Opt.SslOptionDisableSessionTickets, True)
    assert conf.testSslOption(Opt.SslOptionDisableSessionTickets)
    conf.setSslOption(Opt.SslOptionDisableCompression | Opt.SslOptionDisableEmptyFragments, False)
    assert not conf.testSslOption(Opt.SslOptionDisableCompression)
    assert not conf.testSslOption(Opt.SslOptionDisableEmptyFragments)
    assert conf.testSslOption(Opt.SslOptionDisableLegacyRenegotiation)
    # Qt tests "options & option": any flag of a combination is enough.
    assert conf.testSslOption(Opt.SslOptionDisableCompression | Opt.SslOptionDisableSessionTickets)
    assert not conf.testSslOption(Opt(0))


@pytest.mark.pyqt6
def test_ssl_option_changes_match_pyqt6(pyqt: Any) -> None:
    theirs, ours = pyqt.QSslConfiguration(), QSslConfiguration()
    # PyQt6 takes any int for the bool.
    steps: list[tuple[str, Any]] = [
        ("SslOptionDisableSessionTickets", True),
        ("SslOptionDisableCompression", False),
        ("SslOptionDisableServerNameIndication", 1),
        ("SslOptionDisableSessionPersistence", 0),
    ]
    for name, on in steps:
        theirs.setSslOption(pyqt.QSsl.SslOption[name], on)
        ours.setSslOption(QSsl.SslOption[name], on)
    for option in Opt:
        assert ours.testSslOption(option) == theirs.testSslOption(pyqt.QSsl.SslOption[option.name])


def test_set_ciphers_from_names_skips_unknown_ones() -> None:
    conf = QSslConfiguration()
    conf.setCiphers("ECDHE-RSA-AES128-GCM-SHA256:BOGUS:TLS_AES_128_GCM_SHA256")
    assert [c.name() for c in conf.ciphers()] == [
        "ECDHE-RSA-AES128-GCM-SHA256",
        "TLS_AES_128_GCM_SHA256",
    ]


@pytest.mark.pyqt6
@pytest.mark.parametrize(
    "spec",
    [
        "ECDHE-RSA-AES128-GCM-SHA256:TLS_AES_128_GCM_SHA256",
        "BOGUS",
        "HIGH:!aNULL",
        "",
        "ECDHE-RSA-AES128-GCM-SHA256,TLS_AES_128_GCM_SHA256",
        "tls_aes_128_gcm_sha256",
        "TLS_AES_256_GCM_SHA384:TLS_AES_256_GCM_SHA384",
        "::TLS_CHACHA20_POLY1305_SHA256:",
    ],
)
def test_set_ciphers_string_matches_pyqt6(pyqt: Any, spec: str) -> None:
    theirs, ours = pyqt.QSslConfiguration(), QSslConfiguration()
    theirs.setCiphers(spec)
    ours.setCiphers(spec)
    assert [c.name() for c in ours.ciphers()] == [c.name() for c in theirs.ciphers()]


def test_set_ciphers_none_clears_the_list() -> None:
    conf = QSslConfiguration.defaultConfiguration()
    conf.setCiphers(None)
    assert conf.ciphers() == []


def test_set_ciphers_from_list_keeps_order() -> None:
    conf = QSslConfiguration()
    wanted = [QSslCipher("TLS_AES_256_GCM_SHA384"), QSslCipher("ECDHE-ECDSA-AES128-GCM-SHA256")]
    assert all(not c.isNull() for c in wanted)
    conf.setCiphers(wanted)
    assert conf.ciphers() == wanted
    with pytest.raises(TypeError, match="index 1 has type 'str' but 'QSslCipher'"):
        conf.setCiphers([wanted[0], "AES128-SHA"])  # type: ignore[list-item]


def test_supported_ciphers_include_tls13_suites() -> None:
    names = [c.name() for c in QSslConfiguration.supportedCiphers()]
    assert {
        "TLS_AES_128_GCM_SHA256",
        "TLS_AES_256_GCM_SHA384",
        "TLS_CHACHA20_POLY1305_SHA256",
    } <= set(names)
    tls13 = [c for c in QSslConfiguration.supportedCiphers() if c.name().startswith("TLS_")]
    assert all(c.protocol() is QSsl.SslProtocol.TlsV1_3 for c in tls13)


def test_default_ciphers_are_supported_ciphers() -> None:
    supported = {c.name() for c in QSslConfiguration.supportedCiphers()}
    default = [c.name() for c in QSslConfiguration.defaultConfiguration().ciphers()]
    assert default and set(default) <= supported


def test_elliptic_curves_round_trip() -> None:
    conf = QSslConfiguration()
    curves = [
        QSslEllipticCurve.fromShortName("prime256v1"),
        QSslEllipticCurve.fromShortName("secp384r1"),
    ]
    assert all(c.isValid() for c in curves)
    conf.setEllipticCurves(curves)
    assert conf.ellipticCurves() == curves
    assert not conf.isNull()
    with pytest.raises(TypeError, match="QSslEllipticCurve"):
        conf.setEllipticCurves(["prime256v1"])  # type: ignore[list-item]


def test_supported_elliptic_curves_include_the_nist_curves() -> None:
    names = {c.shortName() for c in QSslConfiguration.supportedEllipticCurves()}
    assert {"prime256v1", "secp384r1", "secp521r1"} <= names


def test_diffie_hellman_parameters_round_trip() -> None:
    conf = QSslConfiguration.defaultConfiguration()
    conf.setDiffieHellmanParameters(QSslDiffieHellmanParameters())
    assert conf.diffieHellmanParameters().isEmpty()
    conf.setDiffieHellmanParameters(QSslDiffieHellmanParameters.defaultParameters())
    assert conf == QSslConfiguration.defaultConfiguration()


def test_local_certificate_is_a_one_element_chain(ca_pems: list[bytes]) -> None:
    conf = QSslConfiguration()
    first, second = QSslCertificate(ca_pems[0]), QSslCertificate(ca_pems[1])
    conf.setLocalCertificateChain([first, second])
    assert conf.localCertificate() == first
    conf.setLocalCertificate(second)
    assert conf.localCertificateChain() == [second]


def test_null_local_certificate_still_makes_a_chain_as_qt() -> None:
    conf = QSslConfiguration()
    conf.setLocalCertificate(QSslCertificate())
    assert len(conf.localCertificateChain()) == 1
    assert conf.localCertificate().isNull()
    assert not conf.isNull()


def test_alpn_protocols_come_back_as_qbytearray() -> None:
    conf = QSslConfiguration()
    conf.setAllowedNextProtocols(
        [b"h2", bytearray(b"x"), memoryview(b"y"), QSslConfiguration.NextProtocolHttp1_1]
    )
    result = conf.allowedNextProtocols()
    assert all(isinstance(p, QByteArray) for p in result)
    assert [bytes(p) for p in result] == [b"h2", b"x", b"y", b"http/1.1"]
    with pytest.raises(TypeError, match="index 0 has type 'str' but 'QByteArray' is expected"):
        conf.setAllowedNextProtocols(["h2"])


def test_byte_fields_round_trip_and_reject_str() -> None:
    conf = QSslConfiguration()
    conf.setSessionTicket(b"ticket")
    conf.setPreSharedKeyIdentityHint(QByteArray(b"hint"))
    assert conf.sessionTicket() == b"ticket" and isinstance(conf.sessionTicket(), QByteArray)
    assert conf.preSharedKeyIdentityHint() == b"hint"
    with pytest.raises(TypeError, match="setSessionTicket"):
        conf.setSessionTicket("ticket")
    with pytest.raises(TypeError, match="setPreSharedKeyIdentityHint"):
        conf.setPreSharedKeyIdentityHint("hint")


def test_backend_configuration_options() -> None:
    conf = QSslConfiguration()
    conf.setBackendConfigurationOption(b"MinProtocol", "TLSv1.2")
    conf.setBackendConfigurationOption(QByteArray(b"Groups"), None)
    assert conf.backendConfiguration() == {
        QByteArray(b"MinProtocol"): "TLSv1.2",
        QByteArray(b"Groups"): None,
    }
    conf.setBackendConfiguration({b"Options": ["a"]})
    assert conf.backendConfiguration() == {QByteArray(b"Options"): ["a"]}
    conf.setBackendConfiguration()
    assert conf.backendConfiguration() == {}
    assert conf.isNull()


def test_backend_configuration_rejects_str_names() -> None:
    conf = QSslConfiguration()
    with pytest.raises(TypeError, match="setBackendConfigurationOption"):
        conf.setBackendConfigurationOption("MinProtocol", 1)
    with pytest.raises(TypeError, match="a dict key has type 'str' but 'QByteArray' is expected"):
        conf.setBackendConfiguration({"a": 1})
    assert conf.backendConfiguration() == {}


def test_backend_configuration_returned_dict_is_a_copy() -> None:
    conf = QSslConfiguration()
    conf.setBackendConfigurationOption(b"k", 1)
    conf.backendConfiguration()[QByteArray(b"other")] = 2
    assert list(conf.backendConfiguration()) == [QByteArray(b"k")]


@pytest.mark.parametrize(
    ("setter", "getter"),
    [
        ("setOcspStaplingEnabled", "ocspStaplingEnabled"),
        ("setHandshakeMustInterruptOnError", "handshakeMustInterruptOnError"),
        ("setMissingCertificateIsFatal", "missingCertificateIsFatal"),
        ("setDtlsCookieVerificationEnabled", "dtlsCookieVerificationEnabled"),
    ],
)
def test_boolean_switches_accept_ints_and_reject_strings(setter: str, getter: str) -> None:
    conf = QSslConfiguration()
    initial = getattr(conf, getter)()
    getattr(conf, setter)(int(not initial))
    assert getattr(conf, getter)() is (not initial)
    assert not conf.isNull()
    with pytest.raises(TypeError, match=setter):
        getattr(conf, setter)("x")


def test_session_fields_are_filled_by_private_setters(ca_pems: list[bytes]) -> None:
    conf = QSslConfiguration()
    cert = QSslCertificate(ca_pems[0])
    cipher = QSslCipher("TLS_AES_128_GCM_SHA256")
    conf._set_peer_certificate(cert)
    conf._set_peer_certificate_chain([cert])
    conf._set_session_cipher(cipher)
    conf._set_session_protocol(QSsl.SslProtocol.TlsV1_3)
    conf._set_next_negotiated_protocol(
        b"h2", NextProtocolNegotiationStatus.NextProtocolNegotiationNegotiated
    )
    conf._set_session_ticket_life_time_hint(7200)
    assert conf.peerCertificate() == cert
    assert conf.peerCertificateChain() == [cert]
    assert conf.sessionCipher() == cipher
    assert conf.sessionProtocol() is QSsl.SslProtocol.TlsV1_3
    assert conf.nextNegotiatedProtocol() == b"h2"
    assert (
        conf.nextProtocolNegotiationStatus()
        is NextProtocolNegotiationStatus.NextProtocolNegotiationNegotiated
    )
    assert conf.sessionTicketLifeTimeHint() == 7200
    assert conf != QSslConfiguration()
    conf._reset_session_state()
    assert conf.isNull()


def test_null_configuration_has_the_default_dh_group_as_qt() -> None:
    conf = QSslConfiguration()
    assert conf.diffieHellmanParameters() == QSslDiffieHellmanParameters.defaultParameters()
    conf.setDiffieHellmanParameters(QSslDiffieHellmanParameters())
    assert not conf.isNull()
    conf.setDiffieHellmanParameters(QSslDiffieHellmanParameters.defaultParameters())
    assert conf.isNull()
