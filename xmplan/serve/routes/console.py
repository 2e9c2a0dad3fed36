"""The web console: server-rendered pages of plans, events and activity, with CSRF-checked forms."""

from __future__ import annotations

from flask import Blueprint, render_template

from ..web import emulator

blueprint = Blueprint("console", __name__)


@blueprint.get("/")
def home() -> str:
    xm = emulator()
    return render_template("home.html", xm=xm)
