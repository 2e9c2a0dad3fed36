"""The js2py translation cache loads no code this user's xmplan did not write, and the suite writes nothing into ~."""

from __future__ import annotations

import marshal
import os
import subprocess
import sys
from pathlib import Path

import pytest
from runtime_plans import ENGINES

from xmplan._runtime.engine import HOST_GLOBAL, Script

pytestmark = pytest.mark.skipif("js2py" not in ENGINES, reason="js2py needs Python <= 3.11")

BIG = "var table = {};\n" + "".join(f"table.k{i} = {i};\n" for i in range(2000))
BIG += f"{HOST_GLOBAL}('size', String(Object.keys(table).length));\n"


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XMPLAN_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("XMPLAN_CACHE_KEY", str(tmp_path / "config" / "cache.key"))
    return tmp_path


def run_big() -> list[tuple[str, str]]:
    from xmplan._runtime.engines.js2py_engine import Js2pyEngine

    calls: list[tuple[str, str]] = []
    Js2pyEngine().run([Script("big.js", BIG)], lambda op, text: calls.append((op, text)) or "", time_limit=20)
    return calls


def entry(cache: Path) -> Path:
    (found,) = (cache / "cache").rglob("*.code")
    return found


def test_entries_are_signed_and_the_folders_private(cache):
    assert run_big() == [("size", "2000")]
    code = entry(cache)
    assert (cache / "cache").stat().st_mode & 0o777 == 0o700
    assert code.parent.stat().st_mode & 0o777 == 0o700
    assert (cache / "config" / "cache.key").stat().st_mode & 0o777 == 0o600
    assert run_big() == [("size", "2000")]  # loaded: still right


def poison(code: Path, payload: bytes) -> None:
    code.write_bytes(payload)
    os.chmod(code, 0o600)


def _evil_code(filename: str) -> bytes:
    evil = compile(f"var.get({HOST_GLOBAL!r})('pwned', 'yes')", filename, "exec")
    return marshal.dumps((evil, [1]))


def test_an_entry_written_by_someone_else_is_never_loaded(cache):
    """Anyone who could write the cache folder (a shared CI cache) ran Python outside the sandbox."""
    run_big()
    code = entry(cache)
    filename = marshal.loads(code.read_bytes()[32:])[0].co_filename
    poison(code, bytes(32) + _evil_code(filename))  # a wrong MAC
    assert run_big() == [("size", "2000")]
    poison(code, _evil_code(filename))  # no MAC at all, as the old cache wrote entries
    assert run_big() == [("size", "2000")]


def test_a_cache_or_key_open_to_others_is_not_used(cache, monkeypatch):
    run_big()
    code = entry(cache)
    signed = code.read_bytes()
    os.chmod(cache / "cache", 0o777)
    code.unlink()
    assert run_big() == [("size", "2000")]
    assert not code.exists()  # not written either
    os.chmod(cache / "cache", 0o700)
    os.chmod(cache / "config" / "cache.key", 0o644)
    code.write_bytes(signed)
    os.chmod(code, 0o600)
    import xmplan._codecache as codecache

    opened: list[codecache.SignedFolder | None] = []
    original = codecache.SignedCache.open
    monkeypatch.setattr(codecache.SignedCache, "open", lambda self: opened.append(original(self)) or opened[-1])
    assert run_big() == [("size", "2000")]
    assert opened == [None]  # a key others can read is no key: the signed entry is not loaded


def test_runs_in_the_suite_cache_in_its_temporary_folder():
    from xmplan._runtime.engines import get_engine

    calls: list[str] = []
    get_engine("js2py").run([Script("big.js", BIG + "// session\n")], lambda op, text: calls.append(text) or "",
                            time_limit=20)
    assert calls == ["2000"]
    folder = Path(os.environ["XMPLAN_CACHE_DIR"])
    assert not folder.is_relative_to(Path.home()) and list(folder.rglob("*.code"))


def test_the_suite_leaves_an_empty_home_empty(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("XMPLAN_", "XDG_"))}
    env["HOME"] = str(home)
    root = Path(__file__).resolve().parents[1]
    subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                    "tests/test_runtime_cache.py::test_runs_in_the_suite_cache_in_its_temporary_folder",
                    "tests/test_runtime_cli.py"], cwd=root, env=env, check=True, capture_output=True, timeout=600)
    assert list(home.iterdir()) == []
