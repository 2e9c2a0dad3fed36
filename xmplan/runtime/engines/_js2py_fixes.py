"""Fix js2py 0.74's property order, its `JSON.parse` of null, its Date (parsing, invalid dates,
formats, a slow year lookup) and its number-to-string conversion, and speed up calls.

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

`JSON.parse` converted the parsed tree with `Js()`, which makes Python's None `undefined`: a null
member vanished (`JSON.parse('{"a":null}').a === null` was false, and `JSON.stringify` dropped it),
and so did every null the host hands scripts through the prelude's JSON.parse. It also accepted
`NaN` and `Infinity`, overflowed on integers beyond a double's range, and its reviver lost the
values it returned for array items.
`Date.parse` and `Date.now` returned a Date object instead of a number (`typeof Date.now()` was
"object", `JSON.stringify({t: Date.now()})` gave an ISO string). `Date.parse` and `new Date(string)`
threw a TypeError for any string outside four strptime formats, where engines return NaN and an
Invalid Date. Among the strings it refused: "2019-05-09 21:38:11.868" (the `date` of xMatters' outbound
callbacks), ISO dates with an offset, and what `toString` and `toUTCString` print (ES5.1 requires
`Date.parse` to read those back). `new Date(NaN)` was the epoch (the value went through ToInteger),
`TimeClip` let 8.64e15 + 1 through. `toUTCString` and `toDateString` printed "02 January 2020"
(strftime's locale names, failing outside years 1-9999) instead of "Thu, 02 Jan 2020 03:04:05 GMT"
and "Thu Jan 02 2020"; `toTimeString` lacked the zone. Formats follow Nashorn's: `toString` keeps
the zone name ("GMT+0000 (UTC)", which QuickJS omits), and `toUTCString` of an Invalid Date throws
a RangeError (QuickJS prints "Invalid Date"). `new Date(date)` still parses the date's string, as
ES5.1 and Nashorn do (so it drops the milliseconds; QuickJS, per ES2015, copies the time value).
Numbers became strings through Python's `repr` and `int`: `(0.000001234).toString()` was
"1.234e-06", `1e21` "1000000000000000000000", 123456789012345680000 "123456789012345683968" (its
exact binary value, not the shortest digits), and `o[1e-7]` used the key "1e-07". ECMAScript's
Number::toString (ES5.1, 9.8.1) now does every such conversion.
"""

from __future__ import annotations

import functools
import json
import math
import re
import time
from typing import Any

import js2py.pyjs as pyjs
from js2py import base
from js2py.constructors import jsdate, time_helpers
from js2py.prototypes import jsjson
from js2py.prototypes import jsnumber as number_prototype
from js2py.translators import translating_nodes

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


def _number_to_string_object(num):  # noqa: ANN001, ANN202 - replaces jsnumber.to_str_rep
    return num.Js(number_to_string(num.value))


def _not_a_json_constant(name: str) -> Any:
    raise ValueError(name)


def _json_value(value: Any) -> Any:
    """A value `json.loads` returned, as JavaScript: objects in key order, and null as null."""
    kind = type(value)
    if kind is dict:
        obj = base.PyJsObject({}, base.ObjectPrototype)
        obj.own = {key: {"value": _json_value(item), "writable": True, "enumerable": True, "configurable": True}
                   for key, item in value.items()}
        return obj
    if kind is list:
        array = base.PyJsArray((), base.ArrayPrototype)
        for index, item in enumerate(value):
            array.own[str(index)] = {"value": _json_value(item), "writable": True, "enumerable": True,
                                     "configurable": True}
        array.own["length"]["value"] = js(len(value))
        return array
    if value is None:
        return base.null
    return js(value)


def _json_parse(text, reviver, this, arguments, var=None):  # noqa: ANN001, ANN202 - js2py calling convention
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


# Date strings. ISO 8601 as ES5.1 (15.9.1.15) has it, also with a space for the "T" (xMatters'
# callback dates: "2019-05-09 21:38:11.868"), and the forms toString and toUTCString produce.
_ISO_DATE = re.compile(
    r"([+-]\d{6}|\d{4})(?:-(\d\d)(?:-(\d\d))?)?"
    r"(?:[T ](\d\d):(\d\d)(?::(\d\d)(?:[.,](\d+))?)?(Z|([+-])(\d\d)(?::?(\d\d))?)?)?",
    re.ASCII)
_DATE_TOKEN = re.compile(
    r"[\s,]+|\([^)]*\)"
    r"|(?P<time>\d{1,2}:\d\d(?::\d\d(?:\.(?P<ms>\d+))?)?)"
    r"|(?P<date>\d+[/-]\d+[/-]\d+)"
    r"|(?P<offset>[+-]\d\d:?\d\d|[+-]\d\d?(?![\d:]))"
    r"|(?P<number>\d+)"
    r"|(?P<word>[a-z]+)\.?",
    re.ASCII | re.IGNORECASE)
_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september",
           "october", "november", "december")
