"""Compiled templates are kept between processes, signed for this user: a later process renders
without compiling, a changed source compiles again, and no entry this user's xmplan did not write runs."""

from __future__ import annotations

import os
from pathlib import Path

import jinja2
import pytest

from xmplan._templates import Renderer

SOURCES = {"a.json.j2": '{"name": "{{ name }}"}\n', "b.txt.j2": "Hello {{ name }}\n"}


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XMPLAN_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("XMPLAN_CACHE_KEY", str(tmp_path / "config" / "cache.key"))
    return tmp_path / "cache"


@pytest.fixture
def compiles(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the templates jinja2 compiles from here on."""
    compiled: list[str] = []
    original = jinja2.Environment.compile

    def counting(self: jinja2.Environment, source: str, name: str | None = None, *args: object,
                 **kwargs: object) -> object:
        compiled.append(str(name))
        return original(self, source, name, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(jinja2.Environment, "compile", counting)
    return compiled


def render(name: str, sources: dict[str, str] = SOURCES, value: str = 'Ann "A"') -> str:
    return Renderer(sources.get).render(name, {"name": value})  # a new Renderer: as in a new process


def entries(cache: Path) -> list[Path]:
    return sorted(cache.rglob("*.code"))


@pytest.mark.parametrize("name, expected", [("a.json.j2", '{"name": "Ann \\"A\\""}\n'),
                                            ("b.txt.j2", 'Hello Ann "A"\n')])
def test_a_later_renderer_loads_the_compiled_template(cache, compiles, name, expected):
    assert render(name) == expected
    assert compiles == [name]
    assert render(name) == expected
    assert compiles == [name]  # loaded, not compiled again
    (entry,) = entries(cache)
    assert entry.stat().st_mode & 0o777 == 0o600 and entry.parent.stat().st_mode & 0o777 == 0o700


def test_a_changed_source_compiles_again(cache, compiles):
    render("b.txt.j2")
    assert render("b.txt.j2", {"b.txt.j2": "Bye {{ name }}\n"}, "Bo") == "Bye Bo\n"
    assert compiles == ["b.txt.j2", "b.txt.j2"]


def test_the_json_and_text_environments_do_not_share_entries(cache, compiles):
    """The JSON environment escapes every value: its code differs for the same source."""
    same = {"x.j2": "{{ name }}"}
    assert Renderer(same.get)._text.get_template("x.j2").render(name='a"b') == 'a"b'
    assert Renderer(same.get)._json.get_template("x.j2").render(name='a"b') == 'a\\"b'
    assert len(entries(cache)) == 2


def test_an_entry_written_by_someone_else_is_never_loaded(cache, compiles):
    render("b.txt.j2")
    (entry,) = entries(cache)
    signed = entry.read_bytes()
    evil = compile("raise SystemExit('pwned')", "b.txt.j2", "exec")  # what jinja2 would run on loading it
    bucket = jinja2.bccache.Bucket(jinja2.Environment(), "k", jinja2.BytecodeCache().get_source_checksum(
        SOURCES["b.txt.j2"]))
    bucket.code = evil
    for forged in (bytes(32) + bucket.bytecode_to_string(), bucket.bytecode_to_string(), signed[:40]):
        entry.write_bytes(forged)
        os.chmod(entry, 0o600)
        assert render("b.txt.j2") == 'Hello Ann "A"\n'
    assert compiles == ["b.txt.j2"] * 4


def test_a_cache_open_to_others_is_not_used(cache, compiles):
    render("b.txt.j2")
    os.chmod(cache, 0o777)
    assert render("b.txt.j2") == 'Hello Ann "A"\n'
    assert compiles == ["b.txt.j2", "b.txt.j2"]
