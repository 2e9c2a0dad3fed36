"""Plan zips: read any export safely (`_zipwrite` writes the exact bytes xMatters' exporter writes)."""

from __future__ import annotations

import json
import lzma
import struct
import unicodedata
import zipfile
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ._errors import ArchiveError, Location
from ._jsontext import TooDeep, depth_error, dumps_entry, loads_strict
from ._model import ENGINE, DateTime, Entry, Plan

MAX_TOTAL_SIZE = 256 * 1024 * 1024  # uncompressed bytes; the largest real export is a few MiB
MAX_ENTRIES = 10_000
_CHUNK = 1 << 20  # inflated bytes per read: the most an entry can overshoot the cap by
# What zipfile raises on damaged archives (bad headers, names that are not UTF-8, unknown versions).
_UNREADABLE = (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, UnicodeDecodeError, ValueError,
               struct.error)
# ... and on damaged entry data: bz2 says OSError("Invalid data stream"), lzma its own error.
_BAD_DATA = (*_UNREADABLE, OSError, lzma.LZMAError)


@dataclass(frozen=True)
class RawEntry:
    name: str
    data: bytes
    date_time: DateTime


def read_plan(path: Path, check_depth: bool = True) -> Plan:
    """Read a plan export zip into the model; every problem is an ArchiveError naming the entry.

    `check_depth=False` is for unpack, which writes every document before it walks one (see
    `loads_strict`): documents may then be nested up to 1024 deep.
    """
    raw = read_entries(path)
    entries = []
    texts = {}
    for item in raw:
        where = f"{path}/{item.name}"
        try:
            text = item.data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ArchiveError.at(where, f"entry is not UTF-8 text ({exc.reason} at byte {exc.start})") from None
        try:
            data = loads_strict(text, check_depth)
            compact = "\n" not in text and text != dumps_entry(data)
        except TooDeep:
            deep = depth_error(text)
            raise ArchiveError.at(Location(where, deep.lineno, deep.colno), f"entry is not JSON: {deep.msg}") from None
        except json.JSONDecodeError as exc:
            raise ArchiveError.at(Location(where, exc.lineno, exc.colno), f"entry is not JSON: {exc.msg}") from None
        if item.name == ENGINE and not isinstance(data, dict):
            raise ArchiveError.at(Location(where, 1, 1), "engine.json must hold a JSON object")
        texts[where] = text
        entries.append(Entry(item.name, data, item.date_time, compact))
    return Plan(tuple(entries), origin=str(path), texts=texts)


def read_entries(path: Path) -> list[RawEntry]:
    """The plan's entries, names relative to the folder holding engine.json, in zip order.

    Refuses unsafe names, duplicates (also by case or Unicode normalization), templates,
    encrypted entries and oversized content; skips what macOS re-zips add (directory entries,
    `__MACOSX/`, `.DS_Store`).
    """
    where = str(path)
    try:
        archive = zipfile.ZipFile(path)
    except _UNREADABLE as exc:
        raise ArchiveError.at(where, f"not a zip file ({exc})") from None
    with archive:
        infos = archive.infolist()
        if len(infos) > MAX_ENTRIES:
            raise ArchiveError.at(where, f"too many entries ({len(infos)} > {MAX_ENTRIES})")
        _check_names(where, [info.filename for info in infos])
        wanted = [info for info in infos if not _is_ignored(info.filename)]
        _check_collisions(where, [info.filename for info in wanted])
        root = _plan_root(where, [info.filename for info in wanted])
        total = 0
        entries = []
        for info in wanted:
            if not info.filename.startswith(root):
                continue
            data = _read_capped(archive, info, where, MAX_TOTAL_SIZE - total)
            total += len(data)
            entries.append(RawEntry(info.filename[len(root):], data, info.date_time))
    return entries


def _is_ignored(name: str) -> bool:
    parts = name.split("/")
    return name.endswith("/") or "__MACOSX" in parts or parts[-1] == ".DS_Store"


def _check_names(where: str, names: Sequence[str]) -> None:
    seen: set[str] = set()
    for name in names:
        place = f"{where}/{name}"
        if "\\" in name:
            raise ArchiveError.at(place, "entry name contains a backslash")
        if name.startswith("/") or (len(name) > 1 and name[1] == ":"):
            raise ArchiveError.at(place, "entry name is an absolute path")
        if ".." in name.split("/"):
            raise ArchiveError.at(place, "entry name contains '..'")
        if "\0" in name:
            raise ArchiveError.at(place, "entry name contains a NUL character")
        if name in seen:
            raise ArchiveError.at(place, "duplicate entry name")
        if name.endswith(".j2"):  # exports never hold templates; one would run when the tree is built
            raise ArchiveError.at(place, "entry name ends in .j2: xmplan would read it as a template")
        seen.add(name)


def _check_collisions(where: str, names: Sequence[str]) -> None:
    """Refuse names that one file system would give a single file or folder: a name that is also
    another's folder, or two spellings that differ only in case or Unicode normalization
    (macOS and Windows keep one of them)."""
    files = set(names)
    spellings: dict[str, str] = {}
    for name in names:
        parts = name.split("/")
        for end in range(1, len(parts) + 1):
            path = "/".join(parts[:end])
            if end < len(parts) and path in files:
                raise ArchiveError.at(f"{where}/{name}", f"entry is inside {path!r}, which is an entry too")
            key = unicodedata.normalize("NFC", path).casefold()
            other = spellings.setdefault(key, path)
            if other != path:
                raise ArchiveError.at(f"{where}/{name}", f"{path!r} and {other!r} differ only in case or "
                                      "Unicode normalization: one file system folder would hold both")


def _plan_root(where: str, names: Sequence[str]) -> str:
    """The folder prefix holding engine.json: '' for real exports, a root folder for re-zips."""
    candidates = sorted((n for n in names if n == ENGINE or n.endswith(f"/{ENGINE}")), key=lambda n: n.count("/"))
    if not candidates:
        raise ArchiveError.at(where, "no engine.json: this is not an xMatters plan export")
    return candidates[0][: -len(ENGINE)]


def _read_capped(archive: zipfile.ZipFile, info: zipfile.ZipInfo, where: str, budget: int) -> bytes:
    """The entry's content, inflated a chunk at a time and stopped at `budget` bytes.

    The declared size is checked first, but not trusted: `ZipFile.read` inflates everything a
    lying entry holds in one call before it cuts to the declared size (2 GB in memory for an
    entry that says 100 bytes).
    """
    place = f"{where}/{info.filename}"
    too_large = f"entry too large: uncompressed content exceeds {MAX_TOTAL_SIZE} bytes in all"
    if info.file_size > budget:
        raise ArchiveError.at(place, too_large)
    if info.flag_bits & 0x1:
        raise ArchiveError.at(place, "entry is encrypted: exports never are")
    chunks = []
    size = 0
    try:
        with archive.open(info) as stream:
            while chunk := stream.read(_CHUNK):
                size += len(chunk)
                if size > budget:
                    raise ArchiveError.at(place, too_large)
                chunks.append(chunk)
                if len(chunk) < _CHUNK:  # a short read is the end (and the CRC was checked)
                    break
    except _BAD_DATA as exc:
        raise ArchiveError.at(place, f"cannot read entry ({exc})") from None
    return b"".join(chunks)
