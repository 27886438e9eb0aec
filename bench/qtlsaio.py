"""qtls.aio: the stdlib's streams API on qtls (QSslSocket/QSslServer underneath).

The same workloads, wire protocol and code as :mod:`bench.aio` (the asyncio column), with only
the connection set-up replaced: ``qtls.aio.start_server`` and ``qtls.aio.open_connection`` with
the Qt-style configurations of :mod:`bench.qtcommon` (pinned group and cipher through
QSslConfiguration, so no ``OPENSSL_CONF``). Session resumption offers the last session ticket
received (``QSslConfiguration.setSessionTicket``), as the Qt-style client does.

The server's handshake timeout is asyncio's default (``ssl_handshake_timeout``, 60 s) rather
than qtls.aio's 5 s, so that both columns drop a slow client under the same rule; clients it
drops are logged to stderr, where the runner's error message quotes them.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from typing import Any

import qtls.aio
from bench import aio
from bench.qtcommon import (
    QtModules,
    client_configuration,
    server_configuration,
    session_info,
    ticket_of,
)


class QtlsAioServer(aio.AioServer):
    """The server side of every workload, on ``qtls.aio.start_server``."""

    async def _listen(self, port: int) -> Any:
        conf = server_configuration(QtModules("qtls"), self.spec)
        logger = logging.getLogger("qtls.aio")
        if not logger.handlers:  # (once, whichever port the listen succeeds on)
            logger.addHandler(logging.StreamHandler(sys.stderr))
            logger.setLevel(logging.INFO)
        return await qtls.aio.start_server(self._handle, "127.0.0.1", port, configuration=conf,
                                           backlog=4096, handshake_timeout=60.0)


class QtlsAioClient(aio.AioClient):
    """The client side of every workload, on ``qtls.aio.open_connection``."""

    def __init__(self, spec: dict[str, Any]) -> None:
        super().__init__(spec)
        self.qt = QtModules("qtls")
        self.conf = client_configuration(self.qt, spec)
        self.ticket: Any = None

    async def _open(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        conf = self.conf
        if self.ticket is not None:
            conf = self.qt.net.QSslConfiguration(self.conf)
            conf.setSessionTicket(self.ticket)
        reader, writer = await qtls.aio.open_connection(
            "127.0.0.1", self.spec["port"], configuration=conf, timeout=self.spec["timeout"])
        if self.session is None:
            self.session = session_info(self.qt, writer.qsslsocket)
        return reader, writer

    def _keep_session(self, writer: asyncio.StreamWriter) -> None:
        # Qt has no "was this session resumed" query: the wire probe tells (resumed: None).
        ticket = ticket_of(writer.get_extra_info("qsslsocket"))
        if ticket is not None:
            self.ticket = ticket

    async def _hs(self) -> dict[str, Any]:
        result = await super()._hs()
        result["resumed"] = None
        return result


def run_server(spec: dict[str, Any], ready: Any) -> dict[str, Any]:
    """Run the server side of ``spec`` (calls ``ready(port)`` once listening)."""
    return aio._run(spec, QtlsAioServer(spec).serve(ready))


def run_client(spec: dict[str, Any]) -> dict[str, Any]:
    """Run the client side of ``spec`` against ``spec["port"]``."""
    return aio._run(spec, QtlsAioClient(spec).run())
