"""A vendor's happy-path route table: method and path pattern to handler, with path arguments."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from mockserver.answers.rendered import Rendered
from mockserver.memo import Memo
from mockserver.vendors.kit.call import Call

# A handler may be async when it must talk to the outside first (e.g. a webhook handshake)
Handler = Callable[["Call"], "Rendered | Awaitable[Rendered]"]


@dataclass(frozen=True)
class Route:
    """One happy-path endpoint: method, path pattern (named groups become `Call.args`)."""

    method: str
    pattern: re.Pattern[str]
    handler: Handler
    name: str
    # answers only when no published operation does (e.g. a "method not allowed" catch-all)
    fallback: bool = False


def route(
    method: str, pattern: str, handler: Handler, name: str = "", fallback: bool = False
) -> Route:
    """Build a route; `pattern` is a full-match regex over the vendor-relative path."""
    return Route(method.upper(), re.compile(pattern), handler, name or handler.__name__, fallback)


_Found = tuple[Route, tuple[tuple[str, str], ...]] | None


class Router:
    """Finds the route for a request; distinguishes unknown paths from wrong methods.

    Answers are memoised per (method, path): a vendor with fifty routes spent ~19 us on
    regexes per SignalWire send, asked twice (auth, then the handler) - more than aiohttp
    spends on the whole request (bench/README.md). The route table never changes.
    """

    def __init__(self, routes: list[Route]) -> None:
        self.routes = routes
        self._memo: Memo[tuple[str, str], _Found] = Memo()

    def find(self, method: str, path: str) -> tuple[Route, dict[str, str]] | None:
        """The matching route and its path arguments (a fresh dict), or None."""
        found = self._memo.get((method, path), self._scan, method, path)
        return None if found is None else (found[0], dict(found[1]))

    def _scan(self, method: str, path: str) -> _Found:
        for item in self.routes:
            if item.method != method:
                continue
            found = item.pattern.fullmatch(path)
            if found:
                args = tuple((k, v) for k, v in found.groupdict().items() if v is not None)
                return item, args
        return None

    def allowed(self, path: str) -> list[str]:
        """Methods some route accepts at this path (for "method not allowed" answers)."""
        return [r.method for r in self.routes if r.pattern.fullmatch(path)]
