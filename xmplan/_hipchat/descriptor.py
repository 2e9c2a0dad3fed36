"""Build and check the HipChat Connect capabilities descriptor of the Invite to Room add-on."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources

import jsonschema
import orjson

from .._errors import DescriptorError, Location, Problem, shorten
from .._jsonpos import locate, pointer
from .._jsontext import dumps_entry
from .._model import Json

DESCRIPTOR_FILE = "atlassian-connect.json"
DIALOG_KEY = "xmatters.invite.dialog"
ACTION_KEY = "xmatters.invite.action"
SEND_KEY = "xmatters.invite.send"
CANCEL_KEY = "xmatters.invite.cancel"
INVITE_TITLE = "xMatters Invite To Room"
# The add-on reads the room and the inviting user through HipChat's REST API (view_group covers both)
# and confirms a sent invitation in the room (send_notification).
DEFAULT_SCOPES = ("send_notification", "view_group")

# Values in plan/values.json that the descriptor reads, with the defaults used when absent.
VALUE_DEFAULTS = {
    "addon_key": "com.xmatters.hipchat.invite",
    "addon_name": "xMatters",
    "addon_description": "Invite an xMatters user or group to a HipChat room",
    "vendor_name": "xMatters",
    "vendor_url": "https://www.xmatters.com",
}


@dataclass(frozen=True)
class DescriptorOptions:
    """What varies between installations of the add-on; every URL is derived from `base_url`."""

    base_url: str
    key: str = VALUE_DEFAULTS["addon_key"]
    name: str = VALUE_DEFAULTS["addon_name"]
    description: str = VALUE_DEFAULTS["addon_description"]
    vendor_name: str = VALUE_DEFAULTS["vendor_name"]
    vendor_url: str = VALUE_DEFAULTS["vendor_url"]
    scopes: tuple[str, ...] = DEFAULT_SCOPES
    from_name: str = "xMatters"


_HTTPS_URL = r"^https://[^\s/?#]+(/[^\s]*)?$"
HTTPS_URL = re.compile(_HTTPS_URL)
# Friendlier words for the schema's patterns than "does not match <regex>" (capability keys are
# matched by the schema alone: no pattern object of xmplan's for them).
PATTERN_HINTS = {_HTTPS_URL: "is not an https URL",
                 r"^[a-zA-Z0-9_.-]+$": "may hold only letters, digits, '_', '.' and '-'"}


def options_from_values(values: Mapping[str, str], source: str = "plan/values.json") -> DescriptorOptions:
    """Descriptor options from template values (`addon_url` is required, the rest default)."""
    wrong = sorted(k for k in VALUE_DEFAULTS.keys() | {"addon_url"} if not isinstance(values.get(k, ""), str))
    if wrong:
        raise DescriptorError.at(source, f"{', '.join(map(repr, wrong))} must be strings", "values")
    base_url = values.get("addon_url", "")
    if not base_url:
        raise DescriptorError.at(source, "no value for 'addon_url' (the add-on's https base URL)",
                                 "descriptor-base-url")
    if not HTTPS_URL.match(base_url):
        raise DescriptorError.at(source, f"'addon_url' must be an https URL, got {base_url!r}", "descriptor-base-url")
    merged = {**VALUE_DEFAULTS, **{k: v for k, v in values.items() if k in VALUE_DEFAULTS}}
    return DescriptorOptions(
        base_url=base_url,
        key=merged["addon_key"],
        name=merged["addon_name"],
        description=merged["addon_description"],
        vendor_name=merged["vendor_name"],
        vendor_url=merged["vendor_url"],
    )


def build_descriptor(options: DescriptorOptions) -> dict[str, Json]:
    """The descriptor for `options`, as plain JSON data (not yet checked)."""
    base = options.base_url.rstrip("/")
    return {
        "key": options.key,
        "name": options.name,
        "description": options.description,
        "vendor": {"name": options.vendor_name, "url": options.vendor_url},
        "links": {"self": f"{base}/{DESCRIPTOR_FILE}", "homepage": f"{base}/"},
        "capabilities": {
            "installable": {"allowGlobal": True, "allowRoom": True, "callbackUrl": f"{base}/installable"},
            "hipchatApiConsumer": {"scopes": list(options.scopes), "fromName": options.from_name},
            "configurable": {"url": f"{base}/configure"},
            "dialog": [
                {
                    "key": DIALOG_KEY,
                    "title": {"value": INVITE_TITLE},
                    "url": f"{base}/dialog/invite",
                    "options": {
                        "style": "normal",
                        "primaryAction": {"name": {"value": "Send Invite"}, "key": SEND_KEY, "enabled": True},
                        "secondaryActions": [{"name": {"value": "Cancel"}, "key": CANCEL_KEY}],
                        "size": {"width": "500px", "height": "380px"},
                    },
                }
            ],
            "action": [
                {
                    "key": ACTION_KEY,
                    "name": {"value": INVITE_TITLE},
                    "location": "hipchat.input.action",
                    "target": DIALOG_KEY,
                }
            ],
        },
    }


@cache
def descriptor_schema() -> dict[str, Json]:
    """xmplan's own JSON Schema for descriptors (xmplan/schemas/hipchat-descriptor.schema.json)."""
    data = resources.files("xmplan").joinpath("schemas/hipchat-descriptor.schema.json").read_bytes()
    schema: dict[str, Json] = orjson.loads(data)  # a third of json.loads's time, for the same data
    return schema


