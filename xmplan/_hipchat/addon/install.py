"""Install and uninstall (hipchat.md §2.2, §2.4): check the capabilities document, prove the credentials, store."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, Response, jsonify, request

from .connect import ConnectError, InstallationGone, get_json, request_token
from .current import addon
from .jwtauth import Unauthorized, token_from, verify
from .store import Installation

bp = Blueprint("install", __name__)
log = logging.getLogger("xmplan.hipchat.addon")


def refuse(status: int, message: str) -> tuple[Response, int]:
    log.warning("install refused (%d): %s", status, message)
    return jsonify(error=message), status


def same_url(a: str, b: str) -> bool:
    return a.rstrip("/") == b.rstrip("/")


def allowed(url: str, hipchats: tuple[str, ...]) -> bool:
    """Whether `url` is on one of the HipChat base URLs (scheme, host and port; any path below)."""
    if not hipchats:
        return True
    parts = urlsplit(url)
    for base in hipchats:
        allow = urlsplit(base)
        below = parts.path.startswith(allow.path.rstrip("/") + "/")
        if (parts.scheme, parts.netloc.lower()) == (allow.scheme, allow.netloc.lower()) and below:
            return True
    return False


@bp.post("/installable")
def install() -> tuple[Response, int]:
    state = addon()
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return refuse(400, "the install callback's body must be a JSON object")
    fields = {k: body.get(k) for k in ("capabilitiesUrl", "oauthId", "oauthSecret")}
    missing = [k for k, v in fields.items() if not isinstance(v, str) or not v]
    if missing:
        return refuse(400, f"the install callback lacks {', '.join(missing)}")
    caps_url, oauth_id, secret = (str(v) for v in fields.values())
    room_id = body.get("roomId")
    if room_id is not None and (not isinstance(room_id, int) or isinstance(room_id, bool)):
        return refuse(400, "roomId must be a whole number")
    installable = state.config.descriptor["capabilities"]["installable"]
    if room_id is not None and not installable.get("allowRoom", True):
        return refuse(403, "this add-on cannot be installed in a single room (allowRoom is false)")
    if room_id is None and not installable.get("allowGlobal", True):
        return refuse(403, "this add-on cannot be installed for the whole group (allowGlobal is false)")
    if not allowed(caps_url, state.config.hipchats):
        return refuse(403, f"this add-on takes installs only from {', '.join(state.config.hipchats)}")
    old = state.store.get_installation(oauth_id)
    if old is not None and old.oauth_secret != secret:
        return refuse(409, f"installation {oauth_id} exists with a different secret")
    session = state.session
    try:
        caps = get_json(session, caps_url, "the capabilities document")
        links = caps.get("links") if isinstance(caps, dict) else None
        self_link = links.get("self") if isinstance(links, dict) else None
        if not isinstance(self_link, str) or not same_url(self_link, caps_url):
            return refuse(400, f"the capabilities URL {caps_url} does not match the document's self link "
                               f"{self_link!r}")
        token_url, api_url = endpoints(caps)
        if not (allowed(token_url, state.config.hipchats) and allowed(api_url, state.config.hipchats)):
            return refuse(403, "the capabilities document points at a token or API URL outside the allowed HipChat")
        scopes = tuple(state.config.descriptor["capabilities"]["hipchatApiConsumer"]["scopes"])
        token = request_token(session, token_url, oauth_id, secret, scopes, state.config.clock())
    except InstallationGone:
        return refuse(400, "HipChat's token endpoint refused the installation's credentials")
    except (ConnectError, ValueError) as exc:
        return refuse(400, str(exc))
    group_id = body.get("groupId") if isinstance(body.get("groupId"), int) else token.group_id
    hipchat_url = api_url.rstrip("/").removesuffix("/v2")
    web = (links or {}).get("subdomain") or (links or {}).get("homepage") or hipchat_url
    inst = Installation(oauth_id=oauth_id, oauth_secret=secret, group_id=group_id, group_name=token.group_name,
                        room_id=room_id, capabilities_url=caps_url, capabilities=caps, token_url=token_url,
                        api_url=api_url, hipchat_url=hipchat_url, web_url=str(web).rstrip("/"),
                        installed_at=state.config.clock())
    state.store.put_installation(inst)
    state.tokens.forget(oauth_id)
    where = f"room {room_id}" if room_id is not None else "the whole group"
    log.info("installed %s for group %s (%s), %s", oauth_id, group_id, token.group_name, where)
    return jsonify(installed=oauth_id, groupId=group_id, roomId=room_id), 200


def endpoints(caps: Any) -> tuple[str, str]:
    """The token URL and the REST API URL named by HipChat's capabilities document."""
    capabilities = caps.get("capabilities") if isinstance(caps, dict) else None
    capabilities = capabilities if isinstance(capabilities, dict) else {}
    provider = capabilities.get("oauth2Provider")
    api = capabilities.get("hipchatApiProvider")
    token_url = provider.get("tokenUrl") if isinstance(provider, dict) else None
    api_url = api.get("url") if isinstance(api, dict) else None
    if not isinstance(token_url, str) or not token_url.startswith(("http://", "https://")):
        raise ValueError("the capabilities document names no oauth2Provider.tokenUrl")
    if not isinstance(api_url, str) or not api_url.startswith(("http://", "https://")):
        raise ValueError("the capabilities document names no hipchatApiProvider.url")
    return token_url, api_url


@bp.delete("/installable/<oauth_id>")
def uninstall(oauth_id: str) -> tuple[Response | str, int]:
    """Remove an installation: when HipChat says so with a JWT of that installation, or no longer knows it."""
    state = addon()
    inst = state.store.get_installation(oauth_id)
    if inst is None:
        return "", 204
    token = token_from(request)
    if token:
        try:
            ctx = verify(token, state.store, state.config.clock)
        except Unauthorized as exc:
            log.warning("401 on uninstall of %s: %s", oauth_id, exc)
            return jsonify(error="the JWT is not valid"), 401
        if ctx.installation.oauth_id != oauth_id:
            log.warning("401 on uninstall of %s: JWT of installation %s", oauth_id, ctx.installation.oauth_id)
            return jsonify(error="the JWT belongs to another installation"), 401
    else:
        # No JWT: anyone could send this DELETE, so ask HipChat whether the credentials still work.
        try:
            request_token(state.session, inst.token_url, oauth_id, inst.oauth_secret, ("send_notification",),
                          state.config.clock())
        except InstallationGone:
            pass
        except ConnectError as exc:
            return jsonify(error=f"cannot confirm the uninstall with HipChat: {exc}"), 503
        else:
            return jsonify(error="HipChat still accepts this installation's credentials; uninstall it in "
                                 "HipChat, or send the DELETE with its JWT"), 403
    state.uninstall(oauth_id, "uninstalled by HipChat")
    return "", 204
