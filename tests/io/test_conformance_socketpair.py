"""The QIODevice conformance suite over the in-process socketpair device (the suite's proof)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.conformance.iodevice_suite import IODeviceConformance
from tests.io.socketpair_device import SocketPair


class TestSocketPairDeviceConformance(IODeviceConformance):
    @pytest.fixture
    def pair(self) -> Iterator[SocketPair]:
        pair = SocketPair()
        yield pair
        pair.shutdown()
