"""Fixtures of the qtls.aio tests: the PKI, and ``run`` on asyncio's loop and on uvloop."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

import pytest

from tests.aio.helpers import HAVE_UVLOOP, Pki, run_on

_LOOPS = [
    "asyncio",
    pytest.param("uvloop", marks=pytest.mark.skipif(
        not HAVE_UVLOOP, reason="uvloop is not installed (it is in the test extra)")),
]


@pytest.fixture(scope="session")
def pki() -> Pki:
    """The private CA and its certificates, made once per session with trustme."""
    return Pki()


@pytest.fixture(params=_LOOPS)
def loop_kind(request: pytest.FixtureRequest) -> str:
    """Every qtls.aio test runs on asyncio's default loop and on uvloop."""
    return str(request.param)


@pytest.fixture
def run(loop_kind: str) -> Callable[..., Any]:
    """``run(coroutine, timeout=30)`` on this test's kind of loop, always bounded."""

    def runner(coroutine: Coroutine[Any, Any, Any], timeout: float = 30.0) -> Any:
        return run_on(loop_kind, coroutine, timeout)

    return runner
