"""DTLS cookies (RFC 6347 §4.2.1): the HMAC that proves a client can receive at its address.

A DTLS server answers a ClientHello without a valid cookie with a HelloVerifyRequest carrying
one, and keeps no state; only a ClientHello that echoes the cookie back starts a handshake. The
cookie is Qt's: ``HMAC(hash, secret, peer)`` where ``peer`` is the client's port followed by its
address, each in the machine's byte order as Qt copies them (IPv4 as a 32-bit integer, IPv6 as
its 16 bytes), cut to 255 bytes (RFC 6347's limit). So a cookie made here equals the one Qt
makes for the same secret, hash and peer.

OpenSSL asks for the cookie through two context-wide callbacks (installed by
:func:`install` on every DTLS server context); they find the connection's key — an object with
a ``_cookie_key`` attribute, a :class:`CookieKey` — through the connection's app data, as the
other callbacks of :mod:`~qtls.ssl.engine.context` do.

:class:`CookieVerifier` is the stateless check a server runs on every first datagram from an
unknown peer (Qt's QDtlsClientVerifier): one ``SSL`` object, reused, and ``DTLSv1_listen`` on
the datagram, which OpenSSL runs without keeping state (it parses the ClientHello, and writes a
HelloVerifyRequest when the cookie is missing or wrong). ``DTLSv1_listen`` works on the memory
BIOs this engine uses (OpenSSL 3+: it does not need a datagram BIO's peek mode or peer address;
the engine gives it the peer through the cookie key).
"""

from __future__ import annotations

import dataclasses
import functools
import hmac
import ipaddress
import struct
import weakref
from collections.abc import Callable
from typing import Any

from OpenSSL import SSL

from .dtlsrecords import discard, drain, pack_datagrams, split_records
from .helpers import _reason

__all__ = ["COOKIE_MAX", "CookieKey", "CookieVerifier", "install", "make_cookie", "peer_bytes"]

_lib: Any = SSL._lib  # type: ignore[attr-defined]

#: RFC 6347 §4.2.1: a cookie is at most 255 bytes (OpenSSL's DTLS1_COOKIE_LENGTH is 256).
COOKIE_MAX = 255


@functools.lru_cache(maxsize=4096)
def peer_bytes(address: str | ipaddress.IPv4Address | ipaddress.IPv6Address, port: int) -> bytes:
    """The peer's identity the cookie covers, laid out as Qt's ``cookie_for_peer``: the port,
    then the address, each as Qt's memcpy of the integer (the machine's byte order) — an IPv6
    address is its 16 bytes in network order."""
    ip = ipaddress.ip_address(address) if isinstance(address, str) else address
    head = struct.pack("=H", port & 0xFFFF)
    if ip.version == 4:
        return head + struct.pack("=I", int(ip))
    return head + ip.packed


def make_cookie(digest: str | Callable[[], Any], secret: bytes, peer: bytes) -> bytes:
    """``HMAC(hash, secret, peer)`` cut to :data:`COOKIE_MAX` bytes (Qt's cookie). ``digest`` is
    a hashlib name (OpenSSL's one-call HMAC) or a constructor (for BLAKE2's short variants)."""
    return hmac.digest(secret, peer, digest)[:COOKIE_MAX]


@dataclasses.dataclass(frozen=True)
class CookieKey:
    """What one cookie is computed from: the hash (a hashlib name or constructor), the
    server's secret and the peer (:func:`peer_bytes`)."""

    hash_factory: str | Callable[[], Any]
    secret: bytes
    peer: bytes

    def cookie(self) -> bytes:
        """This key's cookie; b"" with an empty secret (OpenSSL then refuses the hello)."""
        return make_cookie(self.hash_factory, self.secret, self.peer) if self.secret else b""


def _key_of(conn: SSL.Connection) -> CookieKey | None:
    ref = conn.get_app_data()
    owner = ref() if ref is not None else None
    return getattr(owner, "_cookie_key", None) if owner is not None else None


