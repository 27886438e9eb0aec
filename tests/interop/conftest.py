"""Fixtures for the server-side interop tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.interop.helpers import OPENSSL, SClient


@pytest.fixture
def s_client() -> Iterator[SClient]:
    """Runs ``openssl s_client``; every process still running is killed at teardown."""
    if OPENSSL is None:
        pytest.skip("the openssl command-line tool is not installed (install your system's openssl package)")
    runner = SClient()
    try:
        yield runner
    finally:
        runner.cleanup()
