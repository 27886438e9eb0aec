"""QSslSocket's blocking API: waitForConnected/Encrypted/ReadyRead/BytesWritten/Disconnected.

As in Qt, a QSslSocket wait drives its *plain* socket's wait: the plain socket polls its own
descriptor (never the asyncio loop) and runs its handlers, which emit the plain socket's
signals, which run QSslSocket's pump (``_transmit``) synchronously. So the same signals
come in the same order as with a loop, in any thread, with or without a loop. Work that QSslSocket
queues on the loop in loop-driven code (flushing written plaintext, ``resume()``) is done here
directly, since no loop may run. Timeouts follow Qt: the plain socket's wait reports
SocketTimeoutError, which the QSslSocket mirrors.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from qtls.network.socketenums import SocketState
from qtls.network.socketwaits import Deadline, _check_msecs
from qtls.ssl.engine import EngineState
from qtls.ssl.tlsphase import TlsPhase
from qtls.ssl.values.configurationdata import SslMode

if TYPE_CHECKING:
    from qtls.ssl.sslsocket import QSslSocket

__all__: list[str] = []

_U = SocketState.UnconnectedState
_OK = SocketState.ConnectedState


def _msecs_left(deadline: Deadline) -> int:
    remaining = deadline.remaining()
    return -1 if remaining is None else int(remaining * 1000)


def _plain_mode(s: QSslSocket) -> bool:
    """True while the socket behaves as a plain QTcpSocket (no handshake started or planned)."""
    return s._mode is SslMode.UnencryptedMode and not s._auto_start


def _run_queued(s: QSslSocket) -> None:
    """Do what the loop would have done for this socket: resume(), flushes, buffered input."""
    if s._resume_scheduled:
        s._resume_scheduled = False
        s._resume_now()
    engine, plain = s._engine, s._plain
    if engine is None or plain is None:
        return
    if s._in_transmit:
        # A wait inside one of our slots, while the pump runs (it is not re-entrant): what
        # Qt's waitForBytesWritten does first (transmit()) is to encrypt the queued plaintext
        # so the plain socket can send it; the outer pump goes on with the rest afterwards.
        if (s._write_buffer and s._phase is TlsPhase.ENCRYPTED
                and engine.state is EngineState.ENCRYPTED):
            s._encrypt_outgoing(engine, plain)
        return
    if s._write_buffer or plain._read_buffer:
        s._transmit()


def wait_for_connected(s: QSslSocket, msecs: int = 30000) -> bool:
    """The plain socket's waitForConnected; its error is copied on failure (Qt)."""
    msecs = _check_msecs(msecs, "waitForConnected")
    plain = s._plain
    if plain is None:
        return False
    ok = plain.waitForConnected(msecs)
    if not ok:
        s._set_error(plain.error(), plain.errorString())
    return ok


def wait_for_encrypted(s: QSslSocket, msecs: int = 30000) -> bool:
    """Block until ``encrypted`` (True) or failure/timeout (False); False if already encrypted."""
    msecs = _check_msecs(msecs, "waitForEncrypted")
    plain = s._plain
    if plain is None or s._phase is TlsPhase.ENCRYPTED:
        return False
    if _plain_mode(s):
        return False
    deadline = Deadline(msecs)
    if plain.state() is not _OK:
        if not plain.waitForConnected(msecs):
            s._set_error(plain.error(), plain.errorString())
            return False
    while s._phase is not TlsPhase.ENCRYPTED:
        if s._mode is SslMode.UnencryptedMode:
            s.startClientEncryption()
            if s._mode is SslMode.UnencryptedMode:
                return False
        _run_queued(s)
        if s._phase is TlsPhase.ENCRYPTED:
            break
        if s._engine is None or s._state is _U or s._phase is TlsPhase.PAUSED:
            return False
        if not plain.waitForReadyRead(_msecs_left(deadline)):
            return s._phase is TlsPhase.ENCRYPTED
    return True


def wait_for_ready_read(s: QSslSocket, msecs: int = 30000) -> bool:
    """Block until ``readyRead`` was emitted (True); False on timeout, disconnect or failure."""
    msecs = _check_msecs(msecs, "waitForReadyRead")
    plain = s._plain
    if plain is None:
        return False
    deadline = Deadline(msecs)
    # Done once readyRead was emitted (counted at the emission, as Qt flags it: a socket
    # whose signals are blocked still ends its wait).
    before = s._ready_reads
    if _plain_mode(s):
        if plain._read_buffer:
            s._move_plain_input()
        while s._ready_reads == before and plain.waitForReadyRead(_msecs_left(deadline)):
            if s._emitting_ready_read:
                # Inside our own readyRead slot (itself inside the plain socket's, which
                # is not emitted again): take the bytes without a second readyRead. Qt
                # reads the plain socket directly in this mode and returns its wait: True.
                s._move_plain_input()
                return True
        return s._ready_reads != before
    if s._phase is not TlsPhase.ENCRYPTED and s._phase is not TlsPhase.CLOSING:
        if not wait_for_encrypted(s, msecs):
            return s._ready_reads != before
    s._maybe_resume_reading()
    _run_queued(s)
    if s._in_transmit and s._ready_reads == before:
        # Inside one of our slots: what came since the outer pump read is ours to decrypt.
        s._transmit_nested()
    while (s._ready_reads == before and s._state is not _U
           and plain.waitForReadyRead(_msecs_left(deadline))):
        if s._in_transmit:
            # The pump that would decrypt it is the one this wait is nested in (the plain
            # socket's readyRead only asked it for another pass): decrypt it here.
            s._transmit_nested()
    return s._ready_reads != before


def wait_for_bytes_written(s: QSslSocket, msecs: int = 30000) -> bool:
    """Block until ciphertext (plain mode: data) was written to the network (True)."""
    msecs = _check_msecs(msecs, "waitForBytesWritten")
    plain = s._plain
    if plain is None:
        return False
    if _plain_mode(s):
        return plain.waitForBytesWritten(msecs)
    deadline = Deadline(msecs)
    if s._phase is not TlsPhase.ENCRYPTED:
        if not wait_for_encrypted(s, msecs):
            return False
    _run_queued(s)
    return plain.waitForBytesWritten(_msecs_left(deadline))


def wait_for_disconnected(s: QSslSocket, msecs: int = 30000) -> bool:
    """Block until UnconnectedState (True); False on timeout or when not connected."""
    msecs = _check_msecs(msecs, "waitForDisconnected")
    plain = s._plain
    if s._state is _U or plain is None:
        return False
    if _plain_mode(s):
        return plain.waitForDisconnected(msecs)
    deadline = Deadline(msecs)
    if s._phase is TlsPhase.HANDSHAKING or s._phase is TlsPhase.UNENCRYPTED:
        if not wait_for_encrypted(s, msecs):
            return s._state is _U
    _run_queued(s)
    if s._state is _U:
        return True
    ok = plain.waitForDisconnected(_msecs_left(deadline))
    if not ok:
        s._set_error(plain.error(), plain.errorString())
    return ok or s._state is _U