def _generate(conn: SSL.Connection) -> bytes:
    key = _key_of(conn)
    # An empty cookie makes OpenSSL fail the listen/handshake: no key, no client.
    return key.cookie() if key is not None else b""


def _verify(conn: SSL.Connection, cookie: bytes) -> bool:
    key = _key_of(conn)
    if key is None:
        return False
    expected = key.cookie()
    return bool(expected) and hmac.compare_digest(expected, bytes(cookie))


def install(ctx: SSL.Context) -> None:
    """Install the cookie callbacks on a DTLS server context."""
    ctx.set_cookie_generate_callback(_generate)
    ctx.set_cookie_verify_callback(_verify)


class CookieVerifier:
    """Stateless ClientHello cookie checks on one reusable ``SSL`` object (``DTLSv1_listen``).

    ``verify(datagram, key)`` returns ``(verified, replies, error)``: ``verified`` when the
    datagram is a ClientHello with the right cookie for ``key``; ``replies`` the datagrams to
    send back (the HelloVerifyRequest when the cookie is missing or stale, nothing for
    garbage); ``error`` OpenSSL's reason when it failed the datagram outright ("" otherwise).
    Nothing is kept from one datagram to the next.
    """

    def __init__(self, context: Any) -> None:
        # ``context`` is a DTLS server TlsContext (typed loosely: context.py imports us).
        self._context = context
        self._cookie_key: CookieKey | None = None
        self._conn: SSL.Connection | None = None

    def _connection(self) -> SSL.Connection:
        conn = self._conn
        if conn is None:
            conn = SSL.Connection(self._context.ssl_context, None)
            conn.set_app_data(weakref.ref(self))
            conn.set_accept_state()
            self._conn = conn
        return conn

    def verify(self, datagram: bytes, key: CookieKey) -> tuple[bool, list[bytes], str]:
        """Check one datagram (see the class docstring)."""
        if not datagram:
            return False, [], ""
        conn = self._connection()
        self._cookie_key = key
        try:
            conn.bio_write(bytes(datagram))
            try:
                conn.DTLSv1_listen()
            except SSL.WantReadError:
                # No (valid) cookie: OpenSSL wrote a HelloVerifyRequest, or dropped the
                # datagram as not a ClientHello (then nothing was written).
                return False, self._drain(conn), ""
            except SSL.Error as exc:
                self._conn = None  # a failed listen leaves the object unusable: start afresh
                return False, [], _reason(exc)
            # Verified. (OpenSSL kept the ClientHello in this object: a fresh one next time.)
            self._conn = None
            return True, [], ""
        finally:
            self._cookie_key = None
            _lib.ERR_clear_error()

    @staticmethod
    def _drain(conn: SSL.Connection) -> list[bytes]:
        # Whatever the listen did not read of the datagram must not glue onto the next one.
        discard(conn._into_ssl)  # type: ignore[attr-defined]
        records = split_records(drain(conn._from_ssl))  # type: ignore[attr-defined]
        return pack_datagrams([_first_record_number(r) for r in records], 0)


def _first_record_number(record: bytes) -> bytes:
    """A HelloVerifyRequest record with record sequence number 0.

    OpenSSL's DTLSv1_listen gives the HelloVerifyRequest the ClientHello's record sequence
    number (RFC 6347 §4.2.1), but since OpenSSL 3.2's record layer the server that continues
    after a verified hello no longer starts from the ClientHello's number: its first flight is
    numbered 1, 2, 3... So when the first ClientHello was retransmitted (number k >= 1), the
    client has already seen epoch 0's record k in the HelloVerifyRequest and drops the
    server's record k as a replay (RFC 6347 §4.1.2.6): the flight stalls until the server's
    retransmission renumbers it. Numbering the HelloVerifyRequest 0, which the server's own
    records never use, removes the collision; the number is not authenticated in epoch 0 and
    clients do not check it against their ClientHello.
    """
    if len(record) > 13 and record[0] == 22 and record[13] == 3 and record[3:5] == b"\0\0":
        return record[:5] + bytes(6) + record[11:]
    return record
