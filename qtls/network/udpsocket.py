"""QUdpSocket: datagrams over QAbstractSocket's machinery.

Theory of operation
-------------------
A UDP socket is an *unbuffered* QAbstractSocket: nothing is read ahead into the read buffer
and nothing waits in the write buffer. ``bind()`` makes the descriptor (Qt's socket layer:
an AF_INET socket for an IPv4 address, a dual-stack AF_INET6 one for ``Any``, see
:mod:`~qtls.network.datagramio`) and moves to BoundState; ``writeDatagram`` binds to ``Any``
first when the socket is unbound, sends at once and emits ``bytesWritten`` before it
returns; ``connectToHost`` connects the descriptor (keeping a bound one) and then ``read()``
and ``write()`` move one datagram each.

readyRead follows Qt's ``canReadNotification`` for unbuffered sockets. When the descriptor
becomes readable the socket checks that a datagram really waits (a connected socket may have
been woken by an ICMP error, which the check consumes) and emits readyRead; if a datagram
waits, it is *announced* (``_announced``) and no readyRead comes until the application reads
one (``readDatagram``, ``receiveDatagram``, ``read``). So a slot that reads one datagram of
three gets three readyRead, one per loop turn, and a socket nobody reads from gets one
readyRead and no more. The loop reader and the blocking waits (below) call the same
``_can_read_notification``. Where Qt switches its read notifier off and on for every
datagram, qtls removes the loop's reader only when a slot left the announced datagram unread,
and a read outside a slot puts it back from the loop's next turn (``_datagram_consumed``):
the same signals, without a loop (de)registration per datagram.

The blocking waits (:mod:`~qtls.network.udpwaits`) are Qt's for an unbuffered socket:
``waitForReadyRead`` returns as soon as the descriptor is readable (at once, without a new
readyRead, while an announced datagram is unread), ``waitForBytesWritten`` is always False.

Errors are Qt's (checked against PyQt6): the native engine's texts ("Datagram was too large
to send", "No datagram available for reading" as TemporaryError, "The bound address is
already in use", ...). An operation that fails without an error of its own reports the
engine's last one (Qt's ``socketEngine->error()``): ``_engine_error``.
"""

from __future__ import annotations

import logging
import socket
import threading
from typing import Any

from qtls.core.dispatch import post
from qtls.core.qobject import QObject
from qtls.core.signals import emit_if_connected
from qtls.network import datagramio as _dio
from qtls.network import multicast as _multicast
from qtls.network import socketerrors as _err
from qtls.network import udpwaits as _udpwaits
from qtls.network.abstractsocket import QAbstractSocket, _address_of, _descriptor
from qtls.network.hostaddress import QHostAddress
from qtls.network.networkdatagram import QNetworkDatagram, check_port
from qtls.network.networkinterface import QNetworkInterface
from qtls.network.socketenums import BindFlag, NetworkLayerProtocol, SocketError, SocketType
from qtls.network.socketenums import SocketState as _SocketState
from qtls.network.socketoptions import set_option

__all__ = ["QUdpSocket"]

_log = logging.getLogger("qtls")

_U = _SocketState.UnconnectedState
_H = _SocketState.HostLookupState
_C = _SocketState.ConnectingState
_OK = _SocketState.ConnectedState
_B = _SocketState.BoundState
_NO_ERROR = SocketError.UnknownSocketError
_Special = QHostAddress.SpecialAddress
_BytesLike = (bytes, bytearray, memoryview)


def _warn(method: str) -> None:
    _log.warning("QUdpSocket::%s() called on a QUdpSocket when not in QUdpSocket::BoundState",
                 method)


