"""The script environment behaves like xMatters' Integration Builder, on every engine."""

from __future__ import annotations

import json

import pytest
from runtime_plans import make_plan, runtime

from xmplan._errors import Location


def run(engine_name, script, *, libraries=None, constants=None, endpoints=(), respond=(), **request):
    plan = make_plan({"Test": script}, libraries=libraries, constants=constants, endpoints=endpoints)
    rt = runtime(plan, engine_name)
    for endpoint, answers in respond:
        rt.respond(endpoint, *answers)
    return rt.run("Test", **request)


def test_top_level_return_ends_the_script(engine_name):
    outcome = run(engine_name, "console.log('a');\nif (true) { return; }\nconsole.log('b');")
    assert outcome.ok and outcome.lines == ["a"]


def test_var_request_shadows_the_builtin(engine_name):
    script = ("var payload = JSON.parse(request.body);\n"
              "var request = http.request({endpoint: 'xMatters', path: '/api/xm/1/people', method: 'GET'});\n"
              "var response = request.write();\n"
              "console.log(payload.name + ' ' + response.statusCode);")
    outcome = run(engine_name, script, body={"name": "disk"},
                  respond=[("xMatters", [{"status": 200, "body": {"count": 0}}])])
    assert outcome.ok, outcome.error
    assert outcome.lines == ["disk 200"]


def test_sloppy_mode_and_implicit_globals(engine_name):
    script = ("json = {a: 1};\nconsole.log(String(json.a));\nfunction f() { leaked = 2; }\nf();\n"
              "console.log(String(leaked));")
    outcome = run(engine_name, script)
    assert outcome.lines == ["1", "2"]


def test_request_properties(engine_name):
    script = ("console.log(request.body);\n"
              "console.log(request.headers['Content-Type'] + '|' + request.headers['content-type'] + '|' + "
              "request.headers['X-Token']);\n"
              "console.log(Object.keys(request.headers).join(','));\n"
              "console.log(request.parameters.a + request.parameters.b);\n"
              "console.log(request.requestId + ' ' + request.integrationUuid);")
    outcome = run(engine_name, script, body="a=1&b=2",
                  headers={"content-type": "application/x-www-form-urlencoded", "x-token": "t"},
                  parameters={"a": "q"})
    body, headers, keys, params, ids = outcome.lines
    assert body == "a=1&b=2"
    assert headers == "application/x-www-form-urlencoded|application/x-www-form-urlencoded|t"
    assert keys == "content-type,x-token"  # the case-insensitive aliases are not enumerable
    assert params == "q2"  # the query parameter wins over the form field of the same name
    request_id, integration_uuid = ids.split()
    assert len(request_id) == 36 and integration_uuid == "00000000-0000-4000-8000-000000000000"


def test_non_string_headers_and_parameters_arrive_as_json_text_and_null_ones_not_at_all(engine_name):
    script = ("console.log([request.headers['X-Flag'], request.parameters.n, request.parameters.list,"
              " typeof request.parameters.none, typeof request.headers['X-None']].join('|'));")
    outcome = run(engine_name, script, headers={"X-Flag": True, "X-None": None},
                  parameters={"n": 2, "list": [1, "é"], "none": None})
    assert outcome.lines == ['true|2|[1,"é"]|undefined|undefined']


def test_non_string_body_arrives_as_json_text(engine_name):
    outcome = run(engine_name, "console.log(typeof request.body + ' ' + JSON.parse(request.body).n);", body={"n": 3})
    assert outcome.lines == ["string 3"]


def test_trigger_exists_and_form_post_returns_the_event(engine_name):
    script = ("trigger.properties.Summary = 'Disk full';\n"
              "trigger.properties.Severity = 'High';\n"
              "trigger.recipients = [{id: 'ops', recipientType: 'GROUP'}];\n"
              "var response = form.post(trigger);\n"
              "console.log(response.statusCode + ' ' + JSON.parse(response.body).eventId);")
    outcome = run(engine_name, script)
    [event] = outcome.events
    assert event.properties == {"Summary": "Disk full", "Severity": "High"}
    assert event.recipients == ({"id": "ops", "recipientType": "GROUP"},)
    assert event.form == "Alert" and event.notes == ()
    assert outcome.lines == [f"200 {event.event_id}"]


