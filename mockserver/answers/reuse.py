"""Rendered vendor errors kept by everything but the request id, so a repeat costs a lookup."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Final

from aiohttp import web
from multidict import CIMultiDict

from mockserver.answers.rendered import Rendered
from mockserver.answers.wire import Head, WireResponse, head_of

# Two ids that differ in every character: rendering with both tells whether (and where)
# the request id shows up in an answer.
PROBE_IDS: Final = ("00000000-0000-4000-8000-000000000000", "ffffffff-ffff-4fff-bfff-ffffffffffff")
DEFAULT_LIMIT: Final = 2048

Render = Callable[[str], Rendered]
"""Renders the answer for a given request id."""


@dataclass(frozen=True, slots=True)
class Template:
    """One cached answer; `id_header` is the header that carries the request id, if any."""

    rendered: Rendered
    id_header: str | None
    # the wire headers (Content-Type included), copied per response and never mutated
    headers: CIMultiDict[str]
    # the same, serialized once (None: aiohttp must write this answer itself)
    head: Head | None

    def response(self, request_id: str) -> web.Response:
        """The answer as an aiohttp response carrying this request's id."""
        if self.head is not None:
            return WireResponse(self.head, request_id)
        # aiohttp copies the headers it is given: set the id on its copy, not on a copy of ours
        response = web.Response(
            status=self.rendered.status, body=self.rendered.body, headers=self.headers
        )
        if self.id_header is not None:
            response.headers[self.id_header] = request_id
        return response

    def stamp(self, request_id: str) -> Rendered:
        """The answer as a Rendered carrying this request's id."""
        done = self.rendered
        if self.id_header is None:
            return done
        headers = tuple((k, request_id if k == self.id_header else v) for k, v in done.headers)
        return Rendered(done.status, done.body, done.content_type, headers, done.key)


class ErrorAnswers:
    """Memoises rendered answers per key: the vendor, entry and context minus the request id.

    Renderers are pure functions of their context, but building an envelope (placeholders,
    JSON, vendor headers) is most of what answering an injected error costs. Whether an
    answer may be reused is checked, not assumed: each new key is rendered with two
    request ids and is cached only when the answers differ in nothing but the vendor's
    request-id header. Other keys (a message id hashed from the request id, say) are
    remembered as uncacheable and rendered every time. The cache is bounded: when it is
    full it starts over.
    """

    def __init__(self, limit: int = DEFAULT_LIMIT) -> None:
        self.limit = limit
        self._templates: dict[Hashable, Template | None] = {}

    def response(
        self, key: Hashable, render: Render, id_header: str | None, request_id: str
    ) -> web.Response:
        """The answer `render(request_id)` describes, from the cache when it may be."""
        try:
            template = self._templates[key]
        except KeyError:
            template = self._learn(key, render, id_header)
        if template is None:
            return to_response(render(request_id))
        return template.response(request_id)

    def rendered(
        self, key: Hashable, render: Render, id_header: str | None, request_id: str
    ) -> Rendered:
        """Like `response`, as a Rendered (for answers that may still be changed)."""
        try:
            template = self._templates[key]
        except KeyError:
            template = self._learn(key, render, id_header)
        return render(request_id) if template is None else template.stamp(request_id)

    def __len__(self) -> int:
        return len(self._templates)

    def _learn(self, key: Hashable, render: Render, id_header: str | None) -> Template | None:
        template = reusable(render(PROBE_IDS[0]), render(PROBE_IDS[1]), id_header)
        if len(self._templates) >= self.limit:
            self._templates.clear()
        self._templates[key] = template
        return template


def reusable(first: Rendered, second: Rendered, id_header: str | None) -> Template | None:
    """A template of `first` (rendered with PROBE_IDS[0]), or None when it can't be reused."""
    if first == second:
        return template(first, None)
    if id_header is None or (first.status, first.body, first.content_type) != (
        second.status,
        second.body,
        second.content_type,
    ):
        return None
    lowered = id_header.lower()
    names = [k for k, v in first.headers if k.lower() == lowered and v == PROBE_IDS[0]]
    restamped = [(k, PROBE_IDS[1]) if k in names else (k, v) for k, v in first.headers]
    if len(names) != 1 or restamped != list(second.headers):
        return None
    return template(first, names[0])


def template(rendered: Rendered, id_header: str | None) -> Template:
    """A Template of `rendered`, its head serialized once."""
    headers = wire_headers(rendered)
    head = head_of(rendered.status, rendered.body, headers.items(), id_header)
    return Template(rendered, id_header, headers, head)


def wire_headers(rendered: Rendered) -> CIMultiDict[str]:
    """The headers an answer is sent with: its own, then its Content-Type (which wins)."""
    headers = CIMultiDict(rendered.headers)
    headers["Content-Type"] = rendered.content_type
    return headers


def to_response(rendered: Rendered) -> web.Response:
    """An aiohttp response carrying exactly the rendered status, headers and bytes."""
    headers = wire_headers(rendered)
    head = head_of(rendered.status, rendered.body, headers.items())
    if head is not None:
        return WireResponse(head)
    return web.Response(status=rendered.status, body=rendered.body, headers=headers)


def retry_after(response: web.Response) -> str | None:
    """The Retry-After of an answer about to be sent (a WireResponse's state is not built)."""
    if type(response) is WireResponse:
        return response.retry_after
    return response.headers.get("Retry-After")
