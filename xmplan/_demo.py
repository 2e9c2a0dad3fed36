"""`xmplan demo`: a local xMatters, the HipChat add-on and the HipChat stand-in, wired together to click through."""

from __future__ import annotations

import argparse
import re
import secrets
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:  # the web stack loads only when the demo runs
    from flask import Flask

    from ._serve.testing import LocalXMatters
    from ._web import BackgroundServer

ROOT = Path(__file__).resolve().parents[1]  # the repository: plan/, scripts/, plan/values.json
ROOM_ID = 4242  # the stand-in's "Ops War Room"


@dataclass
class Stack:
    """The three servers of the Invite to Room flow, on 127.0.0.1, and what links them."""

    hipchat: BackgroundServer
    hipchat_app: Flask
    xmatters: LocalXMatters
    addon: BackgroundServer
    addon_app: Flask
    room_token: str  # the stand-in's room notification token, in the plan's "HipChat Token" constant
    plan_zip: Path
    password: str  # the Integration User's
    stop_xmatters: Callable[[], None]  # for tests of "xMatters is down"

    @property
    def descriptor_url(self) -> str:
        return f"{self.addon.url}/atlassian-connect.json"

    @property
    def invite_url(self) -> str:
        return self.xmatters.trigger_url("Invite to Room")

    def room_url(self, room_id: int = ROOM_ID) -> str:
        return f"{self.hipchat.url}/chat/room/{room_id}"


@contextmanager
def running_stack(data: Path, password: str | None = None, engine: str | None = None,
                  root: Path = ROOT) -> Iterator[Stack]:
    """Start the stand-in, build the plan for it, serve it in a local xMatters, start the add-on."""
    from ._export import build_tree
    from ._hipchat.addon.local import background_addon
    from ._hipchat.standin import create_app, standin_of
    from ._serve.testing import local_xmatters
    from ._web import BackgroundServer

    if not (root / "plan").is_dir() or not (root / "scripts").is_dir():
        from ._errors import SetupError

        raise SetupError(f"xmplan demo builds the flagship plan in {root}/plan and {root}/scripts, and they are "
                         "not there: run it from a clone of the repository (pip install -e .)")
    password = password or secrets.token_urlsafe(12)
    with ExitStack() as stack:
        hipchat_app = create_app()
        hipchat = stack.enter_context(BackgroundServer(hipchat_app))
        token = standin_of(hipchat_app).issue_room_token(ROOM_ID, "xMatters").access_token
        # The plan's HipChat endpoint and "HipChat URL" constant name the stand-in.
        plan_zip = build_tree(root, data / "dist", {"hipchat_url": hipchat.url})
        xmatters_stack = stack.enter_context(ExitStack())
        xmatters = xmatters_stack.enter_context(local_xmatters(
            plan_zip, data=data / "xmatters", password=password, engine=engine,
            constants={"HipChat Token": token}, endpoints={"HipChat": hipchat.url}))
        addon, addon_app = background_addon(data / "addon")
        stack.enter_context(addon)
        yield Stack(hipchat, hipchat_app, xmatters, addon, addon_app, token, plan_zip, password, xmatters_stack.close)


def _hidden(html: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', html)
    if not found:
        msg = f"the page has no {name!r} field"
        raise RuntimeError(msg)
    return found.group(1).replace("&amp;", "&")


def install_and_configure(stack: Stack) -> str:
    """What an admin does in the browser, done over HTTP: install, Test Authentication, Save. Returns the oauthId."""
    import requests

    from ._hipchat.standin import standin_of

    hipchat = requests.Session()
    admin = f"{stack.hipchat.url}/admin/integrations"
    csrf = re.search(r'name="csrf-token" content="([^"]+)"', hipchat.get(admin, timeout=10).text)
    assert csrf is not None
    answer = hipchat.post(f"{admin}/install", timeout=30,
                          data={"csrf": csrf.group(1), "url": stack.descriptor_url, "room": ""})
    installs = standin_of(stack.hipchat_app).installations()
    if not installs:
        msg = f"the add-on was not installed: {re.sub(r'<[^>]+>', ' ', answer.text)[:300]}"
        raise RuntimeError(msg)
    oauth_id = installs[-1].oauth_id
    page = hipchat.get(f"{admin}/{oauth_id}/configure", timeout=10).text
    frame = re.search(r'id="addon-frame" title="[^"]*" src="([^"]+)"', page)
    assert frame is not None
    url = frame.group(1).replace("&amp;", "&")
    addon = requests.Session()
    form = addon.get(url, timeout=10).text
    fields = {"signed_request": _hidden(form, "signed_request"), "csrf_token": _hidden(form, "csrf_token"),
              "host": stack.xmatters.url, "username": stack.xmatters.user, "password": stack.password}
    target = url.split("?", 1)[0]
    tested = addon.post(target, data={**fields, "action": "test"}, timeout=30).text
    if 'id="invite_url"' not in tested:
        msg = "Test Authentication did not succeed against the local xMatters"
        raise RuntimeError(msg)
    fields["csrf_token"] = _hidden(tested, "csrf_token")
    saved = addon.post(target, data={**fields, "password": "", "invite_url": stack.invite_url, "action": "save"},
                       timeout=30)
    if saved.status_code != 200:
        msg = f"Save Settings answered HTTP {saved.status_code}"
        raise RuntimeError(msg)
    return oauth_id


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data", metavar="DIR", help="folder for the demo's state (default: a new temporary folder)")
    parser.add_argument("--engine", choices=["js2py", "quickjs"], help="JavaScript engine (default: the runtime's)")


def run(args: argparse.Namespace, out: TextIO, stop: threading.Event | None = None) -> int:
    """Start everything, print where to click, and wait for Ctrl-C (or `stop`, for tests)."""
    with ExitStack() as cleanup:
        data = Path(args.data) if args.data else Path(cleanup.enter_context(tempfile.TemporaryDirectory(
            prefix="xmplan-demo-")))
        with running_stack(data, engine=args.engine) as stack:
            install_and_configure(stack)
            for line in describe(stack):
                print(line, file=out)
            out.flush()
            waiter = stop or threading.Event()
            try:
                while not waiter.wait(0.5):
                    pass
            except KeyboardInterrupt:
                print("\nstopping...", file=out)
    print("xmplan demo: stopped", file=out)
    return 0


def describe(stack: Stack) -> list[str]:
    xm = stack.xmatters.url
    return [
        "xmplan demo: the Invite to Room flow on this machine (127.0.0.1 only)",
        f"  HipChat stand-in (a test double, not HipChat): {stack.hipchat.url}/",
        f"  local xMatters (xmplan serve):                  {xm}/",
        f"  HipChat add-on (xmplan hipchat serve):          {stack.addon.url}/atlassian-connect.json",
        "",
        "The add-on is installed and configured. Now:",
        f"  1. open the room {stack.room_url()}",
        "     press + > xMatters Invite To Room, Grant access, type 'mcb', pick Mary McBride,",
        "     describe why, Send Invite;",
        f"  2. open the xMatters console {xm}/ and respond Accept (or Decline) as Mary McBride;",
        "  3. back in the room, the response appears.",
        f"  The add-on's configuration page: {stack.hipchat.url}/admin/integrations (Configure).",
        f"  Integration User: {stack.xmatters.user} / {stack.password}",
        "Press Ctrl-C to stop.",
    ]
