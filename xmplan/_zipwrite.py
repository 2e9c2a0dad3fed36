"""A plan zip's bytes, exactly as xMatters' exporter writes them (apart from `_archive`: a build reads no zip)."""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterable

from ._model import DateTime

_FLAGS = 0x0808  # sizes in a data descriptor; UTF-8 names
_VERSION = 20
_DEFLATED = 8


def plan_zip_bytes(entries: Iterable[tuple[str, bytes, DateTime]]) -> bytes:
    """The zip container exactly as xMatters' Java exporter lays it out (format reference §1)."""
    body = bytearray()
    directory = bytearray()
    count = 0
    for name, data, date_time in entries:
        encoded = name.encode("utf-8")
        dostime, dosdate = _dos_time(date_time)
        deflater = zlib.compressobj(6, zlib.DEFLATED, -15, 8)
        compressed = deflater.compress(data) + deflater.flush()
        crc = zlib.crc32(data)
        offset = len(body)
        body += struct.pack("<IHHHHHIIIHH", 0x04034B50, _VERSION, _FLAGS, _DEFLATED,
                            dostime, dosdate, 0, 0, 0, len(encoded), 0) + encoded
        body += compressed
        body += struct.pack("<IIII", 0x08074B50, crc, len(compressed), len(data))
        directory += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, _VERSION, _VERSION, _FLAGS, _DEFLATED,
                                 dostime, dosdate, crc, len(compressed), len(data), len(encoded),
                                 0, 0, 0, 0, 0, offset) + encoded
        count += 1
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, count, count, len(directory), len(body), 0)
    return bytes(body + directory + end)


def _dos_time(date_time: DateTime) -> tuple[int, int]:
    year, month, day, hour, minute, second = date_time
    return (hour << 11) | (minute << 5) | (second // 2), ((year - 1980) << 9) | (month << 5) | day
