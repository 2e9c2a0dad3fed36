"""Writing results so that a failure never leaves anything half-written."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Iterable, Mapping

from .errors import XmplanError


def atomic_write(path: Path, data: bytes) -> None:
    """Write `data` to a temp file beside `path`, then rename it into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as stream:
            stream.write(data)
        os.chmod(temp, 0o666 & ~_umask())  # mkstemp makes 0600; give what open() would
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_tree(root: Path, files: Mapping[str, bytes], force: bool = False, owned: tuple[str, ...] = ()) -> None:
    """Write a whole tree of files under `root`.

    A new (or empty) `root` is filled in a temp folder whose contents are then renamed into place;
    with `force`, files go into an existing folder one atomic write at a time, and the files under
    its `owned` folders that are not in `files` are removed (they belong to what is replaced).
    """
    if root.exists() and any(root.iterdir()):
        if not force:
            raise XmplanError.at(str(root), "directory is not empty (use --force to write into it)")
        for relative, data in sorted(files.items()):
            atomic_write(root / relative, data)
        _prune(root, owned, set(files))
        return
    root = root.resolve()  # `.` too: its parent is where the temp folder goes
    root.parent.mkdir(parents=True, exist_ok=True)
    temp = Path(tempfile.mkdtemp(dir=root.parent, prefix=f".{root.name}.", suffix=".tmp"))
    try:
        for folder in _folders(files):
            os.mkdir(os.path.join(temp, folder))
        for relative, data in sorted(files.items()):
            target = os.path.join(temp, relative)
            # os-level calls: half the cost of open() for the thousands of small files of a corpus
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
            try:
                rest = memoryview(data)
                while rest:
                    rest = rest[os.write(fd, rest):]
            finally:
                os.close(fd)
        if root.exists():  # empty, and maybe someone's working directory: fill it, keep it
            for child in sorted(os.listdir(temp)):
                os.replace(os.path.join(temp, child), root / child)
            temp.rmdir()
        else:
            os.replace(temp, root)
    except BaseException:
        shutil.rmtree(temp, ignore_errors=True)
        raise


def _folders(paths: Iterable[str]) -> list[str]:
    """The folders that `/`-separated relative paths need, parents first.

    One mkdir each: os.makedirs also checks every parent exists, a syscall per folder more.
    """
    folders: set[str] = set()
    for path in paths:
        folder = path.rpartition("/")[0]
        while folder and folder not in folders:
            folders.add(folder)
            folder = folder.rpartition("/")[0]
    return sorted(folders)  # a parent is a prefix of its children's paths: it sorts first


def _prune(root: Path, owned: tuple[str, ...], keep: set[str]) -> None:
    """Remove the files under `root`'s `owned` folders that are not in `keep`, then empty folders."""
    for top in owned:
        if (root / top).is_symlink():
            continue  # its files live elsewhere: not ours to remove
        for folder, dirs, names in os.walk(root / top, topdown=False):
            relative = Path(folder).relative_to(root).as_posix()
            for name in names:
                if f"{relative}/{name}" not in keep:
                    os.unlink(os.path.join(folder, name))
            if not os.listdir(folder):
                os.rmdir(folder)
