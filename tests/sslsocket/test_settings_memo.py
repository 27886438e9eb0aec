"""The settings bridge builds engine settings once per configuration, not once per connection."""

from __future__ import annotations

from typing import Any

from qtls.QtNetwork import QSsl, QSslConfiguration
from qtls.ssl.tlssettings import tls_settings
from tests.sslsocket.helpers import Pki


def test_copies_and_a_new_session_ticket_reuse_the_settings(pki: Pki, qtls_app: Any) -> None:
    conf = pki.client_config(True)
    first = tls_settings(conf, server=False)
    copy = QSslConfiguration(conf)
    resumed = QSslConfiguration(conf)
    resumed.setSessionTicket(b"not a real session")
    assert tls_settings(copy, server=False) is first
    assert tls_settings(resumed, server=False) is first


def test_a_changed_setting_builds_new_settings(pki: Pki, qtls_app: Any) -> None:
    conf = pki.client_config(True)
    first = tls_settings(conf, server=False)
    changed = QSslConfiguration(conf)
    changed.setProtocol(QSsl.SslProtocol.TlsV1_3OrLater)
    other = tls_settings(changed, server=False)
    assert other is not first
    assert other.min_version != first.min_version
    assert tls_settings(conf, server=True) is not tls_settings(conf, server=False)


def test_resetting_an_unused_session_keeps_the_configuration_record(pki: Pki, qtls_app: Any) -> None:
    conf = pki.server_config()
    record = conf._d
    conf._reset_session_state()
    assert conf._d is record
