"""Each error xmplan raises on purpose is its specific class, located where the fault is; never the bare base."""

from __future__ import annotations

import ast
import os
import threading
from pathlib import Path

import pytest
from runtime_plans import ENGINES, make_plan, runtime

from xmplan._errors import InputError, RunError, SetupError, WriteError, XmplanError
from xmplan._files import write_tree
from xmplan._flows.api import flows_on_activity
from xmplan._hipchat.addon.crypto import load_key
from xmplan._runtime.inputs import read_json_file
from xmplan._runtime.request import Request
from xmplan._serve.directory import load_directory

PACKAGE = Path(__file__).resolve().parents[1] / "xmplan"


def test_a_file_given_to_a_command_that_is_not_what_it_must_be_is_an_input_error(tmp_path: Path) -> None:
    bad = tmp_path / "request.json"
    bad.write_text('{"body": 1,\n  oops}', encoding="utf-8")
    with pytest.raises(InputError, match=rf"^{bad}:2:3: error: not JSON"):
        read_json_file(str(bad))
    with pytest.raises(InputError, match=rf"^{bad}: error: unknown keys: nope"):
        Request.from_json({"nope": 1}, str(bad))
    people = tmp_path / "people.json"
    people.write_text('{"people": [{"targetName": "a"}, {"targetName": "a"}]}', encoding="utf-8")
    with pytest.raises(InputError, match=rf"^{people}: error: two people share a targetName"):
        load_directory(people)


@pytest.mark.skipif(os.name != "posix", reason="file modes")
def test_an_add_on_key_file_others_may_read_is_an_input_error(tmp_path: Path) -> None:
    key = tmp_path / "addon.key"
    key.write_text("x\n", encoding="utf-8")
    key.chmod(0o644)
    with pytest.raises(InputError, match=rf"^{key}: error: the key file may be read by other users"):
        load_key(tmp_path, environ={})


def test_output_that_cannot_be_written_is_a_write_error(tmp_path: Path) -> None:
    (tmp_path / "kept.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(WriteError, match=rf"^{tmp_path}: error: directory is not empty"):
        write_tree(tmp_path, {"plan/engine.json": b"{}"})
    assert [p.name for p in tmp_path.iterdir()] == ["kept.txt"]


@pytest.mark.skipif(not ENGINES, reason="no JavaScript engine installed")
def test_a_run_the_plan_cannot_do_is_a_run_error_at_the_plan(engine_name: str) -> None:
    rt = runtime(make_plan({"Inbound": "console.log(1);"}), engine_name)
    with pytest.raises(RunError, match=r"^test\.zip: error: no integration named 'Nope'"):
        rt.run("Nope", body="{}")
    with pytest.raises(RunError, match=r"^test\.zip: error: no endpoint named 'Svc' in the plan"):
        rt.respond("Svc", {"status": 200})
    with pytest.raises(InputError, match=r"^test\.zip: error: unknown keys in fake response: nope"):
        rt.respond("xMatters", {"nope": 1})


def test_an_unknown_event_activity_is_a_caller_s_mistake() -> None:
    # The emulator passes one of the five activities; anything else is a bug in the caller, not bad input.
    with pytest.raises(ValueError, match="unknown event activity 'RESPONDED'"):
        flows_on_activity(None, "form", "RESPONDED", {})  # type: ignore[arg-type]


@pytest.mark.skipif("quickjs" not in ENGINES, reason="QuickJS (dukpy) not installed")
def test_quickjs_off_the_main_thread_is_a_setup_error() -> None:
    from xmplan._runtime.engines import in_process

    engine = in_process("quickjs")
    caught: list[BaseException] = []

    def run() -> None:
        try:
            engine.run([], None, time_limit=1.0)  # type: ignore[arg-type]
        except BaseException as exc:  # handed to the test thread
            caught.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(10)
    assert len(caught) == 1 and isinstance(caught[0], SetupError)
    assert str(caught[0]) == "the quickjs engine enforces time limits only on the main thread"


def _base_raises(path: Path) -> list[int]:
    """Lines that make the bare base class: `XmplanError(...)` or `XmplanError.at(...)`."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call):
            func = node.func.value if isinstance(node.func, ast.Attribute) and node.func.attr == "at" else node.func
            if isinstance(func, ast.Name) and func.id == "XmplanError":
                found.append(node.lineno)
    return found


def test_no_module_raises_the_bare_base_class(tmp_path: Path) -> None:
    sample = tmp_path / "m.py"
    sample.write_text("raise XmplanError.at('f', 'm')\nraise XmplanError([])\nraise SourceError.at('f', 'm')\n")
    assert _base_raises(sample) == [1, 2]
    found = {str(p.relative_to(PACKAGE)): lines for p in sorted(PACKAGE.rglob("*.py"))
             if p.name != "_errors.py" and (lines := _base_raises(p))}
    assert found == {}
    assert issubclass(RunError, XmplanError) and issubclass(InputError, XmplanError)
