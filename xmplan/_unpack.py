"""Plan model -> source tree: long texts into files, references by name, ids kept."""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from . import _texts as texts
from ._archive import read_plan
from ._documents import SOURCE_FOLDER, is_canvas, is_form, kind_of
from ._eras import common_time, form_names, plan_era
from ._errors import ArchiveError, Location, Problem
from ._files import write_tree
from ._jsontext import TooDeep, depth_error, dumps_entry, source_bytes
from ._layout import (
    FILE_KEY,
    GITATTRIBUTES,
    INTEGRATION_SCRIPTS,
    LIBRARY_SCRIPTS,
    SETTINGS,
    STEP_LIBRARY_SCRIPTS,
    STEP_SCRIPTS,
    TEMPLATE_SUFFIX,
    TOP_FOLDERS,
    VALUES,
    VOICE_KEY,
    count_marker_keys,
    has_escape,
)
from ._model import INTEGRATIONS, SCRIPT_STEPS, SHARED_FUNCTIONS, DateTime, Json, Plan, form_id
from ._names import Context, FormNames, name_canvas

HANDLING = re.compile(r"(:system:handling:[A-Za-z]+)(\d+)")


def unpack_zip(zip_path: Path, root: Path, force: bool = False,
               warn: Callable[[Problem], None] | None = None, other_plan: bool = False) -> int:
    """Unpack an export into `root`; returns the number of files written.

    With `force`, a source tree in `root` must be of the same plan (unless `other_plan`), and a
    file that a template of `root` stands for (`plan/engine.json` beside `plan/engine.json.j2`)
    is left alone, and `warn` is told: the template is the source.
    """
    plan = read_plan(zip_path, check_depth=False)  # see unpack_plan
    files = source_files(plan)
    if force and not other_plan:
        from ._sameplan import check_same_plan  # only --force reads the tree already there

        check_same_plan(root, plan)
    templated = {path for path in files if force and os.path.lexists(root / (path + TEMPLATE_SUFFIX))}
    written = {path: data for path, data in files.items() if path not in templated}
    write_tree(root, written, force=force, stale=lambda path: written_by_unpack(path) and path not in templated)
    for path in sorted(templated):
        if warn is not None:
            warn(Problem.of(Location(str(root / path)), f"not written: the template {path}{TEMPLATE_SUFFIX} "
                            "stands for it (update the template from the export by hand)", "template-kept"))
    return len(written)


def unpack_plan(zip_path: Path) -> dict[str, bytes]:
    """The source tree of the export at `zip_path`: relative path -> content."""
    # Every document is written (source_bytes) before anything walks it all, which measures its
    # depth: reading need not measure it first.
    return source_files(read_plan(zip_path, check_depth=False))


def written_by_unpack(path: str) -> bool:
    """Whether a source file is of the kind unpack writes (so a newer export may have dropped it):
    under plan/ or scripts/, and neither a template, the values file, nor hidden."""
    parts = path.split("/")
    return (parts[0] in TOP_FOLDERS and not any(part.startswith(".") for part in parts)
            and not path.endswith(TEMPLATE_SUFFIX) and path != VALUES)


def source_files(plan: Plan) -> dict[str, bytes]:
    """The source tree of a plan: relative path -> content."""
    tree = _Tree()
    context = Context(plan)
    for entry in plan.entries:
        _refuse_lost(plan.source_of(entry.name), entry.name)
        # Each unpack step returns a new document sharing every part it leaves as it is with the
        # plan's: copying whole documents to edit a few strings was a fifth of the unpack's time.
        data = entry.data
        where = plan.source_of(entry.name)
        if is_form(entry.name) and isinstance(data, dict):
            data = _unpack_form(tree, entry.name, data, where)
        elif entry.name == INTEGRATIONS and isinstance(data, dict):
            data = _unpack_integrations(tree, form_names(plan), data, where)
        elif is_canvas(entry.name) and isinstance(data, dict):
            data = name_canvas(data, context, where)
        elif entry.name == SHARED_FUNCTIONS:
            data = _each(data, functools.partial(tree.pull, key="script", folder=LIBRARY_SCRIPTS, suffix=".js"))
        elif entry.name == SCRIPT_STEPS:
            data = _unpack_steps(tree, data)
        try:
            content = source_bytes(data)
        except TooDeep:
            deep = depth_error(plan.texts.get(where, ""))
            raise ArchiveError.at(Location(where, deep.lineno, deep.colno), f"entry is not JSON: {deep.msg}") from None
        _refuse_markers(where, entry.data, plan.texts.get(where))
        tree.add_bytes(SOURCE_FOLDER + entry.name, content)
    tree.add_bytes(SETTINGS, source_bytes(build_settings(plan)))
    tree.add(".gitattributes", GITATTRIBUTES)
    return tree.files


