"""Message texts: property references by name and voice steps as lines, both ways."""

from __future__ import annotations

import pytest

from xmplan import _texts as texts
from xmplan._errors import SourceError

ITEM = "b0ebb1a2-c767-44f1-be7d-e4679e4ab9ed"
NAMES = {ITEM: "Title"}


@pytest.mark.parametrize("export, source", [
    (f"Subject: ${{{ITEM.upper()}}}", "Subject: ${property.Title}"),
    (f"Subject: ${{{ITEM}}}", "Subject: ${property.Title|lower}"),
    ("Dangling ${11111111-2222-4333-8444-555555555555}", "Dangling ${11111111-2222-4333-8444-555555555555}"),
    ("Mixed case ${B0ebb1a2-c767-44f1-be7d-e4679e4ab9ed}", "Mixed case ${B0ebb1a2-c767-44f1-be7d-e4679e4ab9ed}"),
    ("${event.eventID} and ${person.firstName}", "${event.eventID} and ${person.firstName}"),
])
def test_references_round_trip(export: str, source: str) -> None:
    assert texts.ids_to_names(export, NAMES) == source
    assert texts.names_to_ids(source, {"Title": ITEM}, "email.html") == export


def test_unknown_name_reports_line_and_column() -> None:
    with pytest.raises(SourceError) as caught:
        texts.names_to_ids("Hello\n  ${property.Nope} and ${property.Title}", {"Title": ITEM}, "email.html")
    (problem,) = caught.value.problems
    assert str(problem) == ("email.html:2:3: error: template refers to property 'Nope', "
                            "which is not on this form [template-property]")


@pytest.mark.parametrize("text, column", [
    ("A ${property.Title|upper}", 3),
    ("A ${property.Title|lower }", 3),
    ("A ${property.Title", 3),
    ("${property.Title} then ${property.", 24),
    ("A ${property.Title\n<style>p { color: red }</style>", 3),  # a `}` further on closes nothing
])
def test_malformed_reference_is_an_error_not_text_for_recipients(text: str, column: int) -> None:
    with pytest.raises(SourceError) as caught:
        texts.names_to_ids(text, {"Title": ITEM}, "email.html")
    (problem,) = caught.value.problems
    assert str(problem) == (f"email.html:1:{column}: error: malformed property reference: write "
                            "${property.Name} or ${property.Name|lower} [template-property]")


STEPS = [
    {"playType": "TTS", "voiceScriptStepType": 1, "phrase": "Hello"},
    {"playType": "TTS", "voiceScriptStepType": 2, "propertyName": "Room Name"},
    {"playType": "PHRASE", "voiceScriptStepType": 3, "propertyName": "person.firstName"},
    {"playType": "TTS", "voiceScriptStepType": 1, "phrase": " spaced \n\"quoted\""},
    {"playType": "TTS", "voiceScriptStepType": 1, "phrase": '"starts with a quote'},
]


def test_voice_steps_round_trip() -> None:
    text = texts.voice_to_text(STEPS)
    assert text is not None and text.splitlines()[:3] == [
        "TTS phrase: Hello", "TTS property: Room Name", "PHRASE field: person.firstName"]
    assert texts.text_to_voice(text, "voice.en.txt") == STEPS


@pytest.mark.parametrize("steps", [
    [{"playType": "TTS", "voiceScriptStepType": 1, "propertyName": "x"}],
    [{"playType": "TTS", "voiceScriptStepType": 9, "phrase": "x"}],
    [{"voiceScriptStepType": 1, "playType": "TTS", "phrase": "x"}],
])
def test_voice_steps_that_would_not_round_trip_stay_json(steps) -> None:
    assert texts.voice_to_text(steps) is None
