"""Fix js2py 0.74's property order, `%`, `JSON.parse` of null and number-to-string conversion, and
its Date (in `_js2py_dates`), and speed up calls: `apply()` installs every patch.

js2py lists an object's keys in sorted order in `for-in` and `JSON.stringify` (so `{b: 1, a: 2}`
became `{"a":2,"b":1}`, and array index "10" came before "2"); Nashorn, like every engine since,
gives integer keys in ascending order and then the others in insertion order. Request bodies and
log lines built by scripts depend on it.
`%` with a negative dividend took the shared, cached number object of Python's result and changed
its value in place, so after `-5 % 24` every 19 in the process was -5 (arrays of 19 items had
length -5 and hung `apply`; moment-timezone looped forever).

Every JS function call builds an `arguments` object through the generic property machinery;
building its properties directly gives the same object for a fraction of the cost. `Js()` (Python
value to JS value, thousands of calls per run) tests a dozen types in turn: the common ones are
tested first, by exact type, with the same results.

`JSON.parse` converted the parsed tree with `Js()`, which makes Python's None `undefined`: a null
member vanished (`JSON.parse('{"a":null}').a === null` was false, and `JSON.stringify` dropped it),
and so did every null the host hands scripts through the prelude's JSON.parse. It also accepted
`NaN` and `Infinity`, overflowed on integers beyond a double's range, and its reviver lost the
values it returned for array items.
Numbers became strings through Python's `repr` and `int`: `(0.000001234).toString()` was
"1.234e-06", `1e21` "1000000000000000000000", 123456789012345680000 "123456789012345683968" (its
exact binary value, not the shortest digits), and `o[1e-7]` used the key "1e-07". ECMAScript's
Number::toString (ES5.1, 9.8.1) now does every such conversion.
"""

from __future__ import annotations

import functools
import json
import math
from typing import Any

import js2py.pyjs as pyjs
from js2py import base
from js2py.constructors import jsdate, time_helpers
from js2py.prototypes import jsjson
from js2py.prototypes import jsnumber as number_prototype
from js2py.translators import translating_nodes

from xmplan._runtime.engines._js2py_dates import (
    date_from_value,
    date_now,
    date_parse,
    date_to_date_string,
    date_to_string,
    date_to_time_string,
    date_to_utc_string,
    daylight_saving_ta,
    iso_string,
    time_clip,
    year_from_time,
)


def _remainder(self, other):
    """ECMAScript `%`: the sign of the dividend, as C's fmod; no shared number is changed."""
    a = self.to_number().value
    b = other.to_number().value
    if math.isinf(a) or math.isnan(a) or math.isnan(b) or not b:
        return base.NaN
    if math.isinf(b):
        return js(a)
    return js(math.fmod(a, b))


def _is_index(name: str) -> bool:
    """An array index as ECMAScript defines it: a canonical uint32 below 2**32 - 1."""
    return name.isascii() and name.isdigit() and (name == "0" or name[0] != "0") and int(name) < 0xFFFFFFFF


def enumerable_keys(own: dict[str, dict[str, Any]], every: bool = False) -> list[str]:
    """The (enumerable, unless `every`) keys of `own` in the order JavaScript engines list them."""
    names = [name for name, desc in own.items() if every or desc["enumerable"]]
    indices = [name for name in names if _is_index(name)]
    if not indices:
        return names
    return sorted(indices, key=int) + [name for name in names if not _is_index(name)]


def _own_keys(self):
    """PyJs.__iter__ (for-in, JSON.stringify) in engine order: a snapshot of the keys, skipping
    those deleted or made non-enumerable while the loop runs, as js2py does."""
    for name in enumerable_keys(self.own, every=self.IS_CHILD_SCOPE):
        desc = self.own.get(name)
        if desc and desc["enumerable"]:
            yield base.Js(name)


def _object_keys(obj):
    if not obj.is_object():
        raise base.MakeError("TypeError", "Object.keys called on non-object")
    return enumerable_keys(obj.own)


def replace_method(holder: Any, name: str, function: Any) -> None:
    """Make `function` (js2py calling convention) the built-in method `holder[name]`."""
    fixed = base.PyJsFunction(function, base.FunctionPrototype)
    fixed._set_name(name)
    holder.own[name]["value"] = fixed