_WEEKDAYS = ("sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday")
_ZONES = {"gmt": 0, "utc": 0, "ut": 0, "z": 0, "est": -300, "edt": -240, "cst": -360, "cdt": -300,
          "mst": -420, "mdt": -360, "pst": -480, "pdt": -420}
_NAN = time_helpers.NaN  # js2py tests `date.value is NaN`: invalid dates must hold this very object


def time_clip(t: Any) -> Any:
    """TimeClip (ES5.1, 15.9.1.14); js2py's compares with `8.64 * 10**15`, which is 8640000000000001."""
    if t != t or abs(t) > 8.64e15:  # NaN, infinite or out of range
        return _NAN
    return int(t)


def _days_from_civil(year: int, month: int, day: int) -> int:
    """Days from 1970-01-01 to a proleptic Gregorian date (month 1-12; days past the month's end run on)."""
    year -= month <= 2
    era = year // 400
    year_of_era = year - era * 400
    day_of_year = (153 * ((month + 9) % 12) + 2) // 5 + day - 1
    return era * 146097 + year_of_era * 365 + year_of_era // 4 - year_of_era // 100 + day_of_year - 719468


def _time_value(year: int, month: int, day: int, hour: int, minute: int, second: int, ms: int,
                offset: int | None) -> Any:
    """The time value of a parsed date, NaN if a field is out of range; local time if `offset`
    (minutes east of UTC) is None."""
    if not (1 <= month <= 12 and 1 <= day <= 31 and minute < 60 and second < 60
            and (hour < 24 or (hour == 24 and not (minute or second or ms)))):
        return _NAN
    t = _days_from_civil(year, month, day) * 86400000 + ((hour * 60 + minute) * 60 + second) * 1000 + ms
    t = time_helpers.LocalToUTC(t) if offset is None else t - offset * 60000
    return time_clip(t)


def _full_year(digits: str) -> int:
    """A year as written: two digits are 2000-2049 or 1950-1999, as in QuickJS and V8."""
    year = int(digits)
    return year + (2000 if year < 50 else 1900) if len(digits) <= 2 else year


def _milliseconds(fraction: str | None) -> int:
    return int((fraction or "0")[:3].ljust(3, "0"))


def parse_date(text: str) -> Any:
    """Date.parse: the time value of `text`, or NaN (never an error) when it is not a date.

    ISO date-only forms are UTC, ISO date-times without an offset local time, as in QuickJS (and
    ES2015+); other forms (" 2020-01-02" too) are local time unless they name a zone or an offset."""
    iso = _ISO_DATE.fullmatch(text)
    if iso:
        year, month, day, hour, minute, second, fraction, zone, sign, zone_h, zone_m = iso.groups()
        if hour is None:
            offset = 0
        elif zone is None:
            offset = None
        elif zone == "Z":
            offset = 0
        else:
            offset = (int(zone_h) * 60 + int(zone_m or 0)) * (-1 if sign == "-" else 1)
        return _time_value(int(year), int(month or 1), int(day or 1), int(hour or 0), int(minute or 0),
                           int(second or 0), _milliseconds(fraction), offset)
    return _parse_other_date(text)


def _parse_other_date(text: str) -> Any:
    """The other forms engines accept: "Thu Jan 02 2020 03:04:05 GMT+0000 (UTC)", "Thu, 02 Jan 2020
    03:04:05 GMT", "January 2, 2020 3:04 PM", "01/02/2020 03:04:05", "2020/01/02"."""
    year = month = day = offset = None
    clock = (0, 0, 0, 0)
    numbers: list[str] = []
    meridiem = None
    position = 0
    while position < len(text):
        token = _DATE_TOKEN.match(text, position)
        if not token:
            return _NAN
        position = token.end()
        if token["time"]:
            parts = token["time"].split(".")[0].split(":")
            seconds = int(parts[2]) if len(parts) > 2 else 0
            clock = (int(parts[0]), int(parts[1]), seconds, _milliseconds(token["ms"]))
        elif token["date"]:
            first, second, third = re.split("[/-]", token["date"])
            if len(first) >= 3:
                year, month, day = int(first), int(second), int(third)
            else:
                month, day, year = int(first), int(second), _full_year(third)
        elif token["offset"]:
            sign, value = token["offset"][0], token["offset"][1:].replace(":", "")
            minutes = int(value[:-2]) * 60 + int(value[-2:]) if len(value) > 2 else int(value) * 60
            offset = (offset or 0) + (-minutes if sign == "-" else minutes)
        elif token["number"]:
            numbers.append(token["number"])
        elif token["word"]:
            word = token["word"].lower()
            names = [i for i, name in enumerate(_MONTHS) if len(word) >= 3 and name.startswith(word)]
            if names:
                month = names[0] + 1
            elif word in ("am", "pm"):
                meridiem = word
            elif word in _ZONES:
                offset = _ZONES[word]
            elif not any(len(word) >= 3 and name.startswith(word) for name in _WEEKDAYS):
                return _NAN
    if year is None:
        if month is None or not 1 <= len(numbers) <= 2:
            return _NAN
        if len(numbers) == 1:
            numbers.insert(0, "1")
        elif len(numbers[0]) > 2:  # "2020 Jan 2"
            numbers.reverse()
        day, year = int(numbers[0]), _full_year(numbers[1])
    elif numbers:
        return _NAN
    hour, minute, second, ms = clock
    if meridiem:
        if not 1 <= hour <= 12:
            return _NAN
        hour = hour % 12 + (12 if meridiem == "pm" else 0)
    return _time_value(year, month, day, hour, minute, second, ms, offset)


