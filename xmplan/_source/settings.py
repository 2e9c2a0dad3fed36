"""plan/xmplan.json: what a tree records beyond its documents (era, timestamps, canvas order, rule levels)."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

from .._eras import DEFAULT_ERA, DEFAULT_TIME, ERA_TIMES, ERAS
from .._errors import SourceError
from .._layout import SETTINGS
from .._model import DateTime, Json
from .._rules import check_levels
from .reader import TreeReader

_SETTING_TYPES = {"era": str, "timestamp": str, "timestamps": dict, "canvasOrder": list, "compact": list,
                  "rules": dict}


def read_settings(root: Path) -> dict[str, Any]:
    """plan/xmplan.json of the tree at `root`, checked (empty when there is none)."""
    return settings(TreeReader(root))


def settings(reader: TreeReader) -> dict[str, Any]:
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


def timestamps(reader: TreeReader, settings: Json) -> dict[str, DateTime]:
    stamps = {"": ERA_TIMES.get(settings.get("era", DEFAULT_ERA), DEFAULT_TIME)}
    for name, text in [("", settings.get("timestamp")), *settings.get("timestamps", {}).items()]:
        if text is None:
            continue
        try:
            stamps[name] = _parse_time(str(text))
        except ValueError:
            msg = f"bad timestamp {text!r}: expected YYYY-MM-DD HH:MM:SS"
            raise SourceError.at(reader.display(SETTINGS), msg) from None
    return stamps


def _parse_time(text: str) -> DateTime:
    """A zip timestamp: a real date and time that DOS time can hold (1980 to 2107)."""
    stamp = datetime.datetime.strptime(text.replace("T", " "), "%Y-%m-%d %H:%M:%S")
    if not 1980 <= stamp.year <= 2107:
        raise ValueError(text)
    return (stamp.year, stamp.month, stamp.day, stamp.hour, stamp.minute, stamp.second)
