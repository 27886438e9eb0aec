"""Fixtures for the QSslConfiguration and backend tests: real certificates, PyQt6 as reference."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import trustme


@pytest.fixture(scope="session")
def cas() -> list[trustme.CA]:
    """Three independent CAs (distinct self-signed roots)."""
    return [trustme.CA() for _ in range(3)]


@pytest.fixture(scope="session")
def ca_pems(cas: list[trustme.CA]) -> list[bytes]:
    return [ca.cert_pem.bytes() for ca in cas]


@pytest.fixture
def ca_dir(tmp_path: Path, ca_pems: list[bytes]) -> Path:
    """A directory with ca0.pem, ca1.pem, other.crt and a file that is not a certificate."""
    (tmp_path / "ca0.pem").write_bytes(ca_pems[0])
    (tmp_path / "ca1.pem").write_bytes(ca_pems[1])
    (tmp_path / "other.crt").write_bytes(ca_pems[2])
    (tmp_path / "notes.txt").write_text("not a certificate\n")
    return tmp_path


@pytest.fixture
def restore_default_configuration() -> Iterator[None]:
    """Tests may replace the process-wide default; put it back afterwards."""
    # Imported here so that the backend tests run without the value classes.
    from qtls.ssl.values.configuration import QSslConfiguration

    saved = QSslConfiguration.defaultConfiguration()
    yield
    QSslConfiguration.setDefaultConfiguration(saved)


@pytest.fixture
def counting_loader(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """Empty the system-roots cache and count how often the disk is read."""
    from qtls.ssl.x509 import verify as certificateverify

    calls: list[int] = []
    real = certificateverify._load_system_roots

    def counted() -> list:
        calls.append(1)
        return real()

    monkeypatch.setattr(certificateverify, "_load_system_roots", counted)
    monkeypatch.setattr(certificateverify, "_system_cache", None)
    yield calls  # monkeypatch puts the real loader and cache back afterwards


@pytest.fixture(scope="session")
def pyqt():
    """PyQt6.QtNetwork, or skip: the reference implementation."""
    return pytest.importorskip("PyQt6.QtNetwork")
