"""``await sig`` and ``sig.wait(timeout)``: a race-free wait for a signal, with a timeout."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable
from typing import Any

import pytest

from qtls.QtCore import QObject, pyqtSignal
from qtls.QtNetwork import QAbstractSocket, QSslSocket
from tests.aio.helpers import Pki, stdlib_echo_server


class Emitter(QObject):
    value = pyqtSignal(int)
    pair = pyqtSignal(int, str)


def test_wait_sees_an_emission_already_scheduled_on_the_loop(run: Callable[..., Any]) -> None:
    async def main() -> list[Any]:
        e = Emitter()
        loop = asyncio.get_running_loop()
        got = []
        # The emission is a callback queued *before* the waiting task's next step: the case
        # asyncio.wait_for(e.value, t) misses on Python 3.10 and 3.11.
        loop.call_soon(e.value.emit, 1)
        got.append(await asyncio.wait_for(e.value.wait(), 2))
        loop.call_soon(e.value.emit, 2)
        got.append(await e.value.wait(2))
        loop.call_soon(e.pair.emit, 3, "c")
        got.append(await e.pair.wait(2))
        loop.call_soon(e.value.emit, 4)
        got.append(await e.value)
        return got

    assert run(main()) == [1, 2, (3, "c"), 4]


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="wait_for awaits in-task from 3.12 on")
def test_the_race_that_wait_avoids_is_real_on_this_python(run: Callable[..., Any]) -> None:
    async def main() -> bool:
        e = Emitter()
        asyncio.get_running_loop().call_soon(e.value.emit, 1)
        try:
            await asyncio.wait_for(e.value, 0.2)
        except asyncio.TimeoutError:
            return True
        return False

    assert run(main()) is True


def test_wait_times_out_with_a_message_and_disconnects(run: Callable[..., Any]) -> None:
    async def main() -> None:
        e = Emitter()
        with pytest.raises(asyncio.TimeoutError, match="no value signal within 0.05 s"):
            await e.value.wait(0.05)
        assert e.receivers(e.value) == 0
        future = e.value.wait()
        assert e.receivers(e.value) == 1  # subscribed at the call, before any await
        future.cancel()
        await asyncio.sleep(0)
        assert e.receivers(e.value) == 0
        e.value.emit(1)  # nothing listens any more: no error

    run(main())


def test_waiting_for_a_socket_signal_with_a_timeout(run: Callable[..., Any], pki: Pki) -> None:
    async def main() -> None:
        server, port = await stdlib_echo_server(pki.stdlib_server())
        async with server:
            sock = QSslSocket()
            sock.setSslConfiguration(pki.client_conf())
            encrypted = sock.encrypted.wait(5)  # subscribe first: a signal is an edge
            sock.connectToHostEncrypted("localhost", port)
            await encrypted
            sock.write(b"ping\n")
            await sock.readyRead.wait(5)
            assert bytes(sock.readAll()) == b"PING\n"
            # The scenario: disconnect, then wait with a timeout.
            sock.disconnectFromHost()
            await asyncio.wait_for(sock.disconnected.wait(), 5)
            assert sock.state() == QAbstractSocket.SocketState.UnconnectedState

    run(main())
