"""Era profiles: complete a hand-written plan with the ids and keys a real export of that era has.

An object that already has its identity key (a uuid or id) came from an export and is left as
it is, so unpacking and rebuilding a real export changes nothing. An object without one is new:
it gets stable name-based ids (shaped like xMatters' version-4 uuids) and the era's keys with
their usual values, and so do its children.
"""

from __future__ import annotations

import copy
import uuid
from collections import Counter
from dataclasses import replace
from typing import Any

from ._canonical import strip_name
from ._documents import is_form
from ._errors import SourceError
from ._lazy_re import lazy
from ._model import (
    ENGINE,
    INTEGRATIONS,
    PROPERTIES,
    SCRIPT_STEPS,
    DateTime,
    Entry,
    Json,
    Plan,
    copy_json,
    form_id,
    objects,
)
from ._names import FormNames

ERAS = ("E1", "E2", "E3", "E4", "E5", "E6")
DEFAULT_ERA = "E6"
_VERSIONS = {"E1": "1.6", "E2": "1.7", "E3": "1.8", "E4": "1.9", "E5": "1.9", "E6": "1.9"}
HANDLING_SECTION = 4


def _choices(*values: str, default: str) -> list[Json]:
    return [{"value": v, "isDefault": v == default, "isVisible": True} for v in values]


# The seven handling options, in the exporter's order, with the values most real exports have.
HANDLING_PROPERTIES: tuple[Json, ...] = (
    {"baseType": 21, "name": ":system:handling:priority",
     "values": _choices("Low", "Medium", "High", default="Medium")},
    {"baseType": 6, "name": ":system:handling:duration", "defaultValue": "3|Hours"},
    {"baseType": 0, "name": ":system:handling:overrideDeviceRestrictions", "defaultValue": "false"},
    {"baseType": 0, "name": ":system:handling:escalationOverride", "defaultValue": "false"},
    {"baseType": 0, "name": ":system:handling:bypassPhoneIntro", "defaultValue": "false"},
    {"baseType": 0, "name": ":system:handling:requireAuthentication", "defaultValue": "false"},
    {"baseType": 21, "name": ":system:handling:voiceMailOptions",
     "values": _choices("callbackandmessage", "messageonly", "callbackonly", "hangup", default="callbackonly")},
)
_UNNUMBERED_HANDLING = lazy(r":system:handling:[A-Za-z]+")


# When a tree sets no timestamp: a time its era's exports have (a 1.9 zip's time tells its era).
ERA_TIMES: dict[str, DateTime] = {"E4": (2019, 1, 1, 0, 0, 0), "E5": (2020, 1, 1, 0, 0, 0)}
DEFAULT_TIME: DateTime = (2021, 1, 1, 0, 0, 0)


def detect_era(version: str, date_time: DateTime) -> str:
    """The era of an export, from its engine version and zip timestamp (format reference §0)."""
    if version in ("1.4", "1.5", "1.6"):
        return "E1"
    if version in ("1.7", "1.8"):
        return {"1.7": "E2", "1.8": "E3"}[version]
    if date_time < (2019, 6, 1, 0, 0, 0):
        return "E4"
    return "E5" if date_time < (2020, 5, 20, 0, 0, 0) else "E6"


def common_time(plan: Plan) -> DateTime:
    """The timestamp most of a plan's entries carry: the time of its export."""
    stamps = Counter(entry.date_time for entry in plan.entries)
    return stamps.most_common(1)[0][0] if stamps else (2021, 1, 1, 0, 0, 0)


def plan_era(plan: Plan) -> str:
    """The era of an exported plan, from its engine version and the time of its export."""
    return detect_era(str(plan.engine.get("version", "")), common_time(plan))


