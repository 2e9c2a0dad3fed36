"""`xmplan descriptor`: write (or check) a HipChat add-on capabilities descriptor."""

from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path
from typing import TextIO

from .._errors import DescriptorError, Location, Problem
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
        check_descriptor(read_json(path), str(path))
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


def options_from_args(args: argparse.Namespace) -> DescriptorOptions:
    """Options from the values file and `--set`, then the explicit flags on top."""
    values: dict[str, str] = read_values(Path(args.values)) if args.values else {}
    values.update(parse_assignments(args.set))
    if args.base_url:
        values["addon_url"] = args.base_url
    flags = {"addon_key": args.key, "addon_name": args.name, "addon_description": args.description,
             "vendor_name": args.vendor_name, "vendor_url": args.vendor_url}
    values.update({k: v for k, v in flags.items() if v is not None})
    if not values.get("addon_url"):
        raise DescriptorError.at("xmplan descriptor", "give --base-url or a values file with 'addon_url'",
                                 "descriptor-base-url")
    options = options_from_values(values, args.values or "xmplan descriptor")
    if args.scopes is not None:
        options = replace(options, scopes=parse_scopes(args.scopes))
    return options


def read_json(path: Path) -> object:
    """Parse a JSON file; any reading problem (size, encoding, syntax, depth) is a located DescriptorError."""
    try:
        return read_json_file(path)
    except JSONFileError as exc:
        raise DescriptorError([Problem(Location(str(path), exc.line, exc.column), exc.message,
                                       "error", "json")]) from None


def read_values(path: Path) -> dict[str, str]:
    """A values file: one JSON object of strings."""
    data = read_json(path)
    if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
        raise DescriptorError.at(str(path), "a values file must be a JSON object of strings", "values")
    return dict(data)