def _at(file: str, text: str | None, path: Iterable[str | int]) -> Location:
    """`file`, at the line and column of the value at `path` when the descriptor's text is known."""
    found = locate(text, pointer(path)) if text is not None else None
    return Location(file, *found) if found else Location(file)


def schema_problems(descriptor: Json, schema: Mapping[str, Json], file: str, text: str | None = None) -> list[Problem]:
    """Every place where `descriptor` (read from `text`, if given) breaks `schema`, deepest and most specific first."""
    validator_class = jsonschema.validators.validator_for(schema)
    validator = validator_class(schema)
    problems = []
    for error in sorted(validator.iter_errors(descriptor), key=lambda e: (list(map(str, e.absolute_path)), e.message)):
        best = jsonschema.exceptions.best_match([error]) if error.context else error
        where = f"{best.json_path.removeprefix('$.')}: " if best.absolute_path else ""  # `capabilities.dialog[0].key`
        message = where + _short(describe(best))
        problems.append(Problem.of(_at(file, text, best.absolute_path), message, "descriptor-schema"))
    return problems


def describe(error: jsonschema.ValidationError) -> str:
    if error.validator == "pattern" and error.validator_value in PATTERN_HINTS:
        return f"{error.instance!r} {PATTERN_HINTS[error.validator_value]}"
    return error.message


def _short(message: str) -> str:
    return shorten(message, 160)


def reference_problems(descriptor: Json, file: str, text: str | None = None) -> list[Problem]:
    """Problems a schema cannot see: duplicate capability keys and targets that name nothing."""
    capabilities = descriptor.get("capabilities") if isinstance(descriptor, dict) else None
    if not isinstance(capabilities, dict):
        return []
    problems: list[Problem] = []
    seen: dict[str, str] = {}
    openable: set[str] = set()
    for kind in ("dialog", "action", "webhook", "externalPage", "glance", "webPanel"):
        items = capabilities.get(kind)
        for index, item in enumerate(items if isinstance(items, list) else []):
            key = item.get("key") if isinstance(item, dict) else None
            if not isinstance(key, str):
                continue
            where = f"capabilities.{kind}[{index}].key"
            if key in seen:
                problems.append(Problem.of(_at(file, text, ["capabilities", kind, index, "key"]),
                                           f"{where}: key {key!r} is already used by {seen[key]}",
                                           "descriptor-duplicate-key"))
            seen.setdefault(key, where)
            if kind in ("dialog", "externalPage", "glance", "webPanel"):
                openable.add(key)
    actions = capabilities.get("action")
    for index, action in enumerate(actions if isinstance(actions, list) else []):
        target = action.get("target") if isinstance(action, dict) else None
        key = target.get("key") if isinstance(target, dict) else target
        if isinstance(key, str) and key not in openable:
            problems.append(Problem.of(_at(file, text, ["capabilities", "action", index, "target"]),
                                       f"capabilities.action[{index}].target: {key!r} is not the key "
                                       "of a dialog, external page, glance or web panel", "descriptor-target"))
    return problems


def descriptor_problems(descriptor: Json, file: str = DESCRIPTOR_FILE, text: str | None = None) -> list[Problem]:
    """All problems of a descriptor: schema first, then cross-references; at their lines when `text`, the
    file's JSON that `descriptor` was read from, is given."""
    return schema_problems(descriptor, descriptor_schema(), file, text) + reference_problems(descriptor, file, text)


def check_descriptor(descriptor: Json, file: str = DESCRIPTOR_FILE, text: str | None = None) -> None:
    """Raise `DescriptorError` with every problem of `descriptor` (read from `text`, if given), or return quietly."""
    problems = descriptor_problems(descriptor, file, text)
    if problems:
        raise DescriptorError(problems)


def descriptor_text(descriptor: Json) -> str:
    """The descriptor as written to disk: indented JSON, keys in build order, one final newline."""
    return dumps_entry(descriptor) + "\n"  # json.dumps(indent=2) text, written by orjson


def parse_scopes(text: str) -> tuple[str, ...]:
    """`"send_notification, view_room"` -> `("send_notification", "view_room")` (order kept, no repeats)."""
    scopes: list[str] = []
    for part in re.split(r"[,\s]+", text.strip()):
        if part and part not in scopes:
            scopes.append(part)
    return tuple(scopes)
