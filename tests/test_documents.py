"""The one table of document kinds: every entry name gets the kind whose pattern it matches."""

from __future__ import annotations

import re

import pytest

from xmplan._documents import CANVAS, FORM, KINDS, kind_of

NAMES = ["engine.json", "properties/properties.json", "forms/Invite/form.json", "forms/A b/c d.json",
         "integrations/integrations.json", "integrations/sharedfunctions.json", "integrations/scriptSteps.json",
         "integrations/triggerFilters.json", "canvases/Flow.json",
         # no document: near misses of each kind
         "Engine.json", "engine.json ", "engineXjson", "properties/properties.json/x", "forms/form.json",
         "forms/A/B/form.json", "forms//form.json", "canvases/a/b.json", "canvases/.json.txt",
         "integrations/other.json", "integrations/integrations.jsonx", "", "/engine.json"]


@pytest.mark.parametrize("name", NAMES)
def test_kind_of_is_the_kind_whose_pattern_matches_the_whole_name(name: str) -> None:
    matching = [kind for kind in KINDS if re.fullmatch(kind.pattern, name)]
    assert len(matching) <= 1
    assert kind_of(name) is (matching[0] if matching else None)


def test_forms_and_canvases_are_their_kinds() -> None:
    assert kind_of("forms/Invite/form.json") is FORM and kind_of("canvases/Flow.json") is CANVAS
    assert kind_of("forms/Invite/email.en.html") is None
