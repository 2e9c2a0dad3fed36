"""Plain-text views of JavaScript for quick scans: comments blanked out, strings kept."""

from __future__ import annotations

import re

from .._lazy_re import lazy

# Strings and template literals are matched first so that `//` inside a URL is not a comment.
_TOKENS = lazy(r"""("(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*'|`(?:\\.|[^`\\])*`)|(//[^\n]*|/\*[\s\S]*?\*/)""")


def strip_comments(text: str) -> str:
    """`text` with each comment replaced by spaces (newlines kept), so offsets and lines stay the same."""
    def blank(match: re.Match[str]) -> str:
        if match.group(1) is not None:
            return match.group(1)
        return re.sub(r"[^\n]", " ", match.group(2))

    return _TOKENS.sub(blank, text)
