"""QTcpSocket: the TCP QAbstractSocket."""

from __future__ import annotations

from qtls.core.qobject import QObject
from qtls.network.abstractsocket import QAbstractSocket
from qtls.network.socketenums import SocketType

__all__ = ["QTcpSocket"]


class QTcpSocket(QAbstractSocket):
    """A TCP client or accepted connection (Qt: QTcpSocket).

    Everything is in QAbstractSocket; QTcpSocket fixes the socket type to TcpSocket and is
    what QTcpServer hands out and what QSslSocket derives from.
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(SocketType.TcpSocket, parent)
