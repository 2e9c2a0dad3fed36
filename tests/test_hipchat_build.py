"""`python build.py`: the plan zip and the add-on descriptor, deterministic, with one-line errors."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
from conftest import SHARED

from xmplan._hipchat.descriptor import descriptor_problems

ROOT = Path(__file__).parents[1]
HIPCHAT_SCHEMA = SHARED / "reference" / "hipchat" / "addon-capabilities.schema.draft4.json"
ZIP_NAME = "HipChatInvitetoRoom.zip"


@pytest.fixture(scope="module")
def build_main():
    spec = importlib.util.spec_from_file_location("xmplan_build_script", ROOT / "build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.main


def test_build_writes_the_zip_and_the_descriptor(build_main, tmp_path: Path, capsys) -> None:
    assert build_main(["-o", str(tmp_path)]) == 0
    assert capsys.readouterr().out.splitlines() == [f"wrote {tmp_path / ZIP_NAME}",
                                                    f"wrote {tmp_path / 'atlassian-connect.json'}"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["HipChatInvitetoRoom.zip", "atlassian-connect.json"]
    descriptor = json.loads((tmp_path / "atlassian-connect.json").read_text(encoding="utf-8"))
    assert descriptor_problems(descriptor) == []
    if HIPCHAT_SCHEMA.exists():  # HipChat's own schema, as an outside oracle
        jsonschema.Draft4Validator(json.loads(HIPCHAT_SCHEMA.read_text(encoding="utf-8"))).validate(descriptor)
    assert descriptor["links"]["self"] == "https://xmatters-hipchat.example.com/atlassian-connect.json"


def test_building_twice_gives_identical_bytes(build_main, tmp_path: Path) -> None:
    assert build_main(["-o", str(tmp_path / "a")]) == 0
    assert build_main(["-o", str(tmp_path / "b")]) == 0
    for name in (ZIP_NAME, "atlassian-connect.json"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_set_overrides_values_for_plan_and_descriptor(build_main, tmp_path: Path) -> None:
    assert build_main(["-o", str(tmp_path), "--set", "plan_name=Acme Invite",
                       "--set", "addon_url=https://hc.acme.test/xm"]) == 0
    descriptor = json.loads((tmp_path / "atlassian-connect.json").read_text(encoding="utf-8"))
    assert (tmp_path / "AcmeInvite.zip").exists()
    assert descriptor["capabilities"]["dialog"][0]["url"] == "https://hc.acme.test/xm/dialog/invite"


@pytest.mark.parametrize(
    ("argv", "error"),
    [
        (["--set", "addon_url=http://insecure.test"],
         "plan/values.json: error: 'addon_url' must be an https URL, got 'http://insecure.test' [descriptor-base-url]"),
        (["--set", "addon_url="], "plan/values.json: error: no value for 'addon_url'"),
    ],
)
def test_bad_values_give_one_line_and_write_nothing(build_main, tmp_path: Path, capsys, argv, error) -> None:
    assert build_main(["-o", str(tmp_path / "out"), *argv]) == 1
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.startswith(error) and len(captured.err.splitlines()) == 1
    assert not (tmp_path / "out").exists()


def test_bad_set_syntax_is_a_usage_error(build_main, capsys) -> None:
    with pytest.raises(SystemExit) as exit_info:
        build_main(["--set", "no-equals-sign"])
    assert exit_info.value.code == 2
    assert "--set expects KEY=VALUE" in capsys.readouterr().err


def test_runs_as_a_script_from_anywhere(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, str(ROOT / "build.py"), "-o", str(tmp_path)], cwd=tmp_path,
                            capture_output=True, text=True, timeout=120)
    assert (result.returncode, result.stderr) == (0, "")
    assert (tmp_path / ZIP_NAME).exists() and (tmp_path / "atlassian-connect.json").exists()
