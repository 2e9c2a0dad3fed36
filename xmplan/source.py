"""Source tree -> plan model: render templates, read JSON, pull in files, fill and link."""

from __future__ import annotations

import datetime
import functools
import json
import os
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from . import texts
from .canonical import entry_order_key
from .documents import is_form, kind_of
from .eras import DEFAULT_ERA, ERAS, fill
from .errors import Location, Problem, SourceError
from .jsonpos import line_col
from .jsontext import loads_strict
from .layout import (
    FILE_KEY,
    FILE_PLACES,
    SETTINGS,
    TOP_FOLDERS,
    VALUES,
    VOICE_KEY,
    count_marker_keys,
    has_escape,
    is_marker,
)
from .model import ENGINE, DateTime, Entry, Json, Plan, objects
from .rules import check_levels

DEFAULT_TIME: DateTime = (2021, 1, 1, 0, 0, 0)


def is_source_tree(path: Path) -> bool:
    return path.is_dir() and (path / "plan").is_dir()


def load_plan(path: str | Path, values: Mapping[str, Any] | None = None) -> Plan:
    """A plan from an export zip or a source tree (`values` fill the tree's templates)."""
    path = Path(path)
    if path.is_dir():
        return load_source(path, values)
    if not path.exists():
        raise SourceError.at(str(path), "no such file or directory", "load")
    from .archive import read_plan

    return read_plan(path)


