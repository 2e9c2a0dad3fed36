"""The subcommands: one row each, naming the module that holds its `add_arguments` and `run`.

A row costs no import: `xmplan --help` lists every command from this table, and only the
command being run (or asked for its help) is imported. A command module has

    def add_arguments(parser: argparse.ArgumentParser) -> None: ...
    def run(args: argparse.Namespace, out: TextIO) -> int: ...

and imports what it needs inside `run`. A name with a space (`hipchat serve`) is a command of a
group (`xmplan hipchat ...`). Rows whose module is not in the package (yet) are left out.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Command:
    name: str
    module: str
    help: str


COMMANDS: tuple[Command, ...] = (
    Command("unpack", "xmplan._cli.unpack", "turn a plan export zip into an editable source tree"),
    Command("build", "xmplan._cli.build", "build a plan zip from a source tree"),
    Command("validate", "xmplan._cli.validate", "check a plan zip or source tree and report every problem"),
    Command("run", "xmplan._cli.run", "run an Integration Builder integration locally"),
    Command("descriptor", "xmplan._cli.descriptor", "write a HipChat add-on capabilities descriptor"),
    Command("serve", "xmplan._serve.cli", "run a local xMatters for a plan"),
    Command("hipchat serve", "xmplan._hipchat.addon.cli", "run the HipChat Connect add-on"),
    Command("hipchat standin", "xmplan._hipchat.standin.cli", "run the HipChat stand-in"),
    Command("demo", "xmplan._demo", "start xMatters, the add-on and the HipChat stand-in to click through"),
)

GROUPS: dict[str, str] = {"hipchat": "the HipChat add-on and its stand-in"}

_PACKAGE = Path(__file__).resolve().parents[1]  # xmplan/


def _present(module: str) -> bool:
    """Whether the module's file is in the package, found without importing anything."""
    parts = module.split(".")[1:]
    base = _PACKAGE.joinpath(*parts)
    return base.with_suffix(".py").is_file() or (base / "__init__.py").is_file()


def available() -> list[Command]:
    """The commands whose modules are installed, in table order."""
    return [command for command in COMMANDS if _present(command.module)]
