"""What `http.request` does to a path with `autoEncodeURI` on (its default): docs/runtime.md."""

from __future__ import annotations

import re

from .._model import Json

# What a path and query may hold as they are (RFC 3986 `pchar`, `/` and `?`): reserved
# characters keep their meaning, so `?`, `&` and `=` still split the query. `#` is not here:
# a fragment never reaches a server, so a `#` in a path can only be data.
_KEPT = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$&'()*+,;=:@/?")
_ESCAPE = re.compile(r"%[0-9A-Fa-f]{2}")


def auto_encoded(path: str) -> str:
    """The path as xMatters sends it with autoEncodeURI on.

    Characters a URI cannot hold (space, `|`, `"`, `#`, `{`, non-ASCII, a `%` that starts no
    escape) are percent-encoded as UTF-8, and an escape already there (`%20`, `%23`) is kept:
    xMatters' own published scripts pass `encodeURIComponent(...)` parts and literal `%23en`
    with the default and rely on them arriving once-encoded (evidence in docs/runtime.md).
    """
    out: list[str] = []
    i = 0
    while i < len(path):
        char = path[i]
        if char == "%" and _ESCAPE.match(path, i):
            out.append(path[i:i + 3])
            i += 3
            continue
        out.append(char if char in _KEPT else "".join(f"%{byte:02X}" for byte in char.encode("utf-8", "surrogatepass")))
        i += 1
    return "".join(out)


def auto_encode_on(value: Json) -> bool:
    """The `autoEncodeURI` option: off only for `false` or the string "false" (Shift Gaps writes it so)."""
    return value is not False and value != "false"
