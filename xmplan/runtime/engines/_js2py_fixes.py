"""Fix js2py 0.74's property order and two bugs in its Date (a slow year lookup, a wrong
`toISOString`), and speed up calls.

js2py lists an object's keys in sorted order in `for-in` and `JSON.stringify` (so `{b: 1, a: 2}`
became `{"a":2,"b":1}`, and array index "10" came before "2"); Nashorn, like every engine since,
gives integer keys in ascending order and then the others in insertion order. Request bodies and
log lines built by scripts depend on it.
`%` with a negative dividend took the shared, cached number object of Python's result and changed
its value in place, so after `-5 % 24` every 19 in the process was -5 (arrays of 19 items had
length -5 and hung `apply`; moment-timezone looped forever).

`YearFromTime` starts its year-by-year search from `1970 - t / msPerYear` (the sign is wrong), so
every `getUTCFullYear()`, `getUTCMonth()`, `getUTCDate()` on a 2020s date walks about 110 years:
most of the cost of a script that formats a few dates. `toISOString` pads milliseconds to two
digits (`...T00:00:00.00Z`), which moment.js and any script comparing ISO strings notice.
Every JS function call builds an `arguments` object through the generic property machinery;
building its properties directly gives the same object for a fraction of the cost. `Js()` (Python
value to JS value, thousands of calls per run) tests a dozen types in turn: the common ones are
tested first, by exact type, with the same results.
"""

from __future__ import annotations

import functools
import math
from typing import Any

import js2py.pyjs as pyjs
from js2py import base
from js2py.constructors import jsdate, time_helpers

_MS_PER_YEAR = 31556952000  # 365.2425 days: the guess is then off by at most one year


def year_from_time(t: Any) -> Any:
    """The year containing time value `t` (ECMAScript 5.1, 15.9.1.3), as js2py computes it, fast."""
    guess = 1970 + t // _MS_PER_YEAR
    if time_helpers.TimeFromYear(guess) <= t:
        while time_helpers.TimeFromYear(guess + 1) <= t:
            guess += 1
        return guess
    while time_helpers.TimeFromYear(guess) > t:
        guess -= 1
    return guess


def _iso_string(this, arguments, var=None):  # noqa: ANN001, ANN202 - js2py calling convention
    jsdate.check_date(this)
    t = this.value
    if t != t or t in (float("inf"), float("-inf")):  # NaN or infinite
        raise base.MakeError("RangeError", "Invalid time value")
    t = int(t)
    year = int(year_from_time(t))
    shown = f"{year:04d}" if 0 <= year <= 9999 else f"{year:+07d}"
    return (f"{shown}-{int(time_helpers.MonthFromTime(t)) + 1:02d}-{int(time_helpers.DateFromTime(t)):02d}"
            f"T{int(time_helpers.HourFromTime(t)):02d}:{int(time_helpers.MinFromTime(t)):02d}:"
            f"{int(time_helpers.SecFromTime(t)):02d}.{int(time_helpers.msFromTime(t)):03d}Z")


def _remainder(self, other):  # noqa: ANN001, ANN202 - replaces PyJs.__mod__
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


def _own_keys(self):  # noqa: ANN001, ANN202 - replaces PyJs.__iter__
    """PyJs.__iter__ (for-in, JSON.stringify) in engine order: a snapshot of the keys, skipping
    those deleted or made non-enumerable while the loop runs, as js2py does."""
    for name in enumerable_keys(self.own, every=self.IS_CHILD_SCOPE):
        desc = self.own.get(name)
        if desc and desc["enumerable"]:
            yield base.Js(name)



def _object_keys(obj):  # noqa: ANN001, ANN202 - js2py calling convention
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


def js(val: Any, Clamped: bool = False) -> Any:  # noqa: N803 - js2py's signature
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


def _arguments_init(self, args, callee):  # noqa: ANN001, ANN202 - js2py's signature
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
    for name, e in zip(names, args):
        own[name] = {"value": e if isinstance(e, _PyJs) else js(e), "writable": True, "enumerable": True,
                     "configurable": True}
    self.own = own


def _function_call(self, this, args=()):  # noqa: ANN001, ANN202 - js2py's signature
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
            message = e.message  # js2py's Python 2 idiom, kept for identical messages
        except Exception:  # noqa: BLE001
            message = repr(e)
        raise base.MakeError("RangeError", message)


@functools.cache
def apply() -> None:
    """Patch js2py once per process, before any snapshot of the built-ins is taken."""
    # jsdate took its own copies of the helpers with `from .time_helpers import *`.
    time_helpers.YearFromTime = year_from_time
    jsdate.YearFromTime = year_from_time
    replace_method(jsdate.DatePrototype, "toISOString", _iso_string)
    replace_method(pyjs.Object, "keys", _object_keys)
    base.PyJsArguments.__init__ = _arguments_init
    base.PyJsFunction.call = _function_call
    base.PyJs.__iter__ = _own_keys
    base.PyJs.__mod__ = _remainder
    # Where the hot paths look it up: js2py's own functions, and the globals of translated code.
    base.Js = js
    pyjs.Js = js