class QUdpSocket(QAbstractSocket):
    """A UDP socket (Qt: QUdpSocket): bind, send and receive datagrams, join multicast groups.

    Behaves as PyQt6's (signal order, states, errors and their texts are pinned by tests that
    run the same scenarios on PyQt6), down to Qt's quirks on Linux: a connected socket's
    ICMP "port unreachable" is consumed by the readyRead check (a readyRead with nothing to
    read) unless a read meets it first (ConnectionRefusedError), and an IPv4 sender address
    in writeDatagram(QNetworkDatagram) has no effect. ``socketDescriptor()`` is an int.
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(SocketType.UdpSocket, parent)
        # Qt's hasPendingData/hasPendingDatagram: readyRead announced a datagram that has not
        # been read yet, so the descriptor is not watched (see the module docstring).
        self._announced = False
        # Qt's socketEngine->error()/errorString(): the last error of the socket layer.
        self._engine_error: tuple[SocketError, str] = (_NO_ERROR, _err.UNKNOWN)
        self._kept_sock: socket.socket | None = None  # a bound socket connectToHost reuses
        self._rearm_queued = False  # a re-arm waits for the loop's turn (_datagram_consumed)
        self._rearm_generation = 0

    # ================================================================ the socket layer

    def _open_layer(self, protocol: NetworkLayerProtocol) -> bool:
        """Qt's initSocketLayer: a new descriptor for ``protocol``, the options set so far."""
        self._reset_socket()
        try:
            sock = _dio.open_socket(protocol)
        except OSError as exc:
            error, text = _err.from_os_error(exc)
            self._engine_error = (error, text)
            self._set_error_and_emit(error, text)
            return False
        for option, value in self._options.items():
            set_option(sock, option, value)
        self._sock = sock
        self._engine_error = (_NO_ERROR, _err.UNKNOWN)
        return True

    def _reset_socket(self) -> None:
        self._announced = False
        self._rearm_queued = False
        super()._reset_socket()

    def _engine_failed(self, error: SocketError, text: str) -> None:
        self._engine_error = (error, text)
        self._set_error_and_emit(error, text)

    def _report_engine_error(self) -> None:
        self._set_error_and_emit(*self._engine_error)

    # ================================================================ binding

    def bind(self, *args: Any, **kwargs: Any) -> bool:
        """Bind to an address and port (0: any free port): ``bind(address, port=0,
        mode=DefaultForPlatform)`` or ``bind(port=0, mode=DefaultForPlatform)`` (address
        ``Any``: a dual-stack socket). On success BoundState (stateChanged) and readyRead
        reports datagrams from then on; on failure errorOccurred (AddressInUseError, ...).
        ShareAddress or ReuseAddressHint set SO_REUSEADDR, so that several sockets can
        bind one multicast port.
        """
        address, port, mode = _bind_arguments(args, kwargs)
        return self._bind(address, port, mode)

    def _bind(self, address: QHostAddress, port: int, mode: BindFlag) -> bool:
        if self._sock is not None and self._state is not _U:
            # Qt's engine refuses a second bind without an error of its own.
            _log.warning("QNativeSocketEngine::bind() was not called in "
                         "QAbstractSocket::UnconnectedState")
            self._report_engine_error()
            return False
        # Qt makes the socket layer only when there is none: a socket whose bind failed keeps
        # its descriptor (isValid() stays True) and binds it again.
        if self._sock is None and not self._open_layer(address.protocol()):
            return False
        sock = self._sock
        assert sock is not None
        if address.isNull():
            self._engine_failed(SocketError.UnsupportedSocketOperationError,
                                _dio.UNSUPPORTED_OPERATION)
            return False
        if mode & (BindFlag.ShareAddress | BindFlag.ReuseAddressHint):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        elif mode & BindFlag.DontShareAddress:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 0)
        try:
            sock.bind(_dio.sockaddr_for(sock, address, port))
        except OSError as exc:
            self._engine_failed(*_dio.bind_error(exc))
            return False
        self._local_address, self._local_port = self._local_endpoint(sock)
        self._channels_up = True
        self._set_state(_B)
        if self._state is _B:  # a slot of stateChanged may have closed the socket
            self._update_io()
        return True

    def _unbound_layer(self, method: str) -> bool:
        """True when there is no usable socket layer for ``method`` (Qt's checks)."""
        if self._sock is None:
            _warn(method)
            return True
        if self._state is not _B and self._state is not _OK:
            _log.warning("QNativeSocketEngine::%s() was called in "
                         "QAbstractSocket::UnconnectedState", method)
            return True
        return False

    @staticmethod
    def _local_endpoint(sock: socket.socket) -> tuple[QHostAddress, int]:
        address, port = _address_of(sock.getsockname())
        if address.protocol() is NetworkLayerProtocol.IPv6Protocol and _dio.is_dual_stack(sock) \
                and address == QHostAddress(_Special.AnyIPv6):
            address = QHostAddress(_Special.Any)  # Qt reports the dual-stack wildcard as Any
        return address, port

    def _datagram_socket(self) -> socket.socket | None:
        """The descriptor writeDatagram sends through: an unbound socket binds to Any (dual
        stack) first; as in Qt, a failed bind does not stop the send when there is a
        descriptor (the kernel then picks the source port). While a connect looks up the
        host there is none: Qt's engine refuses the send with its last error."""
        if self._state is _H or self._state is _C:
            _log.warning("QNativeSocketEngine::writeDatagram() was called not in "
                         "QAbstractSocket::BoundState or QAbstractSocket::ConnectedState")
            self._report_engine_error()
            return None
        if self._sock is None or self._state is _U:
            self._bind(QHostAddress(_Special.Any), 0, BindFlag.DefaultForPlatform)
        return self._sock

    # ================================================================ sending

    def writeDatagram(self, *args: Any) -> int:
        """Send a datagram: ``writeDatagram(data, address, port)`` or ``writeDatagram(datagram)``.

        An unbound socket is bound to Any first (stateChanged(BoundState)). Returns the bytes
        sent and emits bytesWritten before returning, or -1 with errorOccurred
        (DatagramTooLargeError past 65507 bytes over IPv4, NetworkError when the kernel
        refuses, ...). A QNetworkDatagram's sender address, interface index and hop limit
        are sent as IP_PKTINFO / IP_TTL (IPV6_PKTINFO / IPV6_HOPLIMIT) ancillary data.
        """
        sender: QHostAddress | None = None
        ifindex = 0
        hop_limit = -1
        if len(args) == 1 and isinstance(args[0], QNetworkDatagram):
            datagram = args[0]
            data: Any = datagram._data
            address = datagram._destination
            port = datagram._destination_port
            sender, ifindex, hop_limit = datagram._sender, datagram._ifindex, datagram._hop_limit
        elif len(args) == 3:
            data, address, port = args
            if not isinstance(data, _BytesLike):
                raise TypeError("writeDatagram(): argument 1 has unexpected type "
                                f"'{type(data).__name__}'")
            if isinstance(address, _Special):
                address = QHostAddress(address)
            elif not isinstance(address, QHostAddress):
                raise TypeError("writeDatagram(): argument 2 has unexpected type "
                                f"'{type(address).__name__}'")
            port = check_port(port, "writeDatagram()", 3)
        else:
            raise TypeError("writeDatagram(): arguments did not match any overloaded call: "
                            "writeDatagram(data, address, port), writeDatagram(datagram)")
        sock = self._datagram_socket()
        if sock is None:
            return -1
        try:
            sent = _dio.send(sock, data, _dio.sockaddr_for(sock, address, port),
                             sender, ifindex, hop_limit)
        except BlockingIOError:
            self._set_error_and_emit(SocketError.TemporaryError, _dio.SEND_WOULD_BLOCK)
            return -1
        except OSError as exc:
            self._engine_failed(*_dio.send_error(exc))
            return -1
        self._writes += 1
        emit_if_connected(self, "bytesWritten", sent)
        return sent

    def writeData(self, data: Any) -> int:
        """write() on a connected socket: one datagram to the peer, sent at once."""
        sock = self._sock
        if self._state is _U or sock is None:
            self._set_error(_NO_ERROR, _err.NOT_CONNECTED)
            return -1
        try:
            sent = _dio.send(sock, data, None)
        except BlockingIOError:
            sent = 0
        except OSError as exc:
            error, text = _dio.send_error(exc)
            self._engine_error = (error, text)
            self._set_error(error, text)
            return -1
        self._writes += 1
        if not self._emitting_bytes_written:
            self._emitting_bytes_written = True
            try:
                emit_if_connected(self, "bytesWritten", sent)
            finally:
                self._emitting_bytes_written = False
        return sent

    # ================================================================ receiving

    def hasPendingDatagrams(self) -> bool:
        """True when at least one datagram waits to be read."""
        sock = self._sock
        if self._unbound_layer("hasPendingDatagrams") or sock is None:
            return False
        return _dio.has_pending(sock)

    def pendingDatagramSize(self) -> int:
        """The size of the next datagram (0 for an empty one), or -1 when none waits."""
        sock = self._sock
        if sock is None:
            _warn("pendingDatagramSize")
            return -1
        if self._state is not _B and self._state is not _OK:
            return -1
        return _dio.pending_size(sock)

    def bytesAvailable(self) -> int:
        """What peek() left in the read buffer plus the size of the next datagram, as Qt's
        unbuffered socket reports it."""
        buffered = self._read_buffer._size
        sock = self._sock
        if sock is None or (self._state is not _B and self._state is not _OK):
            return buffered
        return buffered + max(0, _dio.pending_size(sock))

    def readDatagram(self, maxlen: int) -> tuple[bytes | None, QHostAddress, int]:
        """Read the next datagram: ``(data, sender address, sender port)``, PyQt6's form.

        At most ``maxlen`` bytes are returned; the rest of a longer datagram is lost. With
        no datagram waiting: ``(None, QHostAddress(), 0)`` and errorOccurred(TemporaryError,
        "No datagram available for reading").
        """
        if isinstance(maxlen, bool) or not isinstance(maxlen, int):
            raise TypeError("readDatagram(): argument 1 has unexpected type "
                            f"'{type(maxlen).__name__}'")
        if maxlen < 0:
            raise ValueError("maximum length of data to be read cannot be negative")
        sock = self._sock
        if sock is None:
            _warn("readDatagram")
            return None, QHostAddress(), 0
        if self._state is not _B and self._state is not _OK:
            _log.warning("QNativeSocketEngine::readDatagram() was called not in "
                         "QAbstractSocket::BoundState or QAbstractSocket::ConnectedState")
            self._datagram_consumed()
            self._report_engine_error()
            return None, QHostAddress(), 0
        try:
            received = _dio.receive(sock, maxlen, False)
        except BlockingIOError:
            self._datagram_consumed()
            self._set_error_and_emit(SocketError.TemporaryError, _dio.NO_DATAGRAM)
            return None, QHostAddress(), 0
        except OSError as exc:
            self._datagram_consumed()
            self._engine_failed(*_dio.receive_error(exc))
            return None, QHostAddress(), 0
        self._datagram_consumed()
        address, port = _address_of(received.sender)
        return received.data, QHostAddress(address), port

    def receiveDatagram(self, maxSize: int = -1) -> QNetworkDatagram:
        """Read the next datagram with its header: sender, destination address and port,
        hop limit and interface index (as far as the platform tells them).

        ``maxSize`` -1 reads the whole datagram; a smaller one truncates it. With nothing
        to read, a null datagram (Qt's quirks kept: with ``maxSize`` -1 no error at all,
        with a size errorOccurred with the socket layer's last error).
        """
        if isinstance(maxSize, bool) or not isinstance(maxSize, int):
            raise TypeError("receiveDatagram(): argument 1 has unexpected type "
                            f"'{type(maxSize).__name__}'")
        sock = self._sock
        if sock is None:
            _warn("receiveDatagram")
            return QNetworkDatagram()
        whole = maxSize < 0
        if whole:
            # The whole datagram: read into a buffer of the largest size at once, instead of
            # peeking at the size first (one system call less; the same results: with nothing
            # to read, or an ICMP error that Qt's peek would consume, a null datagram and no
            # error).
            if self._state is not _B and self._state is not _OK:
                return QNetworkDatagram()
            maxSize = _dio.MAX_DATAGRAM
        if self._state is not _B and self._state is not _OK:
            self._datagram_consumed()
            self._report_engine_error()
            return QNetworkDatagram()
        try:
            received = _dio.receive(sock, maxSize, True)
        except OSError as exc:
            if whole:
                return QNetworkDatagram()
            self._datagram_consumed()
            if not isinstance(exc, BlockingIOError):
                self._engine_error = _dio.receive_error(exc)
            self._report_engine_error()
            return QNetworkDatagram()
        self._datagram_consumed()
        sender, sender_port = _address_of(received.sender)
        destination = received.destination
        # (The sender address is shared, never modified: the datagram's getters copy.)
        return QNetworkDatagram._received(
            received.data, sender, sender_port,
            destination if destination is not None else QHostAddress(),
            self._local_port if destination is not None else 0,
            received.hop_limit, received.ifindex)

    def readData(self, maxlen: int) -> bytes | None:  # type: ignore[override]  # (-1: None)
        """read() on a connected socket: the next datagram, truncated to ``maxlen``.

        A receive error (an ICMP port unreachable) is Qt's NetworkError with the system's
        text, and the socket drops to UnconnectedState without a signal, as Qt's does.
        """
        sock = self._sock
        if sock is None or self._state is not _OK:
            return None if maxlen else b""
        if not maxlen:
            return b""
        try:
            data = sock.recv(min(maxlen, _dio.MAX_DATAGRAM))
        except BlockingIOError:
            data = b""
        except ConnectionResetError:
            data = b""
        except OSError as exc:
            error, text = _err.from_os_error(exc)
            self._set_error(SocketError.NetworkError, text)
            self._reset_socket()
            self._state = _U  # (Qt sets it without stateChanged)
            return None
        self._datagram_consumed()
        return data

    def readLineData(self, maxlen: int) -> bytes:
        """Qt's QIODevice::readLineData on an unbuffered device: one byte per read(), so each
        byte comes from the next datagram (the rest of each is lost), up to a newline."""
        line = bytearray()
        while len(line) < maxlen:
            byte = self.readData(1)
            if not byte:
                break
            line += byte
            if byte == b"\n":
                break
        return bytes(line)

    def skipData(self, maxSize: int) -> int:
        """Qt's QIODevice::skipData: read and drop, in chunks of at most 4096 bytes (each
        chunk is a datagram here), until a short read."""
        skipped = 0
        while maxSize > 0:
            want = min(maxSize, 4096)
            data = self.readData(want)
            got = -1 if data is None else len(data)
            if got != want:
                if not skipped:
                    return got
                return skipped if got < 0 else skipped + got
            skipped += got
            maxSize -= got
        return skipped

    def _datagram_consumed(self) -> None:
        """A read took (or tried to take) a datagram: watch the descriptor again (Qt).

        Inside a readyRead slot the reader is still on and nothing changes. Otherwise it is
        turned back on from the loop's next turn (when Qt's re-enabled notifier would fire
        anyway), once however many reads happen before: a blocking program, whose loop never
        runs, thus pays no loop (de)registration per datagram.
        """
        self._announced = False
        if self._reader_on or self._rearm_queued or not self._wants_read():
            return
        if not self._queue_soon():  # the loop is closed: no loop will watch the descriptor
            self._update_io()
            return
        self._rearm_queued = True
        self._rearm_generation = self._generation

    def _on_soon(self) -> None:
        super()._on_soon()
        if self._rearm_queued:
            self._rearm_queued = False
            if self._rearm_generation == self._generation:  # (not another descriptor's)
                self._update_io()

    def _set_thread(self, thread: threading.Thread) -> None:
        """moveToThread: a re-arm queued on the old thread's loop is redone on the new one."""
        pending = self._rearm_queued and thread is not self._qt_thread
        if pending:
            self._rearm_queued = False
        super()._set_thread(thread)
        if pending:
            post(thread, self._update_io)

    # ================================================================ multicast

    def joinMulticastGroup(self, groupAddress: Any,
                           iface: QNetworkInterface | None = None) -> bool:
        """Join the multicast group ``groupAddress`` on ``iface`` (default: the system's
        choice). The socket must be bound, to AnyIPv4 (not Any) for an IPv4 group, with
        ShareAddress if other sockets use the port. A failure returns False without
        errorOccurred, as Qt's does."""
        return self._membership("joinMulticastGroup", True, groupAddress, iface)

    def leaveMulticastGroup(self, groupAddress: Any,
                            iface: QNetworkInterface | None = None) -> bool:
        """Leave a group joined with joinMulticastGroup (False if it was not joined)."""
        return self._membership("leaveMulticastGroup", False, groupAddress, iface)

    def _membership(self, method: str, join: bool, group: Any,
                    iface: QNetworkInterface | None) -> bool:
        group = _group_argument(group, method)
        if iface is None:
            iface = QNetworkInterface()
        elif not isinstance(iface, QNetworkInterface):
            raise TypeError(f"{method}(): argument 2 has unexpected type "
                            f"'{type(iface).__name__}'")
        sock = self._sock
        if sock is None or self._state is not _B:
            _warn(method)
            return False
        ok, failure = _multicast.membership(sock, join, group, iface)
        if failure is not None:
            self._engine_error = failure  # the socket layer's error only (Qt)
        return ok

    def multicastInterface(self) -> QNetworkInterface:
        """The interface multicast datagrams leave through; invalid when the routing table
        chooses (the default)."""
        sock = self._sock
        if sock is None:
            _warn("multicastInterface")
            return QNetworkInterface()
        return _multicast.outgoing_interface(sock)

    def setMulticastInterface(self, iface: QNetworkInterface) -> None:
        """Send multicast datagrams through ``iface`` (the socket must be bound)."""
        if not isinstance(iface, QNetworkInterface):
            raise TypeError("setMulticastInterface(): argument 1 has unexpected type "
                            f"'{type(iface).__name__}'")
        sock = self._sock
        if sock is None:
            _warn("setMulticastInterface")
            return
        _multicast.set_outgoing_interface(sock, iface)

    # ================================================================ readiness

    def _wants_read(self) -> bool:
        state = self._state
        return (self._sock is not None and (state is _B or state is _OK)
                and not self._announced)

    def _wants_write(self) -> bool:
        return False  # unbuffered: every datagram is sent when written

    def _on_readable(self) -> None:
        self._can_read_notification()

    def _can_read_notification(self) -> bool:
        """Qt's canReadNotification for an unbuffered socket (see the module docstring)."""
        sock = self._sock
        state = self._state
        if sock is None or (state is not _B and state is not _OK):
            return False
        if self._announced:
            self._set_reader(False)
            return True
        if _dio.has_pending(sock):
            self._announced = True
        self._reads += 1
        if not self._emitting_ready_read:
            self._emit_ready_read()
        # The reader goes off only if the slot left the announced datagram unread: a slot that
        # read one keeps it on (and the next loop turn announces the next datagram), so the
        # usual slot costs no loop (de)registration at all.
        if self._announced and self._sock is sock:
            self._set_reader(False)
        return True

    # ================================================================ connecting

    def connectToHost(self, *args: Any, **kwargs: Any) -> None:
        """Connect the socket to a peer (``connect(2)``: no packet is sent); read() and write()
        then carry datagrams to and from that peer only. A bound socket keeps its local
        address and port. Signals as Qt's: HostLookup, Connecting, hostFound, Connected,
        connected (at once for an address, after the lookup for a name)."""
        self._connect_arguments(*args, **kwargs)  # bad arguments raise before anything moves
        if self._state is _B and self._sock is not None:
            self._set_reader(False)
            self._kept_sock, self._sock = self._sock, None
        try:
            super().connectToHost(*args, **kwargs)
        finally:
            if self._state is not _H and self._kept_sock is not None:
                self._drop_kept()

    def _drop_kept(self) -> None:
        kept, self._kept_sock = self._kept_sock, None
        if kept is not None:
            kept.close()

    def _connect_arguments(self, *args: Any, **kwargs: Any) -> Any:
        host, port, mode, protocol = super()._connect_arguments(*args, **kwargs)
        # Qt opens a datagram socket unbuffered.
        return host, port, mode | self.OpenModeFlag.Unbuffered, protocol

    def _start_connecting(self, result: Any) -> None:
        if not result.addresses:
            self._drop_kept()  # the lookup found nothing: the bound socket goes too (Qt)
        super()._start_connecting(result)

    def _connect_next(self) -> None:
        """Connect the descriptor to the next address: completes at once for UDP."""
        dialer = self._dialer
        if dialer is None or self._state is not _C:
            return
        while dialer.addresses:
            address = dialer.addresses.pop(0)
            sock = self._kept_sock
            self._kept_sock = None
            if sock is not None and _dio.family_of(sock) == socket.AF_INET and \
                    address.protocol() is not NetworkLayerProtocol.IPv4Protocol:
                sock.close()
                sock = None
            try:
                if sock is None:
                    sock = _dio.open_socket(address.protocol())
                    for option, value in self._options.items():
                        set_option(sock, option, value)
                sock.connect(_dio.sockaddr_for(sock, address, dialer.port))
            except OSError as exc:
                if sock is not None:
                    sock.close()
                dialer.last_error = _err.from_os_error(exc, _err.endpoint(address, dialer.port))
                continue
            self._sock = sock
            self._peer_address = QHostAddress(address)
            self._dialer = None
            self._on_connected()
            return
        self._drop_kept()
        self._fail_connect()

    def _enter_connected(self) -> bool:
        sock = self._sock
        assert sock is not None
        self._fetch_endpoints(sock)
        self._local_address, self._local_port = self._local_endpoint(sock)
        self._set_state(_OK)
        return self._state is _OK

    def setSocketDescriptor(self, socketDescriptor: Any,
                            state: _SocketState = _SocketState.ConnectedState,
                            mode: Any = QAbstractSocket.OpenModeFlag.ReadWrite) -> bool:
        """Adopt an existing UDP descriptor in ``state`` (BoundState for a bound socket,
        ConnectedState, the default, for a connected one); the socket then owns it.

        As in Qt, the descriptor keeps its own options (an adopted socket reports no
        destination address or hop limit unless it asked for IP_PKTINFO / IP_RECVTTL), and
        a descriptor that is not a datagram socket is handled as QAbstractSocket does.
        """
        fd = _descriptor(socketDescriptor)
        adopted = None
        if fd >= 0 and isinstance(state, _SocketState):
            try:
                adopted = socket.socket(fileno=fd)
            except OSError:
                adopted = None
            if adopted is not None and (adopted.type != socket.SOCK_DGRAM or adopted.family
                                        not in (socket.AF_INET, socket.AF_INET6)):
                adopted.detach()  # not a UDP socket: QAbstractSocket's rules
                adopted = None
        if adopted is None:
            return super().setSocketDescriptor(socketDescriptor, state, mode)
        if not isinstance(mode, QAbstractSocket.OpenModeFlag):
            adopted.detach()
            raise TypeError("setSocketDescriptor(): argument 3 has unexpected type "
                            f"'{type(mode).__name__}'")
        self._drop_kept()
        self._reset_socket()
        self._state = _U
        self._error = _NO_ERROR
        self.setErrorString(_err.UNKNOWN)
        self._engine_error = (_NO_ERROR, _err.UNKNOWN)
        adopted.setblocking(False)
        self._sock = adopted
        self._peer_name = ""
        self._fetch_endpoints(adopted)
        self._local_address, self._local_port = self._local_endpoint(adopted)
        for option, value in self._options.items():
            set_option(adopted, option, value)
        self.setOpenMode(mode)
        self._set_state(state)
        self._update_io()
        return True

    # ================================================================ blocking API

    def waitForConnected(self, msecs: int = 30000) -> bool:
        """Block until connected; a UDP connect completes at once, so this is True once
        connected. On a bound (not connected) socket Qt gives up at once: UnconnectedState
        and SocketTimeoutError, without errorOccurred."""
        return _udpwaits.wait_for_connected(self, msecs)

    def waitForReadyRead(self, msecs: int = 30000) -> bool:
        """Block until a datagram (or an ICMP error) arrives: True, with readyRead emitted
        unless one is already announced and unread (then True at once, no signal). False on
        timeout (errorOccurred(SocketTimeoutError)) or when unbound."""
        return _udpwaits.wait_for_ready_read(self, msecs)

    def waitForBytesWritten(self, msecs: int = 30000) -> bool:
        """False: a UDP socket buffers nothing, every datagram is sent when written (Qt)."""
        return _udpwaits.wait_for_bytes_written(self, msecs)

    def waitForDisconnected(self, msecs: int = 30000) -> bool:
        """Block until UnconnectedState (a slot closed the socket): True; otherwise it times
        out with errorOccurred(SocketTimeoutError), since nothing else ends a UDP socket."""
        return _udpwaits.wait_for_disconnected(self, msecs)

    # ================================================================ closing

    def _finish_disconnect(self) -> None:
        self._drop_kept()
        super()._finish_disconnect()


