"""The exporter's orders: keys inside every object type, and the sorted arrays (format reference §2-§9)."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable

from ._documents import CANVAS, FORM, UNKNOWN_ORDER, kind_of
from ._model import Json

_PROPERTY = ("baseType name defaultValue description helpText isSystem minValue maxValue units minLength "
             "maxLength validationRegex isValidate delimiter categories values uuid")
_VALUE = "value isDefault isVisible"

# Object paths: a document kind, then keys, with [] for array items.
KEY_ORDERS: dict[str, tuple[str, ...]] = {path: tuple(keys.split()) for path, keys in {
    "engine": "version name description isActive order iconOverride documentLink documentLabel originType "
              "originVersion productType",
    "properties[]": _PROPERTY,
    "properties[].values[]": _VALUE,
    "form": "name description isActive isREST isSendREST isMobileEnabled isEmailEnabled order enableFillCount "
            "generalFillCount uuid triggerType layoutSections messages responses handlingOption incidentSettings "
            "emailInitiation",
    "form.emailInitiation": "fromFieldProperty subjectProperty textBodyProperty htmlBodyProperty messagePanelCode",
    "form.handlingOption": "voicemailNumRetries voicemailRetryInterval voicemailNumRetriesId voicemailRetryIntervalId",
    "form.layoutSections[]": "sectionType title isVisible isCollapsed order panelSectionUuid sectionItems "
                             "senderOverrideDetails deviceFilter id bridgeType",
    "form.layoutSections[].deviceFilter[]": "deviceNameGroup isVisible isSelected devices",
    "form.layoutSections[].deviceFilter[].devices[]": "name type isVisible isSelected",
    "form.layoutSections[].senderOverrideDetails[]": "type isVisible defaultValue order id",
    "form.layoutSections[].sectionItems[]": "id order textIsMultiLine persist_missing_values lenient_list_values "
                                            "isRequired isVisible isIncludeInCallbacks panelSectionItemUuid "
                                            "propertyName property",
    "form.layoutSections[].sectionItems[].property": "baseType name defaultValue isSystem values uuid",
    "form.layoutSections[].sectionItems[].property.values[]": _VALUE,
    "form.messages": "emailTemplates smsTemplates internationalVoiceScriptSteps",
    "form.messages.emailTemplates[]": "emailSubject email languageCode",
    "form.messages.smsTemplates[]": "sms languageCode",
    "form.messages.internationalVoiceScriptSteps[]": "languageCode voiceScriptSteps",
    "form.messages.internationalVoiceScriptSteps[].voiceScriptSteps[]": "playType voiceScriptStepType phrase "
                                                                        "propertyName",
    "form.responses[]": "id textResponse description voicePrompt digit contribution action isJoinConference "
                        "redirectUrl isAllowComments textResponseLanguageCode descriptionLanguageCode "
                        "voicePromptLanguageCode recordingPhrase order translations",
    "form.responses[].translations[]": "languageCode textResponse description voicePrompt",
    "integrations": "integrations endpoints constants",
    "integrations.integrations[]": "id name action type triggeredBy responseChoice integrationAgentId "
                                   "integrationServiceName deployed form script environment authType createdBy "
                                   "integrationScriptStepUuid",
    "integrations.endpoints[]": "name baseUrl type authentication oauthGrantType oauthAuthorizationUrl "
                                "oauthTokenUrl oauthTokenPrefix oauthScopes endpointData",
    "integrations.constants[]": "name value description",
    "sharedfunctions[]": "name script",
    "scriptSteps[]": "id name description icon script endpointAuthType endpointLabel allowedEnvironment "
                     "accessibleByAll triggerAuthType stage scriptStepType inputs outputs libraries",
    "scriptSteps[].inputs[]": "id name helpText defaultValue multiline required validationRegex maxLength "
                              "minLength position",
    "scriptSteps[].outputs[]": "id name description position",
    "scriptSteps[].libraries[]": "id referenceName library",
    "scriptSteps[].libraries[].library": "id name script accessibleByAll",
    "triggerFilters[]": "id isActive flowId workflowId orgUuid config",
    "canvas": "name description form blocks edges",
    "canvas.blocks[]": "id endpoint label environment presentation step stepType inputMappings switchCases "
                       "mergeOutputs groupingBlockId dynamicOutputs conditionPaths",
    "canvas.blocks[].conditionPaths[]": "id name orderNum config",
    "canvas.blocks[].dynamicOutputs[]": "id name description position integrationScriptStepUuid",
    "canvas.blocks[].inputMappings[]": "inputPort mapping stepInput sectionItemKey outputId builtInInputId",
    "canvas.blocks[].mergeOutputs[]": "outputId name order",
    "canvas.blocks[].switchCases[]": "caseId caseValue",
    "canvas.edges[]": "fromBlock fromPort toBlock toPort",
}.items()}


# Every path that has, or leads to, a key order: nothing else needs walking.
_ORDERED_PREFIXES = {path[:end] for path in KEY_ORDERS for end in range(len(path) + 1)
                     if end == len(path) or path[end] in ".["}


def document_kind(entry_name: str) -> str | None:
    """The root of the object paths for an entry (`form`, `canvas`, `integrations`...), if it has a kind."""
    kind = kind_of(entry_name)
    return kind.name if kind else None


def ordered(value: Json, path: str) -> Json:
    """`value` with every object's keys in the exporter's order; unknown keys keep theirs, last.

    Parts already in order are returned as they are, so a real export costs one walk.
    """
    if isinstance(value, list):
        return _ordered_items(value, _child(path, "[]"))
    return _ordered_object(value, path) if isinstance(value, dict) else value


# The walk is split by type so that each object costs one call: it visits every object of
# every document the build writes.

def _ordered_items(items: list[Json], path: str) -> list[Json]:
    """`items`, the array whose items are at `path`, with its objects' keys in order."""
    if path not in _ORDERED_PREFIXES:
        return items
    copied: list[Json] | None = None
    for index, item in enumerate(items):
        new: Json
        if isinstance(item, dict):
            new = _ordered_object(item, path)
        elif isinstance(item, list):
            new = _ordered_items(item, _child(path, "[]"))
        else:
            continue
        if new is not item:
            copied = copied or list(items)
            copied[index] = new
    return items if copied is None else copied


