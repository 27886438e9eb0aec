"""Fixtures for the QtCore foundations: a shared application object and bounded loop runs."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from qtls.QtCore import QCoreApplication


@pytest.fixture(scope="session")
def app() -> Iterator[QCoreApplication]:
    """The process's one application object (reused if another test area made it)."""
    existing = QCoreApplication.instance()
    application = existing if existing is not None else QCoreApplication([])
    yield application