_original_js = base.Js
_PyJs = base.PyJs
_NUM_BANK = base.NUM_BANK


def js(val: Any, Clamped: bool = False) -> Any:
    """`base.Js(val, Clamped)`, with strings, numbers, booleans and None converted first."""
    if isinstance(val, _PyJs):
        return val
    kind = type(val)
    if kind is str:
        return base.PyJsString(val, base.StringPrototype)
    if kind is float or kind is int:
        banked = _NUM_BANK.get(val)
        return banked if banked is not None else base.PyJsNumber(float(val), base.NumberPrototype)
    if val is None:
        return base.undefined
    if kind is bool:
        return base.true if val else base.false
    return _original_js(val, Clamped)


_original_arguments_init = base.PyJsArguments.__init__
_INDEX_NAMES = tuple(str(i) for i in range(64))


def _arguments_init(self, args, callee):
    """PyJsArguments.__init__ without its per-property checks, when they cannot change the outcome."""
    inherited = base.ObjectPrototype.own
    count = len(args)
    names = _INDEX_NAMES[:count] if count <= len(_INDEX_NAMES) else [str(i) for i in range(count)]
    # `put` of an index would call a setter, or refuse, if Object.prototype had that property.
    if inherited and any(name in inherited for name in names):
        _original_arguments_init(self, args, callee)
        return
    self.extensible = True
    self.prototype = base.ObjectPrototype
    own = {"length": {"value": js(count), "writable": True, "enumerable": False, "configurable": True},
           "callee": {"value": callee, "writable": True, "enumerable": False, "configurable": True}}
    for name, e in zip(names, args, strict=False):
        own[name] = {"value": e if isinstance(e, _PyJs) else js(e), "writable": True, "enumerable": True,
                     "configurable": True}
    self.own = own


def _function_call(self, this, args=()):
    """PyJsFunction.call, converting only the arguments (and result) that are not JS values yet."""
    if not hasattr(args, "__iter__"):
        args = (args,)
    args = tuple([e if isinstance(e, _PyJs) else js(e) for e in args])
    arguments = base.PyJsArguments(args, self)
    arglen = self.argcount
    if len(args) > arglen:
        args = args[0:arglen]
    elif len(args) < arglen:
        args += (base.undefined,) * (arglen - len(args))
    args += this, arguments
    try:
        result = self.code(*args)
        return result if isinstance(result, _PyJs) else js(result)
    except NotImplementedError:
        raise
    except RuntimeError as e:  # maximum recursion: a RangeError, as js2py reports it
        try:
            message = e.message  # type: ignore[attr-defined]  # js2py's Python 2 idiom, kept for identical messages
        except Exception:
            message = repr(e)
        raise base.MakeError("RangeError", message) from None
    except (base.PyJsException, MemoryError):
        raise
    except Exception as e:
        kind = "TypeError" if isinstance(e, (TypeError, AttributeError)) else "Error"
        raise base.MakeError(kind, f"js2py cannot do this ({type(e).__name__}: {e})"[:300]) from None


_EXACT = 2.0 ** 53  # every integer below is exactly representable, so its digits are the shortest


def number_to_string(number: float) -> str:
    """ECMAScript ToString(Number) (ES5.1, 9.8.1): the shortest digits that round-trip (Python's
    `repr` finds them), in plain notation from 1e-6 up to 1e21 and in exponent notation outside."""
    if -_EXACT < number < _EXACT and number == int(number):  # integers (and -0): the common case
        return str(int(number))
    if number != number:
        return "NaN"
    if number in (math.inf, -math.inf):
        return "Infinity" if number > 0 else "-Infinity"
    mantissa, _, exponent = repr(abs(float(number))).partition("e")
    whole, _, fraction = mantissa.partition(".")
    digits = (whole + fraction).lstrip("0")
    n = len(whole) - (len(whole + fraction) - len(digits)) + int(exponent or 0)  # point position
    digits = digits.rstrip("0")
    k = len(digits)
    if k <= n <= 21:
        shown = digits + "0" * (n - k)
    elif 0 < n <= 21:
        shown = digits[:n] + "." + digits[n:]
    elif -6 < n <= 0:
        shown = "0." + "0" * -n + digits
    else:
        e = n - 1
        shown = digits[0] + ("." + digits[1:] if k > 1 else "") + ("e+" if e >= 0 else "e-") + str(abs(e))
    return "-" + shown if number < 0 else shown


