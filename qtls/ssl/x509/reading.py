"""Finding certificates in PEM and DER bytes and in files (QSslCertificate::fromData/fromPath).

Qt's rules, reproduced here:

* PEM: each ``-----BEGIN CERTIFICATE-----`` must be followed by a line feed (``\\n`` or
  ``\\r\\n``, spaces before it allowed); the matching ``-----END CERTIFICATE-----`` must be
  followed by a line feed unless it ends the data, or the scan stops there. Text between blocks
  is ignored; the body is decoded leniently (characters outside base64 are skipped), and a block
  that does not decode to a certificate is skipped.
* DER: certificates are read one after the other until one fails to parse.
* fromPath: a plain path names one file (a directory gives nothing). With Wildcard or
  RegularExpression syntax, the directory part before the first special character is walked
  recursively (following symlinks) and every file whose whole path matches is read.

Where qtls differs: fromPath visits files in sorted order, where Qt follows the directory's
order on disk.
"""

from __future__ import annotations

import base64
import os
import re
import warnings
from collections.abc import Iterator

from cryptography import x509
from cryptography.utils import CryptographyDeprecationWarning

__all__: list[str] = []

_BEGIN = b"-----BEGIN CERTIFICATE-----"
_END = b"-----END CERTIFICATE-----"
_NOT_BASE64 = re.compile(rb"[^A-Za-z0-9+/]")


def _match_line_feed(data: bytes, offset: int) -> int:
    """Offset after the line feed at *offset* (spaces before it skipped), or -1 if none."""
    while offset < len(data) and data[offset] == 0x20:
        offset += 1
    if data[offset : offset + 1] == b"\n":
        return offset + 1
    if data[offset : offset + 2] == b"\r\n":
        return offset + 2
    return -1


def _lenient_base64(body: bytes) -> bytes:
    # QByteArray::fromBase64 in its default (non-strict) mode skips anything outside the
    # alphabet; padding is implied by the length.
    clean = _NOT_BASE64.sub(b"", body)
    clean = clean[: len(clean) - (len(clean) % 4 == 1)]
    try:
        return base64.b64decode(clean + b"=" * (-len(clean) % 4))
    except ValueError:
        return b""


def pem_blocks(data: bytes) -> Iterator[bytes]:
    """The DER contents of each CERTIFICATE block, by Qt's scanning rules."""
    offset = 0
    while True:
        start = data.find(_BEGIN, offset)
        if start == -1:
            return
        start = _match_line_feed(data, start + len(_BEGIN))
        if start == -1:
            return
        end = data.find(_END, start)
        if end == -1:
            return
        offset = end + len(_END)
        if offset < len(data):
            offset = _match_line_feed(data, offset)
            if offset == -1:
                return
        yield _lenient_base64(data[start:end])


def load_der(der: bytes) -> x509.Certificate | None:
    """One certificate from exactly *der*, or None if cryptography cannot parse it."""
    try:
        with warnings.catch_warnings():
            # Qt reads certificates with non-positive serial numbers (some system roots have
            # them) without complaint; so do we.
            warnings.simplefilter("ignore", CryptographyDeprecationWarning)
            return x509.load_der_x509_certificate(der)
    except (ValueError, TypeError, x509.InvalidVersion):
        return None  # (InvalidVersion: a version field other than v1-v3; not a ValueError)


def _der_element_length(data: bytes) -> int:
    """Length of the DER element that starts *data* (tag + length + contents), or -1.

    Only the outer header of a SEQUENCE is read, to split concatenated DER certificates the way
    d2i_X509 consumes them; the certificate itself is parsed by cryptography.
    """
    if len(data) < 2 or data[0] != 0x30:
        return -1
    first = data[1]
    if first < 0x80:
        return 2 + first
    count = first & 0x7F
    if count == 0 or count > 4 or len(data) < 2 + count:
        return -1
    return 2 + count + int.from_bytes(data[2 : 2 + count], "big")


def certificates_from_pem(data: bytes) -> list[x509.Certificate]:
    """Every certificate of a PEM bundle, skipping blocks that do not parse."""
    return [cert for der in pem_blocks(data) if (cert := load_der(der)) is not None]


def certificates_from_der(data: bytes) -> list[x509.Certificate]:
    """Consecutive DER certificates, up to the first one that does not parse."""
    result: list[x509.Certificate] = []
    while data:
        length = _der_element_length(data)
        if length <= 0 or length > len(data):
            break
        cert = load_der(data[:length])
        if cert is None:
            break
        result.append(cert)
        data = data[length:]
    return result


# -- fromPath -------------------------------------------------------------------------------------

_WILDCARD_SPECIAL = re.compile(r"[*?\[]")
_REGEX_SPECIAL = re.compile(r"[$()*+.?\[\]^{}|]")


def wildcard_to_regex(pattern: str) -> str:
    """QRegularExpression::wildcardToRegularExpression(UnanchoredWildcardConversion), unanchored:
    ``*`` and ``?`` do not cross ``/``; ``[...]`` is a class, ``[!...]`` a negated one."""
    out: list[str] = []
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "*":
            out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
        elif char == "[":
            close = pattern.find("]", i + 2 if pattern[i + 1 : i + 2] in ("!", "]") else i + 1)
            if close == -1:
                out.append(re.escape(char))
            else:
                body = pattern[i + 1 : close]
                if body.startswith("!"):
                    body = "^" + body[1:]
                out.append("[" + body.replace("\\", "\\\\") + "]")
                i = close
        else:
            out.append(re.escape(char))
        i += 1
    return "".join(out)


def _read_file(path: str) -> bytes | None:
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError:
        return None


def paths_matching(path: str, syntax: str) -> list[str]:
    """The files fromPath reads for *path*.

    *syntax* is the PatternSyntax member name: ``FixedString``, ``Wildcard`` or
    ``RegularExpression``.
    """
    source = path.replace(os.sep, "/") if os.sep != "/" else path
    prefix = source[: source.rfind("/")] if "/" in source else ""
    match = None
    if syntax == "Wildcard":
        match = _WILDCARD_SPECIAL.search(prefix)
    elif syntax == "RegularExpression":
        match = _REGEX_SPECIAL.search(source)
    if match is not None:
        prefix = prefix[: match.start()]
        prefix = prefix[: prefix.rfind("/")] if "/" in prefix else ""
    elif os.path.isfile(source):
        return [source]
    elif syntax == "FixedString":
        # Qt escapes a fixed string, so only the exact path could match, and it is no file.
        return []

    strip = 0
    if not prefix:
        prefix, strip = ".", 2
    regex = wildcard_to_regex(source) if syntax == "Wildcard" else source
    try:
        pattern = re.compile(regex)
    except re.error:
        return []

    found: list[str] = []
    for root, dirs, files in os.walk(prefix, followlinks=True):
        dirs.sort()
        for name in sorted(files):
            full = os.path.join(root, name)
            candidate = full[strip:] if strip else full
            if os.path.isfile(full) and pattern.fullmatch(candidate):
                found.append(candidate if strip else full)
    return found


def read_paths(paths: list[str]) -> Iterator[bytes]:
    """The contents of each readable file of *paths*."""
    for path in paths:
        data = _read_file(path)
        if data is not None:
            yield data
