"""Twilio-style list pages (PageSize, Page, PageToken) and /api/* `links` pages."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from mockserver.answers.rendered import Rendered
from mockserver.vendors.kit.call import Call
from mockserver.vendors.kit.records import Record
from mockserver.vendors.signalwire.wire import answer, compat_base, in_account, newest_first

DEFAULT_SIZE = 50
MAX_SIZE = 1000  # 20007 "The maximum page size is 1000"
MAX_DIGITS = 12  # longer digit runs are refused before int() (Python caps int() at 4300 digits)
TOO_BIG, INVALID, BAD_TOKEN = "20007", "20422", "21481"
Query = list[tuple[str, str]]
View = Callable[[Record, float], Record]


@dataclass(frozen=True)
class Params:
    """The names of an API's paging query parameters."""

    size: str
    number: str
    token: str


COMPAT = Params("PageSize", "Page", "PageToken")
REST = Params("page_size", "page_number", "page_token")


@dataclass(frozen=True)
class PageRequest:
    """Which page a list request asks for."""

    size: int
    number: int
    token: str | None


@dataclass(frozen=True)
class Window:
    """The slice of the full list a page shows, and the request that chose it."""

    request: PageRequest
    start: int
    end: int


def page_request(call: Call, names: Params) -> PageRequest:
    """The page asked for; 20007 for a page size over the maximum, 20422 for other bad values.

    The `attribute` only shows on /api/* errors (compat bodies carry none).
    """
    query = call.snapshot.query
    size_text = query.get(names.size, str(DEFAULT_SIZE))
    number = _number(query.get(names.number, "0"))
    if _digits(size_text) and (len(size_text) > MAX_DIGITS or int(size_text) > MAX_SIZE):
        call.reject(TOO_BIG, attribute=names.size)
    size = _number(size_text)
    if size is None or size < 1 or number is None:
        call.reject(INVALID, attribute="page")
    return PageRequest(size, number, query.get(names.token) or None)


def _digits(text: str) -> bool:
    return text.isascii() and text.isdigit()


def _number(text: str) -> int | None:
    """A non-negative integer; None for anything else (also for absurdly long digit runs)."""
    return int(text) if _digits(text) and len(text) <= MAX_DIGITS else None


def locate(call: Call, ids: Sequence[str], names: Params) -> Window:
    """The window of the page asked for; 21481 for a page token naming no item of this list.

    Tokens are "PA<id>" (the page after that item) and "PB<id>" (the page before it), so a
    page stays put while new items arrive at the head of the list.
    """
    req = page_request(call, names)
    if req.token is None:
        start = req.number * req.size
        return Window(req, start, start + req.size)
    direction, anchor = req.token[:2], req.token[2:]
    if direction not in ("PA", "PB") or anchor not in ids:
        call.reject(BAD_TOKEN, attribute=names.token)
    index = ids.index(anchor)
    if direction == "PA":
        return Window(req, index + 1, index + 1 + req.size)
    return Window(req, max(0, index - req.size), index)


def link(base: str, query: Query) -> str:
    """`base?query`; undecodable characters are replaced rather than failing the answer."""
    return f"{base}?{urlencode(query, errors='replace')}" if query else base


def compat_page(
    items: list[dict[str, Any]],
    key: str,
    base: str,
    filters: Query,
    window: Window,
    ids: Sequence[str] | None = None,
) -> dict[str, Any]:
    """The list body twilio's `Page` reads: one record key plus the spec's meta keys.

    No `start`/`end`: Twilio sends them, SignalWire's list schemas do not allow them, and
    twilio's `Page` never needs them. Page tokens name the items' `ids` (default: `sid`s).
    """
    req = window.request
    ids = [str(item["sid"]) for item in items] if ids is None else ids
    chunk = items[window.start : window.end]

    def at(number: int, token: str | None) -> str:
        query = [*filters, ("PageSize", str(req.size)), ("Page", str(number))]
        return link(base, query + ([("PageToken", token)] if token else []))

    return {
        key: chunk,
        "page": req.number,
        "page_size": req.size,
        "uri": at(req.number, req.token),
        "first_page_uri": at(0, None),
        "next_page_uri": at(req.number + 1, "PA" + ids[window.end - 1])
        if _more(window, ids)
        else None,
        "previous_page_uri": (
            at(max(req.number - 1, 0), "PB" + ids[window.start]) if _less(window, ids) else None
        ),
    }


def links_page(
    items: list[dict[str, Any]], base: str, window: Window, ids: Sequence[str] | None = None
) -> dict[str, Any]:
    """The /api/* list body signalwire-sdk's paginator walks: `data` and `links.next`.

    Page tokens name the items' `ids` (default: their `id`s).
    """
    req = window.request
    ids = [str(item["id"]) for item in items] if ids is None else ids

    def at(number: int, token: str | None) -> str:
        query = [("page_number", str(number)), ("page_size", str(req.size))]
        return link(base, query + ([("page_token", token)] if token else []))

    links: dict[str, str] = {"self": at(req.number, req.token), "first": at(0, None)}
    if _more(window, ids):
        links["next"] = at(req.number + 1, "PA" + ids[window.end - 1])
    if _less(window, ids):
        links["prev"] = at(max(req.number - 1, 0), "PB" + ids[window.start])
    return {"data": items[window.start : window.end], "links": links}


def _more(window: Window, ids: Sequence[str]) -> bool:
    """Items follow this page (and it has a last item to anchor the token on)."""
    return 0 < window.end < len(ids)


def _less(window: Window, ids: Sequence[str]) -> bool:
    """Items precede this page (and it has a first item to anchor the token on)."""
    return 0 < window.start < len(ids)


def compat_list(
    call: Call, kind: str, collection: str, filter_names: tuple[str, ...], view: View
) -> Rendered:
    """A Twilio-paged compat list (`{collection}.json`), newest first, filtered on the views.

    Filters apply to the view, not the stored record, because some fields (a call's Status)
    are computed from the clock when read.
    """
    query = call.snapshot.query
    filters = [(name, query[name]) for name in filter_names if name in query]
    views = [view(r, call.now) for r in newest_first(call, kind) if in_account(call, r)]
    items = [v for v in views if all(v[name.lower()] == value for name, value in filters)]
    window = locate(call, [str(item["sid"]) for item in items], COMPAT)
    base = f"{compat_base(call)}/{collection}.json"
    return answer(call, 200, compat_page(items, collection.lower(), base, filters, window))


def links_list(call: Call, items: list[Record], base: str) -> Rendered:
    """One /api/* `data`/`links` page of `items`."""
    window = locate(call, [str(item["id"]) for item in items], REST)
    return answer(call, 200, links_page(items, base, window))
