"""Built-ins scripts lean on, run on every available JavaScript engine: JSON.parse of null, Date
parsing and formatting, number to string. Each case must give the JavaScript answer on every engine
(js2py 0.74 got all of these wrong before xmplan's fixes)."""

from __future__ import annotations

import json

import pytest
from runtime_plans import make_plan, runtime

from xmplan._runtime.engine import HOST_GLOBAL, Script
from xmplan._runtime.engines import available_engines

ENGINES = available_engines()


def evaluate(engine, expression: str, answer: str = "{}") -> str:
    """String(expression) as the engine computes it, or "Name: " of the error it throws; the host
    answers every call with `answer`."""
    results: list[str] = []

    def host(operation: str, json_text: str) -> str:
        results.append(json_text)
        return answer

    script = f"""
    var result;
    try {{ result = String({expression}); }} catch (e) {{ result = e.name + ': '; }}
    {HOST_GLOBAL}('result', result);
    """
    engine.run([Script("scripts/s1.js", script)], host, time_limit=10)
    return results[-1]


@pytest.mark.parametrize("expression, expected", [
    ("JSON.parse('{\"a\":null}').a === null", "true"),
    ("'a' in JSON.parse('{\"a\":null}')", "true"),
    ("JSON.stringify(JSON.parse('{\"a\":null,\"b\":1}'))", '{"a":null,"b":1}'),
    ("JSON.stringify(JSON.parse('[null, {\"x\": [null, {\"y\": null}]}, 1, \"s\", true, false]'))",
     '[null,{"x":[null,{"y":null}]},1,"s",true,false]'),
    ("JSON.parse('[null]').length + ',' + (JSON.parse('[null]')[0] === null)", "1,true"),
    ("JSON.parse('null') === null", "true"),
    ("Object.keys(JSON.parse('{\"b\":1,\"a\":2,\"1\":3}')).join()", "1,b,a"),
    ("JSON.stringify(JSON.parse('{\"a\":[1,null],\"b\":{\"c\":null}}', "
     "function (k, v) { return v === null ? 'N' : v; }))", '{"a":[1,"N"],"b":{"c":"N"}}'),
    ("JSON.stringify(JSON.parse('{\"a\":1,\"b\":2}', function (k, v) { return k === 'a' ? undefined : v; }))",
     '{"b":2}'),
    ("(function () { var a = JSON.parse('[1,2]'); a.push(null); return a.length + JSON.stringify(a); })()",
     "3[1,2,null]"),
    ("Array.isArray(JSON.parse('[]')) && JSON.parse('{}') instanceof Object", "true"),
    ("JSON.parse('123456789012345678901234567890')", "1.2345678901234568e+29"),
    ("JSON.parse('1' + new Array(400).join('0'))", "Infinity"),
    ("JSON.parse('[1.5, 2, 1e3]').join()", "1.5,2,1000"),
    ("JSON.parse('NaN')", "SyntaxError: "),
    ("JSON.parse('[1, Infinity]')", "SyntaxError: "),
    ("JSON.parse('{bad}')", "SyntaxError: "),
])
def test_json_parse(engine, expression, expected):
    assert evaluate(engine, expression) == expected


def test_nulls_from_the_host_arrive_as_null(engine):
    """The prelude parses what the host returns with JSON.parse: nulls must stay null."""
    answer = json.dumps({"a": None, "list": [None, {"c": None}], "n": 1})
    expression = (f"(function () {{ var o = JSON.parse({HOST_GLOBAL}('get', '')); "
                  "return [o.a === null, o.list[0] === null, o.list[1].c === null, JSON.stringify(o)].join('|'); })()")
    assert evaluate(engine, expression, answer) == 'true|true|true|{"a":null,"list":[null,{"c":null}],"n":1}'


def test_outbound_callback_null_comment_reaches_the_script(engine_name):
    """A callback with annotation "null" gives `response.comment === null` (through the prelude)."""
    script = "console.log(JSON.stringify(response) + ' ' + (response.comment === null));"
    plan = make_plan({"Out": script}, outbound={"Out": "RESPONSE"})
    body = {"eventIdentifier": 39637008, "date": "2019-05-09 21:38:11.868", "recipient": "msteele",
            "device": "Work Email", "response": "Acknowledge", "annotation": "null"}
    outcome = runtime(plan, engine_name).run("Out", body=body)
    assert outcome.ok, outcome.error
    assert outcome.lines == ['{"response":"Acknowledge","deviceName":"Work Email","comment":null} true']


