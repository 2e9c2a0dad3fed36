"""The HipChat add-on descriptor: what it holds, our schema, and HipChat's own schema as an oracle."""

from __future__ import annotations

import copy
import json

import jsonschema
import pytest
from conftest import SHARED

from xmplan._errors import DescriptorError
from xmplan._hipchat.descriptor import (
    ACTION_KEY,
    DIALOG_KEY,
    DescriptorOptions,
    build_descriptor,
    check_descriptor,
    descriptor_problems,
    descriptor_schema,
    descriptor_text,
    options_from_values,
    parse_scopes,
)

HIPCHAT_SCHEMA = SHARED / "reference" / "hipchat" / "addon-capabilities.schema.draft4.json"
HIPCHAT_EXAMPLE = SHARED / "reference" / "hipchat" / "example-invite-addon-descriptor.json"
BASE = "https://addon.example.com"


@pytest.fixture
def descriptor() -> dict:
    return build_descriptor(DescriptorOptions(base_url=BASE + "/"))


def test_descriptor_has_what_the_admin_installs(descriptor: dict) -> None:
    caps = descriptor["capabilities"]
    assert descriptor["links"]["self"] == f"{BASE}/atlassian-connect.json"
    assert caps["installable"]["callbackUrl"] == f"{BASE}/installable"
    assert caps["configurable"] == {"url": f"{BASE}/configure"}
    assert caps["hipchatApiConsumer"]["scopes"] == ["send_notification", "view_group"]
    [dialog] = caps["dialog"]
    assert dialog["title"] == {"value": "xMatters Invite To Room"}
    assert dialog["options"]["primaryAction"]["name"] == {"value": "Send Invite"}
    [action] = caps["action"]
    assert (action["location"], action["target"], action["key"]) == ("hipchat.input.action", DIALOG_KEY, ACTION_KEY)
    assert descriptor["vendor"] == {"name": "xMatters", "url": "https://www.xmatters.com"}


def test_built_descriptor_passes_our_schema(descriptor: dict) -> None:
    assert descriptor_problems(descriptor) == []
    check_descriptor(descriptor)


def test_descriptor_text_is_stable_and_ends_with_newline(descriptor: dict) -> None:
    text = descriptor_text(descriptor)
    assert text == descriptor_text(build_descriptor(DescriptorOptions(base_url=BASE)))
    assert text.endswith("}\n") and json.loads(text) == descriptor


def test_descriptor_text_is_json_dumps_indent_2_whatever_the_values_hold() -> None:
    # written by orjson (a third of the time at every build), byte for byte what json.dumps writes
    values = {"addon_url": BASE, "addon_name": 'Équipe "xM" \\ tab\there\nnl \u2028 \x7f \x01 😀',
              "addon_description": ""}
    for options in (DescriptorOptions(base_url=BASE), options_from_values(values)):
        descriptor = build_descriptor(options)
        assert descriptor_text(descriptor) == json.dumps(descriptor, indent=2, ensure_ascii=False) + "\n"


def test_our_schema_is_a_valid_schema() -> None:
    schema = descriptor_schema()
    jsonschema.validators.validator_for(schema).check_schema(schema)


def _set(doc: dict, path: str, value: object) -> dict:
    doc = copy.deepcopy(doc)
    *parents, last = [int(p) if p.isdigit() else p for p in path.split("/")]
    node = doc
    for part in parents:
        node = node[part]
    if value is DELETE:
        del node[last]
    else:
        node[last] = value
    return doc


DELETE = object()


