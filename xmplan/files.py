"""Writing results so that a failure never leaves anything half-written."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Callable, Iterable, Mapping

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


def write_tree(root: Path, files: Mapping[str, bytes], force: bool = False,
               stale: Callable[[str], bool] | None = None) -> None:
    """Write a whole tree of files under `root`.

    A new (or empty) `root` is filled in a temp folder whose contents are then renamed into place;
    with `force`, files go into an existing folder one atomic write at a time, and the files
    already there that `files` lacks and `stale` accepts (by relative path) are removed.
    """
    if root.exists() and any(root.iterdir()):
        if not force:
            raise XmplanError.at(str(root), "directory is not empty (use --force to write into it)")
        for relative, data in sorted(files.items()):
            atomic_write(root / relative, data)
        if stale is not None:
            _prune(root, {relative.split("/")[0] for relative in files}, lambda path: path not in files and stale(path))
        return
    root = root.resolve()  # `.` too: its parent is where the temp folder goes
    # An empty `root` may be someone's working directory or a mount point: it is filled, not
    # replaced, from a temp folder inside it (a rename cannot cross file systems).
    filling = root.exists()
    if not filling:
        root.parent.mkdir(parents=True, exist_ok=True)
    temp = Path(tempfile.mkdtemp(dir=root if filling else root.parent, prefix=f".{root.name}.", suffix=".tmp"))
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
        if filling:
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


def _prune(root: Path, tops: set[str], stale: Callable[[str], bool]) -> None:
    """Remove the stale files under `root`'s `tops` folders, then the folders that leaves empty.

    Symlinked folders are not entered: their files live elsewhere.
    """
    for top in sorted(tops):
        if not (root / top).is_dir() or (root / top).is_symlink():
            continue
        emptied: set[str] = set()  # folders that lost a file or a folder
        for folder, _dirs, names in os.walk(root / top, topdown=False):
            relative = Path(folder).relative_to(root).as_posix()
            for name in names:
                if stale(f"{relative}/{name}"):
                    os.unlink(os.path.join(folder, name))
                    emptied.add(folder)
            if folder in emptied and not os.listdir(folder):
                os.rmdir(folder)
                emptied.add(os.path.dirname(folder))