# Dates: assertions that hold in any time zone (local-time forms are compared with the engine's own
# local-time constructor and getters).
@pytest.mark.parametrize("expression, expected", [
    ("typeof Date.parse('2020-01-02T00:00:00Z')", "number"),
    ("typeof Date.now() + ',' + (Math.abs(Date.now() - new Date().getTime()) < 5000)", "number,true"),
    ("typeof JSON.parse(JSON.stringify({t: Date.now()})).t", "number"),
    ("Date.parse('2020-01-02T00:00:00Z')", "1577923200000"),
    ("Date.parse('2020-01-02')", "1577923200000"),  # ISO date-only forms are UTC
    ("Date.parse('2020-01')", "1577836800000"),
    ("Date.parse('2020')", "1577836800000"),
    ("Date.parse('2019-05-09T21:38:11.868Z')", "1557437891868"),
    ("Date.parse('2019-05-09T21:38:11.8Z')", "1557437891800"),
    ("Date.parse('2019-05-09T21:38:11.868+02:00')", "1557430691868"),
    ("Date.parse('2019-05-09T21:38:11-0530')", "1557457691000"),
    ("Date.parse('2019-05-09T21:38Z')", "1557437880000"),
    ("Date.parse('2019-05-09T24:00:00Z')", "1557446400000"),
    ("Date.parse('+002019-05-09T00:00:00Z')", "1557360000000"),
    ("Date.parse('-000001-01-01T00:00:00Z')", "-62198755200000"),
    ("Date.parse('Thu, 02 Jan 2020 03:04:05 GMT')", "1577934245000"),
    ("Date.parse('Thu, 02 Jan 2020 03:04:05 +0100')", "1577930645000"),
    ("Date.parse('Thu Jan 02 2020 03:04:05 GMT+0000')", "1577934245000"),
    ("Date.parse('Thu Jan 02 2020 03:04:05 GMT+0530 (India Standard Time)')", "1577914445000"),
    ("Date.parse('garbage')", "NaN"),
    ("Date.parse('')", "NaN"),
    ("Date.parse('2019-13-09')", "NaN"),
    ("Date.parse('2019-05-09T25:00:00Z')", "NaN"),
    ("Date.parse('2020-01-02T03:04:60Z')", "NaN"),
    ("Date.parse('1577934245000')", "NaN"),
    ("new Date('nope').getTime()", "NaN"),
    ("new Date('nope')", "Invalid Date"),
    ("new Date('nope').toString()", "Invalid Date"),
    ("new Date('nope').toDateString()", "Invalid Date"),
    ("new Date('nope').getFullYear()", "NaN"),
    ("new Date('nope').toISOString()", "RangeError: "),
    ("JSON.stringify({d: new Date('nope')})", '{"d":null}'),
    ("new Date(NaN).getTime()", "NaN"),
    ("new Date(NaN).toString()", "Invalid Date"),
    ("new Date(8.64e15).getTime()", "8640000000000000"),
    ("new Date(8.64e15 + 1).getTime()", "NaN"),
    ("new Date(1.5).getTime()", "1"),
    # Local time: xMatters callback dates, ISO date-times without an offset, the other forms.
    ("new Date('2020-01-02 03:04:05').getTime() === new Date(2020, 0, 2, 3, 4, 5).getTime()", "true"),
    ("new Date('2019-05-09 21:38:11.868').getTime() === new Date(2019, 4, 9, 21, 38, 11, 868).getTime()", "true"),
    ("(function () { var d = new Date('2019-05-09 21:38:11.868'); return [d.getFullYear(), d.getMonth(), "
     "d.getDate(), d.getHours(), d.getMinutes(), d.getSeconds(), d.getMilliseconds()].join(); })()",
     "2019,4,9,21,38,11,868"),
    ("new Date('2019-05-09T21:38:11').getTime() === new Date(2019, 4, 9, 21, 38, 11).getTime()", "true"),
    ("new Date('01/02/2020').getTime() === new Date(2020, 0, 2).getTime()", "true"),
    ("new Date('1/2/20 03:04:05').getTime() === new Date(2020, 0, 2, 3, 4, 5).getTime()", "true"),
    ("new Date('2020/01/02').getTime() === new Date(2020, 0, 2).getTime()", "true"),
    ("new Date('Jan 02 2020').getTime() === new Date(2020, 0, 2).getTime()", "true"),
    ("new Date('January 2, 2020').getTime() === new Date(2020, 0, 2).getTime()", "true"),
    ("new Date('2 Jan 2020').getTime() === new Date(2020, 0, 2).getTime()", "true"),
    ("new Date('Thu Jan 02 2020').getTime() === new Date(2020, 0, 2).getTime()", "true"),
    ("new Date('Jan 2 2020 3:04 PM').getTime() === new Date(2020, 0, 2, 15, 4).getTime()", "true"),
    ("new Date(' 2019-05-09').getTime() === new Date(2019, 4, 9).getTime()", "true"),
    # What toString and toUTCString print reads back (ES5.1, 15.9.4.2), to the second.
    ("(function () { var d = new Date(2020, 0, 2, 3, 4, 5); "
     "return Date.parse(d.toString()) === d.getTime() && Date.parse(d.toUTCString()) === d.getTime(); })()", "true"),
    ("(function () { var d = new Date(2020, 6, 2, 3, 4, 5); return new Date(d).getTime() === d.getTime(); })()",
     "true"),
    ("Date.parse(new Date(Date.UTC(2020, 0, 2, 3, 4, 5, 6)).toISOString())", "1577934245006"),
    # Formats.
    ("new Date(Date.UTC(2020, 0, 2, 3, 4, 5)).toUTCString()", "Thu, 02 Jan 2020 03:04:05 GMT"),
    ("new Date(Date.UTC(-50, 0, 2, 3, 4, 5)).toUTCString()", "Mon, 02 Jan -0050 03:04:05 GMT"),
    ("new Date(Date.UTC(12345, 0, 2, 3, 4, 5)).toUTCString()", "Tue, 02 Jan 12345 03:04:05 GMT"),
    ("new Date(2020, 0, 2, 3, 4, 5).toDateString()", "Thu Jan 02 2020"),
    ("new Date(2020, 0, 2, 3, 4, 5).toString().slice(0, 24)", "Thu Jan 02 2020 03:04:05"),
    ("/^03:04:05 GMT[+-]\\d{4}/.test(new Date(2020, 0, 2, 3, 4, 5).toTimeString())", "true"),
    ("(function () { var d = new Date(2020, 0, 2, 3, 4, 5), o = -d.getTimezoneOffset(), a = Math.abs(o); "
     "var zone = (o < 0 ? '-' : '+') + (a < 600 ? '0' : '') + Math.floor(a / 60) + (a % 60 < 10 ? '0' : '') + a % 60; "
     "return d.toString().slice(24, 33) === ' GMT' + zone; })()", "true"),
    ("new Date(Date.UTC(2019, 4, 9, 21, 38, 11, 868)).toJSON()", "2019-05-09T21:38:11.868Z"),
    # Read back what toString and toUTCString print, years before 1 too ("-0001" is a year, not an offset).
    ("new Date(new Date(-62167219201000)).getTime()", "-62167219201000"),
    ("Date.parse(new Date(-62167219201000).toUTCString())", "-62167219201000"),
    ("new Date(new Date(-8.64e15)).getTime()", "-8640000000000000"),
    ("Date.parse('Thu, 02 Jan 2020 03:04:05 -0500')", "1577952245000"),
    ("Date.parse('Jan 2 ' + new Array(5001).join('9'))", "NaN"),
    ("Date.parse('2020-01-02T03:04:05.000+24:00')", "NaN"),
    ("Date.parse('2020-01-02T03:04:05.000+05:60')", "NaN"),
])
@pytest.mark.filterwarnings("error")  # js2py warned about dates outside years 1-9999
def test_dates(engine, expression, expected):
    assert evaluate(engine, expression) == expected


