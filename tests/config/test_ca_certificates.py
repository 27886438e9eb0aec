"""CA certificates: system roots on demand, lists, and path patterns (QSslCertificate.fromPath)."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

from qtls.ssl.qssl import QSsl
from qtls.ssl.values.configuration import QSslConfiguration
from qtls.ssl.x509.certificate import QSslCertificate

Syntax = QSslCertificate.PatternSyntax


def _ders(certs: list[Any]) -> set[bytes]:
    return {bytes(c.toDer()) for c in certs}


def test_system_ca_certificates_are_not_empty() -> None:
    roots = QSslConfiguration.systemCaCertificates()
    assert len(roots) > 10
    assert all(not c.isNull() for c in roots)


def test_system_ca_certificates_are_loaded_once(counting_loader: list[int]) -> None:
    first = QSslConfiguration.systemCaCertificates()
    second = QSslConfiguration.systemCaCertificates()
    assert counting_loader == [1]
    assert _ders(first) == _ders(second)


def test_system_ca_certificates_are_loaded_once_across_threads(counting_loader: list[int]) -> None:
    results: list[int] = []
    threads = [
        threading.Thread(
            target=lambda: results.append(len(QSslConfiguration.systemCaCertificates()))
        )
        for _ in range(4)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert counting_loader == [1]
    assert len(results) == 4 and len(set(results)) == 1


def test_default_configuration_does_not_load_roots_until_asked(counting_loader: list[int]) -> None:
    conf = QSslConfiguration.defaultConfiguration()
    conf.setProtocol(QSsl.SslProtocol.TlsV1_3)
    copy = QSslConfiguration(conf)
    assert copy == conf
    assert conf._allow_root_certs_on_demand()
    assert conf._explicit_ca_certificates() == []
    assert counting_loader == []
    assert len(conf.caCertificates()) > 10
    assert counting_loader == [1]


def test_default_configuration_ca_certificates_are_the_system_roots() -> None:
    default_cas = QSslConfiguration.defaultConfiguration().caCertificates()
    assert _ders(default_cas) == _ders(QSslConfiguration.systemCaCertificates())


@pytest.mark.pyqt6
def test_system_roots_match_pyqt6_as_a_set(pyqt: Any) -> None:
    theirs = {bytes(c.toDer().data()) for c in pyqt.QSslConfiguration.systemCaCertificates()}
    assert _ders(QSslConfiguration.systemCaCertificates()) == theirs


def test_set_ca_certificates_replaces_the_system_roots(ca_pems: list[bytes]) -> None:
    conf = QSslConfiguration.defaultConfiguration()
    ca = QSslCertificate(ca_pems[0])
    conf.setCaCertificates([ca])
    assert conf.caCertificates() == [ca]
    assert not conf._allow_root_certs_on_demand()
    assert conf._explicit_ca_certificates() == [ca]
    assert conf != QSslConfiguration.defaultConfiguration()


def test_add_ca_certificate_to_default_keeps_the_system_roots(ca_pems: list[bytes]) -> None:
    conf = QSslConfiguration.defaultConfiguration()
    ca = QSslCertificate(ca_pems[0])
    conf.addCaCertificate(ca)
    cas = conf.caCertificates()
    assert cas[-1] == ca
    assert len(cas) == len(QSslConfiguration.systemCaCertificates()) + 1


def test_add_ca_certificates_list_appends_in_order(ca_pems: list[bytes]) -> None:
    conf = QSslConfiguration()
    certs = [QSslCertificate(p) for p in ca_pems]
    conf.addCaCertificate(certs[0])
    assert conf.addCaCertificates(certs[1:]) is None
    assert conf.caCertificates() == certs


def test_set_ca_certificates_rejects_wrong_element_type() -> None:
    with pytest.raises(TypeError, match="index 0 has type 'int' but 'QSslCertificate'"):
        QSslConfiguration().setCaCertificates([1])  # type: ignore[list-item]
    with pytest.raises(TypeError, match="unexpected type 'NoneType'"):
        QSslConfiguration().setCaCertificates(None)  # type: ignore[arg-type]


def test_add_ca_certificate_rejects_none() -> None:
    with pytest.raises(TypeError, match="addCaCertificate"):
        QSslConfiguration().addCaCertificate(None)  # type: ignore[arg-type]


def test_add_ca_certificates_from_a_file(ca_dir: Path, ca_pems: list[bytes]) -> None:
    conf = QSslConfiguration()
    assert conf.addCaCertificates(str(ca_dir / "ca0.pem")) is True
    assert _ders(conf.caCertificates()) == _ders([QSslCertificate(ca_pems[0])])


def test_add_ca_certificates_from_missing_path_returns_false() -> None:
    conf = QSslConfiguration()
    assert conf.addCaCertificates("/nonexistent/qtls/ca.pem") is False
    assert conf.addCaCertificates("") is False
    assert conf.addCaCertificates(None) is False
    assert conf.isNull()


def test_add_ca_certificates_from_non_certificate_file_returns_false(ca_dir: Path) -> None:
    conf = QSslConfiguration()
    assert conf.addCaCertificates(str(ca_dir / "notes.txt")) is False
    assert conf.caCertificates() == []


# (pattern relative to ca_dir, syntax, indices of the CAs expected)
PATTERNS = [
    ("ca0.pem", Syntax.FixedString, {0}),
    ("*.pem", Syntax.Wildcard, {0, 1}),
    ("ca?.pem", Syntax.Wildcard, {0, 1}),
    ("*", Syntax.Wildcard, {0, 1, 2}),
    ("*.crt", Syntax.Wildcard, {2}),
    (r"ca[0-9]\.pem", Syntax.RegularExpression, {0, 1}),
    (r".*\.(pem|crt)", Syntax.RegularExpression, {0, 1, 2}),
]


@pytest.mark.parametrize(("pattern", "syntax", "expected"), PATTERNS)
def test_add_ca_certificates_with_path_patterns(
    ca_dir: Path, ca_pems: list[bytes], pattern: str, syntax: Any, expected: set[int]
) -> None:
    conf = QSslConfiguration()
    assert conf.addCaCertificates(str(ca_dir / pattern), QSsl.EncodingFormat.Pem, syntax) is True
    assert _ders(conf.caCertificates()) == _ders([QSslCertificate(ca_pems[i]) for i in expected])


@pytest.mark.pyqt6
@pytest.mark.parametrize(("pattern", "syntax", "expected"), PATTERNS)
def test_path_patterns_match_pyqt6(
    pyqt: Any, ca_dir: Path, pattern: str, syntax: Any, expected: set[int]
) -> None:
    theirs = pyqt.QSslConfiguration()
    ours = QSslConfiguration()
    their_syntax = pyqt.QSslCertificate.PatternSyntax[syntax.name]
    path = str(ca_dir / pattern)
    assert ours.addCaCertificates(
        path, QSsl.EncodingFormat.Pem, syntax
    ) == theirs.addCaCertificates(path, pyqt.QSsl.EncodingFormat.Pem, their_syntax)
    assert _ders(ours.caCertificates()) == {
        bytes(c.toDer().data()) for c in theirs.caCertificates()
    }


def test_add_ca_certificates_der_file(tmp_path: Path, ca_pems: list[bytes]) -> None:
    der = bytes(QSslCertificate(ca_pems[1]).toDer())
    (tmp_path / "ca.der").write_bytes(der)
    conf = QSslConfiguration()
    assert conf.addCaCertificates(str(tmp_path / "ca.der"), QSsl.EncodingFormat.Der) is True
    assert _ders(conf.caCertificates()) == {der}


def test_add_ca_certificates_rejects_wrong_format_type(ca_dir: Path) -> None:
    with pytest.raises(TypeError):
        QSslConfiguration().addCaCertificates(str(ca_dir / "ca0.pem"), 0)  # type: ignore[arg-type]


def _ca_scenarios(cert: Any, path: str, conf_cls: Any, default: bool) -> dict[str, Any]:
    """The same CA operations, on PyQt6's class or ours; returns the configurations made."""

    def fresh() -> Any:
        return conf_cls.defaultConfiguration() if default else conf_cls()

    made: dict[str, Any] = {"untouched": fresh()}
    made["set_empty"] = fresh()
    made["set_empty"].setCaCertificates([])
    made["add_empty_list"] = fresh()
    made["add_empty_list"].addCaCertificates([])
    made["add_one"] = fresh()
    made["add_one"].addCaCertificate(cert)
    made["add_list"] = fresh()
    made["add_list"].addCaCertificates([cert])
    made["add_path"] = fresh()
    made["add_path"].addCaCertificates(path)
    made["add_missing_path"] = fresh()
    made["add_missing_path"].addCaCertificates(path + ".missing")
    made["set_own"] = fresh()
    made["set_own"].setCaCertificates(made["untouched"].caCertificates())
    made["set_own_plus_one"] = fresh()
    made["set_own_plus_one"].setCaCertificates(made["untouched"].caCertificates() + [cert])
    return made


@pytest.mark.pyqt6
@pytest.mark.parametrize("default", [False, True], ids=["null", "default"])
def test_ca_operations_compare_and_null_like_pyqt6(
    pyqt: Any, ca_dir: Path, ca_pems: list[bytes], default: bool
) -> None:
    """isNull() and == after CA operations: Qt's hidden allowRootCertOnDemandLoading flag
    (cleared by the list setters but not by addCaCertificates(path)) shows through here."""
    path = str(ca_dir / "ca0.pem")
    theirs = _ca_scenarios(pyqt.QSslCertificate(ca_pems[0]), path, pyqt.QSslConfiguration, default)
    ours = _ca_scenarios(QSslCertificate(ca_pems[0]), path, QSslConfiguration, default)
    names = list(ours)
    for name in names:
        assert ours[name].isNull() == theirs[name].isNull(), name
        assert len(ours[name].caCertificates()) <= len(theirs[name].caCertificates())
        for other in names:
            assert (ours[name] == ours[other]) == (theirs[name] == theirs[other]), (name, other)
