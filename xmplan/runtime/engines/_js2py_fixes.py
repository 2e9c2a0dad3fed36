"""Fix two bugs in js2py 0.74's Date (a slow year lookup, a wrong `toISOString`) and speed up calls.

`YearFromTime` starts its year-by-year search from `1970 - t / msPerYear` (the sign is wrong), so
every `getUTCFullYear()`, `getUTCMonth()`, `getUTCDate()` on a 2020s date walks about 110 years:
most of the cost of a script that formats a few dates. `toISOString` pads milliseconds to two
digits (`...T00:00:00.00Z`), which moment.js and any script comparing ISO strings notice.
Every JS function call builds an `arguments` object through the generic property machinery;
building its properties directly gives the same object for a fraction of the cost.
"""

from __future__ import annotations

import functools
from typing import Any

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


_original_arguments_init = base.PyJsArguments.__init__


def _arguments_init(self, args, callee):  # noqa: ANN001, ANN202 - js2py's signature
    """PyJsArguments.__init__ without its per-property checks, when they cannot change the outcome."""
    inherited = base.ObjectPrototype.own
    # `put` of an index would call a setter, or refuse, if Object.prototype had that property.
    if inherited and any(str(i) in inherited for i in range(len(args))):
        _original_arguments_init(self, args, callee)
        return
    self.extensible = True
    self.prototype = base.ObjectPrototype
    own = {"length": {"value": base.Js(len(args)), "writable": True, "enumerable": False, "configurable": True},
           "callee": {"value": callee, "writable": True, "enumerable": False, "configurable": True}}
    for i, e in enumerate(args):
        own[str(i)] = {"value": base.Js(e), "writable": True, "enumerable": True, "configurable": True}
    self.own = own


@functools.cache
def apply() -> None:
    """Patch js2py once per process, before any snapshot of the built-ins is taken."""
    # jsdate took its own copies of the helpers with `from .time_helpers import *`.
    time_helpers.YearFromTime = year_from_time
    jsdate.YearFromTime = year_from_time
    fixed = base.PyJsFunction(_iso_string, base.FunctionPrototype)
    fixed._set_name("toISOString")
    jsdate.DatePrototype.own["toISOString"]["value"] = fixed
    base.PyJsArguments.__init__ = _arguments_init
