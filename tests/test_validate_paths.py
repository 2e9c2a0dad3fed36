"""`raw-path-value` and `double-encoding`: how scripts build http.request paths (_validate/jspaths.py)."""

from __future__ import annotations

import pytest
from conftest import CORPUS

from xmplan._validate import validate_path
from xmplan._validate.jspaths import path_findings

SHIFT_GAPS = CORPUS / "xmatters__xM-Labs-Shift_Gaps__ShiftGaps__20170922-db4c1948.zip"
WHOS_ON_CALL = CORPUS / "xmatters__xm-labs-whos-on-call-now__WhosOnCallNow.zip"
CHERWELL = CORPUS / "xmatters__xm-labs-Cherwell-On-Premise-xMatters__CherwellOnPremise.zip"


def found(script: str) -> list[tuple[str, int, int]]:
    return [(f.rule, f.line, f.column) for f in path_findings(script)]


def test_encoded_once_with_the_default_is_fine():
    assert found("http.request({endpoint: 'x', path: '/p/' + encodeURIComponent(a) + '?q=%23' + b});") == []


def test_off_with_a_raw_value_names_the_value():
    script = "var q = input['Group'];\nhttp.request({endpoint: 'x', autoEncodeURI: false, path: '/p?g=' + q});"
    [finding] = path_findings(script)
    assert (finding.rule, finding.line, finding.column) == ("raw-path-value", 1, 9)  # where the value comes from
    assert "input['Group'] is added without encodeURIComponent()" in finding.message


@pytest.mark.parametrize("path", [
    "'/p?g=' + encodeURIComponent(q) + '&n=' + 3",
    "'/p/' + (n * 2)",
    "'/p?q=' + makeCondition(a, b)",  # what another function returns is taken as encoded
    "path",  # a variable set once to an encoded value
])
def test_off_with_encoded_or_literal_parts_is_fine(path):
    script = (f"var path = '/p/' + encodeURIComponent(x);\n"
              f"http.request({{endpoint: 'x', autoEncodeURI: 'false', path: {path}}});")
    assert found(script) == []


def test_off_follows_parts_added_to_a_variable_and_template_literals():
    script = ("var o = '?a=' + encodeURIComponent(a);\no += '&b=' + b;\n"
              "http.request({endpoint: 'x', 'autoEncodeURI': false, path: `/p${o}&c=${c}`});")
    assert found(script) == [("raw-path-value", 2, 14)]
    [finding] = path_findings(script)
    assert finding.message.endswith("(1 more)")


def test_a_parameter_is_the_callers_value_even_when_a_global_of_that_name_is_encoded():
    script = ("var g = encodeURIComponent(x);\n"
              "function f(g) { return http.request({endpoint: 'x', autoEncodeURI: false, path: '/p?g=' + g}); }")
    assert found(script) == [("raw-path-value", 2, 91)]


def test_encoding_what_is_encoded():
    script = "var a = encodeURIComponent(encodeURI(x));\nvar t = encodeURIComponent('Rec%20ID');\nvar s = encodeURI(t);"
    assert found(script) == [("double-encoding", 1, 9), ("double-encoding", 2, 9), ("double-encoding", 3, 9)]


def _rules(plan, rule):
    if not plan.is_file():
        pytest.skip(f"needs {plan}")
    return [p for p in validate_path(plan, {}) if p.rule == rule]


@pytest.mark.corpus
def test_shift_gaps_sends_group_names_unencoded():
    [problem] = _rules(SHIFT_GAPS, "raw-path-value")
    assert "GroupArray[k] is added without encodeURIComponent()" in problem.message
    assert problem.message.endswith("(in integration 'Shift Gaps')")  # in a zip the place is inside integrations.json
    assert problem.severity == "warning" and problem.location.file.endswith("integrations/integrations.json")


@pytest.mark.corpus
def test_whos_on_call_sends_its_groups_parameter_unencoded():
    [problem] = _rules(WHOS_ON_CALL, "raw-path-value")
    assert "but groups is added" in problem.message


@pytest.mark.corpus
def test_cherwell_encodes_once_and_is_not_warned():
    assert _rules(CHERWELL, "raw-path-value") == _rules(CHERWELL, "double-encoding") == []


def test_a_path_thousands_of_parts_deep_is_followed_without_recursion():
    script = "http.request({endpoint: 'x', autoEncodeURI: false, path: '/a'" + " + '/b' + q" * 5000 + "});"
    [finding] = path_findings(script)
    assert finding.message.endswith("(4999 more)")


def test_variables_that_fan_out_are_followed_once_each():
    script = "".join(f"var v{i} = " + " + ".join([f"v{i + 1}"] * 50) + ";\n" for i in range(7))
    script += "var v7 = input['x'];\nhttp.request({endpoint: 'x', autoEncodeURI: false, path: v0});"
    assert found(script) == [("raw-path-value", 8, 10)]  # 50 ** 7 ways there, each variable followed once