def stable_uuid(*parts: str, version: int = 4) -> str:
    """A deterministic uuid from names, with version bits so it looks like the server's (4 or 5)."""
    import hashlib  # here: loading a zip fills nothing, and OpenSSL's hashlib costs a run or validate

    digest = bytearray(hashlib.sha256("\x1f".join(parts).encode("utf-8")).digest()[:16])
    digest[6] = (digest[6] & 0x0F) | (version << 4)
    digest[8] = (digest[8] & 0x3F) | 0x80
    return str(uuid.UUID(bytes=bytes(digest)))


def stable_form_number(form_uuid: str, taken: set[int]) -> int:
    """A numeric form id in the range real ones use, derived from the form's uuid."""
    import hashlib

    number = 1_000_000 + int(hashlib.sha256(form_uuid.encode()).hexdigest()[:8], 16) % 49_000_000
    while number in taken:
        number += 1
    return number


def form_names(plan: Plan) -> FormNames:
    """The plan's forms by name, with the uuid each has or will get from `fill`."""
    filler = _Filler(DEFAULT_ERA, plan.name)  # a form's uuid does not depend on the era
    return FormNames([(str(form.get("name")), filler.form_uuid(form)) for _, form in plan.forms()
                      if isinstance(form, dict)])


def fill(plan: Plan, era: str = DEFAULT_ERA) -> Plan:
    """A new plan with every new object completed for `era` and every form numbered.

    `plan` is left as it was: the documents fill completes (engine, properties, forms, integrations,
    script steps) are copies, the others (canvases, shared libraries, trigger filters) are shared.
    """
    filled = (ENGINE, PROPERTIES, INTEGRATIONS, SCRIPT_STEPS)
    plan = replace(plan, entries=tuple(replace(e, data=copy_json(e.data)) if e.name in filled or is_form(e.name) else e
                                       for e in plan.entries))
    filler = _Filler(era, plan.name)
    forms = form_names(plan)
    taken = {number for name, _ in plan.forms() if (number := form_id(name)) is not None}
    entries = []
    renamed: dict[str, str] = {}
    for entry in plan.entries:
        name = entry.name
        data = entry.data
        if name == ENGINE and isinstance(data, dict):
            filler.engine(data)
        elif name == PROPERTIES and isinstance(data, list):
            for _, prop in objects(data):
                filler.property(prop)
        elif is_form(name) and isinstance(data, dict):
            filler.form(data)
            number = form_id(name)
            if number is None:
                number = stable_form_number(str(data["uuid"]), taken)
                taken.add(number)
            _number_handling(data, number)
            name = f"forms/{strip_name(str(data.get('name', ''))) or name.split('/')[1]}/{number}.json"
        elif name == INTEGRATIONS and isinstance(data, dict):
            filler.integrations(data, forms)
        elif name == SCRIPT_STEPS and isinstance(data, list):
            for _, step in objects(data):
                filler.ids(step, "id", "step", str(step.get("name", "")))
        if name in renamed.values():
            first = next(old for old, new in renamed.items() if new == name)
            message = f"becomes zip entry {name}, as {plan.source_of(first)} does: rename one of them"
            raise SourceError.at(plan.source_of(entry.name), message, "duplicate-entry")
        renamed[entry.name] = name
        entries.append(Entry(name, data, entry.date_time, entry.compact))
    if era != "E1" and plan.get(INTEGRATIONS) is None:
        stamp = entries[0].date_time if entries else Entry("", None).date_time
        entries.append(Entry(INTEGRATIONS, {"integrations": [], "endpoints": [], "constants": []}, stamp))
    sources = {_rename(key, renamed): value for key, value in plan.sources.items()}
    return Plan(tuple(entries), plan.origin, sources, plan.texts)


def _rename(key: str, renamed: dict[str, str]) -> str:
    entry, sep, pointer = key.partition("#")
    return renamed.get(entry, entry) + sep + pointer


