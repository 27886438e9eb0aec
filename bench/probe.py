"""The wire probe: what each implementation really negotiated, read off the wire.

Neither Qt 6 nor Python 3.11's ``ssl`` reports the negotiated key-exchange group, and the
implementations name protocols and ciphers each their own way. The probe is a TCP relay in the
runner, put between one implementation's client and server for a short resumed-handshake run;
it reads each connection's ServerHello, which TLS 1.3 still sends in the clear (RFC 8446 §4.1.3):
the selected version (``supported_versions``), the cipher suite, the group (``key_share``) and
whether a PSK was accepted (``pre_shared_key``: a resumed session). It reads TLS framing only,
a few fixed-size fields, with ``struct``; no certificates or ASN.1.
"""

from __future__ import annotations

import contextlib
import selectors
import socket
import struct
import threading
import time
from dataclasses import dataclass, field

GROUPS = {
    0x0017: "secp256r1", 0x0018: "secp384r1", 0x0019: "secp521r1", 0x001D: "X25519",
    0x001E: "X448", 0x0100: "ffdhe2048", 0x0101: "ffdhe3072",
    0x0200: "MLKEM512", 0x0201: "MLKEM768", 0x0202: "MLKEM1024",
    0x11EB: "SecP256r1MLKEM768", 0x11EC: "X25519MLKEM768", 0x11ED: "SecP384r1MLKEM1024",
    0x6399: "X25519Kyber768Draft00",
}
CIPHERS = {
    0x1301: "TLS_AES_128_GCM_SHA256", 0x1302: "TLS_AES_256_GCM_SHA384",
    0x1303: "TLS_CHACHA20_POLY1305_SHA256", 0x1304: "TLS_AES_128_CCM_SHA256",
}
VERSIONS = {0x0304: "TLSv1.3", 0x0303: "TLSv1.2"}
# A HelloRetryRequest is a ServerHello with this random (RFC 8446 §4.1.3).
HRR_RANDOM = bytes.fromhex("CF21AD74E59A6111BE1D8C021E65B891C2A211167ABB8C5E079E09E2C8A8339C")

_EXT_SUPPORTED_VERSIONS = 43
_EXT_KEY_SHARE = 51
_EXT_PRE_SHARED_KEY = 41


@dataclass
class Hello:
    """One connection's ServerHello, decoded."""

    version: str = "?"
    cipher: str = "?"
    group: str = "?"
    resumed: bool = False
    retried: bool = False  # a HelloRetryRequest came first (the client guessed the wrong group)
    offered: bool = False  # the ClientHello offered a session (pre_shared_key)


def client_offers_psk(data: bytes) -> bool | None:
    """Whether the ClientHello at the start of ``data`` offers a PSK (a session to resume);
    None while the record is incomplete or when it is not a ClientHello."""
    if len(data) < 5:
        return None
    content_type, _legacy, length = struct.unpack_from("!BHH", data, 0)
    if content_type != 22 or len(data) < 5 + length:
        return None
    body = data[5:5 + length]
    if len(body) < 4 + 2 + 32 + 1 or body[0] != 1:
        return None
    pos = 38
    pos += 1 + body[pos]  # legacy_session_id
    (suites,) = struct.unpack_from("!H", body, pos)
    pos += 2 + suites
    pos += 1 + body[pos]  # legacy_compression_methods
    (ext_total,) = struct.unpack_from("!H", body, pos)
    pos += 2
    ext_end = min(len(body), pos + ext_total)
    while pos + 4 <= ext_end:
        ext_type, ext_len = struct.unpack_from("!HH", body, pos)
        if ext_type == _EXT_PRE_SHARED_KEY:
            return True
        pos += 4 + ext_len
    return False


