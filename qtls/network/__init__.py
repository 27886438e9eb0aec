"""Plain networking: QHostAddress, QAbstractSocket, QTcpSocket, QTcpServer, QUdpSocket,
QNetworkDatagram."""
