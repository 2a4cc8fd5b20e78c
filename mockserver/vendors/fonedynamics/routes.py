"""Fone Dynamics route table: send, get, list and batch messages under `/v2` (case-insensitive)."""

from __future__ import annotations

from mockserver.vendors.fonedynamics.messages import batch, get, list_messages, send
from mockserver.vendors.kit.routing import Router, route

# ServiceStack matches routes case-insensitively, hence `(?i)` on every pattern.
_SID = r"(?P<property>[^/]+)"
ROUTER = Router(
    [
        route("POST", rf"(?i)/v2/Properties/{_SID}/Messages", send),
        route("GET", rf"(?i)/v2/Properties/{_SID}/Messages", list_messages),
        route("POST", rf"(?i)/v2/Properties/{_SID}/BatchMessages", batch),
        route("GET", r"(?i)/v2/Messages/(?P<sid>[^/]+)", get),
    ]
)
