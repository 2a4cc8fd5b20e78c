"""Values of rendering, not a renderer: RenderContext and RateInfo in, a Rendered answer out."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

JSON = "application/json"


@dataclass(frozen=True, slots=True)
class RateInfo:
    """Rate-limit counters a renderer can expose as the vendor's headers."""

    limit: int
    remaining: int
    window: int
    retry_after: int | None = None
    group: str | None = None


@dataclass(frozen=True, slots=True)
class RenderContext:
    """What a renderer may know about the request it answers.

    Attributes:
        family: the envelope family the request's endpoint uses (vendor-defined names).
        method: the request's HTTP method.
        path: the path relative to the vendor root, starting with "/".
        params: values for the entry's `${name}` placeholders (and fields such as
            `parameterName` that some envelopes also carry as attributes).
        request_id: the id to send in the vendor's request-id header, if it has one.
        status: an HTTP status that overrides the catalogued one.
        rate: rate-limit counters to expose, if the vendor sends such headers.
        retry_after: seconds for a Retry-After header, when the answer is a 429/503.
        account: the account/project id the request addressed, when the path names one.
    """

    family: str
    method: str = "GET"
    path: str = "/"
    params: Mapping[str, str] = field(default_factory=dict)
    request_id: str = "00000000-0000-0000-0000-000000000000"
    status: int | None = None
    rate: RateInfo | None = None
    retry_after: int | None = None
    account: str | None = None


@dataclass(frozen=True, slots=True)
class Rendered:
    """A complete HTTP answer, ready to write.

    `key` is the catalog key when the answer is a catalogued error (`Call.error`, the
    vendor's not-found), so the journal can say which error a handler answered with.
    """

    status: int
    body: bytes
    content_type: str = JSON
    headers: tuple[tuple[str, str], ...] = ()
    key: str | None = None

    def with_headers(self, extra: Mapping[str, str]) -> Rendered:
        """A copy whose headers are replaced/extended by `extra` (case-insensitive names)."""
        lowered = {k.lower() for k in extra}
        kept = tuple((k, v) for k, v in self.headers if k.lower() not in lowered)
        headers = kept + tuple(extra.items())
        return Rendered(self.status, self.body, self.content_type, headers, self.key)

    def keyed(self, key: str) -> Rendered:
        """A copy that says it is the catalogued error `key`."""
        return Rendered(self.status, self.body, self.content_type, self.headers, key)

    def header(self, name: str) -> str | None:
        """The first value of header `name` (case-insensitive), or None."""
        lowered = name.lower()
        return next((v for k, v in self.headers if k.lower() == lowered), None)

    def json(self) -> Any:
        """The body parsed as JSON (for tests and previews)."""
        return json.loads(self.body)


# json.dumps with non-default options builds an encoder per call (a fifth of its cost)
_COMPACT = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)


def compact_json(value: Any) -> bytes:
    """Serialise without spaces, as most vendors send it."""
    return _COMPACT.encode(value).encode()
