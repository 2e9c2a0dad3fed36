"""JSON pointer -> line:column in a JSON text."""

from __future__ import annotations

import json

import pytest

from xmplan._jsonpos import line_col, locate, pointer, split_pointer, string_char_offset, value_offset
from xmplan._jsontext import loads_strict

TEXT = """{
  "name": "Plan",
  "a/b": {"c~d": [10, {"deep": true}, "x"]},
  "list": [
    {"script": "line1\\nli\\"ne2"},
    [],
    {}
  ],
  "name2": "Größe",
  "after": 1
}"""


@pytest.mark.parametrize("ptr, key, expected", [
    ("", False, (1, 1)),
    ("/name", False, (2, 11)),
    ("/name", True, (2, 3)),
    ("/a~1b", False, (3, 10)),
    ("/a~1b/c~0d", False, (3, 18)),
    ("/a~1b/c~0d/0", False, (3, 19)),
    ("/a~1b/c~0d/1/deep", False, (3, 32)),
    ("/a~1b/c~0d/2", False, (3, 39)),
    ("/list/0/script", False, (5, 16)),
    ("/list/1", False, (6, 5)),
    ("/list/2", False, (7, 5)),
    ("/name2", False, (9, 12)),
    ("/after", True, (10, 3)),
])
def test_locate(ptr: str, key: bool, expected: tuple[int, int]) -> None:
    assert locate(TEXT, ptr, key) == expected


@pytest.mark.parametrize("ptr", ["/missing", "/list/3", "/list/x", "/name/0", "/a~1b/c~0d/1/deep/x"])
def test_locate_missing(ptr: str) -> None:
    assert locate(TEXT, ptr) is None


def test_compact_text() -> None:
    text = json.dumps({"x": [1, {"y": "}]\"{["}, 3], "z": None}, separators=(",", ":"))
    assert locate(text, "/x/2") == (1, text.index("3") + 1)
    assert locate(text, "/z") == (1, text.index("null") + 1)


def test_string_char_offset_follows_escapes() -> None:
    start = value_offset(TEXT, "/list/0/script")
    value = json.loads(TEXT)["list"][0]["script"]
    index = value.index("ne2")
    assert TEXT[string_char_offset(TEXT, start, index):].startswith("ne2")
    assert TEXT[string_char_offset(TEXT, start, 0):].startswith("line1")


def test_string_char_offset_unicode_escape() -> None:
    text = '{"s": "\\u00e9t\\u00e9 ok"}'
    start = value_offset(text, "/s")
    assert text[string_char_offset(text, start, 4):].startswith("ok")


@pytest.mark.parametrize("text, offset, expected", [("ab\ncd", 0, (1, 1)), ("ab\ncd", 3, (2, 1)),
                                                    ("ab\ncd", 4, (2, 2)), ("\n\n", 2, (3, 1))])
def test_line_col(text: str, offset: int, expected: tuple[int, int]) -> None:
    assert line_col(text, offset) == expected


def test_pointer_round_trip() -> None:
    parts = ["a/b", 0, "c~d", ""]
    assert pointer(parts) == "/a~1b/0/c~0d/"
    assert split_pointer(pointer(parts)) == ["a/b", "0", "c~d", ""]
    with pytest.raises(ValueError):
        split_pointer("no-slash")


def test_string_char_offset_counts_a_surrogate_pair_as_one_character() -> None:
    text = json.dumps({"s": "\U0001F600\U0001F600 ok"})  # written as \ud83d\ude00 escapes
    start = value_offset(text, "/s")
    assert text[string_char_offset(text, start, 3):].startswith("ok")


@pytest.mark.parametrize(("text", "line", "column", "before"), [
    ('{"a": 1,\n}', 1, 8, "}"), ("[1, 2 ,  ]", 1, 7, "]"), ('{"a": [1,],}', 1, 9, "]"),
    ('{\n  "a": {"b": 2,\n  }\n}', 2, 15, "}"),
])
def test_a_trailing_comma_is_named_at_the_comma(text, line, column, before):
    with pytest.raises(json.JSONDecodeError) as caught:
        loads_strict(text)
    assert (caught.value.msg, caught.value.lineno, caught.value.colno) == (
        f"trailing comma: JSON allows no comma before {before!r}", line, column)


@pytest.mark.parametrize("text", ['{"a" 1}', "{,}", "[,]", '{"a": }'])
def test_other_syntax_errors_keep_the_parsers_message(text):
    with pytest.raises(json.JSONDecodeError) as caught:
        loads_strict(text)
    assert "trailing comma" not in caught.value.msg
