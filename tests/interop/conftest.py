"""Fixtures for the server-side interop tests."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from qtls.QtCore import QCoreApplication
from tests.interop.helpers import OPENSSL, SClient


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


@pytest.fixture
def s_client() -> Iterator[SClient]:
    """Runs ``openssl s_client``; every process still running is killed at teardown."""
    if OPENSSL is None:
        pytest.skip("the openssl command-line tool is not installed (`make test` installs it)")
    runner = SClient()
    try:
        yield runner
    finally:
        runner.cleanup()