def _refuse_lost(where: str, name: str) -> None:
    """An entry that build would not read back is refused: unpacking must lose nothing silently."""
    if any(part.startswith(".") for part in name.split("/")):
        raise ArchiveError.at(where, "entry is hidden (a name starting with '.'): build would leave it out")
    if kind_of(name) is None:
        raise ArchiveError.at(where, "entry is not a plan document (see docs/source-format.md): "
                             "build would leave it out")


def _unpack_integrations(tree: _Tree, forms: FormNames, document: dict[str, Json], where: str) -> Json:
    def unpack(integration: dict[str, Json]) -> Json:
        return tree.pull(forms.named_integration(integration, where), "script", INTEGRATION_SCRIPTS, ".js")

    return _replaced(document, {"integrations": _each(document.get("integrations"), unpack)})


def _each(items: Json, change: Callable[[dict[str, Json]], Json]) -> Json:
    """`items` with `change` applied to each of its objects; anything else is left as it is."""
    if not isinstance(items, list):
        return items
    return [change(item) if isinstance(item, dict) else item for item in items]


def build_settings(plan: Plan) -> dict[str, Any]:
    """What the zip holds beyond its documents: era, timestamps, canvas order, compact entries."""
    common = common_time(plan)
    settings: dict[str, Any] = {"era": plan_era(plan),
                                "timestamp": format_time(common)}
    exceptions = {e.name: format_time(e.date_time) for e in plan.entries if e.date_time != common}
    if exceptions:
        settings["timestamps"] = exceptions
    canvases = [name for name, _ in plan.canvases()]
    if len(canvases) > 1:
        settings["canvasOrder"] = canvases
    compact = [e.name for e in plan.entries if e.compact]
    if compact:
        settings["compact"] = compact
    return settings


def format_time(date_time: DateTime) -> str:
    year, month, day, hour, minute, second = date_time
    return f"{year:04d}-{month:02d}-{day:02d} {hour:02d}:{minute:02d}:{second:02d}"


def _unpack_form(tree: _Tree, entry_name: str, form: dict[str, Json], where: str) -> Json:
    folder = SOURCE_FOLDER + entry_name.rsplit("/", 1)[0]
    number = form_id(entry_name)
    names_by_id = {}

    def unpack_item(item: dict[str, Json]) -> Json:
        prop = item.get("property")
        if isinstance(prop, dict) and isinstance(prop.get("name"), str):
            match = HANDLING.fullmatch(prop["name"])
            if match and number is not None and int(match.group(2)) == number:
                item = {**item, "property": {**prop, "name": match.group(1)}}
        if isinstance(item.get("id"), str) and isinstance(item.get("propertyName"), str):
            names_by_id[item["id"].lower()] = item["propertyName"]
        return item

    sections = _each(form.get("layoutSections"), lambda section: _replaced(
        section, {"sectionItems": _each(section.get("sectionItems"), unpack_item)}))

    def unpack_email(template: dict[str, Json]) -> Json:
        template = _name_references(template, "emailSubject", names_by_id, where)
        template = _name_references(template, "email", names_by_id, where)
        return tree.pull(template, "email", folder, ".html", f"email.{template.get('languageCode', 'xx')}")

    def unpack_sms(template: dict[str, Json]) -> Json:
        template = _name_references(template, "sms", names_by_id, where)
        return tree.pull(template, "sms", folder, ".txt", f"sms.{template.get('languageCode', 'xx')}")

    def unpack_voice(voice: dict[str, Json]) -> Json:
        steps = voice.get("voiceScriptSteps")
        text = texts.voice_to_text(steps) if isinstance(steps, list) else None
        if text is None:
            return voice
        path = tree.reserve(folder, f"voice.{voice.get('languageCode', 'xx')}", ".txt")
        tree.add(path, text)
        return {**voice, "voiceScriptSteps": {VOICE_KEY: path}}

    messages = form.get("messages")
    if isinstance(messages, dict):
        messages = _replaced(messages, {"emailTemplates": _each(messages.get("emailTemplates"), unpack_email),
                                        "smsTemplates": _each(messages.get("smsTemplates"), unpack_sms),
                                        "internationalVoiceScriptSteps":
                                            _each(messages.get("internationalVoiceScriptSteps"), unpack_voice)})
    return _replaced(form, {"layoutSections": sections, "messages": messages})


