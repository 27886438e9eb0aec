"""QSslConfiguration behaves like Qt's implicitly shared value type."""

from __future__ import annotations

import copy
import threading
import time
from typing import Any

import pytest

from qtls.ssl.qssl import QSsl
from qtls.ssl.values.configuration import QSslConfiguration

P = QSsl.SslProtocol

# Several tests replace the process-wide default configuration.
pytestmark = pytest.mark.usefixtures("restore_default_configuration")


def test_copy_constructor_gives_an_independent_copy() -> None:
    original = QSslConfiguration()
    original.setProtocol(P.TlsV1_3)
    clone = QSslConfiguration(original)
    clone.setProtocol(P.TlsV1_2)
    clone.setPeerVerifyDepth(4)
    assert original.protocol() is P.TlsV1_3
    assert original.peerVerifyDepth() == 0
    assert clone.protocol() is P.TlsV1_2


def test_copy_module_copies_are_independent() -> None:
    original = QSslConfiguration()
    shallow, deep = copy.copy(original), copy.deepcopy(original)
    shallow.setSessionTicket(b"ticket")
    deep.setOcspStaplingEnabled(True)
    assert original.isNull()
    assert shallow.sessionTicket() == b"ticket"
    assert deep.ocspStaplingEnabled()


def test_equality_compares_every_field() -> None:
    a, b = QSslConfiguration(), QSslConfiguration()
    assert a == b and not (a != b)
    b.setPreSharedKeyIdentityHint(b"hint")
    assert a != b and not (a == b)
    a.setPreSharedKeyIdentityHint(bytearray(b"hint"))
    assert a == b


def test_equality_with_other_types_is_false() -> None:
    assert QSslConfiguration() != 5
    assert not (QSslConfiguration() == "configuration")


def test_configuration_is_unhashable_as_in_pyqt6() -> None:
    with pytest.raises(TypeError):
        hash(QSslConfiguration())


def test_set_back_to_initial_value_makes_it_null_again() -> None:
    conf = QSslConfiguration()
    conf.setProtocol(P.TlsV1_2)
    assert not conf.isNull()
    conf.setProtocol(P.SecureProtocols)
    assert conf.isNull()


def test_setting_a_null_value_keeps_configuration_null() -> None:
    from qtls.ssl.x509.key import QSslKey

    conf = QSslConfiguration()
    conf.setPrivateKey(QSslKey())
    assert conf.isNull()


def test_swap_exchanges_contents() -> None:
    a, b = QSslConfiguration(), QSslConfiguration()
    a.setProtocol(P.TlsV1_3)
    a.swap(b)
    assert a.protocol() is P.SecureProtocols
    assert b.protocol() is P.TlsV1_3


def test_swap_rejects_other_types() -> None:
    with pytest.raises(TypeError, match="swap"):
        QSslConfiguration().swap(None)  # type: ignore[arg-type]


def test_constructor_rejects_other_types() -> None:
    with pytest.raises(TypeError, match="unexpected type 'int'"):
        QSslConfiguration(5)  # type: ignore[arg-type]


def test_default_configuration_is_not_null_but_fresh_one_is() -> None:
    assert QSslConfiguration().isNull()
    assert not QSslConfiguration.defaultConfiguration().isNull()


def test_default_configuration_returns_equal_independent_copies() -> None:
    first = QSslConfiguration.defaultConfiguration()
    second = QSslConfiguration.defaultConfiguration()
    assert first == second
    first.setProtocol(P.TlsV1_3)
    assert QSslConfiguration.defaultConfiguration().protocol() is P.SecureProtocols
    assert second.protocol() is P.SecureProtocols


def test_set_default_configuration_affects_only_later_copies() -> None:
    before = QSslConfiguration.defaultConfiguration()
    changed = QSslConfiguration.defaultConfiguration()
    changed.setProtocol(P.TlsV1_3)
    QSslConfiguration.setDefaultConfiguration(changed)
    changed.setProtocol(P.TlsV1_2)  # changing it after setting it is not seen either
    assert before.protocol() is P.SecureProtocols
    assert QSslConfiguration.defaultConfiguration().protocol() is P.TlsV1_3


