"""docs/runtime.md's outcome reference (issue #9.17) against the code: its tables, its example, its statements."""

from __future__ import annotations

import dataclasses
import doctest
import re
from pathlib import Path

import pytest
from runtime_plans import make_plan, runtime

import xmplan
from xmplan import XmplanError

ROOT = Path(__file__).resolve().parents[1]
DOC = (ROOT / "docs" / "runtime.md").read_text(encoding="utf-8")
REFERENCE = DOC.split("## The outcome\n", 1)[1].split("\n## ", 1)[0]


def documented_fields() -> dict[str, list[str]]:
    """Per table of the reference (`| \\`Outcome\\` | ... |`), the field names of its first column, in order."""
    tables: dict[str, list[str]] = {}
    for block in re.split(r"\n\n", REFERENCE):
        lines = [line for line in block.splitlines() if line.startswith("|")]
        head = re.match(r"\| `(\w+)` \|", lines[0]) if lines else None
        if head is None:
            continue
        tables[head.group(1)] = [name for line in lines[2:] for name in re.findall(r"`(\w+)`", line.split("|")[1])]
    return tables


@pytest.mark.parametrize("name", ["Outcome", "Event", "Rejected", "HttpCall", "ConsoleLine", "Failure"])
def test_each_table_lists_the_fields_of_its_class_in_order(name: str) -> None:
    cls = getattr(xmplan, name)
    assert documented_fields()[name] == [f.name for f in dataclasses.fields(cls)]


def test_the_reference_example_runs_as_written(monkeypatch: pytest.MonkeyPatch) -> None:
    [example] = re.findall(r"```pycon\n(.*?)```", REFERENCE, flags=re.S)
    monkeypatch.chdir(ROOT)  # the example loads the flagship plan from "."
    test = doctest.DocTestParser().get_doctest(example, {}, "docs/runtime.md: The outcome", "docs/runtime.md", 0)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    runner.run(test, out=lambda text: pytest.fail(text))
    assert runner.summarize(verbose=False).attempted >= 15


REFUSED = "var r = form.post({properties: {Count: 'many'}, recipients: 'ops'});\nconsole.error(r.statusCode);"


def test_rejected_carries_the_error_body_the_script_got(engine_name: str) -> None:
    outcome = runtime(make_plan({"Test": REFUSED}), engine_name).run("Test")
    [rejected] = outcome.rejected
    assert (rejected.status, rejected.via, outcome.events) == (400, "form.post", ())
    assert set(rejected.body) == {"code", "reason", "message"} and rejected.body["code"] == 400
    assert "Property 'Count': expected a Number" in rejected.body["message"]
    assert "'recipients' must be a list" in rejected.body["message"]  # every reason, in one text
    assert rejected.trigger == {"properties": {"Count": "many"}, "recipients": "ops"}
    assert outcome.console[0].level == "error" and outcome.lines == ["400"]


def test_an_event_without_recipients_has_none_and_a_note(engine_name: str) -> None:
    outcome = runtime(make_plan({"Test": "form.post({properties: {Summary: 's'}});"}), engine_name).run("Test")
    [event] = outcome.events
    assert event.recipients is None and "default recipients" in event.notes[0]
    assert isinstance(event.id, str) and event.event_id == 1000001


SCRIPT = """\
console.info('n', 2, true);
console.debug('d');
http.request({endpoint: 'Service', path: '/a b?q=1'}).write();
throw new Error('boom');
"""


def test_http_console_failure_and_json(engine_name: str) -> None:
    r = runtime(make_plan({"Test": SCRIPT}, endpoints=[{"name": "Service", "baseUrl": "https://svc.example"}]),
                engine_name)
    r.respond("Service", {"status": 200, "body": {"ok": True}}, path="/a b?q=*")
    outcome = r.run("Test")
    assert [(c.level, c.text) for c in outcome.console] == [("info", "n 2 true"), ("debug", "d")]
    [call] = outcome.http
    assert (call.path, call.url, call.body, call.json) == ("/a b?q=1", "https://svc.example/a%20b?q=1", None, None)
    assert call.response.body == '{"ok": true}' and call.error is None
    failure = outcome.error
    assert not outcome.ok and "boom" in failure.message and failure.line == 4 and not failure.timeout
    place = ":".join(str(p) for p in (failure.file, failure.line, failure.column) if p is not None)
    assert str(failure) == f"{place}: {failure.message}" and str(failure).startswith(f"{failure.file}:4")
    assert set(outcome.to_json()) == {"integration", "events", "rejected", "http", "console", "error", "notes"}


def test_a_missing_fake_is_the_calls_error_not_an_exception(engine_name: str) -> None:
    script = "try { http.request({endpoint: 'xMatters', path: '/x'}).write(); } catch (e) { console.log('caught'); }"
    outcome = runtime(make_plan({"Test": script}), engine_name).run("Test")
    [call] = outcome.http
    assert call.response is None and call.error.startswith("No fake response for GET") and outcome.lines == ["caught"]


def test_run_raises_only_for_what_is_wrong_before_the_script_starts(engine_name: str) -> None:
    r = runtime(make_plan({"Test": "throw 'x';"}), engine_name)
    with pytest.raises(XmplanError, match="no integration named 'Nope'"):
        r.run("Nope")
    with pytest.raises(XmplanError, match="unknown keys: bdy"):
        r.run("Test", {"bdy": {}})
    assert r.run("Test").error is not None
