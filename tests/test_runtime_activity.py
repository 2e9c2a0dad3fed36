"""The text activity log: bodies shown as they were sent and received (issue #9.6)."""

from __future__ import annotations

from runtime_plans import make_plan, runtime

from xmplan._runtime.activity import MAX_BODY, activity_log

SERVICE = {"name": "Service", "baseUrl": "https://service.example"}
# A body as scripts build them by hand: indented lines, runs of spaces, a tab, an ESC sequence.
SEND = r"""
var body = '<team>\n    Members:  alice,   bob\n\tlead: carol\n</team>\n';
var answer = http.request({endpoint: 'Service', path: '/teams', method: 'POST'}).write(body);
console.log('indented:\n    next  line \x1b[2Jcleared');
"""


def log_of(engine_name: str, script: str, answer: dict[str, object]) -> list[str]:
    r = runtime(make_plan({"Test": script}, endpoints=[SERVICE]), engine_name)
    r.respond("Service", answer)
    outcome = r.run("Test")
    assert outcome.ok, outcome.error
    return activity_log(outcome).splitlines()


def test_bodies_keep_their_whitespace_as_an_indented_block(engine_name):
    lines = log_of(engine_name, SEND, {"status": 200, "body": "ok:\n  1  item\n\n  done"})
    start = lines.index('  HTTP POST https://service.example/teams (endpoint "Service") -> 200 OK (fake)')
    assert lines[start + 1:start + 13] == [
        "      sent:",
        "          <team>",
        "              Members:  alice,   bob",
        "          \tlead: carol",
        "          </team>",
        "      got:",
        "          ok:",
        "            1  item",
        "",
        "            done",
        "  console.log: indented:",  # one message: its next line is a block below it
        "              next  line \\x1b[2Jcleared",  # the ESC cannot clear the reader's terminal
    ]
    assert lines[-1] == "COMPLETED 0 events, 1 HTTP request, 1 console line"
    assert sum(line.startswith("  console.") for line in lines) == 1


def test_a_one_line_body_stays_on_its_label_line_and_a_long_one_is_counted(engine_name):
    script = "http.request({endpoint: 'Service', path: '/x', method: 'PUT'}).write('a  b   c');"
    long = "x" * (MAX_BODY + 25)
    lines = log_of(engine_name, script, {"status": 200, "body": long})
    assert "      sent: a  b   c" in lines
    got = lines.index("      got:")
    assert lines[got + 1:got + 3] == ["          " + "x" * MAX_BODY,
                                      "          ... (25 more characters; --format json shows the whole body)"]