def template_values(root: Path, overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The values templates see: `plan/values.json`, then `--set` overrides on top."""
    return {**_Reader(root).json_file(VALUES, {}), **(overrides or {})}


def load_source(root: Path, values: Mapping[str, Any] | None = None) -> Plan:
    """Read the source tree at `root` into a complete plan model, or raise every problem found.

    `values` override those of `plan/values.json` for the templates.
    """
    plan, problems = read_source(root, values)
    errors = [problem for problem in problems if problem.severity == "error"]
    if errors:
        raise SourceError(sorted(errors, key=_by_place))
    return plan


# Problems that leave a document out of the plan read: other files' references to it would be
# reported as dangling, so cross-references wait until they are fixed.
UNREAD_RULES = frozenset({"json-syntax", "document-type", "encoding", "template-syntax", "template-undefined",
                          "template", "template-twin", "symlink"})


def read_source(root: Path, values: Mapping[str, Any] | None = None) -> tuple[Plan, list[Problem]]:
    """The plan at `root` as far as it can be read, and the problems found reading it.

    Documents that cannot be read are left out (see UNREAD_RULES); a tree that is no plan or
    has bad settings raises.
    """
    reader = _Reader(root)
    if not (root / "plan").is_dir():
        raise SourceError.at(str(root), "not a plan source tree: no plan/ directory")
    context = template_values(root, values)
    settings = _settings(reader)
    era = settings.get("era", DEFAULT_ERA)
    reader.render_all(context)
    documents = reader.documents()
    # Entry names of the files there, read or not (one that failed to read is not missing).
    present = {relative[len("plan/"):].removesuffix(".j2") for relative in reader.all_files
               if relative.startswith("plan/")}
    if ENGINE not in present:
        reader.problems.append(Problem(Location(reader.display("plan/engine.json")),
                                       "missing: every plan has an engine.json (its name and description)",
                                       "error", "missing-engine"))
    for key in ("timestamps", "canvasOrder", "compact"):
        for name in settings.get(key, ()):
            if name not in present:
                reader.problems.append(Problem(Location(reader.display(SETTINGS)), f"setting {key!r} names {name!r}, "
                                               "which is not a document of the plan", "warning", "stale-setting"))
    stamps = _timestamps(reader, settings)
    entries = [Entry(name, data, stamps.get(name, stamps[""]), name in settings.get("compact", []))
               for name, data in documents.items()]
    plan = Plan(tuple(entries), str(root), reader.sources, reader.texts)
    plan = fill(plan, era, in_place=True)  # the documents were parsed just now: no one else holds them
    plan, linked = _link_texts(plan)
    problems = reader.problems + linked
    order = list(settings.get("canvasOrder", []))
    ordered = sorted(plan.entries, key=lambda e: entry_order_key(e.name, e.data, order))
    return Plan(tuple(ordered), plan.origin, plan.sources, plan.texts), problems


_SETTING_TYPES = {"era": str, "timestamp": str, "timestamps": dict, "canvasOrder": list, "compact": list,
                  "rules": dict}


def read_settings(root: Path) -> dict[str, Any]:
    """plan/xmplan.json of the tree at `root`, checked (empty when there is none)."""
    return _settings(_Reader(root))


def _settings(reader: _Reader) -> dict[str, Any]:
    """plan/xmplan.json, checked: every key is optional, and each has one shape."""
    settings: dict[str, Any] = reader.json_file(SETTINGS, {})
    where = reader.display(SETTINGS)
    for key, value in settings.items():
        expected = _SETTING_TYPES.get(key)
        if expected is None:
            raise SourceError.at(where, f"unknown setting {key!r} (known: {', '.join(_SETTING_TYPES)})")
        items = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
        if not isinstance(value, expected) or not all(isinstance(item, str) for item in items):
            shape = {str: "a string", dict: "an object of strings", list: "a list of strings"}[expected]
            raise SourceError.at(where, f"setting {key!r} must be {shape}")
    wrong = check_levels(settings.get("rules", {}))
    if wrong:
        raise SourceError.at(where, f"setting 'rules': {wrong[0]}")
    if settings.get("era", DEFAULT_ERA) not in ERAS:
        raise SourceError.at(where, f"unknown era {settings['era']!r} (one of {', '.join(ERAS)})")
    return settings


def _timestamps(reader: _Reader, settings: Json) -> dict[str, DateTime]:
    stamps = {"": DEFAULT_TIME}
    for name, text in [("", settings.get("timestamp")), *settings.get("timestamps", {}).items()]:
        if text is None:
            continue
        try:
            stamps[name] = _parse_time(str(text))
        except ValueError:
            msg = f"bad timestamp {text!r}: expected YYYY-MM-DD HH:MM:SS"
            raise SourceError.at(reader.display(SETTINGS), msg) from None
    return stamps


def _by_place(problem: Problem) -> tuple[str, int]:
    return problem.location.file, problem.location.line or 0


def _parse_time(text: str) -> DateTime:
    """A zip timestamp: a real date and time that DOS time can hold (1980 to 2107)."""
    stamp = datetime.datetime.strptime(text.replace("T", " "), "%Y-%m-%d %H:%M:%S")
    if not 1980 <= stamp.year <= 2107:
        raise ValueError(text)
    return (stamp.year, stamp.month, stamp.day, stamp.hour, stamp.minute, stamp.second)


def _link_texts(plan: Plan) -> tuple[Plan, list[Problem]]:
    """The plan with `${property.Name}` in email and SMS texts turned into the form's item ids."""
    problems: list[Problem] = []
    entries = []
    for entry in plan.entries:
        if is_form(entry.name) and isinstance(entry.data, dict):
            entry = replace(entry, data=_linked_form(plan, entry.name, entry.data, problems))
        entries.append(entry)
    return replace(plan, entries=tuple(entries)), problems


def _linked_form(plan: Plan, name: str, form: dict[str, Json], problems: list[Problem]) -> dict[str, Json]:
    ids = {item["propertyName"]: item["id"]
           for _, section in objects(form.get("layoutSections"))
           for _, item in objects(section.get("sectionItems"))
           if isinstance(item.get("propertyName"), str) and isinstance(item.get("id"), str)}
    messages = form.get("messages")
    if not isinstance(messages, dict):
        return form
    linked = dict(messages)
    for group, keys in (("emailTemplates", ("emailSubject", "email")), ("smsTemplates", ("sms",))):
        templates = messages.get(group)
        if not isinstance(templates, list):
            continue
        linked[group] = list(templates)
        for index, template in objects(templates):
            new = dict(template)
            for key in keys:
                value = template.get(key)
                if not isinstance(value, str):
                    continue
                where = plan.source_of(name, f"/messages/{group}/{index}/{key}")
                try:
                    new[key] = texts.names_to_ids(value, ids, where)
                except SourceError as exc:
                    problems.extend(_shift(exc.problems, plan, name, key, where))
            linked[group][index] = new
    return {**form, "messages": linked}


def _shift(problems: tuple[Problem, ...], plan: Plan, entry: str, key: str, where: str) -> list[Problem]:
    """A reference inside a JSON string (the subject) is reported at the JSON file's line."""
    if where != plan.source_of(entry) or where not in plan.texts:
        return list(problems)
    text = plan.texts[where]
    line = line_col(text, max(text.find(f'"{key}"'), 0))[0]
    return [Problem(Location(where, line), p.message, p.severity, p.rule) for p in problems]


@dataclass
class _Reader:
    """Reads a source tree, collecting every problem instead of stopping at the first."""

    root: Path
    problems: list[Problem] = field(default_factory=list)
    rendered: dict[str, str] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)

    @functools.cached_property
    def base(self) -> str:
        return os.fspath(self.root)

    def display(self, relative: str) -> str:
        return f"{self.base}/{relative}"

    def shown(self, relative: str) -> str:
        """The file a person edits: the template a rendered file came from (lines are the rendering's)."""
        return self.display(relative + ".j2" if relative in self.rendered else relative)

    def raise_problems(self) -> None:
        if self.problems:
            raise SourceError(sorted(self.problems, key=_by_place))

    def json_file(self, relative: str, default: Json) -> Json:
        path = self.root / relative
        if not path.is_file():
            return default
        # A symlink on the way (checked as cheaply as can be: this runs for every tree read).
        parts = relative.split("/")
        linked = any(os.path.islink(self.display("/".join(parts[:end]))) for end in range(1, len(parts) + 1))
        if linked and not self.inside(relative):
            raise SourceError.at(self.display(relative), "a symlink to a place outside the source tree "
                                 f"({os.path.realpath(path)}): not followed", "symlink")
        data = self.parse(relative, self.read(relative))
        self.raise_problems()
        if not isinstance(data, dict):
            raise SourceError.at(self.display(relative), "must hold a JSON object")
        return data

    def inside(self, relative: str) -> bool:
        """Whether a path of the tree stays inside it once every symlink on the way is followed."""
        inside = os.path.realpath(self.base)
        return os.path.commonpath([inside, os.path.realpath(self.display(relative))]) == inside

    def read(self, relative: str) -> str:
        if relative in self.rendered:
            return self.rendered[relative]
        data = _read_bytes(self.display(relative))
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError as exc:
            self.problems.append(Problem(Location(self.display(relative)), f"not UTF-8 text (byte {exc.start})",
                                         "error", "encoding"))
            return ""

    def parse(self, relative: str, text: str) -> Json:
        try:
            return loads_strict(text)
        except json.JSONDecodeError as exc:
            self.problems.append(Problem(Location(self.shown(relative), exc.lineno, exc.colno),
                                         f"invalid JSON: {exc.msg}", "error", "json-syntax"))
            return None

    @functools.cached_property
    def all_files(self) -> list[str]:
        """Every file under plan/ and scripts/, relative to the root, sorted; hidden ones left out.

        A symlink is listed only if it leads to a file inside the tree; one leading outside is a
        problem, never read: it would put any file the builder can read in the zip.
        """
        found: list[str] = []
        links: list[str] = []
        for top in TOP_FOLDERS:
            if os.path.islink(self.display(top)):
                links.append(top)
            else:
                _list_files(self.display(top), top, found, links)
        while links:  # a folder of the tree that plan/ links to may hold links too
            link = links.pop()
            if not self.inside(link):
                self.problems.append(Problem(Location(self.display(link)), "a symlink to a place outside the "
                                             f"source tree ({os.readlink(self.display(link))}): not followed",
                                             "error", "symlink"))
            elif link in TOP_FOLDERS:
                _list_files(self.display(link), link, found, links)  # plan/ -> a folder of the tree: read it
            elif not os.path.isdir(self.display(link)):
                found.append(link)
        return sorted(found)

    @functools.cached_property
    def file_set(self) -> frozenset[str]:
        return frozenset(self.all_files)

    def render_all(self, context: Mapping[str, Any]) -> None:
        renderer = None  # made for the first template: most trees (every unpacked export) have none
        for relative in self.all_files:
            if relative.endswith(".j2"):
                if relative[: -len(".j2")] in self.file_set:
                    self.problems.append(Problem(Location(self.display(relative)),
                                                 f"both this template and {relative[:-3]} exist: keep one",
                                                 "error", "template-twin"))
                    continue
                if renderer is None:  # jinja2 is imported with the first template, too
                    from .templates import Renderer, TemplateFailure

                    renderer = Renderer(self.template_source)
                try:
                    self.rendered[relative[: -len(".j2")]] = renderer.render(relative, context)
                except TemplateFailure as failure:
                    self.problems.append(Problem(Location(self.display(relative), failure.line), failure.message,
                                                 "error", failure.rule))

    def template_source(self, relative: str) -> str | None:
        """What a template (or its `include`) reads: a file of the tree's listing, nothing else."""
        if relative not in self.file_set:
            return None
        return _read_bytes(self.display(relative)).decode("utf-8")

    def documents(self) -> dict[str, Json]:
        names = {name for name in self.all_files if not name.endswith(".j2")} | set(self.rendered)
        documents = {}
        for relative in sorted(names):
            entry = relative[len("plan/"):]
            if not relative.startswith("plan/") or relative in (SETTINGS, VALUES):
                continue
            kind = kind_of(entry)
            if kind is None:
                if relative.endswith(".json"):
                    self.problems.append(Problem(Location(self.display(relative)),
                                                 "not a plan document (see docs/source-format.md)",
                                                 "error", "unknown-file"))
                continue
            text = self.read(relative)
            self.texts[self.shown(relative)] = text
            self.sources[entry] = self.shown(relative)
            data = self.parse(relative, text)
            if data is not None and not isinstance(data, kind.shape):
                self.problems.append(Problem(Location(self.display(relative), 1, 1),
                                             f"must hold a JSON {'array' if kind.is_list else 'object'}",
                                             "error", "document-type"))
            elif data is not None:
                documents[entry] = self.pull_all_files(data, entry, relative, text)
        return documents

    def pull_all_files(self, data: Json, entry: str, relative: str, text: str) -> Json:
        """Resolve file references where unpack puts them, then anywhere else there are more."""
        if has_escape(text):  # an escape could spell a marker key: look everywhere
            return self.pull_files(data, entry, "", relative, text)
        markers = count_marker_keys(text)
        if not markers:
            return data
        kind = "forms/*" if is_form(entry) else entry
        for parent, key, pointer in _places(data, FILE_PLACES.get(kind, ()), ""):
            parent[key] = self.pull_files(parent[key], entry, pointer, relative, text)
            markers -= 1
        return self.pull_files(data, entry, "", relative, text) if markers > 0 else data

    def pull_files(self, value: Json, entry: str, pointer: str, relative: str, text: str) -> Json:
        """Replace every `{"$file": path}` with that file's text (and `$voice` with its steps)."""
        if isinstance(value, list):
            return [self.pull_files(v, entry, f"{pointer}/{i}", relative, text) if isinstance(v, (dict, list)) else v
                    for i, v in enumerate(value)]
        if len(value) == 1 and (FILE_KEY in value or VOICE_KEY in value):
            key = next(iter(value))
            target = self.target(value[key], relative, text)
            if target is None:
                return value
            self.sources[f"{entry}#{pointer}"] = self.shown(target)
            content = self.read(target)
            self.texts[self.shown(target)] = content
            return content if key == FILE_KEY else self.voice(content, target)
        for key, item in value.items():
            if isinstance(item, (dict, list)):
                value[key] = self.pull_files(item, entry, f"{pointer}/{_escape(key)}", relative, text)
        return value

    def target(self, path: object, relative: str, text: str) -> str | None:
        problem = None
        if not isinstance(path, str) or not path:
            problem = "file reference must be a non-empty string"
        elif path.startswith("/") or "\\" in path or ".." in path.split("/"):
            problem = f"file reference {path!r} must be a relative path inside the source tree"
        elif path not in self.rendered and path not in self.file_set:
            problem = f"file reference {path!r}: no such file"
        if problem is None:
            return str(path)
        offset = text.find(json.dumps(path)) if isinstance(path, str) else -1
        place = Location(self.display(relative), *line_col(text, offset)) if offset >= 0 else Location(
            self.display(relative))
        self.problems.append(Problem(place, problem, "error", "file-reference"))
        return None

    def voice(self, content: str, target: str) -> Json:
        try:
            return texts.text_to_voice(content, self.shown(target))
        except SourceError as exc:
            self.problems.extend(exc.problems)
            return []