def parse_server_hello(data: bytes) -> tuple[Hello | None, int]:
    """Decode the first ServerHello in ``data`` (server-to-client bytes from the start).

    Returns (hello, bytes needed): ``hello`` is None while the record is incomplete or when the
    stream does not start with a ServerHello.
    """
    hello = Hello()
    offset = 0
    while True:
        if len(data) < offset + 5:
            return None, offset + 5
        content_type, _legacy, length = struct.unpack_from("!BHH", data, offset)
        end = offset + 5 + length
        if content_type != 22:
            return None, 0
        if len(data) < end:
            return None, end
        body = data[offset + 5:end]
        if len(body) < 4 + 2 + 32 + 1 or body[0] != 2:
            return None, 0
        random = body[6:38]
        pos = 38
        pos += 1 + body[pos]  # legacy_session_id_echo
        (suite,) = struct.unpack_from("!H", body, pos)
        pos += 3  # cipher_suite, legacy_compression_method
        hello.cipher = CIPHERS.get(suite, f"0x{suite:04x}")
        (ext_total,) = struct.unpack_from("!H", body, pos)
        pos += 2
        ext_end = pos + ext_total
        version = 0x0303
        while pos + 4 <= ext_end:
            ext_type, ext_len = struct.unpack_from("!HH", body, pos)
            ext = body[pos + 4:pos + 4 + ext_len]
            if ext_type == _EXT_SUPPORTED_VERSIONS and len(ext) >= 2:
                (version,) = struct.unpack_from("!H", ext)
            elif ext_type == _EXT_KEY_SHARE and len(ext) >= 2:
                (group,) = struct.unpack_from("!H", ext)
                hello.group = GROUPS.get(group, f"0x{group:04x}")
            elif ext_type == _EXT_PRE_SHARED_KEY:
                hello.resumed = True
            pos += 4 + ext_len
        hello.version = VERSIONS.get(version, f"0x{version:04x}")
        if random != HRR_RANDOM:
            return hello, end
        # A HelloRetryRequest: the real ServerHello follows (after an optional CCS record).
        retried = True
        offset = end
        while len(data) >= offset + 5 and data[offset] == 20:
            offset += 5 + struct.unpack_from("!H", data, offset + 3)[0]
        hello = Hello(retried=retried)


@dataclass
class Relay:
    """A TCP relay on 127.0.0.1 that decodes each connection's ServerHello."""

    target_port: int
    hellos: list[Hello] = field(default_factory=list)
    port: int = 0

    def __post_init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.2)
        self.port = self._listener.getsockname()[1]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        workers = []
        while not self._stop.is_set():
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                break
            worker = threading.Thread(target=self._pipe, args=(client,), daemon=True)
            worker.start()
            workers.append(worker)
        for worker in workers:
            worker.join(timeout=2)

    def _pipe(self, client: socket.socket) -> None:
        try:
            upstream = socket.create_connection(("127.0.0.1", self.target_port), timeout=5)
        except OSError:
            client.close()
            return
        from_server = bytearray()
        from_client = bytearray()
        offered: bool | None = None
        parsed = False
        deadline = time.monotonic() + 30
        with client, upstream, selectors.DefaultSelector() as selector:
            for sock in (client, upstream):
                sock.setblocking(False)
                selector.register(sock, selectors.EVENT_READ)
            while time.monotonic() < deadline and not self._stop.is_set():
                for key, _ in selector.select(0.2):
                    source = key.fileobj
                    assert isinstance(source, socket.socket)
                    other = upstream if source is client else client
                    try:
                        data = source.recv(65536)
                    except (BlockingIOError, InterruptedError):
                        continue
                    except OSError:
                        data = b""
                    if not data:
                        with contextlib.suppress(OSError):
                            other.shutdown(socket.SHUT_WR)
                        selector.unregister(source)
                        if not selector.get_map():
                            return
                        continue
                    if source is client and offered is None:
                        from_client += data
                        offered = client_offers_psk(bytes(from_client))
                    if source is upstream and not parsed:
                        from_server += data
                        hello, _ = parse_server_hello(bytes(from_server))
                        if hello is not None:
                            parsed = True
                            hello.offered = bool(offered)
                            self.hellos.append(hello)
                    other.setblocking(True)
                    try:
                        other.sendall(data)
                    except OSError:
                        return
                    finally:
                        other.setblocking(False)

    def close(self) -> None:
        self._stop.set()
        self._listener.close()
        self._thread.join(timeout=5)


def summarize(hellos: list[Hello]) -> dict[str, str]:
    """The negotiated parameters of a probe run, with how many connections were resumed."""
    if not hellos:
        return {"protocol": "?", "cipher": "?", "group": "?", "resumed": "no ServerHello seen"}
    first = hellos[0]
    resumed = sum(1 for hello in hellos[1:] if hello.resumed)
    offered = sum(1 for hello in hellos[1:] if hello.offered)
    groups = sorted({hello.group for hello in hellos})
    return {
        "protocol": first.version,
        "cipher": first.cipher,
        "group": "/".join(groups) + (" (after HelloRetryRequest)" if first.retried else ""),
        "resumed": f"{resumed}/{len(hellos) - 1}"
        + (f" ({offered} offered)" if offered != resumed else ""),
    }
