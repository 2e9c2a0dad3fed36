"""The add-on's app factory: descriptor, install, configuration page and invite dialog on one Flask app."""

from __future__ import annotations

from flask import Flask, Response, g, jsonify

from .connect import InstallationGone
from .current import Addon, AddonConfig, addon

__all__ = ["Addon", "AddonConfig", "create_app"]

MAX_BODY = 256 * 1024


def create_app(config: AddonConfig) -> Flask:
    from .configure import bp as configure_bp
    from .dialog import bp as dialog_bp
    from .install import bp as install_bp

    app = Flask(__name__)
    # Every body the add-on takes (install callback, forms, an invitation) is small; refuse big ones early.
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY
    app.extensions["xmplan_addon"] = Addon(config)
    app.register_blueprint(install_bp)
    app.register_blueprint(configure_bp)
    app.register_blueprint(dialog_bp)

    @app.get("/atlassian-connect.json")
    def descriptor() -> Response:
        return jsonify(config.descriptor)

    @app.get("/")
    def home() -> Response:
        return Response("xMatters add-on for HipChat: install it from /atlassian-connect.json\n",
                        content_type="text/plain; charset=utf-8")

    @app.errorhandler(InstallationGone)
    def gone(exc: InstallationGone) -> tuple[Response, int]:
        # HipChat no longer knows the credentials: the add-on was removed without telling us (ac-flask does the same).
        ctx = g.get("hipchat")
        if ctx is not None:
            addon().uninstall(ctx.installation.oauth_id, str(exc))
        return jsonify(error="HipChat no longer knows this installation of the add-on; it has been removed. "
                             "Install it again from HipChat's integrations page."), 401

    @app.after_request
    def headers(response: Response) -> Response:
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        response.headers.setdefault("Cache-Control", "no-store")
        return response

    return app
