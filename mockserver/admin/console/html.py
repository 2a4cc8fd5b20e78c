"""HTML building blocks of the console: escaping, the page layout and its response."""

from __future__ import annotations

from collections.abc import Iterable
from html import escape
from typing import Final
from urllib.parse import urlencode

from aiohttp import web

from mockserver.admin.spec import PREFIX

UI: Final = PREFIX + "/ui"
HTML: Final = "text/html"
VIEWS: Final = (("catalog", "Catalog"), ("journal", "Journal"), ("scenarios", "Scenarios"))
VIEWS_ALL: Final = (*VIEWS, ("report", "Verdicts"))
# the console loads nothing from elsewhere; the report's legend swatches use inline styles
CSP: Final = (
    "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)


def e(value: object) -> str:
    """Text (None as nothing) escaped for an element or a quoted attribute."""
    return escape("" if value is None else str(value), quote=True)


def link(view: str, **query: object) -> str:
    """The console URL of `view` with the non-empty query parameters given."""
    return url(f"{UI}/{view}", **query)


def url(path: str, **query: object) -> str:
    """`path` with the non-empty query parameters given."""
    kept = {k: str(v) for k, v in query.items() if v not in (None, "")}
    return path + (f"?{urlencode(kept)}" if kept else "")


def options(values: Iterable[tuple[str, str]], chosen: str | None) -> str:
    """`<option>`s of (value, label) pairs, `chosen` selected."""
    return "".join(
        f'<option value="{e(v)}"{" selected" if v == (chosen or "") else ""}>{e(label)}</option>'
        for v, label in values
    )


def field(name: str, label: str, value: str | None, kind: str = "search") -> str:
    """A labelled input."""
    return (
        f'<div class="field"><label for="f-{name}">{e(label)}</label>'
        f'<input id="f-{name}" name="{name}" type="{kind}" value="{e(value)}"></div>'
    )


def select(name: str, label: str, values: Iterable[tuple[str, str]], chosen: str | None) -> str:
    """A labelled drop-down of (value, label) pairs."""
    return (
        f'<div class="field"><label for="f-{name}">{e(label)}</label>'
        f'<select id="f-{name}" name="{name}">{options(values, chosen)}</select></div>'
    )


def page(view: str, title: str, body: str) -> web.Response:
    """A whole console page: navigation, `body` in <main>, the shared stylesheet and script."""
    current = ' aria-current="page"'
    nav = "".join(
        f'<a href="{UI}/{name}"{current if name == view else ""}>{label}</a>'
        for name, label in VIEWS_ALL
    )
    text = (
        '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{e(title)} · mockserver</title>\n"
        f'<link rel="stylesheet" href="{UI}/console.css">\n'
        f'<script src="{UI}/console.js" defer></script>\n</head>\n'
        f'<body data-view="{view}">\n<a class="skip" href="#main">Skip to content</a>\n'
        f'<header><span class="brand">mockserver</span>'
        f'<nav aria-label="Console views">{nav}</nav></header>\n'
        f'<main id="main" tabindex="-1">\n{body}\n</main>\n</body>\n</html>\n'
    )
    response = web.Response(
        text=text,
        content_type=HTML,
        charset="utf-8",
        headers={"Content-Security-Policy": CSP, "Cache-Control": "no-store"},
    )
    # a catalog page carries every family's bytes of 25 entries: ~110 KB, ~12 KB gzipped
    response.enable_compression()
    return response
