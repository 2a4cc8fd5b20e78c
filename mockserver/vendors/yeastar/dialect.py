"""Yeastar's shape of generic answers: errcode/errmsg on HTTP 200, `total_number` + `data` lists."""

from __future__ import annotations

from typing import Any

from mockserver.answers.rendered import Rendered
from mockserver.operations.dialect import Record, TableDialect
from mockserver.operations.table import Operation
from mockserver.vendors.kit.call import Call
from mockserver.vendors.yeastar.extensions import DEFAULT_PAGE_SIZE, KIND, extensions
from mockserver.vendors.yeastar.wire import positive, success


class Yeastar(TableDialect):
    """The P-Series Open API v1.0 (spec/openapi.yaml)."""

    param = "field"
    not_found_status = None  # Yeastar's errors ride on HTTP 200 (the catalog's status)
    # a PBX has extensions, trunks and queues before any client call
    world = frozenset({"extension", "trunk", "queue"})
    seeds = 3

    def store_as(self, collection: str) -> str:
        """Extensions share the hand-written `extension/list`'s store: one set per session."""
        return KIND if collection.endswith("/extension") else super().store_as(collection)

    def seed(self, call: Call, op: Operation, collection: str, records: list[Record]) -> None:
        """The extensions are the ones `extension/list` shows (made there, once per session)."""
        if collection == KIND:
            records[:] = extensions(call)

    def answer(self, call: Call, status: int, body: Any) -> Rendered:
        """`{"errcode":0,"errmsg":"SUCCESS", ...}`, HTTP 200."""
        fields = body if isinstance(body, dict) else {}
        return success(**{k: v for k, v in fields.items() if k not in ("errcode", "errmsg")})

    def page(self, call: Call, op: Operation, records: list[Record], key: str) -> Any:
        """`page`/`page_size` slice; `total_number` counts the whole list."""
        page = positive(call, "page", 1)
        size = positive(call, "page_size", DEFAULT_PAGE_SIZE)
        start = (page - 1) * size
        return {"total_number": len(records), key: records[start : start + size]}


DIALECTS = {"yeastar": Yeastar()}
