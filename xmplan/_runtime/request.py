"""The request a run answers: an inbound HTTP request, or an outbound integration's callback."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field

from .._errors import InputError
from .._model import Json


@dataclass(frozen=True)
class Request:
    """An inbound HTTP request, or for an outbound integration the callback payload as `body`.

    Header and parameter values are text; any other JSON value arrives as its compact JSON text,
    and a null one is left out.
    """

    body: Json = ""
    headers: Mapping[str, Json] = field(default_factory=dict)
    parameters: Mapping[str, Json] = field(default_factory=dict)
    request_id: str | None = None

    @classmethod
    def from_json(cls, data: Json, where: str = "request") -> Request:
        """`{"body": ..., "headers": {...}, "parameters": {...}}`, as in `xmplan run --request`."""
        if not isinstance(data, dict):
            raise InputError.at(where, 'expected a JSON object {"body": ..., "headers": {...}, "parameters": {...}}')
        unknown = set(data) - {"body", "headers", "parameters", "requestId"}
        if unknown:
            raise InputError.at(where, f"unknown keys: {', '.join(sorted(unknown))} "
                                       "(expected body, headers, parameters, requestId)")
        for key in ("headers", "parameters"):
            if not isinstance(data.get(key, {}), dict):
                raise InputError.at(where, f"{key!r} must be an object of names and string values")
        return cls(data.get("body", ""), data.get("headers", {}), data.get("parameters", {}), data.get("requestId"))

    @property
    def body_text(self) -> str:
        return self.body if isinstance(self.body, str) else json.dumps(self.body)
