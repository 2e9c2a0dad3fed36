"""`xmplan hipchat standin`: run the HipChat stand-in (a test double of HipChat Server) on this machine."""

from __future__ import annotations

import argparse
from typing import TextIO

from ..._cli.options import check_port


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1: this machine only)")
    parser.add_argument("--port", type=int, default=8070, help="port (default 8070; 0 picks a free one)")
    parser.add_argument("--room-token", action="store_true",
                        help="print a room notification token for Ops War Room (for the plan's HipChat Token)")


def run(args: argparse.Namespace, out: TextIO) -> int:
    from ..._web import create_server, serve_until_interrupted, server_url
    from . import create_app, standin_of

    check_port(args.port)
    app = create_app()
    server = create_server(app, args.host, args.port)
    url = server_url(server)
    print(f"xmplan hipchat standin: a HipChat stand-in (a test double, not HipChat) at {url}/", file=out)
    print(f"  capabilities: {url}/v2/capabilities", file=out)
    print(f"  install an add-on: {url}/admin/integrations", file=out)
    for room in standin_of(app).rooms():
        print(f"  room {room.id} {room.name}: {url}/chat/room/{room.id}", file=out)
    if args.room_token:
        token = standin_of(app).issue_room_token(4242, "xMatters").access_token
        print(f"  room notification token for Ops War Room: {token}", file=out)
    out.flush()
    serve_until_interrupted(server)
    return 0