def _replaced(obj: dict[str, Json], values: dict[str, Json]) -> dict[str, Json]:
    """`obj` with the values of the keys it has replaced, in its own key order.

    Only values of the same kind are replaced (a list by the list rebuilt from it): a loop over
    an odd value, such as a string or an object, rebuilt nothing from it.
    """
    return {key: values[key] if key in values and type(value) is type(values[key]) else value
            for key, value in obj.items()}


def _name_references(template: dict[str, Json], key: str, names_by_id: dict[str, str], where: str) -> Json:
    value = template.get(key)
    if not isinstance(value, str):
        return template
    if not texts.can_name(value):
        raise ArchiveError.at(where, f"a {key} already contains '${{property.', which xmplan reads as a reference")
    return {**template, key: texts.ids_to_names(value, names_by_id)}


def _unpack_steps(tree: _Tree, steps: Json) -> Json:
    shared: dict[tuple[str, str], str] = {}

    def unpack_reference(reference: dict[str, Json]) -> Json:
        library = reference.get("library")
        if not isinstance(library, dict) or not isinstance(library.get("script"), str):
            return reference
        key = (str(library.get("name", "")), library["script"])
        if key not in shared:  # identical copies of one library share a file
            shared[key] = tree.reserve(STEP_LIBRARY_SCRIPTS, key[0] or "library", ".js")
            tree.add(shared[key], key[1])
        return {**reference, "library": {**library, "script": {FILE_KEY: shared[key]}}}

    def unpack_step(step: dict[str, Json]) -> Json:
        if step.get("scriptStepType") != "CALLABLE_FLOW_CALLER":  # its "script" is a uuid
            step = tree.pull(step, "script", STEP_SCRIPTS, ".js")
        return _replaced(step, {"libraries": _each(step.get("libraries"), unpack_reference)})

    return _each(steps, unpack_step)


def _refuse_markers(entry_name: str, data: Json, text: str | None) -> None:
    """A real export holding our `$file` shape could not be told apart from it; none do."""
    text = text if text is not None else dumps_entry(data)
    if count_marker_keys(text) or has_escape(text):
        _refuse_marker_objects(entry_name, data)


def _refuse_marker_objects(entry_name: str, data: Json) -> None:
    stack = [data]  # a walk without recursion: any depth reading allows
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            if set(value) in ({FILE_KEY}, {VOICE_KEY}):
                raise ArchiveError.at(entry_name, f"holds an object {value!r} that xmplan cannot represent")
            stack.extend(reversed(value.values()))
        elif isinstance(value, list):
            stack.extend(reversed(value))


def safe_file_name(name: str) -> str:
    """A portable file name: letters, digits, space, `._-()`; anything else becomes `_`."""
    cleaned = re.sub(r"[^A-Za-z0-9 ._()-]", "_", name).strip(" .")[:100]
    return cleaned or "unnamed"


class _Tree:
    """Collects source files, giving each pulled-out text its own collision-free name."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        self._taken: set[str] = set()

    def add(self, path: str, text: str) -> None:
        self.add_bytes(path, text.encode("utf-8"))

    def add_bytes(self, path: str, data: bytes) -> None:
        if path in self.files:  # a document's name is never a pulled-out file's, but if it were...
            raise ArchiveError.at(path, "two parts of the export would become this one file")
        self.files[path] = data
        self._taken.add(path.lower())

    def reserve(self, folder: str, stem: str, suffix: str) -> str:
        base = f"{folder}/{safe_file_name(stem)}"
        path, n = base + suffix, 1
        while path.lower() in self._taken:
            n += 1
            path = f"{base} ({n}){suffix}"
        self._taken.add(path.lower())
        return path

    def pull(self, obj: Json, key: str, folder: str, suffix: str, stem: str | None = None) -> Json:
        """`obj` with its string `obj[key]` moved into a file and `{"$file": path}` in its place."""
        if not isinstance(obj, dict) or not isinstance(obj.get(key), str):
            return obj
        path = self.reserve(folder, stem if stem is not None else str(obj.get("name", key)), suffix)
        self.add(path, obj[key])
        return {**obj, key: {FILE_KEY: path}}
