"""`xmplan descriptor`: write a HipChat add-on capabilities descriptor."""

from __future__ import annotations

import argparse
from typing import TextIO


def add_descriptor_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("-o", "--output", default="-", help="file to write (default: stdout)")


def descriptor_command(args: argparse.Namespace, out: TextIO) -> int:
    raise NotImplementedError("xmplan descriptor")  # the HipChat helper replaces this
