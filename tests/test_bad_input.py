"""Bad input: one clear line naming the file and place, exit 1, no traceback, nothing half-written."""

from __future__ import annotations

import io
import re
import shutil
import zipfile
from pathlib import Path

import pytest

import xmplan._archive
from xmplan._cli import main

SAMPLE = Path(__file__).parent / "samples" / "minimal"
ENGINE = b'{"version": "1.9", "name": "P", "description": "", "isActive": true, "order": 0}'
PROPERTIES = b"[]"


def make_zip(path: Path, entries: list[tuple[str, bytes]]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries:
            archive.writestr(zipfile.ZipInfo(name, (2021, 1, 1, 0, 0, 0)), data)
    return path


def truncated(path: Path) -> Path:
    make_zip(path, [("engine.json", ENGINE), ("properties/properties.json", PROPERTIES)])
    path.write_bytes(path.read_bytes()[:60])
    return path


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    assert main(argv) == 1
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    return lines[0]


ZIP_CASES = [
    pytest.param(lambda p: (p.write_bytes(b"this is not a zip"), p)[1], r"not a zip file", id="not-a-zip"),
    pytest.param(truncated, r"not a zip file|cannot read entry", id="truncated"),
    pytest.param(lambda p: make_zip(p, [("engine.json", ENGINE), ("../evil.json", b"{}")]),
                 r"/\.\./evil\.json: error: entry name contains '\.\.'", id="dot-dot"),
    pytest.param(lambda p: make_zip(p, [("engine.json", ENGINE), ("/etc/evil.json", b"{}")]),
                 r"/etc/evil\.json: error: entry name is an absolute path", id="absolute"),
    pytest.param(lambda p: make_zip(p, [("engine.json", ENGINE), ("forms\\X\\1.json", b"{}")]),
                 r"entry name contains a backslash", id="backslash"),
    pytest.param(lambda p: make_zip(p, [("engine.json", ENGINE), ("properties/properties.json", b"[1,")]),
                 r"/properties/properties\.json:1:4: error: entry is not JSON", id="not-json"),
    pytest.param(lambda p: make_zip(p, [("engine.json", ENGINE), ("properties/properties.json", b"[\n  NaN]")]),
                 r"/properties/properties\.json:2:3: error: entry is not JSON: NaN is not allowed", id="nan"),
    pytest.param(lambda p: make_zip(p, [("properties/properties.json", PROPERTIES)]),
                 r"\.zip: error: no engine\.json", id="no-engine"),
    pytest.param(lambda p: make_zip(p, [("engine.json", ENGINE), ("engine.json", ENGINE)]),
                 r"/engine\.json: error: duplicate entry name", id="duplicate"),
    pytest.param(lambda p: make_zip(p, [("engine.json", ENGINE),
                                        ("properties/properties.json", b'[{"\\u0024file": "x"}]')]),
                 r"/properties/properties\.json: error: holds an object .* that xmplan cannot represent",
                 id="marker-in-export"),
    pytest.param(lambda p: make_zip(p, [("engine.json", ENGINE),
                                        ("properties/properties.json", b'[{"$fil\\u0065": "x"}]')]),
                 r"/properties/properties\.json: error: holds an object .* that xmplan cannot represent",
                 id="escaped-marker-in-export"),
    pytest.param(lambda p: make_zip(p, [("engine.json", ENGINE), ("properties/properties.json", b" " * 3_000_000)]),
                 r"/properties/properties\.json: error: entry too large", id="bomb"),
]


@pytest.mark.filterwarnings("ignore::UserWarning")  # zipfile warns while writing the duplicate
@pytest.mark.parametrize("make, message", ZIP_CASES)
def test_bad_zip(make, message: str, tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.setattr(xmplan._archive, "MAX_TOTAL_SIZE", 1_000_000)
    bad = make(tmp_path / "bad.zip")
    line = run(["unpack", str(bad), str(tmp_path / "tree")], capsys)
    assert re.search(message, line), line
    assert not (tmp_path / "tree").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["bad.zip"]
    assert not (tmp_path.parent / "evil.json").exists()


def test_bomb_is_refused_before_it_inflates(tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.setattr(xmplan._archive, "MAX_TOTAL_SIZE", 1_000_000)
    deflated = io.BytesIO()
    with zipfile.ZipFile(deflated, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("engine.json", ENGINE)
        archive.writestr("properties/properties.json", b"[" + b" " * 50_000_000 + b"]")
    bomb = tmp_path / "bomb.zip"
    bomb.write_bytes(deflated.getvalue())
    assert bomb.stat().st_size < 100_000
    assert "entry too large" in run(["unpack", str(bomb), str(tmp_path / "tree")], capsys)


def edit(relative: str, old: str, new: str):
    def change(tree: Path) -> None:
        path = tree / relative
        text = path.read_text(encoding="utf-8")
        assert old in text
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return change


def second_form_with_the_same_number(tree: Path) -> None:
    form = tree / "plan/forms/Alert/form.json"
    text = form.read_text(encoding="utf-8")
    form.rename(form.with_name("1234567.json"))
    (tree / "plan/forms/Other").mkdir()
    (tree / "plan/forms/Other/1234567.json").write_text(text.replace('"Alert"', '"Alert!"', 1), encoding="utf-8")


def remove(relative: str):
    return lambda tree: (tree / relative).unlink()


def write(relative: str, data: bytes):
    return lambda tree: (tree / relative).write_bytes(data)


SOURCE_CASES = [
    pytest.param(edit("plan/xmplan.json", '"2021-01-01 00:00:00"', '"2021-02-30 00:00:00"'),
                 r"plan/xmplan\.json:3:16: error: bad timestamp '2021-02-30 00:00:00'", id="impossible-date"),
    pytest.param(edit("plan/integrations/integrations.json.j2", '"who gets alerts"', '"who \\ud800 gets"'),
                 r"plan/integrations/integrations\.json\.j2:15:\d+: error: invalid JSON: a lone surrogate escape",
                 id="lone-surrogate"),
    pytest.param(edit("plan/xmplan.json", '"era": "E6"', '"era": "E9"'),
                 r"plan/xmplan\.json:2:10: error: unknown era 'E9'", id="unknown-era"),
    pytest.param(second_form_with_the_same_number,
                 r"plan/forms/Other/1234567\.json: error: becomes zip entry forms/Alert/1234567\.json, "
                 r"as .*plan/forms/Alert/1234567\.json does", id="two-forms-one-entry"),
    pytest.param(edit("plan/properties/properties.json", '"Summary",', '"Summary"'),
                 r"plan/properties/properties\.json:2:37: error: invalid JSON: Expecting ',' delimiter",
                 id="json-syntax"),
    pytest.param(edit("plan/forms/Alert/form.json", '{"propertyName": "Severity"}',
                      '{"propertyName": "Severity"}, {"propertyName": "Colour"}'),
                 r"plan/forms/Alert/form\.json:\d+:\d+: error: .*Colour", id="unknown-property"),
    pytest.param(edit("plan/values.json", '"api_url"', '"other_url"'),
                 r"plan/integrations/integrations\.json\.j2:12: error: undefined template value: 'api_url'",
                 id="undefined-template-value"),
    pytest.param(edit("plan/forms/Alert/email.en.html", "${property.Summary}", "${property.Sumary}"),
                 r"plan/forms/Alert/email\.en\.html:1:\d+: error: template refers to property 'Sumary'",
                 id="unknown-template-property"),
    pytest.param(edit("plan/forms/Alert/form.json", "email.en.html", "missing.html"),
                 r"plan/forms/Alert/form\.json:\d+:\d+: error: file reference 'plan/forms/Alert/missing\.html'",
                 id="missing-file"),
    pytest.param(edit("plan/forms/Alert/form.json", "plan/forms/Alert/email.en.html", "../outside.html"),
                 r"must be a relative path inside the source tree", id="file-outside-tree"),
    pytest.param(edit("plan/forms/Alert/voice.en.txt", "TTS phrase: Hello", "say Hello"),
                 r"plan/forms/Alert/voice\.en\.txt:1:1: error: voice step", id="bad-voice-line"),
    pytest.param(edit("plan/forms/Alert/email.en.html", "${property.Summary}", "${property.Summary|upper}"),
                 r"plan/forms/Alert/email\.en\.html:1:\d+: error: malformed property reference",
                 id="malformed-reference"),
    pytest.param(edit("plan/forms/Alert/form.json", '"isRequired": true', '"isRequired": true, "isRequired": false'),
                 r"plan/forms/Alert/form\.json:5:\d+: error: 'isRequired' is named more than once in this object",
                 id="duplicate-key"),
    pytest.param(remove("plan/engine.json.j2"), r"plan/engine\.json: error: missing: every plan has an engine\.json",
                 id="no-engine"),
    pytest.param(write("plan/engine.json", b'{"name": "Twin"}'),
                 r"plan/engine\.json\.j2: error: both this template and plan/engine\.json exist", id="template-twin"),
    pytest.param(write("plan/forms/Alert/extra.json.j2", b'{"name": "\xff"}'),
                 r"plan/forms/Alert/extra\.json\.j2: error: not UTF-8 text \(byte 10\)", id="template-not-utf8"),
]


@pytest.mark.parametrize("change, message", SOURCE_CASES)
def test_bad_source(change, message: str, tmp_path: Path, capsys) -> None:
    tree = tmp_path / "tree"
    shutil.copytree(SAMPLE, tree)
    change(tree)
    out = tmp_path / "dist"
    line = run(["build", str(tree), "-o", str(out)], capsys)
    assert re.search(message, line), line
    assert not out.exists() or not any(out.iterdir())


def test_unpack_refuses_a_non_empty_directory(tmp_path: Path, capsys) -> None:
    zip_path = tmp_path / "plan.zip"
    assert main(["build", str(SAMPLE), "-o", str(tmp_path)]) == 0
    zip_path = next(tmp_path.glob("*.zip"))
    (tmp_path / "tree").mkdir()
    (tmp_path / "tree" / "keep.txt").write_text("mine")
    assert "directory is not empty" in run(["unpack", str(zip_path), str(tmp_path / "tree")], capsys)
    assert [p.name for p in (tmp_path / "tree").iterdir()] == ["keep.txt"]


def test_damaged_zips_give_one_line_errors(tmp_path: Path, capsys) -> None:
    """Random byte damage anywhere in a plan zip: unpack and validate answer, never a traceback."""
    import random

    assert main(["build", str(SAMPLE), "-o", str(tmp_path)]) == 0
    good = next(tmp_path.glob("*.zip")).read_bytes()
    rnd = random.Random(2026)
    for case in range(200):
        damaged = bytearray(good)
        for _ in range(rnd.randint(1, 8)):
            damaged[rnd.randrange(len(damaged))] = rnd.randrange(256)
        if rnd.random() < 0.2:
            damaged = damaged[: rnd.randrange(len(damaged))]
        path = tmp_path / f"damaged{case}.zip"
        path.write_bytes(bytes(damaged))
        assert main(["unpack", str(path), str(tmp_path / f"tree{case}")]) in (0, 1)
        assert main(["validate", str(path)]) in (0, 1)
        assert all(": error: " in line for line in capsys.readouterr().err.splitlines())


def test_a_size_header_that_lies_cannot_inflate_more(tmp_path: Path, capsys) -> None:
    """An entry that declares 100 bytes but inflates to 50 MB: read no further than declared."""
    import struct

    deflated = io.BytesIO()
    with zipfile.ZipFile(deflated, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("engine.json", ENGINE)
        archive.writestr("properties/properties.json", b" " * 50_000_000)
    data = bytearray(deflated.getvalue())
    name = b"properties/properties.json"
    for signature, name_length_at, size_at, name_at in ((b"PK\x03\x04", 26, 22, 30), (b"PK\x01\x02", 28, 24, 46)):
        at = data.find(signature)
        while at >= 0:
            length = struct.unpack_from("<H", data, at + name_length_at)[0]
            if bytes(data[at + name_at: at + name_at + length]) == name:
                struct.pack_into("<I", data, at + size_at, 100)
            at = data.find(signature, at + 4)
    liar = tmp_path / "liar.zip"
    liar.write_bytes(bytes(data))
    line = run(["unpack", str(liar), str(tmp_path / "tree")], capsys)
    assert re.search(r"liar\.zip/properties/properties\.json: error: cannot read entry \(Bad CRC-32", line), line


@pytest.mark.filterwarnings("ignore::UserWarning")  # zipfile warns while writing a duplicate name
def test_hostile_names_and_sizes_give_one_line_errors(tmp_path: Path, capsys, monkeypatch) -> None:
    """Fuzz (issue #8): entry names with control characters, case and Unicode twins, templates and
    hidden parts; sizes in the headers that lie both ways. One line each, never a traceback."""
    import random
    import struct

    monkeypatch.setattr(xmplan._archive, "MAX_TOTAL_SIZE", 2_000_000)
    rnd = random.Random(12)
    pieces = ["\n", "\r", "\x1b[2K", "\x00", "\u202e", "\u2028", "\x7f", "e\u0301", "\u00e9", "A", "a", ".git", ".j2",
              ".JSON", "/", "x", " "]
    for case in range(60):
        name = "".join(rnd.choice(pieces) for _ in range(rnd.randint(1, 6)))
        entries = [("engine.json", ENGINE), ("properties/properties.json", PROPERTIES),
                   (rnd.choice(["forms/", "canvases/", ""]) + name.strip("/") + rnd.choice([".json", ""]), b"{}")]
        if rnd.random() < 0.3:
            entries.append((entries[-1][0].upper(), b"{}"))
        path = make_zip(tmp_path / f"names{case}.zip", entries)
        if rnd.random() < 0.5:  # lie about the last entry's size, in the header zipfile trusts
            data = bytearray(path.read_bytes())
            at = data.rfind(b"PK\x01\x02")
            struct.pack_into("<I", data, at + 24, rnd.choice([0, 1, 100, 2**31, 2**32 - 1]))
            path.write_bytes(bytes(data))
        code = main(["unpack", str(path), str(tmp_path / f"tree{case}")])
        captured = capsys.readouterr()
        assert code in (0, 1)
        assert len(captured.err.splitlines()) == (code == 1), captured.err
        assert all(ord(c) >= 0x20 for c in captured.err.rstrip("\n")), captured.err


@pytest.mark.parametrize("name, message", [
    pytest.param("missing", r"missing: error: no such file or directory$", id="missing"),
    pytest.param("plan.zip", r"plan\.zip: error: not a plan source tree but a file: .* `xmplan unpack EXPORT\.zip DIR`",
                 id="a-zip"),
    pytest.param("empty", r"empty: error: not a plan source tree: no plan/ directory$", id="no-plan-folder"),
])
def test_build_says_what_its_path_is(name: str, message: str, tmp_path: Path, capsys) -> None:
    (tmp_path / "empty").mkdir()
    make_zip(tmp_path / "plan.zip", [("engine.json", ENGINE)])
    line = run(["build", str(tmp_path / name), "-o", str(tmp_path / "dist")], capsys)
    assert re.search(message, line), line
    assert not (tmp_path / "dist").exists()
