"""js2py 0.74's Date, fixed: parsing, invalid dates, the text formats, a slow year lookup.

`YearFromTime` starts its year-by-year search from `1970 - t / msPerYear` (the sign is wrong), so
every `getUTCFullYear()`, `getUTCMonth()`, `getUTCDate()` on a 2020s date walks about 110 years:
most of the cost of a script that formats a few dates. `toISOString` pads milliseconds to two
digits (`...T00:00:00.00Z`), which moment.js and any script comparing ISO strings notice.
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
"""

from __future__ import annotations

import datetime
import math
import re
import time
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


def iso_string(this, arguments, var=None):
    t = _valid_time(this)
    if t is None:
        raise base.MakeError("RangeError", "Invalid time value")
    year = int(year_from_time(t))
    shown = f"{year:04d}" if 0 <= year <= 9999 else f"{year:+07d}"
    return (f"{shown}-{int(time_helpers.MonthFromTime(t)) + 1:02d}-{int(time_helpers.DateFromTime(t)):02d}"
            f"T{_clock_text(t)}.{int(time_helpers.msFromTime(t)):03d}Z")


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
_SIGNED = re.compile(r"[+-]\d+", re.ASCII)
_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september",
           "october", "november", "december")
_WEEKDAYS = ("sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday")
_ZONES = {"gmt": 0, "utc": 0, "ut": 0, "z": 0, "est": -300, "edt": -240, "cst": -360, "cdt": -300,
          "mst": -420, "mdt": -360, "pst": -480, "pdt": -420}
_NAN = time_helpers.NaN  # js2py tests `date.value is NaN`: invalid dates must hold this very object


def daylight_saving_ta(t: Any) -> Any:
    """DaylightSavingTA (ES5.1, 15.9.1.8). js2py's warned and answered 1 ms outside Python's datetime
    range (years 1-9999); no daylight saving is known there."""
    if t != t:
        return t
    try:
        moment = datetime.datetime(1970, 1, 1) + datetime.timedelta(seconds=t // 1000)
    except OverflowError:
        return 0
    return int(time_helpers.LOCAL_ZONE.dst(moment).seconds) * 1000


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
        elif int(zone_h) > 23 or int(zone_m or 0) > 59:
            return _NAN
        else:
            offset = (int(zone_h) * 60 + int(zone_m or 0)) * (-1 if sign == "-" else 1)
        return _time_value(int(year), int(month or 1), int(day or 1), int(hour or 0), int(minute or 0),
                           int(second or 0), _milliseconds(fraction), offset)
    try:
        return _parse_other_date(text)
    except ValueError:  # a number too long for int()
        return _NAN


def _parse_other_date(text: str) -> Any:
    """The other forms engines accept: "Thu Jan 02 2020 03:04:05 GMT+0000 (UTC)", "Thu, 02 Jan 2020
    03:04:05 GMT", "January 2, 2020 3:04 PM", "01/02/2020 03:04:05", "2020/01/02"."""
    year = month = day = offset = None
    clock = (0, 0, 0, 0)
    numbers: list[str] = []
    meridiem = None
    position = 0
    zoned = False  # after a time or a zone name a signed number is an offset; before, a year ("-0001")
    while position < len(text):
        token = _DATE_TOKEN.match(text, position)
        if not token:
            return _NAN
        if token["offset"] and not zoned:
            signed = _SIGNED.match(text, position)
            assert signed is not None  # the token matched an offset, which starts with its sign
            numbers.append(signed.group())
            position = signed.end()
            continue
        position = token.end()
        zoned = zoned or bool(token["time"]) or (token["word"] or "").lower() in _ZONES
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
    if month is None or day is None:  # a date without its month or day is no date
        return _NAN
    return _time_value(year, month, day, hour, minute, second, ms, offset)


def date_parse(string, this, arguments, var=None):
    return parse_date(string.to_string().value)


def date_now(this, arguments, var=None):
    return int(time.time() * 1000)


def date_from_value(value):
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
    """The time value of Date `this`, None for an Invalid Date (NaN, or infinite)."""
    jsdate.check_date(this)
    t = this.value
    return int(t) if math.isfinite(t) else None


def date_to_string(this, arguments, var=None):
    t = _valid_time(this)
    if t is None:
        return "Invalid Date"
    local = int(time_helpers.UTCToLocal(t))
    return f"{_date_text(local)} {_clock_text(local)}{_zone_text(t)}"


def date_to_date_string(this, arguments, var=None):
    t = _valid_time(this)
    return "Invalid Date" if t is None else _date_text(int(time_helpers.UTCToLocal(t)))


def date_to_time_string(this, arguments, var=None):
    t = _valid_time(this)
    return "Invalid Date" if t is None else _clock_text(int(time_helpers.UTCToLocal(t))) + _zone_text(t)


def date_to_utc_string(this, arguments, var=None):
    t = _valid_time(this)
    if t is None:
        raise base.MakeError("RangeError", "Invalid time value")  # as Nashorn (QuickJS: "Invalid Date")
    return f"{_date_text(t, utc=True)} {_clock_text(t)} GMT"
