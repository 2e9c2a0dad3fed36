"""XML <-> JSON the way xMatters' JXON (tyrasd/jxon, verbosity 1) does it, for `JXON.parse`."""

from __future__ import annotations

import re
import xml.dom
from collections.abc import Mapping
from typing import Any
from xml.dom import Node, minidom
from xml.parsers.expat import ExpatError

from .._model import Json

DATE_KEY = "$xmplan:date"  # the prelude turns {DATE_KEY: text} back into a JS Date
DEFAULTS = {"valueKey": "keyValue", "attrPrefix": "@", "lowerCaseTags": True, "trueIsEmpty": True,
            "autoDate": True, "parseValues": True, "ignorePrefixedNodes": False}
_NUMBER = re.compile(r"^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$|^\s*0[xX][0-9a-fA-F]+\s*$")
_FLOAT_PREFIX = re.compile(r"^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?")
MAX_DEPTH = 500  # elements inside elements (JXON.parse), objects inside objects (JXON.stringify)
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?$")


class XmlError(ValueError):
    """The text given to JXON.parse is not well-formed XML."""


def parse(xml: str, config: Mapping[str, Json] | None = None) -> Json:
    options = {**DEFAULTS, **(config or {})}
    if "<!DOCTYPE" in xml.upper() and "<!ENTITY" in xml.upper():
        raise XmlError("XML with entity declarations is not accepted")
    try:
        document = minidom.parseString(xml.encode("utf-8"))
    except ExpatError as exc:
        raise XmlError(f"not well-formed XML: {exc}") from None
    return _tree(document, options, 0)


# `parent: Any`: a minidom Element or Document; typeshed's Node has none of the DOM methods they share.
def _tree(parent: Any, options: Mapping[str, Json], depth: int) -> Json:
    if depth > MAX_DEPTH:
        raise XmlError(f"elements are nested more than {MAX_DEPTH} deep")
    result: Json = True if options["trueIsEmpty"] else ""
    count = 0
    text = ""
    attributes = parent.attributes if parent.nodeType == Node.ELEMENT_NODE else None
    if attributes is not None and attributes.length:
        result = {}
        for index in range(attributes.length):
            attribute = attributes.item(index)
            result[options["attrPrefix"] + _name(attribute.name, options)] = _value(attribute.value.strip(), options)
            count += 1
    for node in parent.childNodes:
        if node.nodeType == Node.CDATA_SECTION_NODE:
            text += node.nodeValue
        elif node.nodeType == Node.TEXT_NODE:
            text += node.nodeValue.strip()
        elif node.nodeType == Node.ELEMENT_NODE:
            if options["ignorePrefixedNodes"] and ":" in node.nodeName:
                continue
            if count == 0:
                result = {}
            name = _name(node.nodeName, options)
            content = _tree(node, options, depth + 1)
            if name in result:
                if not isinstance(result[name], list):
                    result[name] = [result[name]]
                result[name].append(content)
            else:
                result[name] = content
                count += 1
    if text:
        value = _value(text, options)
        if count > 0:
            result[options["valueKey"]] = value
        else:
            result = value
    return result


def _name(name: str, options: Mapping[str, Json]) -> str:
    return name.lower() if options["lowerCaseTags"] else name


def _value(text: str, options: Mapping[str, Json]) -> Json:
    if not options["parseValues"]:
        return text
    if not text.strip():
        return None
    if text.lower() in ("true", "false"):
        return text.lower() == "true"
    if _NUMBER.match(text):
        prefix = _FLOAT_PREFIX.match(text)  # parseFloat reads "0x10" as 0, like JavaScript
        number = float(prefix.group(0)) if prefix else 0.0
        return int(number) if number.is_integer() and abs(number) < 2**53 else number
    if options["autoDate"] and _ISO_DATE.match(text.strip()):
        return {DATE_KEY: text.strip()}
    return text


def stringify(value: Json, config: Mapping[str, Json] | None = None) -> str:
    """A JS object back to XML text (element per key, `@name` attributes, `keyValue` text)."""
    options = {**DEFAULTS, **(config or {})}
    document = minidom.Document()
    try:
        _build(document, document, value, options, 0)
    except xml.dom.HierarchyRequestErr:
        raise XmlError("an XML document has one root element: give an object with one member") from None
    except xml.dom.DOMException as exc:
        raise XmlError(f"cannot make XML of this value ({type(exc).__name__})") from None
    return "".join(child.toxml() for child in document.childNodes)


def _build(document: minidom.Document, parent: Any, value: Json, options: Mapping[str, Json], depth: int) -> None:
    if depth > MAX_DEPTH:
        raise XmlError(f"objects are nested more than {MAX_DEPTH} deep")
    if isinstance(value, dict) and DATE_KEY not in value:
        for key, item in value.items():
            if key == options["valueKey"]:
                parent.appendChild(document.createTextNode(_text(item)))
            elif key.startswith(options["attrPrefix"]) and parent is not document:
                parent.setAttribute(key[len(options["attrPrefix"]):], _text(item))
            else:
                for element_value in item if isinstance(item, list) else [item]:
                    element = document.createElement(key)
                    parent.appendChild(element)
                    _build(document, element, element_value, options, depth + 1)
    elif value is True and options["trueIsEmpty"]:
        return
    elif value is not None and parent is not document:
        parent.appendChild(document.createTextNode(_text(value)))


def _text(value: Json) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dict) and DATE_KEY in value:
        return str(value[DATE_KEY])
    return str(value)
