"""Compiled code kept on disk between processes, for this user alone: signed entries in a private folder.

What is cached here is executable (js2py's translations, jinja2's compiled templates), so nothing is
loaded that this user's xmplan did not write: each entry carries an HMAC-SHA256 of its name and
contents under a per-user key kept apart from the cache (`key_file()`, 0600), and the folders must be
the user's own and closed to others (0700). An entry copied from elsewhere (a shared CI cache) fails
the check and is made again. A cache that cannot be trusted or written only costs speed.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import stat
import tempfile
from pathlib import Path

KEY_BYTES = 32
MAC_BYTES = 32  # HMAC-SHA256


def cache_dir() -> Path:
    """`$XMPLAN_CACHE_DIR`, else `$XDG_CACHE_HOME/xmplan`, else `~/.cache/xmplan`."""
    configured = os.environ.get("XMPLAN_CACHE_DIR")
    if configured:
        return Path(configured)
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "xmplan"


def key_file() -> Path:
    """`$XMPLAN_CACHE_KEY`, else `$XDG_CONFIG_HOME/xmplan/cache.key`, else `~/.config/xmplan/cache.key`."""
    configured = os.environ.get("XMPLAN_CACHE_KEY")
    if configured:
        return Path(configured)
    return Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config") / "xmplan" / "cache.key"


class SignedCache:
    """The entries of one kind of code (`tag`: what made them, with its version), by name (a hex digest)."""

    def __init__(self, tag: str) -> None:
        self.tag = tag

    def open(self) -> SignedFolder | None:
        """The folder for this tag with this user's key, or None when either cannot be trusted (checked
        anew at each call: a caller opens once for a load and the store that may follow it)."""
        folder = cache_dir() / self.tag
        if not _private_dir(cache_dir()) or not _private_dir(folder):
            return None
        key = _key()
        return SignedFolder(folder, key) if key else None


class SignedFolder:
    """A trusted cache folder and the key its entries are signed with."""

    __slots__ = ("path", "key")

    def __init__(self, path: Path, key: bytes) -> None:
        self.path = path
        self.key = key

    def load(self, name: str) -> bytes | None:
        """The entry's contents, or None when it is absent, unreadable or not signed by this user."""
        path = self.path / f"{name}.code"
        try:
            if not _private(path):
                return None
            data = path.read_bytes()
        except OSError:
            return None
        mac, payload = data[:MAC_BYTES], data[MAC_BYTES:]
        return payload if hmac.compare_digest(mac, _mac(self.key, name, payload)) else None

    def store(self, name: str, payload: bytes) -> None:
        try:
            with tempfile.NamedTemporaryFile(dir=self.path, delete=False, suffix=".tmp") as tmp:
                tmp.write(_mac(self.key, name, payload) + payload)
            os.replace(tmp.name, self.path / f"{name}.code")
        except OSError:
            pass  # a read-only cache directory only costs speed


def _mac(key: bytes, name: str, payload: bytes) -> bytes:
    # The entry's name is signed too: a valid entry copied under another name is refused.
    return hmac.new(key, name.encode("ascii") + b"\0" + payload, hashlib.sha256).digest()


def _private(path: Path) -> bool:
    """Owned by this user and closed to everyone else (no group or other permission bits)."""
    try:
        info = path.lstat()
    except OSError:
        return False
    owner = os.getuid() if hasattr(os, "getuid") else info.st_uid
    return info.st_uid == owner and not info.st_mode & 0o077 and not stat.S_ISLNK(info.st_mode)


def _private_dir(path: Path) -> bool:
    """`path` as a folder of this user's alone, made if absent (0700)."""
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError:
        return False
    return path.is_dir() and _private(path)


def _key() -> bytes | None:
    """The per-user key (made on first use), or None when it cannot be trusted or made."""
    path = key_file()
    if not _private_dir(path.parent):
        return None
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    except OSError:
        return None
    else:
        with os.fdopen(descriptor, "wb") as stream:
            stream.write(secrets.token_bytes(KEY_BYTES))
    if not _private(path):
        return None
    try:
        key = path.read_bytes()
    except OSError:
        return None
    return key if len(key) == KEY_BYTES else None