@pytest.mark.parametrize("expression, expected", [
    ("(0.000001234).toString()", "0.000001234"),
    ("String(0.000001234)", "0.000001234"),
    ("(1e21).toString()", "1e+21"),
    ("(1e21).toString(10)", "1e+21"),
    ("JSON.stringify(1e21)", "1e+21"),
    ("JSON.stringify(123456789012345680000)", "123456789012345680000"),
    ("JSON.stringify({x: 0.000001234, y: 1e-7, z: -1.5e-10, w: [0.1, 1e300]})",
     '{"x":0.000001234,"y":1e-7,"z":-1.5e-10,"w":[0.1,1e+300]}'),
    ("String(1e-7)", "1e-7"),
    ("String(0.000001)", "0.000001"),
    ("String(123e-20)", "1.23e-18"),
    ("String(123.456)", "123.456"),
    ("(123.456).toString()", "123.456"),
    ("String(-0.5)", "-0.5"),
    ("String(-0)", "0"),
    ("String(0.1 + 0.2)", "0.30000000000000004"),
    ("String(1 / 3)", "0.3333333333333333"),
    ("String(Math.pow(2, 53))", "9007199254740992"),
    ("String(Math.pow(2, 53) + 2)", "9007199254740994"),
    ("String(-Math.pow(2, 60))", "-1152921504606847000"),
    ("String(1e20) + ' ' + String(2e20)", "100000000000000000000 200000000000000000000"),
    ("String(1.5e300) + ' ' + String(-1e-300)", "1.5e+300 -1e-300"),
    ("String(5e-324)", "5e-324"),
    ("String(1.7976931348623157e308)", "1.7976931348623157e+308"),
    ("'' + 0.0000001 + ',' + 1e-6 + ',' + 100 + ',' + -7", "1e-7,0.000001,100,-7"),
    ("[0.5, 1e21, 1e-7, 100, NaN, Infinity, -Infinity].join()", "0.5,1e+21,1e-7,100,NaN,Infinity,-Infinity"),
    ("new Number(1e-7).toString()", "1e-7"),
    ("(function () { var o = {}; o[1e-7] = 1; o[0.5] = 2; o[1e21] = 3; return Object.keys(o).join(); })()",
     "1e-7,0.5,1e+21"),
    ("(function () { var o = {}; var k = 1e-7; o[k] = 1; return Object.keys(o).join(); })()", "1e-7"),
    ("(255).toString(16) + ',' + (255).toString(2)", "ff,11111111"),
])
def test_number_to_string(engine, expression, expected):
    assert evaluate(engine, expression) == expected
