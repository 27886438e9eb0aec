"""qtls --version, qtls info, and how every command fails: one line, a non-zero status."""

from __future__ import annotations

import json
import platform
import subprocess
import sys
from pathlib import Path

from qtls import __version__
from qtls.cli.style import Out
from tests.cli.helpers import Pki, environment, needs_terminal, on_terminal, qtls


def test_version_names_qtls_openssl_and_python() -> None:
    done = qtls("--version")
    assert done.returncode == 0
    assert done.stdout.startswith(f"qtls {__version__} (OpenSSL ")
    assert f"Python {platform.python_version()}" in done.stdout


def test_the_qtls_script_and_python_m_qtls_agree() -> None:
    script = Path(sys.executable).with_name("qtls")
    done = subprocess.run([str(script), "--version"], capture_output=True, text=True,
                          timeout=30)
    assert done.stdout == qtls("--version").stdout


def test_no_command_is_a_usage_error() -> None:
    done = qtls()
    assert done.returncode == 2
    assert "COMMAND" in done.stderr


def test_info_reports_the_backend_as_qsslsocket_does() -> None:
    from qtls.QtNetwork import QSslSocket

    doc = json.loads(qtls("info", "--json").stdout)
    assert doc["qtls"] == __version__
    assert doc["active_backend"] == QSslSocket.activeBackend()
    assert doc["protocols"] == [p.name for p in QSslSocket.supportedProtocols()]
    assert "TLS_AES_128_GCM_SHA256" in doc["default_ciphers"]
    assert "prime256v1" in doc["supported_groups"]
    assert "Socket" in doc["implemented_classes"]


def test_info_counts_the_system_cas_where_ssl_cert_file_points(pki: Pki) -> None:
    bundle = pki.folder / "bundle.pem"
    bundle.write_bytes(Path(pki.path("ca.pem")).read_bytes() * 1
                       + Path(pki.path("server.pem")).read_bytes())
    env = environment()
    env["SSL_CERT_FILE"] = str(bundle)
    doc = json.loads(qtls("info", "--json", env=env).stdout)
    assert doc["system_ca_source"] == str(bundle)
    assert doc["system_ca_count"] == 2
    text = qtls("info", env=env).stdout
    assert f"2 from {bundle}" in text


def test_text_output_has_no_colour_off_a_terminal() -> None:
    assert "\033[" not in qtls("info").stdout


@needs_terminal
def test_a_terminal_gets_colour_unless_no_color_is_set() -> None:
    env = environment()
    del env["NO_COLOR"]
    status, shown = on_terminal(["info"], env=env)
    assert status == 0 and "\033[1m" in shown
    env["NO_COLOR"] = "1"
    status, shown = on_terminal(["info"], env=env)
    assert status == 0 and "\033[" not in shown


def test_colour_only_on_a_terminal_and_never_with_no_color(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    class Terminal:
        def isatty(self) -> bool:
            return True

    monkeypatch.delenv("NO_COLOR", raising=False)
    assert Out(Terminal()).paint("x", "red") == "\033[31mx\033[0m"  # type: ignore[arg-type]
    monkeypatch.setenv("NO_COLOR", "1")
    assert Out(Terminal()).paint("x", "red") == "x"  # type: ignore[arg-type]


def test_a_missing_file_is_one_line_and_status_2() -> None:
    done = qtls("inspect", "/nonexistent/cert.pem")
    assert done.returncode == 2
    assert done.stderr.strip() == "qtls inspect: /nonexistent/cert.pem: No such file or directory"


def test_bad_target_and_bad_options_are_one_line_each() -> None:
    for args, expected in [
        (["connect", "localhost:notaport"], "bad target"),
        (["connect", "localhost:1", "--ignore", "NoSuchError"], "unknown error 'NoSuchError'"),
        (["connect", "localhost:1", "--protocol", "TlsV9"], "unknown protocol 'TlsV9'"),
        (["serve", "--port", "0", "--host", "not-an-address"], "not an IP address"),
    ]:
        done = qtls(*args)
        assert done.returncode == 2, (args, done.stderr)
        assert len(done.stderr.strip().splitlines()) == 1 and expected in done.stderr