def test_form_post_without_recipients_is_recorded_with_a_note(engine_name):
    outcome = run(engine_name, "form.post({properties: {Summary: 'x'}});")
    [event] = outcome.events
    assert event.recipients is None
    assert "default recipients" in event.notes[0]


def test_console_levels(engine_name):
    script = ("console.log('l', 1);\nconsole.info('i');\nconsole.warn('w');\nconsole.error('e');\n"
              "console.debug('d', {a: 1});")
    outcome = run(engine_name, script)
    assert [(c.level, c.text) for c in outcome.console] == [
        ("log", "l 1"), ("info", "i"), ("warn", "w"), ("error", "e"), ("debug", "d [object Object]")]


def test_constants_are_strings(engine_name):
    outcome = run(engine_name, "console.log(typeof constants.Limit + constants['Application Host']);",
                  constants={"Limit": "5", "Application Host": "h"})
    assert outcome.lines == ["stringh"]


def test_require_commonjs_one_instance_per_run(engine_name):
    libraries = {
        "Counter": "var n = 0;\nexports.next = function () { n += 1; return n; };",
        "Util": "function Util() { this.counter = require('Counter'); }\n"
                "Util.prototype.twice = function () { this.counter.next(); return this.counter.next(); };\n"
                "module.exports = new Util();",
    }
    script = ("var util = require('Util');\nvar counter = require('Counter');\nutil.twice();\n"
              "console.log(String(counter.next()));")
    rt = runtime(make_plan({"Test": script}, libraries=libraries), engine_name)
    assert rt.run("Test").lines == ["3"]
    assert rt.run("Test").lines == ["3"]  # a new run starts with fresh library instances


def test_require_unknown_library_fails(engine_name):
    outcome = run(engine_name, "require('Nope');")
    assert "Cannot find shared library 'Nope'" in outcome.error.message


def test_java_string_methods(engine_name):
    script = ("console.log(String('Active'.equalsIgnoreCase('ACTIVE')) + 'a'.equals('a') + 'abc'.contains('b')"
              " + ''.isEmpty() + 'abc'.startsWith('ab') + 'abc'.endsWith('bc') + 'x'.equalsIgnoreCase(null));")
    assert run(engine_name, script).lines == ["truetruetruetruetruetruefalse"]


def test_jxon_parses_xml(engine_name):
    xml = ("<API version='1'><Response><Operation><Details><Severity>Critical</Severity>"
           "<Count>3</Count><Empty/><Item>a</Item><Item>b</Item></Details></Operation></Response></API>")
    script = ("var x = JXON.parse(request.body).api;\n"
              "var d = x.response.operation.details;\n"
              "console.log(x['@version'] + ' ' + d.severity + ' ' + (d.count + 1) + ' ' + d.empty + ' ' + "
              "d.item.join('+'));")
    assert run(engine_name, script, body=xml).lines == ["1 Critical 4 true a+b"]


def test_jxon_config_keeps_tag_case_and_dates(engine_name):
    script = ("XMLUtils.JXON.config({lowerCaseTags: false});\n"
              "var x = JXON.parse('<Root><When>2020-01-02T03:04:05Z</When><V a=\"b\">t</V></Root>').Root;\n"
              "console.log((x.When instanceof Date) + ' ' + x.When.getUTCFullYear() + ' ' + x.V.keyValue + x.V['@a']);")
    assert run(engine_name, script).lines == ["true 2020 tb"]


def test_json_builtin(engine_name):
    assert run(engine_name, "console.log(JSON.stringify({a: [1, 'x']}, null, 0));").lines == ['{"a":[1,"x"]}']


