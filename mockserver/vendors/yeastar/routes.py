"""Yeastar happy-path route table (vendor-relative paths under `/openapi/v1.0`)."""

from __future__ import annotations

from mockserver.vendors.kit.routing import Router, route
from mockserver.vendors.yeastar import auth, calls, extensions, messages

_API = r"/openapi/v1\.0"

ROUTER = Router(
    [
        route("POST", rf"{_API}/get_token", auth.get_token),
        route("POST", rf"{_API}/refresh_token", auth.refresh_token),
        route("GET", rf"{_API}/del_token", auth.del_token),
        route("POST", rf"{_API}/call/dial", calls.dial),
        route("GET", rf"{_API}/call/query", calls.query),
        route("POST", rf"{_API}/message/send", messages.send),
        route("GET", rf"{_API}/extension/list", extensions.list_extensions),
    ]
)
