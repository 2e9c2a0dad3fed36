"""Secrets at rest: one Fernet key, from an environment variable or a 0600 key file the add-on creates."""

from __future__ import annotations

import hashlib
import hmac
import os
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

from ..._errors import InputError

KEY_ENV = "XMPLAN_ADDON_KEY"
KEY_FILE = "addon.key"


class Vault:
    """Encrypts what the add-on must store but never show: installation secrets and xMatters passwords."""

    def __init__(self, key: bytes) -> None:
        self._fernet = Fernet(key)
        # A separate key for signing CSRF tokens, derived so one secret is enough to run the add-on.
        self.signing_key = hashlib.sha256(b"xmplan-addon-csrf:" + key).digest()

    def encrypt(self, text: str) -> str:
        return self._fernet.encrypt(text.encode("utf-8")).decode("ascii")

    def decrypt(self, token: str) -> str:
        try:
            return self._fernet.decrypt(token.encode("ascii")).decode("utf-8")
        except InvalidToken:
            raise ValueError("a stored secret cannot be decrypted: the add-on's key has changed") from None

    def sign(self, text: str) -> str:
        return hmac.new(self.signing_key, text.encode("utf-8"), hashlib.sha256).hexdigest()


def load_key(data_dir: Path, environ: dict[str, str] | None = None) -> bytes:
    """The key from $XMPLAN_ADDON_KEY, else `data_dir/addon.key`, created (mode 0600) on first start."""
    env = os.environ if environ is None else environ
    if env.get(KEY_ENV):
        key = env[KEY_ENV].encode("ascii")
        Fernet(key)  # fail now, not on the first request, if it is not a Fernet key
        return key
    path = data_dir / KEY_FILE
    data_dir.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        if path.stat().st_mode & 0o077:
            raise InputError.at(str(path), "the key file may be read by other users: chmod 600 it") from None
        return path.read_bytes().strip()
    key = Fernet.generate_key()
    with os.fdopen(fd, "wb") as stream:
        stream.write(key + b"\n")
    return key
