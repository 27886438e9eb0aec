"""QUdpSocket inside an asyncio program, on asyncio's loop and on uvloop: its readyRead is
served by the running loop (the descriptor is registered with the thread's loop)."""

from __future__ import annotations

import asyncio

import pytest

from qtls.QtNetwork import QHostAddress, QUdpSocket
from tests.aio.helpers import HAVE_UVLOOP, run_on

LOCAL = QHostAddress("127.0.0.1")


async def _echo_round_trips(count: int) -> list[bytes]:
    server = QUdpSocket()
    assert server.bind(LOCAL, 0)
    client = QUdpSocket()
    assert client.bind(LOCAL, 0)

    def answer() -> None:
        while server.hasPendingDatagrams():
            request = server.receiveDatagram()
            server.writeDatagram(request.makeReply(bytes(request.data()).upper()))

    server.readyRead.connect(answer)
    answers: asyncio.Queue[bytes] = asyncio.Queue()

    def collect() -> None:
        while client.hasPendingDatagrams():
            answers.put_nowait(client.readDatagram(100)[0] or b"")

    client.readyRead.connect(collect)
    got = []
    for i in range(count):
        client.writeDatagram(b"ping %d" % i, LOCAL, server.localPort())
        got.append(await asyncio.wait_for(answers.get(), 5))
    return got


@pytest.mark.parametrize("kind", ["asyncio", pytest.param("uvloop", marks=pytest.mark.skipif(
    not HAVE_UVLOOP, reason="uvloop is not installed (it is in the test extra)"))])
def test_echo_on_a_running_asyncio_loop(kind: str) -> None:
    got = run_on(kind, _echo_round_trips(20), 20)
    assert got == [b"PING %d" % i for i in range(20)]
