"""The admin token in a browser: `?token=` once, then an HttpOnly cookie; a sign-in page."""

from __future__ import annotations

import hashlib
import hmac
from typing import Final

from aiohttp import web
from yarl import URL

from mockserver.admin.console.html import CSP, HTML, UI, e
from mockserver.admin.spec import PREFIX

COOKIE: Final = "mockserver_console"
# a page may cross to another site's forms, so a cookie alone never changes anything: unsafe
# methods also need this header, which no cross-site form or image can send
CONSOLE_HEADER: Final = "X-Mockserver-Console"
_SAFE: Final = frozenset({"GET", "HEAD"})


def cookie_value(token: str) -> str:
    """What the cookie holds: derived from the token, so the token itself is not stored."""
    return hmac.new(token.encode(), b"mockserver console", hashlib.sha256).hexdigest()


def admitted(request: web.Request, token: str) -> bool:
    """Whether the console cookie stands in for the token on this request."""
    given = request.cookies.get(COOKIE, "").encode("utf-8", "surrogateescape")
    if not hmac.compare_digest(given, cookie_value(token).encode()):
        return False
    return request.method in _SAFE or CONSOLE_HEADER in request.headers


def refusal(request: web.Request, token: str) -> web.StreamResponse | None:
    """A console page's answer to a request without the token: sign in, or its form.

    None for everything else (the API's JSON 401 answers it).
    """
    if request.method not in _SAFE or not request.path.startswith(UI + "/"):
        return None
    offered = request.query.get("token")
    if offered is not None and hmac.compare_digest(offered.encode(), token.encode()):
        return _signed_in(request, token)
    if HTML in request.headers.get("Accept", ""):
        return _sign_in_page(request, wrong=offered is not None)
    return None


def _signed_in(request: web.Request, token: str) -> web.StreamResponse:
    # the same page without the token, so it stays out of history, bookmarks and referrers
    target = URL(request.path).with_query({k: v for k, v in request.query.items() if k != "token"})
    response = web.Response(status=303, headers={"Location": str(target)})
    response.set_cookie(
        COOKIE, cookie_value(token), path=PREFIX + "/", httponly=True, samesite="Strict"
    )
    return response


def _sign_in_page(request: web.Request, wrong: bool) -> web.Response:
    kept = "".join(
        f'<input type="hidden" name="{e(k)}" value="{e(v)}">'
        for k, v in request.query.items()
        if k != "token"
    )
    alert = '<p role="alert">That token is not the admin token.</p>' if wrong else ""
    text = (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<title>Sign in · mockserver</title><style>body{font:16px/1.5 system-ui,sans-serif;"
        "max-width:28rem;margin:3rem auto;padding:0 1rem;color:#1f2328}input,button{font:inherit;"
        "padding:.4rem;margin:.3rem 0}input[type=password]{width:100%;box-sizing:border-box}"
        "</style></head><body><main><h1>mockserver console</h1>"
        "<p>This server runs with an admin token (<code>--admin-token</code>).</p>"
        f'{alert}<form method="get" action="{e(request.path)}">{kept}'
        '<label for="token">Admin token</label>'
        '<input id="token" name="token" type="password" autocomplete="current-password" required>'
        '<button type="submit">Sign in</button></form></main></body></html>\n'
    )
    return web.Response(
        status=401,
        text=text,
        content_type=HTML,
        charset="utf-8",
        headers={"Content-Security-Policy": CSP, "Cache-Control": "no-store"},
    )
