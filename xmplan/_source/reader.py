"""Reading a source tree: list its files, render its templates, read and parse its documents.

Problems are collected rather than raised, so one run reports every file that cannot be read.
"""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .._documents import kind_of
from .._errors import Location, Problem, SourceError
from .._jsontext import loads_strict
from .._layout import SETTINGS, TOP_FOLDERS, VALUES
from .._model import Json
from .resolve import resolve_files


def by_place(problem: Problem) -> tuple[str, int]:
    return problem.location.file, problem.location.line or 0


class TreeReader:
    """Reads a source tree, collecting every problem instead of stopping at the first."""

    # A plain class, not a dataclass: a reader is state, never compared or printed, and generating a
    # dataclass's methods is a cost every command pays at start-up (issue #15)
    def __init__(self, root: Path) -> None:
        self.root = root
        self.problems: list[Problem] = []
        self.rendered: dict[str, str] = {}
        self.sources: dict[str, str] = {}
        self.texts: dict[str, str] = {}
        self.unreadable: list[tuple[str, str]] = []  # folders that could not be listed
        self.included: set[str] = set()  # files templates read (`{% include %}`)

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
            raise SourceError(sorted(self.problems, key=by_place))

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
        data = read_bytes(self.display(relative))
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError as exc:
            self.problems.append(Problem.of(Location(self.display(relative)), f"not UTF-8 text (byte {exc.start})",
                                            "encoding"))
            return ""

    def parse(self, relative: str, text: str) -> Json:
        try:
            return loads_strict(text)
        except json.JSONDecodeError as exc:
            self.problems.append(Problem.of(Location(self.shown(relative), exc.lineno, exc.colno),
                                            f"invalid JSON: {exc.msg}", "json-syntax"))
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
                _list_files(self.display(top), top, found, links, self.unreadable)
        while links:  # a folder of the tree that plan/ links to may hold links too
            link = links.pop()
            if not self.inside(link):
                self.problems.append(Problem.of(Location(self.display(link)), "a symlink to a place outside the "
                                                f"source tree ({os.readlink(self.display(link))}): not followed",
                                                "symlink"))
            elif link in TOP_FOLDERS:  # plan/ -> a folder of the tree: read it there
                _list_files(self.display(link), link, found, links, self.unreadable)
            elif not os.path.isdir(self.display(link)):
                found.append(link)
        for folder, reason in self.unreadable:
            self.problems.append(Problem.of(Location(self.display(folder)), f"cannot list this folder ({reason}): "
                                            "the documents in it would be left out", "unreadable"))
        return sorted(found)

    @functools.cached_property
    def file_set(self) -> frozenset[str]:
        return frozenset(self.all_files)

    def render_all(self, context: Mapping[str, Any]) -> None:
        renderer = None  # made for the first template: most trees (every unpacked export) have none
        for relative in self.all_files:
            if relative.endswith(".j2"):
                if relative[: -len(".j2")] in self.file_set:
                    self.problems.append(Problem.of(Location(self.display(relative)),
                                                    f"both this template and {relative[:-3]} exist: keep one",
                                                    "template-twin"))
                    continue
                if renderer is None:  # jinja2 is imported with the first template, too
                    from .._templates import Renderer, TemplateFailure

                    renderer = Renderer(self.template_source)
                try:
                    self.rendered[relative[: -len(".j2")]] = renderer.render(relative, context)
                except TemplateFailure as failure:
                    self.problems.append(Problem.of(Location(self.display(relative), failure.line), failure.message,
                                                    failure.rule))

    def template_source(self, relative: str) -> str | None:
        """What a template (or its `include`) reads: a file of the tree's listing, nothing else."""
        if relative not in self.file_set:
            return None
        self.included.add(relative)
        return read_bytes(self.display(relative)).decode("utf-8")

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
                    self.problems.append(Problem.of(Location(self.display(relative)),
                                                    "not a plan document (see docs/source-format.md)",
                                                    "unknown-file"))
                continue
            text = self.read(relative)
            self.texts[self.shown(relative)] = text
            self.sources[entry] = self.shown(relative)
            data = self.parse(relative, text)
            if data is not None and not isinstance(data, kind.shape):
                self.problems.append(Problem.of(Location(self.display(relative), 1, 1),
                                                f"must hold a JSON {'array' if kind.is_list else 'object'}",
                                                "document-type"))
            elif data is not None:
                documents[entry] = resolve_files(self, data, entry, relative, text)
        return documents


def _list_files(folder: str, relative: str, found: list[str], links: list[str],
                unreadable: list[tuple[str, str]]) -> None:
    """Add the files under `folder` to `found` as `relative/...` paths, as os.walk finds them:
    hidden names left out, symlinks (to files or folders) put in `links` instead, folders that
    cannot be listed put in `unreadable` with the reason (a missing top folder is no problem).

    Not os.walk: it asks the system again whether each folder is a symlink, which scandir's
    entries already tell; listing a tree took twice as long.
    """
    try:
        with os.scandir(folder) as scan:
            entries = list(scan)
    except FileNotFoundError:
        return
    except OSError as exc:
        unreadable.append((relative, exc.strerror or str(exc)))
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        if entry.is_symlink():
            links.append(f"{relative}/{entry.name}")
        elif entry.is_dir():
            _list_files(entry.path, f"{relative}/{entry.name}", found, links, unreadable)
        else:
            found.append(f"{relative}/{entry.name}")


def read_bytes(path: str) -> bytes:
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
