"""Suite-wide fixtures. Each area keeps its own in tests/<area>/conftest.py."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

# PyQt6, the reference implementation some tests compare with, must never need a display.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from qtls.QtCore import QCoreApplication  # noqa: E402  (after the environment is set)


@pytest.fixture(scope="session")
def qtls_app() -> Any:
    """The qtls application object (some loops want one to exist), shared by every area."""
    return QCoreApplication.instance() or QCoreApplication([])


@pytest.fixture(scope="session")
def pyqt_network() -> Iterator[Any]:
    """PyQt6.QtNetwork with a QCoreApplication, or skip."""
    network = pytest.importorskip("PyQt6.QtNetwork")
    core = pytest.importorskip("PyQt6.QtCore")
    _app = core.QCoreApplication.instance() or core.QCoreApplication([])
    yield network
