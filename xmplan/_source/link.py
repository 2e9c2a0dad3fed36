"""Message texts name form fields as `${property.Name}`; the zip holds the fields' ids instead."""

from __future__ import annotations

from dataclasses import replace

from .. import _texts as texts
from .._documents import is_form
from .._errors import Location, Problem, SourceError
from .._jsonpos import line_col, string_char_offset, value_offset
from .._model import Json, Plan, objects


def link_texts(plan: Plan) -> tuple[Plan, list[Problem]]:
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
                    problems.extend(_shift(exc.problems, plan, name, f"/messages/{group}/{index}/{key}", value))
            linked[group][index] = new
    return {**form, "messages": linked}


def _shift(problems: tuple[Problem, ...], plan: Plan, entry: str, ptr: str, value: str) -> list[Problem]:
    """A reference inside a JSON string (the subject) is reported at its line and column in the JSON file."""
    where = plan.source_of(entry, ptr)
    if where != plan.source_of(entry) or where not in plan.texts:
        return list(problems)
    text = plan.texts[where]
    start = value_offset(text, ptr)
    if start is None or text[start] != '"':
        return [Problem(Location(where), p.message, p.severity, p.rule) for p in problems]
    # The problems are placed by line and column in the decoded string; find that character in the JSON text.
    starts = [0] + [i + 1 for i, char in enumerate(value) if char == "\n"]
    shifted = []
    for p in problems:
        line = min(max(p.location.line or 1, 1), len(starts))
        index = starts[line - 1] + (p.location.column or 1) - 1
        shifted.append(Problem(Location(where, *line_col(text, string_char_offset(text, start, index))),
                               p.message, p.severity, p.rule))
    return shifted
