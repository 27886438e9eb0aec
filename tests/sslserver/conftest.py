"""Fixtures for the QSslServer tests."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from qtls.QtCore import QCoreApplication


@pytest.fixture(scope="session")
def qtls_app() -> Any:
    """The qtls application object (some loops want one to exist)."""
    return QCoreApplication.instance() or QCoreApplication([])


@pytest.fixture(scope="session")
def pyqt_network() -> Iterator[Any]:
    """PyQt6.QtNetwork with a QCoreApplication, or skip."""
    network = pytest.importorskip("PyQt6.QtNetwork")
    core = pytest.importorskip("PyQt6.QtCore")
    _app = core.QCoreApplication.instance() or core.QCoreApplication([])
    yield network
