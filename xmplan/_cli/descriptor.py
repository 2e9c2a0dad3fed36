"""`xmplan descriptor`: write (or check) a HipChat add-on capabilities descriptor."""

from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path
from typing import TextIO

from .._errors import DescriptorError, Location, Problem, UsageError
from .._files import atomic_write
from .._hipchat.descriptor import (
    DescriptorOptions,
    build_descriptor,
    check_descriptor,
    descriptor_text,
    options_from_values,
    parse_scopes,
)
from .._jsontext import JSONFileError, read_json_file
from .options import add_set, parse_assignments


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("-o", "--output", default="-", help="file to write (default: stdout)")
    p.add_argument("--values", metavar="FILE", help="a values file such as plan/values.json (addon_url, addon_key...)")
    add_set(p, help="override a value")
    p.add_argument("--base-url", help="the add-on's https base URL (overrides the addon_url value)")
    p.add_argument("--key", help="the add-on key, e.g. com.example.xmatters")
    p.add_argument("--name", help="the add-on's display name")
    p.add_argument("--description", help="the add-on's description")
    p.add_argument("--vendor-name", help="vendor name")
    p.add_argument("--vendor-url", help="vendor https URL")
    p.add_argument("--scopes", help="HipChat API scopes, comma-separated (default: send_notification)")
    p.add_argument("--check", metavar="FILE", help="check an existing descriptor instead of writing one")


def run(args: argparse.Namespace, out: TextIO) -> int:
    if args.check:
        path = Path(args.check)
        check_descriptor(read_json(path), str(path), path.read_text(encoding="utf-8"))  # read: it parsed
        print(f"{path}: descriptor OK", file=out)
        return 0
    descriptor = build_descriptor(options_from_args(args))
    check_descriptor(descriptor, "xmplan descriptor" if args.output == "-" else args.output)
    text = descriptor_text(descriptor)
    if args.output == "-":
        out.write(text)
    else:
        atomic_write(Path(args.output), text.encode("utf-8"))
        print(f"wrote {args.output}", file=out)
    return 0


# The flags and the value each sets; a wrong one is a usage error (exit 2), a wrong values file's is not.
_FLAGS = (("base_url", "--base-url", "addon_url"), ("key", "--key", "addon_key"), ("name", "--name", "addon_name"),
          ("description", "--description", "addon_description"), ("vendor_name", "--vendor-name", "vendor_name"),
          ("vendor_url", "--vendor-url", "vendor_url"))
_VALID_URL = "https://addon.example.com"  # stands in for a value the flag being checked does not set


def options_from_args(args: argparse.Namespace) -> DescriptorOptions:
    """Options from the values file and `--set`, then the explicit flags on top."""
    settings = parse_assignments(args.set)
    flags = {key: getattr(args, attr) for attr, _, key in _FLAGS if getattr(args, attr) is not None}
    _check_flags(args, settings)
    if not args.values and not (flags.get("addon_url") or settings.get("addon_url")):
        raise UsageError("give --base-url or a values file with 'addon_url'")
    values: dict[str, str] = read_values(Path(args.values)) if args.values else {}
    values.update(settings)
    values.update(flags)
    options = options_from_values(values, args.values or "xmplan descriptor")
    if args.scopes is not None:
        options = replace(options, scopes=parse_scopes(args.scopes))
    return options


def _check_flags(args: argparse.Namespace, settings: dict[str, str]) -> None:
    """Each flag (and `--set` value) alone over valid defaults: a descriptor problem then is the flag's."""
    given = [(flag, key, getattr(args, attr)) for attr, flag, key in _FLAGS if getattr(args, attr) is not None]
    given += [(f"--set {key}", key, value) for key, value in settings.items()]
    for flag, key, value in [*given, ("--scopes", "", args.scopes)]:
        if value is None:
            continue
        try:
            options = options_from_values({"addon_url": _VALID_URL, **({key: value} if key else {})}, flag)
            if not key:
                options = replace(options, scopes=parse_scopes(value))
            check_descriptor(build_descriptor(options), flag)
        except DescriptorError as exc:
            raise UsageError(f"{flag}: {exc.problems[0].message}") from None


def read_json(path: Path) -> object:
    """Parse a JSON file; any reading problem (size, encoding, syntax, depth) is a located DescriptorError."""
    try:
        return read_json_file(path)
    except JSONFileError as exc:
        raise DescriptorError([Problem.of(Location(str(path), exc.line, exc.column), exc.message,
                                          "json")]) from None


def read_values(path: Path) -> dict[str, str]:
    """A values file: one JSON object of strings."""
    data = read_json(path)
    if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
        raise DescriptorError.at(str(path), "a values file must be a JSON object of strings", "values")
    return dict(data)
