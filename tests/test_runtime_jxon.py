"""JXON.parse follows tyrasd/jxon's verbosity-1 rules; XML with entity declarations is refused."""

from __future__ import annotations

import pytest

from xmplan._runtime import jxon

CASES = [
    ("<A><B>1.5</B><C>TRUE</C><D/><E>  </E></A>", {"a": {"b": 1.5, "c": True, "d": True, "e": True}}),
    ("<A x='1'>text</A>", {"a": {"@x": 1, "keyValue": "text"}}),
    ("<A><I>a</I><I>b</I><I>c</I></A>", {"a": {"i": ["a", "b", "c"]}}),
    ("<s:Env xmlns:s='u'><s:Body>x<![CDATA[<y>]]></s:Body></s:Env>",
     {"s:env": {"@xmlns:s": "u", "s:body": "x<y>"}}),
    ("<A>2019-05-09</A>", {"a": {jxon.DATE_KEY: "2019-05-09"}}),
    ("<A>0x10</A>", {"a": 0}),
]


@pytest.mark.parametrize("xml, expected", CASES)
def test_parse(xml, expected):
    assert jxon.parse(xml) == expected


def test_config_keeps_case_and_raw_values():
    assert jxon.parse("<A><B>1</B></A>", {"lowerCaseTags": False, "parseValues": False}) == {"A": {"B": "1"}}


@pytest.mark.parametrize("xml", ["<a>", "not xml", '<!DOCTYPE a [<!ENTITY e "x">]><a>&e;</a>'])
def test_bad_xml_is_refused(xml):
    with pytest.raises(jxon.XmlError):
        jxon.parse(xml)


def test_stringify_round_trip():
    value = {"a": {"@x": "1", "b": ["p", "q"], "c": True, "keyValue": "t"}}
    text = jxon.stringify(value)
    assert text == '<a x="1"><b>p</b><b>q</b><c/>t</a>'
    assert jxon.parse(text) == {"a": {"@x": 1, "b": ["p", "q"], "c": True, "keyValue": "t"}}
