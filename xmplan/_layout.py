"""The source tree's vocabulary, shared by its writer (unpack) and its reader (source).

Data flows one way: zip -> model -> tree (unpack.py), tree -> model -> zip (source.py, export.py);
both sides take the layout from here and neither imports the other.
"""

from __future__ import annotations

import re

from ._documents import INTEGRATIONS, SCRIPT_STEPS, SHARED_FUNCTIONS, SOURCE_FOLDER

PLAN_FOLDER = SOURCE_FOLDER.rstrip("/")  # the documents, entry for entry
SCRIPTS_FOLDER = "scripts"  # script texts pulled out of the documents
TOP_FOLDERS = (PLAN_FOLDER, SCRIPTS_FOLDER)
INTEGRATION_SCRIPTS = "scripts/integrations"
LIBRARY_SCRIPTS = "scripts/libraries"
STEP_SCRIPTS = "scripts/steps"
STEP_LIBRARY_SCRIPTS = "scripts/step-libraries"
TEMPLATE_SUFFIX = ".j2"

FILE_KEY = "$file"  # {"$file": "scripts/x.js"}: the text of that file
VOICE_KEY = "$voice"  # {"$voice": "plan/forms/X/voice.en.txt"}: the voice steps that file lists
SETTINGS = "plan/xmplan.json"  # what unpack records beyond the documents (era, timestamps...)
VALUES = "plan/values.json"  # the templates' values: the author's, never unpack's
# Scripts and texts go into the zip byte for byte: git must not touch their line endings.
GITATTRIBUTES = "plan/** -text\nscripts/** -text\n"

# Where unpack writes file references (`*` is every array item; `forms/*` every form): the
# reader checks these first, as a full walk of every document is the slow part of loading a tree.
FILE_PLACES: dict[str, tuple[tuple[str, ...], ...]] = {
    INTEGRATIONS: (("integrations", "*", "script"),),
    SHARED_FUNCTIONS: (("*", "script"),),
    SCRIPT_STEPS: (("*", "script"), ("*", "libraries", "*", "library", "script")),
    "forms/*": (("messages", "emailTemplates", "*", "email"), ("messages", "smsTemplates", "*", "sms"),
                ("messages", "internationalVoiceScriptSteps", "*", "voiceScriptSteps")),
}

_MARKER_TEXTS = (f'"{FILE_KEY}"', f'"{VOICE_KEY}"')
# Any escape could spell a marker key (`"$fil\u0065"`), so text with escapes gets the full check.
# A regex, not `in`: half the time here (`in` keys on the needle's last character, a common `u`).
_ESCAPE = re.compile(r"\\u")


def is_marker(value: object) -> bool:
    """Whether a JSON value is a file reference object: `{"$file": ...}` or `{"$voice": ...}`."""
    return isinstance(value, dict) and len(value) == 1 and (FILE_KEY in value or VOICE_KEY in value)


def count_marker_keys(text: str) -> int:
    """How many `"$file"` and `"$voice"` strings a JSON text holds (marker keys, written plainly).

    Looks at each `$` rather than search for the two substrings: finding one character is a
    memchr, where a substring search stops at every `"` of the text, and exports hold few `$`.
    (One regex for both, an alternation with no common literal prefix, is slower still.)
    """
    count = 0
    at = text.find("$")
    while at >= 0:
        count += text.startswith(_MARKER_TEXTS, max(at - 1, 0))
        at = text.find("$", at + 1)
    return count


def has_escape(text: str) -> bool:
    """Whether a JSON text holds a `\\u` escape, which could spell a marker key."""
    return _ESCAPE.search(text) is not None