def test_set_default_configuration_to_null_gives_null_default() -> None:
    QSslConfiguration.setDefaultConfiguration(QSslConfiguration())
    default = QSslConfiguration.defaultConfiguration()
    assert default.isNull()
    assert default.caCertificates() == []
    assert default.ciphers() == []


def test_set_default_configuration_rejects_none() -> None:
    with pytest.raises(TypeError, match="setDefaultConfiguration"):
        QSslConfiguration.setDefaultConfiguration(None)  # type: ignore[arg-type]


def test_default_configuration_is_built_once_when_threads_race(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The first defaultConfiguration() builds Qt's default (cipher list, ...) under a lock:
    threads arriving together get one build and equal results."""
    from qtls.ssl.values.configurationdata import DefaultConfigurations

    builds: list[int] = []
    real_builtin = DefaultConfigurations.builtin
    gate = threading.Barrier(4, timeout=10)

    def slow_builtin() -> object:
        builds.append(1)
        time.sleep(0.05)  # widen the window in which a second build could start
        return real_builtin()

    monkeypatch.setattr(DefaultConfigurations, "tls", None)
    monkeypatch.setattr(DefaultConfigurations, "builtin", staticmethod(slow_builtin))
    results: list[QSslConfiguration] = []

    def worker() -> None:
        gate.wait()
        results.append(QSslConfiguration.defaultConfiguration())

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=10)
    assert builds == [1]
    assert len(results) == 4
    assert all(r == results[0] for r in results)
    assert not results[0].isNull()


def test_dtls_default_is_tls_default_with_dtls_protocol() -> None:
    dtls = QSslConfiguration.defaultDtlsConfiguration()
    assert dtls.protocol() is P.DtlsV1_2OrLater
    dtls.setProtocol(P.SecureProtocols)
    assert dtls == QSslConfiguration.defaultConfiguration()


def test_set_default_dtls_configuration_leaves_tls_default_alone() -> None:
    saved = QSslConfiguration.defaultDtlsConfiguration()
    try:
        QSslConfiguration.setDefaultDtlsConfiguration(QSslConfiguration())
        assert QSslConfiguration.defaultDtlsConfiguration().isNull()
        assert not QSslConfiguration.defaultConfiguration().isNull()
    finally:
        QSslConfiguration.setDefaultDtlsConfiguration(saved)


def test_values_returned_are_copies_that_cannot_change_the_configuration() -> None:
    from qtls.ssl.values.cipher import QSslCipher

    conf = QSslConfiguration.defaultConfiguration()
    first = conf.ciphers()[0]
    name = first.name()
    first.swap(QSslCipher())
    assert conf.ciphers()[0].name() == name


@pytest.mark.pyqt6
def test_dtls_default_ignores_a_replaced_tls_default_like_pyqt6(
    pyqt: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from qtls.ssl.values.configurationdata import DefaultConfigurations

    monkeypatch.setattr(DefaultConfigurations, "dtls", None)  # as in a fresh process
    ours = QSslConfiguration.defaultConfiguration()
    ours.setPeerVerifyDepth(3)
    QSslConfiguration.setDefaultConfiguration(ours)
    theirs_saved = pyqt.QSslConfiguration.defaultConfiguration()
    try:
        theirs = pyqt.QSslConfiguration.defaultConfiguration()
        theirs.setPeerVerifyDepth(3)
        pyqt.QSslConfiguration.setDefaultConfiguration(theirs)
        expected = pyqt.QSslConfiguration.defaultDtlsConfiguration().peerVerifyDepth()
    finally:
        pyqt.QSslConfiguration.setDefaultConfiguration(theirs_saved)
    assert QSslConfiguration.defaultDtlsConfiguration().peerVerifyDepth() == expected == 0