def _group_argument(group: Any, method: str) -> QHostAddress:
    if isinstance(group, _Special):
        return QHostAddress(group)
    if not isinstance(group, QHostAddress):
        raise TypeError(f"{method}(): argument 1 has unexpected type '{type(group).__name__}'")
    return group


def _bind_arguments(args: tuple[Any, ...], kwargs: dict[str, Any]
                    ) -> tuple[QHostAddress, int, BindFlag]:
    """bind(address, port=0, mode=DefaultForPlatform) or bind(port=0, mode=...)."""
    args_list = list(args)
    address: Any = kwargs.pop("address", None)
    if address is None and args_list and isinstance(args_list[0], (QHostAddress, _Special)):
        address = args_list.pop(0)
    port: Any = kwargs.pop("port", args_list.pop(0) if args_list else 0)
    mode: Any = kwargs.pop("mode", args_list.pop(0) if args_list else BindFlag.DefaultForPlatform)
    if args_list or kwargs:
        raise TypeError("bind(): arguments did not match any overloaded call")
    if address is None:
        address = QHostAddress(_Special.Any)
    elif isinstance(address, _Special):
        address = QHostAddress(address)
    elif not isinstance(address, QHostAddress):
        raise TypeError(f"bind(): argument 1 has unexpected type '{type(address).__name__}'")
    port = check_port(port, "bind()", 2)
    if not isinstance(mode, BindFlag):
        raise TypeError(f"bind(): argument 3 has unexpected type '{type(mode).__name__}'")
    return address, port, mode

