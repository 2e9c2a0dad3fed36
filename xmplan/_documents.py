"""The one table of document kinds: zip entry pattern, source path, JSON shape, schema and zip order.

Every stage reads it: the zip reader and writer, unpack and the source reader, the schema check,
canonical key orders. A new kind of document is a new row (and a schema in xmplan/schemas/).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

# The fixed documents' zip entry names.
ENGINE = "engine.json"
PROPERTIES = "properties/properties.json"
INTEGRATIONS = "integrations/integrations.json"
SHARED_FUNCTIONS = "integrations/sharedfunctions.json"
SCRIPT_STEPS = "integrations/scriptSteps.json"
TRIGGER_FILTERS = "integrations/triggerFilters.json"

SOURCE_FOLDER = "plan/"  # a document's source file is the zip entry's path under it


# eq=False: each kind is one row of KINDS, compared by identity (`kind_of(name) is FORM`); value
# equality and hashing would be two more generated methods for every command to compile (issue #15)
@dataclass(frozen=True, eq=False)
class Kind:
    """One kind of plan document.

    `name` is the root of canonical's object paths (`form.layoutSections[]`) and of the schema
    file (`xmplan/schemas/<schema>.json`); `pattern` matches its zip entry names; `shape` is the
    JSON type of the whole document; `order` is its place among the kinds in an export zip.
    """

    name: str
    pattern: str
    shape: type[list[object]] | type[dict[str, object]]
    order: int
    schema: str

    @property
    def is_list(self) -> bool:
        return self.shape is list

    @property
    def source(self) -> str:
        """The source tree path pattern (the zip entry pattern under plan/)."""
        return SOURCE_FOLDER + self.pattern


def _fixed(entry: str) -> str:
    return re.escape(entry)


KINDS: tuple[Kind, ...] = (
    Kind("engine", _fixed(ENGINE), dict, 0, "engine"),
    Kind("properties", _fixed(PROPERTIES), list, 1, "properties"),
    Kind("form", r"forms/[^/]+/[^/]+\.json", dict, 2, "form"),
    Kind("integrations", _fixed(INTEGRATIONS), dict, 3, "integrations"),
    Kind("sharedfunctions", _fixed(SHARED_FUNCTIONS), list, 4, "sharedfunctions"),
    Kind("scriptSteps", _fixed(SCRIPT_STEPS), list, 5, "scriptSteps"),
    Kind("triggerFilters", _fixed(TRIGGER_FILTERS), list, 6, "triggerFilters"),
    Kind("canvas", r"canvases/[^/]+\.json", dict, 7, "canvas"),
)
BY_NAME: dict[str, Kind] = {kind.name: kind for kind in KINDS}
FORM = BY_NAME["form"]
CANVAS = BY_NAME["canvas"]
UNKNOWN_ORDER = len(KINDS)  # entries of no kind go last in a zip
# A kind that is one fixed document (its pattern is its entry name, escaped) is found by a lookup: the
# pattern left for the others (forms, canvases) is a third as long to compile at every start (issue #15).
_FIXED: dict[str, Kind] = {entry: kind for kind in KINDS for entry in [kind.pattern.replace("\\", "")]
                           if re.escape(entry) == kind.pattern}
_PATTERNED = re.compile("|".join(f"(?P<{kind.name}>{kind.pattern})" for kind in KINDS
                                 if kind not in _FIXED.values()))


@functools.lru_cache(maxsize=65536)
def kind_of(entry_name: str) -> Kind | None:
    """The kind of document a zip entry name holds, or None for a name that is no plan document."""
    fixed = _FIXED.get(entry_name)
    if fixed is not None:
        return fixed
    match = _PATTERNED.fullmatch(entry_name)
    return BY_NAME[match.lastgroup] if match and match.lastgroup else None


def is_form(entry_name: str) -> bool:
    return kind_of(entry_name) is FORM


def is_canvas(entry_name: str) -> bool:
    return kind_of(entry_name) is CANVAS