def _ordered_object(value: dict[str, Json], path: str) -> dict[str, Json]:
    keys, walk = _layout(path, tuple(value))
    changed = None
    for key, child in walk:
        item = value[key]
        new: Json
        if isinstance(item, dict):
            new = _ordered_object(item, child)
        elif isinstance(item, list):
            new = _ordered_items(item, _child(child, "[]"))
        else:
            continue
        if new is not item:
            changed = changed or {}
            changed[key] = new
    if keys is None and changed is None:
        return value
    changed = changed or {}
    return {key: changed.get(key, value[key]) for key in (keys or value)}


@functools.lru_cache(maxsize=4096)
def _layout(path: str, keys: tuple[str, ...]) -> tuple[tuple[str, ...] | None, tuple[tuple[str, str], ...]]:
    """For objects at `path` with these keys: the reordered keys (None if already in order), and
    the keys worth walking into with their child paths. Objects of one type share a few layouts."""
    rank = _ranks(path)
    positions = [rank.get(key, len(rank)) for key in keys]
    resorted = None
    if positions != sorted(positions):
        resorted = tuple(key for _, _, key in sorted(zip(positions, range(len(keys)), keys, strict=True)))
    walk = tuple((key, _child(path, key)) for key in keys if _child(path, key) in _ORDERED_PREFIXES)
    return resorted, walk


@functools.cache
def _child(path: str, key: str) -> str:
    return path + key if key == "[]" else f"{path}.{key}"


@functools.cache
def _ranks(path: str) -> dict[str, int]:
    return {key: i for i, key in enumerate(KEY_ORDERS.get(path, ()))}


_NOT_LOWER_ALNUM = re.compile(r"[^0-9a-z]")


def name_key(name: str) -> str:
    """Case-insensitive, ignoring everything but letters and digits (properties, integrations)."""
    return _NOT_LOWER_ALNUM.sub("", name.lower())


def _by(key: Callable[[str], str]) -> Callable[[list[Json]], list[Json]]:
    return lambda items: sorted(items, key=lambda item: key(str(item.get("name", ""))))


def _lower(name: str) -> str:
    return name.lower()


# Arrays the exporter sorts; Python's sort is stable, so ties keep the source order.
SORTED_ARRAYS: dict[str, Callable[[list[Json]], list[Json]]] = {
    "properties": _by(name_key),
    "integrations.integrations": _by(name_key),
    "integrations.endpoints": _by(_lower),
    "integrations.constants": _by(_lower),
    "sharedfunctions": _by(_lower),
}


def canonical(entry_name: str, data: Json) -> Json:
    """The document as the exporter writes it: sorted arrays and canonical key order."""
    kind = document_kind(entry_name)
    if kind is None:  # no plan document: written as it came
        return data
    if kind in SORTED_ARRAYS and isinstance(data, list):
        data = SORTED_ARRAYS[kind](data)
    elif kind == "integrations" and isinstance(data, dict):
        data = {key: SORTED_ARRAYS[f"integrations.{key}"](items)
                if f"integrations.{key}" in SORTED_ARRAYS and isinstance(items, list) else items
                for key, items in data.items()}
    return ordered(data, kind)


def strip_name(name: str) -> str:
    """Form folder and canvas file names: the name without characters outside [A-Za-z0-9]."""
    return re.sub(r"[^A-Za-z0-9]", "", name)


def entry_order_key(entry_name: str, data: Json, canvas_order: list[str]) -> tuple[int | str, ...]:
    """Sort key for zip entries: kinds in table order, forms by (order, name), canvases as listed."""
    kind = kind_of(entry_name)
    if kind is FORM:
        order = data.get("order", 0)
        return (kind.order, order if isinstance(order, int) else 0, str(data.get("name", "")))
    if kind is CANVAS:
        listed = entry_name in canvas_order
        return (kind.order, 0 if listed else 1, canvas_order.index(entry_name) if listed else 0, entry_name)
    return (kind.order if kind else UNKNOWN_ORDER,)
