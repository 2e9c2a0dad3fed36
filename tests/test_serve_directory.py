"""The emulator's directory: the `--people` file, password hashes, search; and the CLI's bad input."""

from __future__ import annotations

import io
import json
import re

import pytest
from serve_helpers import ROOT, basic, flagship_app, invitation, settle, trigger_path

from xmplan._cli import main
from xmplan._errors import XmplanError
from xmplan._serve.directory import check_password, directory_from_json, hash_password, load_directory

PEOPLE = {"people": [{"targetName": "ops", "firstName": "Olga", "lastName": "Ops", "password": "pw-1",
                      "emailAddress": "olga@ops.example", "devices": [{"name": "Work Email", "deviceType": "EMAIL"}]},
                     {"targetName": "hashed", "passwordHash": hash_password("pw-2")},
                     {"targetName": "nopass", "firstName": "No", "lastName": "Password"}],
          "groups": [{"targetName": "Night Shift", "members": ["ops", "nopass"], "description": "after hours"}]}


def test_people_file_passwords_are_hashed_and_checked(tmp_path):
    path = tmp_path / "people.json"
    path.write_text(json.dumps(PEOPLE))
    directory = load_directory(path)
    ops = directory.person("OPS")
    assert ops is not None and ops.password_hash.startswith("scrypt$") and "pw-1" not in ops.password_hash
    assert check_password("pw-1", ops.password_hash) and not check_password("pw-x", ops.password_hash)
    assert directory.authenticate("ops", "pw-1") == ops
    assert directory.authenticate("ops", "pw-1") == ops  # the second login is served from the HMAC cache
    assert directory.authenticate("ops", "wrong") is None
    assert directory.authenticate("hashed", "pw-2") is not None
    assert directory.authenticate("nopass", "") is None  # no password: cannot authenticate
    assert [p.target_name for p in directory.search_people("olga OPS.example")] == ["ops"]
    assert [g.target_name for g in directory.search_groups("after")] == ["Night Shift"]
    assert [p.target_name for p in directory.members(directory.group("night shift"))] == ["ops", "nopass"]


@pytest.mark.parametrize(("data", "message"), [
    ([], 'expected {"people": [...], "groups": [...]}'),
    ({"people": [{"firstName": "x"}]}, "a person needs"),
    ({"people": [{"targetName": "a", "pass": "x"}]}, "unknown keys: pass"),
    ({"people": [{"targetName": "a"}, {"targetName": "A"}]}, "two people share a targetName"),
    ({"people": [{"targetName": "a", "devices": [{"name": "x", "deviceType": "PIGEON"}]}]}, "a device needs"),
    ({"people": [], "groups": [{"targetName": "g", "members": ["ghost"]}]}, "members not in people: ghost"),
])
def test_bad_directories_are_located_errors(data, message):
    with pytest.raises(XmplanError, match=re.escape(message)):
        directory_from_json(data, "people.json")


def test_cli_refuses_bad_people_file_and_bad_endpoint(tmp_path):
    bad = tmp_path / "people.json"
    bad.write_text('{"people": [')
    err = io.StringIO()
    assert main(["serve", str(ROOT), "--people", str(bad), "--data", str(tmp_path / "d")], io.StringIO(), err) == 1
    assert err.getvalue().startswith(f"{bad}:1:") and "not JSON" in err.getvalue()
    err = io.StringIO()
    code = main(["serve", str(ROOT), "--endpoint", "HipChat=ftp://x", "--data", str(tmp_path / "d")],
                io.StringIO(), err)
    assert code == 2 and "expected an http or https URL" in err.getvalue()


def test_passwords_and_credentials_are_not_stored(tmp_path):
    app = flagship_app(tmp_path, endpoints={"HipChat": "http://127.0.0.1:9"})
    client = app.test_client()
    answer = client.post(trigger_path(app) + "?apiKey=sekrit-key", json=invitation(),
                         headers={**basic(), "Cookie": "session=sekrit-cookie"})
    assert answer.status_code == 202
    settle(app)
    app.extensions["xmplan.runs"].stop()
    stored = b"".join(p.read_bytes() for p in tmp_path.glob("xmplan.db*"))
    for secret in (b"integration-password", basic()["Authorization"].split()[1].encode(), b"sekrit"):
        assert secret not in stored
    assert b"Zed Ops" in stored  # the store is not empty: the request and its event are there
