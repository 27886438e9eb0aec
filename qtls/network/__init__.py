"""Plain TCP networking: QHostAddress, QAbstractSocket, QTcpSocket, QTcpServer."""