def _date_parse(string, this, arguments, var=None):  # noqa: ANN001, ANN202 - js2py calling convention
    return parse_date(string.to_string().value)


def _date_now(this, arguments, var=None):  # noqa: ANN001, ANN202 - js2py calling convention
    return int(time.time() * 1000)


def _date_from_value(value):  # noqa: ANN001, ANN202 - replaces jsdate.date_constructor1
    """`new Date(value)`: a string is parsed (an Invalid Date if it is not a date), anything else is
    a time value (NaN stays NaN: js2py made it 0)."""
    primitive = value.to_primitive()
    t = parse_date(primitive.value) if primitive._type() == "String" else primitive.to_number().value
    return jsdate.PyJsDate(time_clip(t), prototype=jsdate.DatePrototype)


_DAY_NAMES = ("Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat")
_MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _date_text(t: int, utc: bool = False) -> str:
    """"Thu Jan 02 2020" (or, if `utc`, "Thu, 02 Jan 2020") for time value `t`."""
    year = int(year_from_time(t))
    shown = f"{year:04d}" if year >= 0 else f"-{-year:04d}"
    weekday = _DAY_NAMES[int(time_helpers.WeekDay(t))]
    month, day = _MONTH_NAMES[int(time_helpers.MonthFromTime(t))], int(time_helpers.DateFromTime(t))
    return f"{weekday}, {day:02d} {month} {shown}" if utc else f"{weekday} {month} {day:02d} {shown}"


def _clock_text(t: int) -> str:
    return (f"{int(time_helpers.HourFromTime(t)):02d}:{int(time_helpers.MinFromTime(t)):02d}:"
            f"{int(time_helpers.SecFromTime(t)):02d}")


def _zone_text(t: int) -> str:
    """" GMT+0100 (CET)": the local offset at time value `t`, and js2py's zone name, as Nashorn shows them."""
    minutes = int(time_helpers.UTCToLocal(t) - t) // 60000
    sign = "-" if minutes < 0 else "+"
    return f" GMT{sign}{abs(minutes) // 60:02d}{abs(minutes) % 60:02d} ({time_helpers.GetTimeZoneName(t)})"


def _valid_time(this: Any) -> int | None:
    jsdate.check_date(this)
    t = this.value
    return None if t != t else int(t)


def _date_to_string(this, arguments, var=None):  # noqa: ANN001, ANN202 - js2py calling convention
    t = _valid_time(this)
    if t is None:
        return "Invalid Date"
    local = int(time_helpers.UTCToLocal(t))
    return f"{_date_text(local)} {_clock_text(local)}{_zone_text(t)}"


def _date_to_date_string(this, arguments, var=None):  # noqa: ANN001, ANN202 - js2py calling convention
    t = _valid_time(this)
    return "Invalid Date" if t is None else _date_text(int(time_helpers.UTCToLocal(t)))


def _date_to_time_string(this, arguments, var=None):  # noqa: ANN001, ANN202 - js2py calling convention
    t = _valid_time(this)
    return "Invalid Date" if t is None else _clock_text(int(time_helpers.UTCToLocal(t))) + _zone_text(t)


def _date_to_utc_string(this, arguments, var=None):  # noqa: ANN001, ANN202 - js2py calling convention
    t = _valid_time(this)
    if t is None:
        raise base.MakeError("RangeError", "Invalid time value")  # as Nashorn (QuickJS: "Invalid Date")
    return f"{_date_text(t, utc=True)} {_clock_text(t)} GMT"


@functools.cache
def apply() -> None:
    """Patch js2py once per process, before any snapshot of the built-ins is taken."""
    # jsdate took its own copies of the helpers with `from .time_helpers import *`.
    time_helpers.YearFromTime = year_from_time
    jsdate.YearFromTime = year_from_time
    time_helpers.TimeClip = time_clip
    jsdate.TimeClip = time_clip
    replace_method(jsdate.DatePrototype, "toISOString", _iso_string)
    replace_method(jsdate.DatePrototype, "toString", _date_to_string)
    replace_method(jsdate.DatePrototype, "toDateString", _date_to_date_string)
    replace_method(jsdate.DatePrototype, "toTimeString", _date_to_time_string)
    replace_method(jsdate.DatePrototype, "toUTCString", _date_to_utc_string)
    replace_method(jsdate.Date, "parse", _date_parse)
    replace_method(jsdate.Date, "now", _date_now)
    jsdate.date_constructor1 = _date_from_value  # date_constructor looks it up when called
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
