"""`xmplan descriptor` through the CLI, in-process."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import xmplan_cli


def test_writes_a_descriptor_to_stdout() -> None:
    code, out, err = xmplan_cli("descriptor", "--base-url", "https://addon.example.com", "--key", "org.acme.xm")
    assert (code, err) == (0, "")
    doc = json.loads(out)
    assert doc["key"] == "org.acme.xm"
    assert doc["capabilities"]["configurable"]["url"] == "https://addon.example.com/configure"


def test_writes_a_file_from_a_values_file_with_overrides(tmp_path: Path) -> None:
    values = tmp_path / "values.json"
    values.write_text(json.dumps({"addon_url": "https://a.example.com", "plan_name": "x"}), encoding="utf-8")
    target = tmp_path / "out" / "atlassian-connect.json"
    code, out, err = xmplan_cli("descriptor", "--values", str(values), "--set", "addon_name=Acme xMatters",
                         "--scopes", "send_notification,view_room", "-o", str(target))
    assert (code, err, out) == (0, "", f"wrote {target}\n")
    doc = json.loads(target.read_text(encoding="utf-8"))
    assert doc["name"] == "Acme xMatters"
    assert doc["links"]["self"] == "https://a.example.com/atlassian-connect.json"
    assert doc["capabilities"]["hipchatApiConsumer"]["scopes"] == ["send_notification", "view_room"]
    assert [p.name for p in target.parent.iterdir()] == ["atlassian-connect.json"]


def test_check_accepts_a_written_descriptor(tmp_path: Path) -> None:
    target = tmp_path / "d.json"
    assert xmplan_cli("descriptor", "--base-url", "https://a.example.com", "-o", str(target))[0] == 0
    assert xmplan_cli("descriptor", "--check", str(target)) == (0, f"{target}: descriptor OK\n", "")


@pytest.mark.parametrize(
    ("argv", "error"),
    [
        (["descriptor"], "xmplan: error: give --base-url or a values file with 'addon_url'"),
        (["descriptor", "--base-url", "http://a.example.com"], "'addon_url' must be an https URL"),
        (["descriptor", "--base-url", "https://a.example.com", "--key", "no spaces"], "key: 'no spaces' may hold only"),
        (["descriptor", "--base-url", "https://a.example.com", "--scopes", "admin_everything"],
         "'admin_everything' is not one of"),
    ],
)
def test_bad_options_give_one_line_errors(argv: list[str], error: str) -> None:
    code, out, err = xmplan_cli(*argv)
    assert code == 2 and out == ""  # usage errors (#9.16); a bad values file is exit 1, below
    assert error in err
    assert all(": error: " in line for line in err.splitlines())


def test_bad_values_and_descriptor_files_are_located(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text('{\n  "key": "x",\n  oops\n}', encoding="utf-8")
    code, _, err = xmplan_cli("descriptor", "--check", str(broken))
    assert code == 1 and err.startswith(f"{broken}:3:3: error: not valid JSON")
    values = tmp_path / "values.json"
    values.write_text('{"addon_url": 1}', encoding="utf-8")
    code, _, err = xmplan_cli("descriptor", "--values", str(values))
    assert code == 1 and err == f"{values}: error: a values file must be a JSON object of strings [values]\n"


def test_check_reports_every_problem(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"key": "k", "name": "n", "links": {"self": "http://x"}}, indent=2), encoding="utf-8")
    code, _, err = xmplan_cli("descriptor", "--check", str(bad))
    assert code == 1
    assert err.splitlines() == [  # each at the value it is about (a missing key: where its object starts)
        f"{bad}:1:1: error: 'description' is a required property [descriptor-schema]",
        f"{bad}:5:13: error: links.self: 'http://x' is not an https URL [descriptor-schema]",
    ]


def test_check_locates_problems_the_schema_cannot_see(tmp_path: Path) -> None:
    target = tmp_path / "d.json"
    assert xmplan_cli("descriptor", "--base-url", "https://a.example.com", "-o", str(target))[0] == 0
    text = target.read_text(encoding="utf-8")
    target.write_text(text.replace('"target": "xmatters.invite.dialog"', '"target": "nowhere"'), encoding="utf-8")
    line = next(n for n, row in enumerate(target.read_text(encoding="utf-8").splitlines(), 1) if '"nowhere"' in row)
    code, _, err = xmplan_cli("descriptor", "--check", str(target))
    assert code == 1 and err.startswith(f"{target}:{line}:")
    assert "capabilities.action[0].target: 'nowhere' is not the key of a dialog" in err
