"""An immutable, aiohttp-free view of one incoming request, for matching and rendering."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any, Generic, TypeVar, overload

from multidict import CIMultiDict, CIMultiDictProxy

from mockserver.request.bodies import MalformedBody, parse_form, strict_json

_MISSING = object()
# already case-insensitive: used as is, without a lower-cased copy
_CASE_INSENSITIVE = (CIMultiDictProxy, CIMultiDict)
T = TypeVar("T")
# what a request was answered with, when that was a catalogued error or a fault: the catalog
# key (a fault's is "fault:<type>") and the Retry-After value sent, if any
Served = tuple[str, str | None]


class lazy(Generic[T]):
    """`functools.cached_property` without its lock.

    Python 3.11's cached_property takes a lock on every first access, which cost more than
    the value itself on the request path; a snapshot belongs to one task at a time.
    """

    def __init__(self, func: Callable[[Any], T]) -> None:
        self.func = func
        self.name = func.__name__
        self.__doc__ = func.__doc__

    @overload
    def __get__(self, obj: None, owner: type | None = None) -> lazy[T]: ...

    @overload
    def __get__(self, obj: object, owner: type | None = None) -> T: ...

    def __get__(self, obj: object | None, owner: type | None = None) -> T | lazy[T]:
        if obj is None:
            return self
        value = self.func(obj)
        obj.__dict__[self.name] = value  # shadows this (non-data) descriptor from now on
        return value


class RequestSnapshot:
    """What the engine needs to know about a request, parsed lazily.

    Header names are lower-cased in `headers`; `raw_headers` is the mapping given, kept
    as it came (aiohttp's case-insensitive view on the server) so that requests nobody
    inspects never pay for the copy. `query` and `form` keep the first value of a repeated
    key in the mapping and every value in `query_all`/`form_all`. `served` is the one
    thing about the answer it carries: which catalogued error (or fault) answered it.
    """

    __slots__ = (
        "__dict__",
        "body",
        "method",
        "no_endpoint",
        "path",
        "query_all",
        "raw_headers",
        "received_at",
        "served",
        "session",
        "vendor",
    )

    def __init__(
        self,
        *,
        vendor: str,
        method: str,
        path: str,
        query: list[tuple[str, str]] | None = None,
        headers: Mapping[str, str] | None = None,
        body: bytes = b"",
        session: str | None = None,
        received_at: float = 0.0,
    ) -> None:
        self.vendor = vendor
        self.method = method.upper()
        self.path = path
        self.query_all: tuple[tuple[str, str], ...] = tuple(query or ())
        self.raw_headers: Mapping[str, str] = {} if headers is None else headers
        if isinstance(headers, _CASE_INSENSITIVE):  # the server's case: no copy needed
            self.__dict__["headers"] = headers
        self.body = body
        self.session = session
        self.received_at = received_at
        # set by the pipeline when the answer is a catalogued error or a fault, for the journal
        self.served: Served | None = None
        # set by the pipeline when no operation of the vendor serves the request
        self.no_endpoint = False

    @lazy
    def headers(self) -> Mapping[str, str]:
        """Request headers, looked up by lower-cased name."""
        return {k.lower(): v for k, v in self.raw_headers.items()}

    @lazy
    def content_type(self) -> str:
        """The media type of the body, lower-cased, without parameters ("" when absent)."""
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    @lazy
    def query(self) -> Mapping[str, str]:
        """First value of each query parameter."""
        out: dict[str, str] = {}
        for k, v in self.query_all:
            out.setdefault(k, v)
        return out

    @lazy
    def form_all(self) -> tuple[tuple[str, str], ...]:
        """Form fields, when the body is application/x-www-form-urlencoded."""
        if self.content_type != "application/x-www-form-urlencoded" or not self.body:
            return ()
        try:
            return parse_form(self.body.decode("utf-8"))
        except UnicodeDecodeError:
            return ()

    @lazy
    def form(self) -> Mapping[str, str]:
        """First value of each form field."""
        out: dict[str, str] = {}
        for k, v in self.form_all:
            out.setdefault(k, v)
        return out

    @lazy
    def _strict(self) -> Any:
        # the value, or the MalformedBody a vendor's strict parser would raise
        try:
            return strict_json(self.body)
        except MalformedBody as err:
            return err

    @lazy
    def _json(self) -> Any:
        if not self.body:
            return _MISSING
        # one parse serves both views: only a body strict parsing refuses is parsed again
        strict = self._strict
        if not isinstance(strict, MalformedBody):
            return strict
        try:
            return json.loads(self.body)
        except (ValueError, UnicodeDecodeError, RecursionError):
            return _MISSING

    def strict_json(self) -> Any:
        """The body as a vendor's strict parser reads it (no NaN, no lone surrogates).

        Raises MalformedBody when that parser would refuse it. Parsed once per request,
        shared with `json` (which rules and renderers read).
        """
        strict = self._strict
        if isinstance(strict, MalformedBody):
            raise MalformedBody(str(strict))
        return strict

    @property
    def json_valid(self) -> bool:
        """True when the body parses as JSON."""
        return self._json is not _MISSING

    @property
    def json(self) -> Any:
        """The body parsed as JSON, or None when it is empty or not JSON."""
        value = self._json
        return None if value is _MISSING else value

    def field(self, name: str) -> str | None:
        """A scalar request value by name: query, then form, then top-level JSON."""
        if name in self.query:
            return self.query[name]
        if name in self.form:
            return self.form[name]
        data = self.json
        if isinstance(data, dict) and name in data and not isinstance(data[name], dict | list):
            return str(data[name])
        return None
