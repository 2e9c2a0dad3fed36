"""Which names stand for secrets: constants `validate` warns about, and whose values runs mask."""

from __future__ import annotations

import re

SECRET_NAME = re.compile(r"token|password|passwd|secret|api[ _-]?key|credential", re.IGNORECASE)


def is_secret_name(name: object) -> bool:
    """A constant's name that says it holds a secret (`HipChat Token`, `API key`, `db password`)."""
    return isinstance(name, str) and SECRET_NAME.search(name) is not None
