"""A virus scan of one file by ClamAV's clamd over its INSTREAM protocol (SECURITY.md F8).

``settings.CLAMD_ADDRESS`` says where clamd listens: ``host:port`` (TCP) or the path of its
unix socket. The protocol (clamd(8)): send ``zINSTREAM\\0``, then the file in chunks, each
preceded by its length as a 4-byte big-endian unsigned integer, then a zero-length chunk;
clamd answers one line ending in ``\\0``: ``stream: OK``, ``stream: <signature> FOUND`` or
``... ERROR``. No address configured (a laptop): the file is "not scanned". clamd
unreachable or answering an error: ``ScanUnavailable`` (the caller refuses the upload rather
than store an unscanned file where a scanner is configured).
"""

from __future__ import annotations

import socket
import struct

from django.conf import settings

OK = "clean"
FOUND = "quarantined"
NOT_SCANNED = "not_scanned"
CHUNK = 64 * 1024
TIMEOUT_SECONDS = 30


class ScanUnavailable(Exception):
    """clamd is configured but could not scan the file (unreachable, timed out, or answered an error)."""


def scan_bytes(data: bytes, *, address: str | None = None) -> str:
    """Scan ``data`` with clamd; ``OK``, ``FOUND`` or ``NOT_SCANNED`` (no scanner configured).

    Args:
        data: the whole file.
        address: ``host:port`` or a unix socket path; default ``settings.CLAMD_ADDRESS``.

    Raises:
        ScanUnavailable: configured but no verdict (connection refused, timeout, size limit, error reply).
    """
    address = settings.CLAMD_ADDRESS if address is None else address
    if not address:
        return NOT_SCANNED
    try:
        with _connect(address) as connection:
            connection.sendall(b"zINSTREAM\0")
            for start in range(0, len(data), CHUNK):
                chunk = data[start : start + CHUNK]
                connection.sendall(struct.pack("!L", len(chunk)) + chunk)
            connection.sendall(struct.pack("!L", 0))
            reply = _read_reply(connection)
    except OSError as exc:
        raise ScanUnavailable(f"clamd did not answer: {type(exc).__name__}") from exc
    if reply.endswith("FOUND"):
        return FOUND
    if reply.endswith("OK"):
        return OK
    raise ScanUnavailable(f"clamd answered: {reply[:100]}")


def _connect(address: str) -> socket.socket:
    if address.startswith("/"):
        connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        connection.settimeout(TIMEOUT_SECONDS)
        connection.connect(address)
        return connection
    host, _, port = address.rpartition(":")
    return socket.create_connection((host.strip("[]") or "127.0.0.1", int(port)), timeout=TIMEOUT_SECONDS)


def _read_reply(connection: socket.socket) -> str:
    reply = b""
    while not reply.endswith(b"\0") and len(reply) < 4096:
        part = connection.recv(4096)
        if not part:
            break
        reply += part
    return reply.rstrip(b"\0").decode("utf-8", "replace").strip()
