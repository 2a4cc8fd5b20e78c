"""Fone Dynamics' shape of generic answers: PascalCase bodies, Results_Count/Results_Skip lists."""

from __future__ import annotations

from typing import Any

from mockserver.answers.rendered import Rendered
from mockserver.operations.dialect import Record, TableDialect
from mockserver.operations.table import Operation
from mockserver.vendors.fonedynamics.wire import answer, query_number
from mockserver.vendors.kit.call import Call


class FoneDynamics(TableDialect):
    """The REST API v2 (spec/rest-v2.yaml)."""

    param = "FieldName"
    not_found_status = None  # no 404 is documented: *_NOT_FOUND answers 400 (policy.py)

    def store_as(self, collection: str) -> str:
        """Messages sent under a property are fetched at `/v2/Messages/{sid}`: one store."""
        return "op:" + collection.rsplit("/", 1)[-1]

    def answer(self, call: Call, status: int, body: Any) -> Rendered:
        """Compact JSON in the vendor's content type."""
        return answer(body, status)

    def page(self, call: Call, op: Operation, records: list[Record], key: str) -> Any:
        """`Results_Skip` then `Results_Count` (200 by default) items, and the total."""
        skip = query_number(call, "Results_Skip") or 0
        count = query_number(call, "Results_Count") or 200
        return {key: records[skip : skip + count], "TotalCount": len(records)}


DIALECTS = {"fonedynamics": FoneDynamics()}
