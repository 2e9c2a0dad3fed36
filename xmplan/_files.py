"""Writing results so that a failure never leaves anything half-written."""

from __future__ import annotations

import functools
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

from ._errors import WriteError


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
    """Write a whole tree of files under `root`, all of it or (on any error) nothing.

    A new (or empty) `root` is filled in a temp folder whose contents are then renamed into place.
    With `force`, an existing folder is updated: the new files are staged in a temp folder inside
    it, then swapped in one by one, with the files they replace (and the files already there that
    `files` lacks and `stale` accepts, by relative path) moved aside; a failure moves everything
    back. Nothing is written through a symlink: one on the way to a file is an error naming it.
    """
    if root.exists() and any(root.iterdir()):
        if not force:
            raise WriteError.at(str(root), "directory is not empty (use --force to write into it)")
        _update(root, files, stale or (lambda path: False))
        return
    root = root.resolve()  # `.` too: its parent is where the temp folder goes
    # An empty `root` may be someone's working directory or a mount point: it is filled, not
    # replaced, from a temp folder inside it (a rename cannot cross file systems).
    filling = root.exists()
    if not filling:
        root.parent.mkdir(parents=True, exist_ok=True)
    temp = Path(tempfile.mkdtemp(dir=root if filling else root.parent, prefix=f".{root.name}.", suffix=".tmp"))
    try:
        os.chmod(temp, 0o777 & ~_umask())  # mkdtemp makes 0700; `root` gets what mkdir would give
        _write_files(temp, files)
        if filling:
            for child in sorted(os.listdir(temp)):
                os.replace(os.path.join(temp, child), root / child)
            temp.rmdir()
        else:
            os.replace(temp, root)
    except OSError as exc:
        shutil.rmtree(temp, ignore_errors=True)
        raise _error(exc, temp, root) from None
    except BaseException:
        shutil.rmtree(temp, ignore_errors=True)
        raise


def _write_files(temp: Path, files: Mapping[str, bytes]) -> None:
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


def _error(exc: OSError, temp: Path, root: Path) -> WriteError:
    """An OSError met in a temp folder, told about the place it stands for (the temp folder is gone)."""
    name = str(exc.filename or root)
    if name.startswith(str(temp)):
        name = str(root) + name[len(str(temp)):]
    return WriteError.at(name, exc.strerror or str(exc))


def _update(root: Path, files: Mapping[str, bytes], stale: Callable[[str], bool]) -> None:
    """`write_tree` with `force` on a non-empty `root`: check, stage, swap (undone on failure)."""
    tops = {relative.split("/")[0] for relative in files}
    removals = [path for path in _existing_files(root, tops) if path not in files and stale(path)]
    checked: set[Path] = set()
    for relative in [*files, *removals]:
        _refuse_links(root, relative, checked)
    temp = Path(tempfile.mkdtemp(dir=root, prefix=".xmplan-unpack.", suffix=".tmp"))
    undo: list[Callable[[], None]] = []
    try:
        os.mkdir(temp / "new")
        _write_files(temp / "new", files)
        for relative in sorted(files):
            _make_folders(root, relative, undo)
            _move_aside(root, temp / "old", relative, undo)
            _move(temp / "new" / relative, root / relative, undo)
        emptied = set()
        for relative in removals:
            _move_aside(root, temp / "old", relative, undo)
            emptied.add(os.path.dirname(relative))
        for folder in sorted(emptied, key=len, reverse=True):
            _remove_empty(root, folder, tops, undo)
    except BaseException as exc:
        for step in reversed(undo):
            try:
                step()
            except OSError:  # pragma: no cover - nothing better to do than go on putting back
                pass
        shutil.rmtree(temp, ignore_errors=True)
        if isinstance(exc, OSError):
            raise _error(exc, temp, root) from None
        raise
    shutil.rmtree(temp, ignore_errors=True)


def _refuse_links(root: Path, relative: str, checked: set[Path]) -> None:
    """Refuse a path whose folders or file, under `root`, are symlinks or of the other kind."""
    path = root
    parts = relative.split("/")
    for index, part in enumerate(parts):
        path = path / part
        last = index == len(parts) - 1
        if not last and path in checked:
            continue
        checked.add(path)
        if path.is_symlink():
            raise WriteError.at(str(path), "is a symlink: unpack --force never writes through one "
                                "(replace it with a folder or file, or unpack elsewhere)")
        if not last and path.exists() and not path.is_dir():
            raise WriteError.at(str(path), f"is a file, but the export puts {relative} inside it")
        if last and path.is_dir():
            raise WriteError.at(str(path), "is a folder, but the export has a file of that name")


def _make_folders(root: Path, relative: str, undo: list[Callable[[], None]]) -> None:
    path = root
    for part in relative.split("/")[:-1]:
        path = path / part
        if not path.is_dir():
            os.mkdir(path)
            undo.append(functools.partial(os.rmdir, path))


def _move(source: Path, target: Path, undo: list[Callable[[], None]]) -> None:
    os.replace(source, target)
    undo.append(functools.partial(os.replace, target, source))


def _move_aside(root: Path, old: Path, relative: str, undo: list[Callable[[], None]]) -> None:
    """Move an existing file (or symlink, not followed) into `old`, where a failure takes it back from."""
    target = root / relative
    if not os.path.lexists(target):
        return
    kept = old / relative
    if not kept.parent.is_dir():
        kept.parent.mkdir(parents=True)
    _move(target, kept, undo)


def _remove_empty(root: Path, folder: str, tops: set[str], undo: list[Callable[[], None]]) -> None:
    """Remove `folder` and then its parents while they are empty (never `root` or a top folder)."""
    while folder and folder not in tops:
        path = root / folder
        if not path.is_dir() or os.listdir(path):
            return
        os.rmdir(path)
        undo.append(functools.partial(os.mkdir, path))
        folder = os.path.dirname(folder)


def _existing_files(root: Path, tops: Iterable[str]) -> list[str]:
    """The files (and symlinks) under `root`'s `tops` folders, as relative paths; symlinked
    folders are not entered: their files live elsewhere."""
    found = []
    for top in sorted(tops):
        if not (root / top).is_dir() or (root / top).is_symlink():
            continue
        for folder, _dirs, names in os.walk(root / top):
            relative = Path(folder).relative_to(root).as_posix()
            found += [f"{relative}/{name}" for name in names]
    return found


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