@pytest.mark.parametrize(
    ("path", "value", "expected"),
    [
        ("key", DELETE, "'key' is a required property"),
        ("links/self", "http://addon.example.com/a.json",
         "links.self: 'http://addon.example.com/a.json' is not an https URL"),
        ("capabilities/dialog/0/key", "a" * 41, "capabilities.dialog[0].key: '" + "a" * 41 + "' is too long"),
        ("capabilities/dialog/0/key", "", "capabilities.dialog[0].key: '' should be non-empty"),
        ("capabilities/action/0/key", "bad key!", "capabilities.action[0].key: 'bad key!' may hold only letters"),
        ("capabilities/action/0/location", "hipchat.sidebar.right",
         "capabilities.action[0].location: 'hipchat.sidebar.right' is not one of"),
        ("capabilities/action/0/name", {"value": "x", "extra": 1},
         "capabilities.action[0].name: Additional properties"),
        ("capabilities/dialog/0/title", {"value": "x" * 101}, "capabilities.dialog[0].title.value: "),
        ("capabilities/hipchatApiConsumer/scopes", ["send_notification", "read_minds"],
         "scopes[1]: 'read_minds' is not one of"),
        ("capabilities/hipchatApiConsumer/scopes", [], "scopes: [] should be non-empty"),
        ("capabilities/installable/callbackUrl", "ftp://x/y", "callbackUrl: 'ftp://x/y' is not an https URL"),
        ("vendor", {"name": "x"}, "vendor: 'url' is a required property"),
        ("capabilities/dialog/0/options/size", "huge", "capabilities.dialog[0].options.size: "),
        ("capabilities/action/0/target", "no.such.dialog", "target: 'no.such.dialog' is not the key of a dialog"),
        ("capabilities/action/0/key", DIALOG_KEY, f"key {DIALOG_KEY!r} is already used by capabilities.dialog[0].key"),
    ],
)
def test_bad_descriptors_are_reported(descriptor: dict, path: str, value: object, expected: str) -> None:
    bad = _set(descriptor, path, value)
    problems = descriptor_problems(bad, "dist/atlassian-connect.json")
    assert any(expected in p.message for p in problems), [p.message for p in problems]
    assert all(str(p).startswith("dist/atlassian-connect.json: error: ") for p in problems)
    with pytest.raises(DescriptorError):
        check_descriptor(bad)


def test_every_problem_is_collected(descriptor: dict) -> None:
    bad = _set(_set(descriptor, "key", DELETE), "capabilities/action/0/key", "bad key!")
    assert len(descriptor_problems(bad)) == 2


@pytest.mark.parametrize(
    ("values", "error"),
    [
        ({}, "no value for 'addon_url'"),
        ({"addon_url": "http://addon.example.com"}, "'addon_url' must be an https URL"),
        ({"addon_url": "https://"}, "'addon_url' must be an https URL"),
    ],
)
def test_options_need_an_https_base_url(values: dict, error: str) -> None:
    with pytest.raises(DescriptorError, match=error):
        options_from_values(values)


def test_options_from_values_take_overrides_and_ignore_other_values() -> None:
    options = options_from_values({"addon_url": BASE, "addon_key": "org.acme.xm", "plan_name": "ignored"})
    assert (options.base_url, options.key, options.name) == (BASE, "org.acme.xm", "xMatters")


@pytest.mark.parametrize(
    ("text", "scopes"),
    [("send_notification", ("send_notification",)),
     (" view_room, send_notification view_room ", ("view_room", "send_notification"))],
)
def test_parse_scopes(text: str, scopes: tuple) -> None:
    assert parse_scopes(text) == scopes


@pytest.fixture
def hipchat_schema() -> dict:
    if not HIPCHAT_SCHEMA.exists():
        pytest.skip("../shared/reference/hipchat is not available")
    return json.loads(HIPCHAT_SCHEMA.read_text(encoding="utf-8"))


def test_descriptor_passes_hipchats_own_schema(descriptor: dict, hipchat_schema: dict) -> None:
    jsonschema.Draft4Validator(hipchat_schema).validate(descriptor)


def test_our_schema_agrees_with_hipchats_on_the_reference_example(hipchat_schema: dict) -> None:
    example = json.loads(HIPCHAT_EXAMPLE.read_text(encoding="utf-8"))
    jsonschema.Draft4Validator(hipchat_schema).validate(example)
    assert descriptor_problems(example) == []


@pytest.mark.parametrize(
    ("path", "value"),
    [("capabilities/action/0/key", "bad key!"), ("capabilities/action/0/location", "nowhere"),
     ("capabilities/dialog/0/key", "k" * 41), ("capabilities/dialog/0/title", {"text": "x"})],
)
def test_both_schemas_reject_the_same_mistakes(descriptor: dict, hipchat_schema: dict, path: str,
                                               value: object) -> None:
    bad = _set(descriptor, path, value)
    assert not jsonschema.Draft4Validator(hipchat_schema).is_valid(bad)
    assert descriptor_problems(bad)
