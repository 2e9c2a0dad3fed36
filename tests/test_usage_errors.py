"""Usage errors exit 2 in every command, with one clear line and nothing written (#9.16).

A malformed option, a value out of its range, or a name the plan does not have: exit status 2,
nothing on stdout, no traceback, no server started, no state folder made. Errors of argparse
itself (a missing argument, an invalid choice) also exit 2, after the command's usage line.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from xmplan._cli import main

ROOT = Path(__file__).resolve().parents[1]
ARGPARSE = "argparse"  # the message comes from argparse: usage line first, then "xmplan CMD: error: ..."

CASES = [
    # unpack, build, validate
    (["unpack", "x.zip"], ARGPARSE, "the following arguments are required: dir"),
    (["build", "{root}", "--set", "KEY"], "--set expects KEY=VALUE, got 'KEY'"),
    (["build", "{root}", "--rule", "nope=off"], "--rule: unknown rule 'nope' (see `xmplan validate --list-rules`)"),
    (["validate"], "validate needs a PATH (a plan zip or source tree), or --list-rules"),
    (["validate", "{root}", "--format", "yaml"], ARGPARSE, "argument --format: invalid choice: 'yaml'"),
    # run
    (["run", "{root}", "Invite to Room", "--request", "{request}", "--clock", "9:00"],
     "--clock: expected an ISO 8601 time such as 2026-01-05T09:00:00Z, got '9:00'"),
    (["run", "{root}", "Invite to Room", "--request", "{request}", "--seed", "x"], ARGPARSE,
     "argument --seed: invalid int value: 'x'"),
    (["run", "{root}", "Invite to Room", "--request", "{request}", "--real-http", "Nope"],
     "--real-http: no endpoint named 'Nope' (the plan has: HipChat, xMatters)"),
    (["run", "{root}", "Invite to Room", "--request", "{request}", "--endpoint", "HipChat"],
     "--endpoint expects NAME=URL, got 'HipChat'"),
    (["run", "{root}", "Invite to Room", "--request", "{request}", "--input", "Room=1"],
     "--input and --endpoint-for are for running a Flow Designer step; 'Invite to Room' is an integration"),
    (["run", "{root}", "Invite to Room", "--request", "{request}", "--endpoint-for", "HipChat"],
     "--input and --endpoint-for are for running a Flow Designer step; 'Invite to Room' is an integration"),
    (["run", "{root}", "Invite to Room", "--request", "{request}", "--step-output", "Block"],
     "--step-output expects STEP NAME=FILE, got 'Block'"),
    (["run", "{root}", "Invite to Room"], "running an integration needs --request FILE"),
    # descriptor
    (["descriptor"], "give --base-url or a values file with 'addon_url'"),
    (["descriptor", "--base-url", "http://a.example.com"],
     "--base-url: 'addon_url' must be an https URL, got 'http://a.example.com'"),
    (["descriptor", "--base-url", "https://a.example.com", "--key", "no spaces"],
     "--key: key: 'no spaces' may hold only letters, digits, '_', '.' and '-'"),
    (["descriptor", "--base-url", "https://a.example.com", "--vendor-url", "http://v.example.com"],
     "--vendor-url: vendor.url: 'http://v.example.com' is not an https URL"),
    (["descriptor", "--base-url", "https://a.example.com", "--scopes", "read_minds"],
     "--scopes: capabilities.hipchatApiConsumer.scopes[0]: 'read_minds' is not one of"),
    (["descriptor", "--set", "addon_url=ftp://x"], "--set addon_url: 'addon_url' must be an https URL, got 'ftp://x'"),
    # serve
    (["serve", "{root}", "--data", "{data}", "--port", "-1"],
     "--port must be 0 to 65535 (0 picks a free port), got -1"),
    (["serve", "{root}", "--data", "{data}", "--port", "70000"],
     "--port must be 0 to 65535 (0 picks a free port), got 70000"),
    (["serve", "{root}", "--data", "{data}", "--workers", "0"], "--workers must be at least 1, got 0"),
    (["serve", "{root}", "--data", "{data}", "--threads", "0"], "--threads must be at least 1, got 0"),
    (["serve", "{root}", "--data", "{data}", "--rate-limit", "-5"], "--rate-limit must be at least 1, got -5"),
    (["serve", "{root}", "--data", "{data}", "--endpoint", "HipChat=ftp://x"],
     "--endpoint HipChat: expected an http or https URL, got 'ftp://x'"),
    (["serve", "{root}", "--data", "{data}", "--endpoint", "Hipchat=http://127.0.0.1:9"],
     "--endpoint: no endpoint named 'Hipchat' (the plan has: HipChat)"),
    (["serve", "{root}", "--data", "{data}", "--constant", "HipChat Tokn=t"],
     "--constant: no constant named 'HipChat Tokn' (the plan has: HipChat Token, HipChat URL)"),
    (["serve", "{root}", "--data", "{data}", "--constant", "HipChat Token"],
     "--constant expects NAME=VALUE, got 'HipChat Token'"),
    # hipchat serve, hipchat standin, demo
    (["hipchat", "serve", "--base-url", "http://127.0.0.1:1", "--data-dir", "{data}", "--port", "70000"],
     "--port must be 0 to 65535 (0 picks a free port), got 70000"),
    (["hipchat", "serve", "--base-url", "http://127.0.0.1:1", "--data-dir", "{data}", "--database", "not a url"],
     "--database is not an SQLAlchemy URL such as postgresql+psycopg://user:pw@host/db"),
    (["hipchat", "serve", "--base-url", "http://127.0.0.1:1", "--data-dir", "{data}",
      "--database", "postgresql+nodriver://u:pw@db/x"], "--database: SQLAlchemy has no database or driver "
                                                       "'postgresql+nodriver'"),
    (["hipchat", "serve", "--base-url", "ftp://x", "--data-dir", "{data}"],
     "--base-url must be an https URL (http only for 127.0.0.1 or localhost), got 'ftp://x'"),
    (["hipchat", "serve", "--base-url", "http://127.0.0.1:1", "--data-dir", "{data}", "--hipchat", "chat.acme.com"],
     "--hipchat must be a HipChat base URL such as https://chat.acme.com, got 'chat.acme.com'"),
    (["hipchat", "standin", "--port", "-2"], "--port must be 0 to 65535 (0 picks a free port), got -2"),
    (["demo", "--engine", "v8", "--data", "{data}"], ARGPARSE, "argument --engine: invalid choice: 'v8'"),
]


def _id(case: tuple[object, ...]) -> str:
    argv = [a for a in case[0] if not a.startswith("{")]  # type: ignore[union-attr]
    return " ".join(argv)


@pytest.mark.timeout(120)
@pytest.mark.parametrize("case", CASES, ids=[_id(c) for c in CASES])
def test_usage_errors_exit_2_with_one_line(case, tmp_path, capsys):
    argv, *expected = case
    request = tmp_path / "request.json"
    request.write_text(json.dumps({"body": {}}), encoding="utf-8")
    data = tmp_path / "state"
    names = {"root": str(ROOT), "request": str(request), "data": str(data)}
    out, err = io.StringIO(), io.StringIO()
    try:
        code = main([a.format(**names) for a in argv], out, err)
    except SystemExit as exc:  # argparse's own errors
        code = exc.code
    captured = capsys.readouterr()
    stderr = err.getvalue() + captured.err
    assert code == 2 and out.getvalue() == captured.out == ""
    assert "Traceback" not in stderr and not data.exists()  # nothing started, nothing written
    if expected[0] == ARGPARSE:
        assert stderr.splitlines()[0].startswith("usage: xmplan")
        assert stderr.splitlines()[-1].startswith("xmplan ") and expected[1] in stderr.splitlines()[-1]
    else:
        assert stderr.startswith(f"xmplan: error: {expected[0]}") and stderr.count("\n") == 1