def _number_to_string_object(num):
    return num.Js(number_to_string(num.value))


def _not_a_json_constant(name: str) -> Any:
    raise ValueError(name)


def _member(value: Any) -> dict[str, Any]:
    """The property descriptor of a parsed member: a plain data property."""
    return {"value": _json_value(value), "writable": True, "enumerable": True, "configurable": True}


def _json_value(value: Any) -> Any:
    """A value `json.loads` returned, as JavaScript: objects in key order, and null as null."""
    kind = type(value)
    if kind is dict:
        obj = base.PyJsObject({}, base.ObjectPrototype)
        obj.own = {key: _member(item) for key, item in value.items()}
        return obj
    if kind is list:
        array = base.PyJsArray((), base.ArrayPrototype)
        for index, item in enumerate(value):
            array.own[str(index)] = _member(item)
        array.own["length"]["value"] = js(len(value))
        return array
    if value is None:
        return base.null
    return js(value)


def _json_parse(text, reviver, this, arguments, var=None):
    """JSON.parse: js2py's, with `null` kept (js2py made it `undefined`, so it vanished from objects)
    and, as in JavaScript, NaN and Infinity refused and every number a double."""
    try:
        parsed = json.loads(text.to_string().value, parse_int=float, parse_constant=_not_a_json_constant)
    except ValueError:
        raise base.MakeError("SyntaxError", "Could not parse JSON string - Invalid syntax") from None
    value = _json_value(parsed)
    if reviver.is_callable():
        return _json_walk(base.Js({"": value}), "", reviver)
    return value


def _json_walk(holder: Any, name: str, reviver: Any) -> Any:
    """Walk (ES5.1, 15.12.2): js2py's stored an array item's new value on the item itself."""
    value = holder.get(name)
    if value.is_object():
        names = [str(i) for i in range(len(value))] if value.Class == "Array" else enumerable_keys(value.own)
        for key in names:
            revived = _json_walk(value, key, reviver)
            if revived.is_undefined():
                value.delete(key)
            else:
                value.put(key, revived)
    return reviver.call(holder, (js(name), value))


@functools.cache
def apply() -> None:
    """Patch js2py once per process, before any snapshot of the built-ins is taken."""
    # jsdate took its own copies of the helpers with `from .time_helpers import *`.
    time_helpers.YearFromTime = year_from_time
    jsdate.YearFromTime = year_from_time
    time_helpers.TimeClip = time_clip
    jsdate.TimeClip = time_clip
    time_helpers.DaylightSavingTA = daylight_saving_ta
    jsdate.DaylightSavingTA = daylight_saving_ta
    replace_method(jsdate.DatePrototype, "toISOString", iso_string)
    replace_method(jsdate.DatePrototype, "toString", date_to_string)
    replace_method(jsdate.DatePrototype, "toDateString", date_to_date_string)
    replace_method(jsdate.DatePrototype, "toTimeString", date_to_time_string)
    replace_method(jsdate.DatePrototype, "toUTCString", date_to_utc_string)
    replace_method(jsdate.Date, "parse", date_parse)
    replace_method(jsdate.Date, "now", date_now)
    jsdate.date_constructor1 = date_from_value  # date_constructor looks it up when called
    replace_method(jsjson.JSON, "parse", _json_parse)
    # PyJs.to_string (String(), `+`, join, JSON.stringify, property names) and Number#toString.
    base.js_dtoa = number_to_string
    number_prototype.to_str_rep = _number_to_string_object
    translating_nodes.float_repr = number_to_string  # number literals as property names: `o[1e-7]`
    replace_method(pyjs.Object, "keys", _object_keys)
    base.PyJsArguments.__init__ = _arguments_init
    base.PyJsFunction.call = _function_call
    base.PyJs.__iter__ = _own_keys
    base.PyJs.__mod__ = _remainder
    # Where the hot paths look it up: js2py's own functions, and the globals of translated code.
    base.Js = js
    pyjs.Js = js
