"""What each command imports, in a fresh interpreter: nothing it does not use (issue #15, cold start).

Forbidden, by command (a module counts with everything under it):
- `--help`, `--version` and every `COMMAND --help`: the parser, the runtime, the web stack, jinja2 and jsonschema;
- `build`, `unpack`, `descriptor`: the parser, the runtime and the web stack;
- `validate ZIP`: the runtime, the web stack and jinja2 (a zip holds no templates);
- `run ZIP` of an integration: the web stack, jinja2, jsonschema, the flow runner, the JXON support
  and OpenSSL's hashlib (the engine itself loads in the worker process);
- a script worker: `site` and dukpy's package (it loads QuickJS's C extension alone).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PARSER = ("tree_sitter", "tree_sitter_javascript", "esprima", "xmplan._validate.jsparse", "xmplan._validate.jsfacts")
RUNTIME = ("xmplan._runtime", "dukpy", "js2py")
WEB = ("flask", "werkzeug", "waitress", "sqlalchemy", "jwt", "requests", "xmplan._web", "xmplan._serve",
       "xmplan._hipchat.addon", "xmplan._hipchat.standin", "xmplan._demo")
TEMPLATES_AND_SCHEMAS = ("jinja2", "jsonschema")
# What only other runs need: a flow's or a step's, a script that uses JXON, a plan that is filled.
NOT_FOR_AN_INTEGRATION = ("xmplan._flows.api", "xmplan._flows.flow", "xmplan._flows.steps", "xmplan._flows.blocks",
                          "xmplan._flows.activity", "xmplan._runtime.jxon", "xml.dom", "hashlib",
                          "importlib.resources")
INVITE = {"room": {"id": 4242, "name": "Ops War Room", "link": "https://hipchat.example.com/chat/room/4242"},
          "recipients": [{"id": "mmcbride", "type": "PERSON"}], "message": "Database is down, please join",
          "invitedBy": {"name": "Jane Doe", "mentionName": "JaneDoe", "id": 17},
          "hipchatUrl": "https://hipchat.example.com"}
_MARK = "--- modules after main ---"
_SCRIPT = f"""import sys
from xmplan._cli import main
try:
    code = main(sys.argv[1:])
except SystemExit as exc:
    code = exc.code or 0
print({_MARK!r})
print(code)
print("\\n".join(sorted(sys.modules)))
"""


def imported_by(argv: list[str], cwd: Path) -> tuple[int, set[str]]:
    """The exit status of `xmplan ARGV` in a fresh interpreter, and the modules it had loaded by then."""
    done = subprocess.run([sys.executable, "-c", _SCRIPT, *argv], cwd=cwd, capture_output=True, text=True,
                          timeout=120, check=True)
    code, *names = done.stdout.rsplit(_MARK + "\n", 1)[1].splitlines()
    return int(code), set(names)


def loaded(modules: set[str], families: tuple[str, ...]) -> list[str]:
    return sorted(m for m in modules if any(m == f or m.startswith(f + ".") for f in families))


@pytest.fixture(scope="module")
def plan(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    work = tmp_path_factory.mktemp("imports")
    tree = work / "tree"
    shutil.copytree(ROOT / "tests" / "samples" / "minimal", tree)
    subprocess.run([sys.executable, str(ROOT / "build.py"), "-o", str(work / "dist")], check=True,
                   capture_output=True, timeout=120)
    (work / "invite.json").write_text(json.dumps({"body": INVITE}), encoding="utf-8")
    return {"work": str(work), "tree": str(tree), "zip": str(work / "dist" / "HipChatInvitetoRoom.zip"),
            "request": str(work / "invite.json"), "values": str(ROOT / "plan" / "values.json")}


HELP = PARSER + RUNTIME + WEB + TEMPLATES_AND_SCHEMAS
CASES = [
    (["--help"], HELP, ()),
    (["--version"], HELP, ()),
    (["build", "--help"], HELP, ()),
    (["unpack", "--help"], HELP, ()),
    (["validate", "--help"], HELP, ()),
    (["run", "--help"], HELP, ()),
    (["build", "{tree}", "-o", "{work}/out"], PARSER + RUNTIME + WEB, ("xmplan._export",)),
    (["unpack", "{zip}", "{work}/unpacked"], PARSER + RUNTIME + WEB, ("xmplan._unpack",)),
    (["descriptor", "--values", "{values}"], PARSER + RUNTIME + WEB, ("xmplan._hipchat.descriptor",)),
    (["validate", "{zip}"], RUNTIME + WEB + ("jinja2",), ("tree_sitter", "jsonschema")),
    (["run", "{zip}", "Invite to Room", "--request", "{request}", "--engine", "quickjs"],
     WEB + TEMPLATES_AND_SCHEMAS + NOT_FOR_AN_INTEGRATION + ("esprima",), ("xmplan._runtime.api",)),
]


@pytest.mark.parametrize("argv, forbidden, expected", CASES, ids=[" ".join(c[0][:2]) for c in CASES])
def test_a_command_loads_only_what_it_uses(argv: list[str], forbidden: tuple[str, ...], expected: tuple[str, ...],
                                           plan: dict[str, str]) -> None:
    code, modules = imported_by([a.format(**plan) for a in argv], Path(plan["work"]))
    assert code == 0
    assert "xmplan._cli" in modules and all(m in modules for m in expected)  # the test sees what was loaded
    assert loaded(modules, forbidden) == []


_WORKER_PROBE = """
import json
from xmplan._runtime._worker import Worker
from xmplan._runtime.engine import Script
calls = []
Worker(None).engine("quickjs").run([Script("a.js", "__xmplan_host__('op', 'x');")],
                                   lambda op, text: calls.append(text) or "", time_limit=10)
print(json.dumps({"calls": calls, "modules": sorted(sys.modules)}))
"""


def test_a_worker_starts_without_site_and_loads_quickjs_alone() -> None:
    """The worker's own command (`-I -S`, xmplan and the site-packages on its path) loads the engine
    without `site` (.pth files: an editable install's import hook) and without dukpy's package (its
    npm installer: urllib, http, ssl, email), which were most of a worker's start-up (issue #15)."""
    from xmplan._runtime._spawn import command

    argv = command(0, "quickjs")
    start = "from xmplan._runtime._worker import main; main()"
    assert argv[1:4] == ["-I", "-S", "-c"] and argv[4].endswith(start)
    done = subprocess.run([*argv[:4], argv[4].removesuffix(start) + _WORKER_PROBE], capture_output=True, text=True,
                          timeout=120, check=True, cwd=ROOT.parent)
    found = json.loads(done.stdout)
    modules = set(found["modules"])
    assert found["calls"] == ["x"] and "dukpy._dukpy" in modules  # the engine ran
    assert loaded(modules, ("site", "dukpy.install", "dukpy.evaljs", "urllib.request", "ssl", "email", "tarfile",
                            "pathlib")) == []