def _number_handling(form: Json, number: int) -> None:
    """Give handling properties written without an id (`:system:handling:priority`) the form's."""
    for _, section in objects(form.get("layoutSections")):
        for _, item in objects(section.get("sectionItems")):
            prop = item.get("property")
            if isinstance(prop, dict) and _UNNUMBERED_HANDLING.fullmatch(str(prop.get("name", ""))):
                prop["name"] = f"{prop['name']}{number}"


class _Filler:
    def __init__(self, era: str, plan_name: str) -> None:
        if era not in ERAS:
            raise ValueError(f"unknown era {era!r}")
        self.era = era
        self.plan = plan_name

    def since(self, era: str) -> bool:
        return ERAS.index(self.era) >= ERAS.index(era)

    def ids(self, obj: Json, key: str, *seed: str) -> bool:
        """Give `obj` its identity key if it lacks one; True when the object is new."""
        if not isinstance(obj, dict) or key in obj:
            return False
        obj[key] = stable_uuid(self.plan, *seed)
        return True

    @staticmethod
    def defaults(obj: Json, values: dict[str, Any]) -> None:
        for key, value in values.items():
            if key not in obj:
                obj[key] = value(obj) if callable(value) else copy.deepcopy(value)

    def engine(self, engine: Json) -> None:
        self.defaults(engine, {"version": _VERSIONS[self.era], "name": "", "description": "",
                               "isActive": True, "order": 0})

    def property(self, prop: Json) -> None:
        if not self.since("E5"):
            # No uuid tells a new property from an exported one before E5: give it only the keys
            # every export of its era has on every property (_validate/exportkeys), which leaves
            # an exported one as it is.
            self.defaults(prop, {"description": "", "helpText": "", "isSystem": False})
            for _, value in objects(prop.get("values")) if self.since("E2") else []:
                self.defaults(value, {"isDefault": False, "isVisible": True})
            return
        if not self.ids(prop, "uuid", "property", str(prop.get("name", ""))):
            return
        base = prop.get("baseType")
        self.defaults(prop, {"description": "", "helpText": "", "isSystem": False})
        typed: dict[int, dict[str, Any]] = {
            0: {"defaultValue": "false"},
            1: {"minValue": "", "maxValue": "", "units": ""},
            3: {"defaultValue": "", "minLength": 0, "maxLength": 2000, "validationRegex": "", "isValidate": False},
            7: {"minLength": 0, "maxLength": 255, "validationRegex": "", "isValidate": False},
            21: {"values": []},
            22: {"values": []},
        }
        self.defaults(prop, typed.get(base, {}) if isinstance(base, int) else {})
        for _, value in objects(prop.get("values")) if base in (21, 22) else []:
            self.defaults(value, {"isDefault": False, "isVisible": True})

    def form_uuid(self, form: Json) -> str:
        return str(form.get("uuid") or stable_uuid(self.plan, "form", str(form.get("name", ""))))

    def form(self, form: Json) -> None:
        key = self.form_uuid(form)
        new = self.ids(form, "uuid", "form", str(form.get("name", "")))
        if new:
            self.defaults(form, {"description": "", "isActive": True, "isREST": True, "isSendREST": False,
                                 "order": 0, "enableFillCount": False, "generalFillCount": 0,
                                 "layoutSections": [], "responses": []})
            if self.since("E2"):
                self.defaults(form, {"isMobileEnabled": False, "isEmailEnabled": False})
            if self.since("E6"):
                self.defaults(form, {"triggerType": "MESSAGING"})
            messages = form.setdefault("messages", {})
            if isinstance(messages, dict):
                self.defaults(messages, {"emailTemplates": [], "smsTemplates": [], "internationalVoiceScriptSteps": []})
                for group in ("emailTemplates", "smsTemplates", "internationalVoiceScriptSteps"):
                    for _, template in objects(messages.get(group)):
                        self.defaults(template, {"languageCode": "en"})
        sections = objects(form.get("layoutSections"))
        for index, section in sections:
            self.section(section, index, key, new)
        if new and any(section.get("sectionType") == HANDLING_SECTION for _, section in sections):
            options = form.setdefault("handlingOption", {"voicemailNumRetries": 0, "voicemailRetryInterval": 60})
            if self.since("E6") and isinstance(options, dict):
                for option in ("voicemailNumRetriesId", "voicemailRetryIntervalId"):
                    options.setdefault(option, stable_uuid(key, option, version=5))
        for index, response in objects(form.get("responses")):
            self.response(response, index, key, new)

    def section(self, section: Json, index: int, form_key: str, parent_new: bool) -> None:
        if self.since("E5"):
            seed = (form_key, "section", str(section.get("sectionType")), str(section.get("title", "")), str(index))
            new = "panelSectionUuid" not in section and self.ids(section, "panelSectionUuid", *seed)
        else:
            new = parent_new
        if new:
            handling = section.get("sectionType") == HANDLING_SECTION
            self.defaults(section, {"isVisible": not handling, "isCollapsed": False, "order": index,
                                    "sectionItems": []})
            if handling and not section["sectionItems"]:
                section["sectionItems"] = [{"property": copy.deepcopy(prop)} for prop in HANDLING_PROPERTIES]
        for position, item in objects(section.get("sectionItems")):
            if "id" in item:
                continue  # an exported item: it has everything its era gives it
            prop = item.get("property")
            name = str(item.get("propertyName", prop.get("name", position) if isinstance(prop, dict) else position))
            if self.ids(item, "id", form_key, "item", name):
                self.defaults(item, {"order": position, "textIsMultiLine": False, "isRequired": False,
                                     "isVisible": section.get("isVisible", True), "isIncludeInCallbacks": False})
                if self.since("E5"):
                    self.ids(item, "panelSectionItemUuid", form_key, "panel item", name)
                if isinstance(prop, dict):
                    self.defaults(prop, {"isSystem": True})
                    if self.since("E5"):
                        self.ids(prop, "uuid", form_key, "handling", name)

    def response(self, response: Json, index: int, form_key: str, parent_new: bool) -> None:
        text = str(response.get("textResponse", ""))
        new = self.ids(response, "id", form_key, "response", text) if self.since("E5") else parent_new
        if not new:
            return
        self.defaults(response, {"description": text, "voicePrompt": text, "digit": index + 1,
                                 "contribution": "NONE", "action": "RECORD_RESPONSE", "isJoinConference": False})
        if self.since("E4"):
            self.defaults(response, {"redirectUrl": "", "isAllowComments": False})
        self.defaults(response, {"textResponseLanguageCode": "en", "descriptionLanguageCode": "en",
                                 "voicePromptLanguageCode": "en", "recordingPhrase": "", "order": index})
        self.defaults(response, {"translations": [{"languageCode": "en", "textResponse": text,
                                                   "description": response["description"],
                                                   "voicePrompt": response["voicePrompt"]}]})

    def integrations(self, document: Json, forms: FormNames) -> None:
        self.defaults(document, {"integrations": [], "endpoints": [], "constants": []})
        for _, integration in objects(document.get("integrations")):
            if "form" in integration:
                integration["form"] = forms.resolve(integration["form"])
            if not self.ids(integration, "id", "integration", str(integration.get("name", ""))):
                continue
            outbound = integration.get("type") == "OUTBOUND_WEBHOOK"
            self.defaults(integration, {"deployed": True})
            if self.since("E2"):
                self.defaults(integration, {"environment": "HOSTED"})
            if self.since("E4"):
                self.defaults(integration, {"authType": "NONE" if outbound else "URL"})
            if self.since("E5"):
                self.defaults(integration, {"createdBy": "IB" if "script" in integration else "FLOW"})
        for _, endpoint in objects(document.get("endpoints")):
            self.defaults(endpoint, {"type": "EXTERNAL", "authentication": "NO_AUTH"})
