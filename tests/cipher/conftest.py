"""Fixtures for the cipher-suite, curve, DH, PSK and OCSP value types."""

from __future__ import annotations

from types import ModuleType

import pytest


@pytest.fixture(scope="session")
def qt() -> ModuleType:
    """PyQt6.QtNetwork, the reference implementation (the test is skipped without it)."""
    return pytest.importorskip("PyQt6.QtNetwork")
