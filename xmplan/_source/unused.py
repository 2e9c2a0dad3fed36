"""Files of a source tree that nothing refers to, which the build leaves out (rule `unreferenced-file`)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING

from .._documents import is_form
from .._errors import Location, Problem
from .._layout import (
    FILE_KEY,
    INTEGRATION_SCRIPTS,
    LIBRARY_SCRIPTS,
    SCRIPTS_FOLDER,
    SETTINGS,
    STEP_LIBRARY_SCRIPTS,
    STEP_SCRIPTS,
    TEMPLATE_SUFFIX,
    VALUES,
    VOICE_KEY,
)
from .._lazy_re import lazy
from .._model import Json, objects

if TYPE_CHECKING:  # the reader calls this module; it never needs the reader's class at run time
    from .reader import TreeReader

# A message text as unpack names it: plan/forms/<Folder>/email.<lang>.html, sms.<lang>.txt, voice.<lang>.txt
# (language codes as exports have them: en, fr, zh_CN).
_MESSAGE = lazy(r"plan/forms/(?P<folder>[^/]+)/(?P<kind>email|sms|voice)\."
                      r"(?P<lang>[A-Za-z]{2,3}(?:[_-][A-Za-z0-9]{2,4})?)\.(?:html|txt)")
# Per kind of message: the form's list, the key holding the text, the reference, what else a template has.
_MESSAGES = {"email": ("emailTemplates", "email", FILE_KEY, ', "emailSubject": "..."'),
             "sms": ("smsTemplates", "sms", FILE_KEY, ""),
             "voice": ("internationalVoiceScriptSteps", "voiceScriptSteps", VOICE_KEY, "")}
# Where a script of each folder is named (the places unpack writes, docs/source-format.md).
_SCRIPT_PLACES = {INTEGRATION_SCRIPTS: "an integration's script in plan/integrations/integrations.json",
                  LIBRARY_SCRIPTS: "a shared library's script in plan/integrations/sharedfunctions.json",
                  STEP_SCRIPTS: "a step's script in plan/integrations/scriptSteps.json",
                  STEP_LIBRARY_SCRIPTS: "a step library's script in plan/integrations/scriptSteps.json"}
_LEFT_OUT = "nothing refers to this file, so the build leaves it out of the zip"


def unreferenced_files(reader: TreeReader, documents: Mapping[str, Json]) -> Iterator[Problem]:
    """A warning for each file under plan/ or scripts/ that no document, reference or template reads.

    Files with a problem of their own (a JSON file that is no document, a template that fails)
    are left to that problem.
    """
    used = set(reader.sources.values()) | {reader.display(relative) for relative in reader.included}
    reported = {problem.location.file for problem in reader.problems}
    for relative in reader.all_files:
        shown = reader.display(relative)
        if shown in used or shown in reported or relative.removesuffix(TEMPLATE_SUFFIX) in (SETTINGS, VALUES):
            continue
        yield Problem.of(Location(shown), _explain(reader, relative.removesuffix(TEMPLATE_SUFFIX), documents),
                         "unreferenced-file")


def _explain(reader: TreeReader, relative: str, documents: Mapping[str, Json]) -> str:
    message = _MESSAGE.fullmatch(relative)
    if message:
        hint = _message_hint(reader, relative, message, documents)
        if hint:
            return f"{_LEFT_OUT}: {hint}"
    if relative.startswith(f"{SCRIPTS_FOLDER}/"):
        reference = json.dumps({FILE_KEY: relative}, ensure_ascii=False)
        place = _SCRIPT_PLACES.get(relative.rpartition("/")[0], "a script in a document of plan/")
        return f"{_LEFT_OUT}: to use it, make it {place}: {reference}"
    return _LEFT_OUT


def _message_hint(reader: TreeReader, relative: str, match: re.Match[str], documents: Mapping[str, Json]) -> str:
    """How to make the form of that folder use the file: likely a message in a language it lacks."""
    folder, kind, lang = match.group("folder", "kind", "lang")
    forms = [(entry, form) for entry, form in documents.items()
             if is_form(entry) and entry.split("/")[1] == folder and isinstance(form, dict)]
    if len(forms) != 1:
        return ""
    entry, form = forms[0]
    group, key, marker, more = _MESSAGES[kind]
    messages = form.get("messages")
    templates = objects(messages.get(group) if isinstance(messages, dict) else None)
    source = reader.sources.get(entry, f"plan/{entry}").removeprefix(f"{reader.base}/")
    if any(template.get("languageCode", "en") == lang for _, template in templates):  # fill's default
        return (f"form {form.get('name')!r} has its {kind} message in {lang!r} elsewhere "
                f"(messages.{group} in {source})")
    template = f'{{"languageCode": {json.dumps(lang)}{more}, "{key}": {{"{marker}": {json.dumps(relative)}}}}}'
    return f"form {form.get('name')!r} has no {kind} message in {lang!r}; to add one, put {template} in " \
           f"messages.{group} of {source}"
