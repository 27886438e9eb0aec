"""``python -m qtls demo``: a local QTcpServer and a QTcpSocket client talking over 127.0.0.1.

Everything is driven by the QCoreApplication event loop, exactly as a PyQt6 program would be:
the server echoes each line back in upper case, the client sends a few lines, prints every
state change and signal as it happens, then disconnects; the application quits when the
client is down (or after a safety timeout) and the demo returns 0 on success.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

from qtls.QtCore import QCoreApplication, QTimer
from qtls.QtNetwork import QAbstractSocket, QHostAddress, QTcpServer, QTcpSocket

__all__ = ["run_demo"]

LINES = [b"hello from qtls\n", b"plain TCP, Qt's API\n", b"bye\n"]
SAFETY_TIMEOUT_MS = 5000


class _Printer:
    """Prints timestamped events for one side of the conversation."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.start = time.monotonic()

    def __call__(self, who: str, what: str) -> None:
        elapsed = (time.monotonic() - self.start) * 1000
        print(f"{elapsed:7.1f} ms  {who:<7} {what}", file=self.out, flush=True)


def _watch(sock: QTcpSocket, who: str, say: _Printer) -> None:
    sock.stateChanged.connect(lambda state: say(who, f"stateChanged({state.name})"))
    sock.hostFound.connect(lambda: say(who, "hostFound"))
    sock.connected.connect(lambda: say(who, "connected"))
    sock.disconnected.connect(lambda: say(who, "disconnected"))
    sock.errorOccurred.connect(
        lambda error: say(who, f"errorOccurred({error.name}): {sock.errorString()}"))
    sock.bytesWritten.connect(lambda n: say(who, f"bytesWritten({n})"))


def run_demo(out: TextIO | None = None) -> int:
    """Run the demo; 0 when every line came back echoed, 1 otherwise."""
    out = out or sys.stdout
    say = _Printer(out)
    app = QCoreApplication.instance() or QCoreApplication([])
    server = QTcpServer()
    if not server.listen(QHostAddress(QHostAddress.SpecialAddress.LocalHost), 0):
        say("server", f"listen failed: {server.errorString()}")
        return 1
    say("server", f"listening on 127.0.0.1:{server.serverPort()}")
    connections: list[QTcpSocket] = []

    def on_new_connection() -> None:
        while (connection := server.nextPendingConnection()) is not None:
            connections.append(connection)
            say("server", f"newConnection from {connection.peerAddress().toString()}:"
                          f"{connection.peerPort()}")

            def echo(connection: QTcpSocket = connection) -> None:
                while connection.canReadLine():
                    line = bytes(connection.readLine())
                    say("server", f"got {line!r}, echoing")
                    connection.write(line.upper())

            connection.readyRead.connect(echo)
            connection.disconnected.connect(lambda: say("server", "peer disconnected"))

    server.newConnection.connect(on_new_connection)

    client = QTcpSocket()
    _watch(client, "client", say)
    replies: list[bytes] = []

    def on_connected() -> None:
        client.write(LINES[0])

    def on_ready_read() -> None:
        while client.canReadLine():
            reply = bytes(client.readLine())
            replies.append(reply)
            say("client", f"readyRead: {reply!r}")
            if len(replies) < len(LINES):
                client.write(LINES[len(replies)])
            else:
                client.disconnectFromHost()

    client.connected.connect(on_connected)
    client.readyRead.connect(on_ready_read)
    client.disconnected.connect(app.quit)
    client.errorOccurred.connect(
        lambda error: app.quit()
        if client.state() is QAbstractSocket.SocketState.UnconnectedState else None)
    QTimer.singleShot(SAFETY_TIMEOUT_MS, app.quit)

    say("client", f"connectToHost('localhost', {server.serverPort()})")
    client.connectToHost("localhost", server.serverPort())
    app.exec()

    server.close()
    for connection in connections:
        connection.abort()
    ok = replies == [line.upper() for line in LINES]
    say("demo", "done: every line came back" if ok else f"failed: got {replies!r}")
    return 0 if ok else 1