def _list_files(folder: str, relative: str, found: list[str], links: list[str]) -> None:
    """Add the files under `folder` to `found` as `relative/...` paths, as os.walk finds them:
    hidden names left out, symlinks (to files or folders) put in `links` instead, unreadable
    folders skipped.

    Not os.walk: it asks the system again whether each folder is a symlink, which scandir's
    entries already tell; listing a tree took twice as long.
    """
    try:
        with os.scandir(folder) as scan:
            entries = list(scan)
    except OSError:
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        if entry.is_symlink():
            links.append(f"{relative}/{entry.name}")
        elif entry.is_dir():
            _list_files(entry.path, f"{relative}/{entry.name}", found, links)
        else:
            found.append(f"{relative}/{entry.name}")


def _read_bytes(path: str) -> bytes:
    """A file's content through os-level calls: half the cost of open() for the thousands of
    small files of a tree (read until end of file, as a file can grow after its fstat)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        chunks = [os.read(fd, os.fstat(fd).st_size + 1)]
        while chunks[-1]:
            chunks.append(os.read(fd, 1 << 16))
    finally:
        os.close(fd)
    return b"".join(chunks)


def _places(value: Json, patterns: Iterable[tuple[str, ...]], pointer: str) -> Iterator[tuple[Json, Any, str]]:
    """`(container, key, pointer)` of every value the patterns name that is a file reference."""
    for pattern in patterns:
        head, rest = pattern[0], pattern[1:]
        children: list[tuple[Any, Json]]
        if head == "*":
            children = list(enumerate(value)) if isinstance(value, list) else []
        else:
            children = [(head, value[head])] if isinstance(value, dict) and head in value else []
        for key, child in children:
            here = f"{pointer}/{_escape(str(key))}"
            if rest:
                yield from _places(child, (rest,), here)
            elif is_marker(child):
                yield value, key, here


def _escape(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")