def test_http_authenticate_returns_a_token(engine_name):
    outcome = run(engine_name, "console.log(http.authenticate('Slack'));",
                  endpoints=[{"name": "Slack", "baseUrl": "https://slack.example"}])
    assert outcome.lines == ["fake-token-for-Slack"]


def test_thrown_error_names_file_and_line(engine_name):
    outcome = run(engine_name, "console.log('before');\n\nthrow new Error('Failed with status 500');")
    assert outcome.lines == ["before"]
    assert "Failed with status 500" in outcome.error.message
    # The plan was made in memory, so there is no entry text to find the line in: the script is named.
    assert (outcome.error.file, outcome.error.line) == (
        "test.zip/integrations/integrations.json#/integrations/0/script", 3)
    # The place is a Location, printed as every problem's is; the JSON keeps the flat keys.
    where = outcome.error.location
    assert isinstance(where, Location) and (where.file, where.line) == (outcome.error.file, 3)
    assert str(outcome.error) == f"{where}: {outcome.error.message}"
    assert outcome.to_json()["error"] == {"message": outcome.error.message, "file": where.file, "line": 3,
                                          "column": where.column, "timeout": False}


@pytest.mark.parametrize("call, message", [
    ("require('Nope');", "Cannot find shared library 'Nope'"),
    ("http.request({endpoint: 'Nope', path: '/x'}).write();", 'Endpoint "Nope" is not defined'),
    ("http.request({endpoint: 'Svc', path: '/x'}).write();", "No fake response for GET"),
    ("JXON.parse('<a>');", "XML"),
])
def test_errors_raised_by_built_ins_name_the_calling_line(engine_name, call, message):
    outcome = run(engine_name, f"var x = 1;\n\n  {call}", endpoints=[{"name": "Svc", "baseUrl": "https://svc"}])
    assert message in outcome.error.message
    assert (outcome.error.file, outcome.error.line) == (
        "test.zip/integrations/integrations.json#/integrations/0/script", 3)


def test_columns_on_the_first_line_are_the_files(engine_name):
    """The wrapper's opening shares the script's first line; columns there leave it out."""
    outcome = run(engine_name, "var s = 1; null.x;")
    assert outcome.error.line == 1
    assert outcome.error.column is None or 12 <= outcome.error.column <= 17  # js2py gives no column


def test_thrown_string_is_the_error(engine_name):
    # QuickJS keeps no throw site for a thrown string, so only the file is certain here.
    outcome = run(engine_name, "throw 'Failed with status ' + 500;")
    assert "Failed with status 500" in outcome.error.message
    assert outcome.error.file == "test.zip/integrations/integrations.json#/integrations/0/script"


def test_syntax_error_names_the_line(engine_name):
    outcome = run(engine_name, "var a = 1;\nvar b = ;\n")
    assert outcome.error is not None and outcome.error.line == 2
    assert not outcome.steps


def test_script_file_of_a_source_tree_is_named(engine_name):
    from dataclasses import replace

    plan = make_plan({"Test": "var ok = 1;\nnull.boom;"})
    plan = replace(plan, sources={"integrations/integrations.json#/integrations/0/script":
                                  "scripts/integrations/Test.js"})
    outcome = runtime(plan, engine_name).run("Test")
    assert (outcome.error.file, outcome.error.line) == ("scripts/integrations/Test.js", 2)


def test_runs_do_not_share_globals(engine_name):
    rt = runtime(make_plan({"Test": "if (typeof seen !== 'undefined') { console.log('leak'); }\nseen = true;"}),
                 engine_name)
    assert rt.run("Test").lines == [] and rt.run("Test").lines == []


def test_outcome_json_has_the_documented_keys(engine_name):
    outcome = run(engine_name, "form.post({properties: {Summary: 'x'}}); console.log('done');")
    data = json.loads(json.dumps(outcome.to_json()))
    assert {"events", "http", "console", "error"} <= data.keys()
    assert data["events"][0]["properties"] == {"Summary": "x"}
