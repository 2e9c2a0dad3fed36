"""Hold an export zip to the keys every real export of its era carries (rule `export-key`)."""

from __future__ import annotations

import functools
from collections.abc import Iterator

from .._canonical import document_kind
from .._eras import ERAS, plan_era
from .._errors import Problem
from .._jsonpos import pointer
from .._locate import Locator
from .._model import Json, Plan

ERA_NAMES = {"E1": "engine 1.4-1.6", "E2": "engine 1.7", "E3": "engine 1.8", "E4": "1.9, exported before 2019-06-01",
             "E5": "1.9, exported 2019-06-01 to 2020-05-19", "E6": "1.9, exported 2020-05-20 or later"}

# Per object path (a document kind, then keys, `[]` for array items, as in canonical.py), the
# keys each era adds: an era carries its own and every earlier era's. Printed by
# bench/export_keys.py from the 270 exporter-written zips of the corpus and reviewed: a key is
# here when every object of that path carries it in that era and every later one, and the
# format reference's presence table (332 exports) agrees. Checked only for zips: a source tree
# leaves ids and keys out for the build to fill (eras.fill).
EXPORT_KEYS: dict[str, dict[str, str]] = {
    "canvas": {"E5": "name"},
    "canvas.blocks[]": {"E5": "id label presentation stepType", "E6": "environment"},
    "canvas.blocks[].conditionPaths[]": {"E6": "config id name orderNum"},
    "canvas.blocks[].dynamicOutputs[]": {"E6": "description id integrationScriptStepUuid name position"},
    "canvas.blocks[].inputMappings[]": {"E5": "inputPort mapping"},
    "canvas.blocks[].mergeOutputs[]": {"E6": "name order outputId"},
    "canvas.blocks[].switchCases[]": {"E5": "caseId caseValue"},
    "canvas.edges[]": {"E5": "fromBlock fromPort toBlock toPort"},
    "engine": {"E1": "description isActive name order version"},
    "form": {
        "E1": "description enableFillCount generalFillCount isActive isREST isSendREST layoutSections messages "
              "name order responses uuid",
        "E2": "isEmailEnabled isMobileEnabled",
    },
    "form.handlingOption": {"E2": "voicemailNumRetries voicemailRetryInterval"},
    "form.layoutSections[]": {"E1": "isCollapsed isVisible order sectionItems sectionType", "E5": "panelSectionUuid"},
    "form.layoutSections[].deviceFilter[]": {"E6": "deviceNameGroup devices isSelected isVisible"},
    "form.layoutSections[].deviceFilter[].devices[]": {"E6": "isSelected isVisible name type"},
    "form.layoutSections[].sectionItems[]": {
        "E1": "id isIncludeInCallbacks isRequired isVisible order textIsMultiLine",
        "E5": "panelSectionItemUuid",
    },
    "form.layoutSections[].sectionItems[].property": {"E2": "baseType isSystem name", "E5": "uuid"},
    "form.layoutSections[].sectionItems[].property.values[]": {"E2": "isDefault isVisible value"},
    "form.layoutSections[].senderOverrideDetails[]": {"E6": "id isVisible order type"},
    "form.messages": {"E1": "emailTemplates internationalVoiceScriptSteps smsTemplates"},
    "form.messages.emailTemplates[]": {"E1": "email emailSubject languageCode"},
    "form.messages.internationalVoiceScriptSteps[]": {"E1": "languageCode voiceScriptSteps"},
    "form.messages.internationalVoiceScriptSteps[].voiceScriptSteps[]": {"E1": "playType voiceScriptStepType"},
    "form.messages.smsTemplates[]": {"E1": "languageCode sms"},
    "form.responses[]": {
        "E1": "action contribution description descriptionLanguageCode digit isJoinConference order textResponse "
              "textResponseLanguageCode translations voicePrompt voicePromptLanguageCode",
        "E4": "isAllowComments",
        "E5": "id recordingPhrase redirectUrl",
    },
    "form.responses[].translations[]": {"E1": "languageCode"},
    "integrations": {"E1": "constants endpoints integrations"},
    "integrations.constants[]": {"E2": "name", "E6": "value"},
    "integrations.endpoints[]": {"E2": "authentication name type", "E6": "baseUrl"},
    "integrations.integrations[]": {
        "E1": "action deployed id name type",
        "E3": "environment",
        "E4": "authType",
        "E5": "createdBy",
    },
    "properties[]": {"E1": "baseType description helpText isSystem name", "E5": "uuid"},
    "properties[].values[]": {"E2": "isDefault isVisible value"},
    "scriptSteps[]": {
        "E5": "description icon id inputs name outputs script scriptStepType",
        "E6": "accessibleByAll allowedEnvironment libraries",
    },
    "scriptSteps[].inputs[]": {"E5": "id maxLength minLength multiline name position required"},
    "scriptSteps[].libraries[]": {"E5": "id library referenceName"},
    "scriptSteps[].libraries[].library": {"E5": "accessibleByAll id name script"},
    "scriptSteps[].outputs[]": {"E5": "id name position"},
    "sharedfunctions[]": {"E2": "name script"},
    "triggerFilters[]": {"E6": "config flowId id isActive orgUuid workflowId"},
}


# Every path that is, or leads to, a path of the table: nothing else needs walking.
_PREFIXES = {path[:end] for path in EXPORT_KEYS for end in range(len(path) + 1)
             if end == len(path) or path[end] in ".["}


@functools.cache
def required_keys(era: str) -> dict[str, tuple[str, ...]]:
    """Per object path, the keys an export of `era` carries on every object there."""
    upto = ERAS[: ERAS.index(era) + 1]
    return {path: tuple(key for e in upto if e in added for key in added[e].split())
            for path, added in EXPORT_KEYS.items()}


def check_export_keys(plan: Plan, locator: Locator) -> Iterator[Problem]:
    """An error for each object of an export zip that lacks keys every export of its era has."""
    era = plan_era(plan)
    required = required_keys(era)
    for entry in plan.entries:
        kind = document_kind(entry.name)
        if kind is None:
            continue
        for path, parts, obj in _objects(entry.data, kind, ()):
            missing = [key for key in required.get(path, ()) if key not in obj]
            if missing:
                where = pointer(parts)
                keys = ", ".join(f"{key!r}" for key in missing)
                message = (f"{where or '/'} lacks {keys}: every export of era {era} ({ERA_NAMES[era]}) "
                           f"has {'them' if len(missing) > 1 else 'it'} there{locator.within(entry.name, where)}")
                yield locator.problem(entry.name, where, message, "export-key")


def _objects(value: Json, path: str, parts: tuple[str | int, ...]) -> Iterator[tuple[str, tuple[str | int, ...], Json]]:
    """Every object of a document with its object path and its place (pointer parts)."""
    if path not in _PREFIXES:
        return
    if isinstance(value, list):
        for index, item in enumerate(value):
            yield from _objects(item, path + "[]", (*parts, index))
    elif isinstance(value, dict):
        yield path, parts, value
        for key, child in value.items():
            if isinstance(child, (dict, list)):
                yield from _objects(child, f"{path}.{key}", (*parts, key))
