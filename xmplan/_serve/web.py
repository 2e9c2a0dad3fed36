"""Helpers the routes share: the emulator of the current app, error bodies, Basic credentials, paging."""

from __future__ import annotations

import base64
import binascii
from typing import TYPE_CHECKING

from flask import Response, current_app, jsonify, request

from .._model import Json
from .._runtime.outcome import reason_phrase
from .core import ApiError
from .directory import Person
from .views import MAX_LIMIT

if TYPE_CHECKING:
    from .core import Emulator

SELF_USER = "xmplan.self_user"  # set by the app's middleware on calls through the xMatters endpoint


def emulator() -> Emulator:
    found: Emulator = current_app.extensions["xmplan"]
    return found




def error(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    """An xMatters error answer: `{"code", "reason", "message"}`."""
    answer = jsonify({"code": status, "reason": reason_phrase(status), "message": message})
    answer.status_code = status
    for name, value in (headers or {}).items():
        answer.headers[name] = value
    return answer


def basic_credentials() -> tuple[str, str] | None:
    header = request.headers.get("Authorization", "")
    kind, _, value = header.partition(" ")
    if kind.lower() != "basic" or not value:
        return None
    try:
        user, sep, password = base64.b64decode(value.strip(), validate=True).decode("utf-8").partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return (user, password) if sep else None


def basic_user() -> Person | None:
    credentials = basic_credentials()
    if credentials is None:
        return None
    person = emulator().directory.authenticate(*credentials)
    return person if person is not None and person.status == "ACTIVE" else None


def api_user() -> Person:
    """The REST API caller: a directory user by Basic auth, or the integration user for the xMatters endpoint."""
    if request.environ.get(SELF_USER):
        person = emulator().integration_user()
        if person is not None:
            return person
    person = basic_user()
    if person is None:
        raise ApiError(401, "Authentication failed: use Basic authentication with a directory user's "
                            "targetName and password.")
    return person


def paging() -> tuple[int, int]:
    try:
        offset = int(request.args.get("offset", "0"))
        limit = int(request.args.get("limit", "100"))
    except ValueError:
        raise ApiError(400, "offset and limit must be whole numbers.") from None
    if offset < 0 or not 1 <= limit <= MAX_LIMIT:
        raise ApiError(400, f"offset must be 0 or more and limit between 1 and {MAX_LIMIT}.")
    return offset, limit


def query_args(*names: str) -> dict[str, str]:
    return {name: request.args[name] for name in names if name in request.args}


def json_body() -> Json:
    """The request's JSON body; 400 when it is not JSON, 415 when it is not sent as JSON."""
    if not request.is_json:
        raise ApiError(415, "Send the body as JSON with Content-Type: application/json.")
    data = request.get_json(silent=True)
    if data is None:
        raise ApiError(400, "The body is not valid JSON.")
    return data
