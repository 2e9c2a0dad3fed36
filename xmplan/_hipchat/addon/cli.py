"""`xmplan hipchat serve`: run the xMatters Connect add-on for HipChat."""

from __future__ import annotations

import argparse
import ipaddress
import logging
import os
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO
from urllib.parse import urlsplit

from ..._cli.options import check_port
from ..._errors import SetupError, UsageError
from ..descriptor import DescriptorOptions, build_descriptor, check_descriptor, options_from_values

if TYPE_CHECKING:  # the web and database stack load only when the add-on runs, not with every xmplan command
    from .store import Store

DATA_ENV = "XMPLAN_ADDON_DATA"
WHERE = "xmplan hipchat serve"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--base-url", required=True, help="the https URL HipChat reaches the add-on at "
                   "(http is allowed for 127.0.0.1 and localhost)")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    p.add_argument("--port", type=int, default=8090, help="port to listen on (default: 8090)")
    p.add_argument("--database", metavar="URL", help="SQLAlchemy database URL (default: SQLite in the data folder), "
                   "e.g. postgresql+psycopg://user:pw@db/xmplan")
    p.add_argument("--data-dir", metavar="DIR", help=f"the data folder: SQLite database and key file "
                   f"(default: ${DATA_ENV} or ./hipchat-addon-data)")
    p.add_argument("--values", metavar="FILE", default=None, help="values for the descriptor (key, name, vendor); "
                   "default plan/values.json when it exists")
    p.add_argument("--hipchat", action="append", default=[], metavar="URL",
                   help="accept installs only from this HipChat (base URL, repeatable; default: any)")
    p.add_argument("--no-room-installs", action="store_true", help="refuse installs into a single room")
    p.add_argument("--no-global-installs", action="store_true", help="refuse group-wide installs")


def is_loopback(host: str | None) -> bool:
    if host in ("localhost",):
        return True
    try:
        return ipaddress.ip_address(host or "").is_loopback
    except ValueError:
        return False


def descriptor_for(base_url: str, values: dict[str, str], allow_room: bool = True,
                   allow_global: bool = True) -> dict[str, Any]:
    """The descriptor of build.py's generator with every URL on `base_url` (https, or http on a loopback host)."""
    parts = urlsplit(base_url)
    if parts.scheme == "http" and is_loopback(parts.hostname):
        https = "https://" + base_url[len("http://"):]
    elif parts.scheme == "https" and parts.hostname:
        https = base_url
    else:
        raise UsageError(f"--base-url must be an https URL (http only for 127.0.0.1 or localhost), got {base_url!r}")
    if parts.query or parts.fragment:
        raise UsageError(f"--base-url may not have a query or fragment, got {base_url!r}")
    options: DescriptorOptions = options_from_values({**values, "addon_url": https}, WHERE)
    # The schema wants https; check the https twin, then serve the URL people gave.
    check_descriptor(build_descriptor(options), WHERE)
    descriptor = build_descriptor(replace(options, base_url=base_url.rstrip("/")))
    descriptor["capabilities"]["installable"].update(allowRoom=allow_room, allowGlobal=allow_global)
    return descriptor


def checked_hipchat(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise UsageError(f"--hipchat must be a HipChat base URL such as https://chat.acme.com, got {url!r}")
    return url.rstrip("/")


def read_values(path: str | None) -> dict[str, str]:
    from ..._cli.descriptor import read_values as read

    if path is None:
        default = Path("plan/values.json")
        return read(default) if default.is_file() else {}
    return read(Path(path))


def open_store(database: str | None, data_dir: Path) -> Store:
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError

    from .crypto import Vault, load_key
    from .store import Store

    url = database or f"sqlite:///{(data_dir / 'addon.sqlite3').resolve()}"
    # Checked before the key file is made: a wrong --database writes nothing.
    try:
        parsed = make_url(url)
    except ArgumentError:  # the text is not repeated: a URL carries its password
        raise UsageError("--database is not an SQLAlchemy URL such as postgresql+psycopg://user:pw@host/db") from None
    try:
        parsed.get_dialect().import_dbapi()
    except NoSuchModuleError:
        raise UsageError(f"--database: SQLAlchemy has no database or driver {parsed.drivername!r}") from None
    except ImportError as exc:
        raise SetupError(f"--database {parsed.drivername!r} needs a package that is not installed: {exc}") from None
    return Store.open(url, Vault(load_key(data_dir)))


def run(args: argparse.Namespace, out: TextIO) -> int:
    from ..._web import create_server, serve_until_interrupted, server_url
    from .app import AddonConfig, create_app

    check_port(args.port)
    if args.no_room_installs and args.no_global_installs:
        raise UsageError("--no-room-installs and --no-global-installs leave nothing to install")
    hipchats = tuple(checked_hipchat(url) for url in args.hipchat)
    descriptor = descriptor_for(args.base_url, read_values(args.values), not args.no_room_installs,
                                not args.no_global_installs)
    data_dir = Path(args.data_dir or os.environ.get(DATA_ENV) or "hipchat-addon-data")
    store = open_store(args.database, data_dir)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    app = create_app(AddonConfig(descriptor=descriptor, store=store, hipchats=hipchats))
    server = create_server(app, args.host, args.port)
    print(f"xMatters add-on for HipChat on {server_url(server)}; install it from "
          f"{descriptor['links']['self']} (data in {store.engine.url.render_as_string(hide_password=True)})",
          file=out, flush=True)
    try:
        serve_until_interrupted(server)
    finally:
        store.close()
    return 0
