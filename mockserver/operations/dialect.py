"""How one API family shapes the generic engine's answers: bodies, ids, lists and errors."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, NoReturn

from mockserver.answers.rendered import JSON, Rendered, compact_json
from mockserver.operations.synth import Shape

if TYPE_CHECKING:
    from mockserver.operations.table import Operation
    from mockserver.operations.validate import Problem
    from mockserver.vendors.kit.call import Call

Record = dict[str, Any]


class Dialect:
    """Defaults every vendor's dialect overrides where the vendor differs.

    Attributes:
        not_found_key: catalog key of an unknown id of a resource.
        invalid_key: catalog key of a request the spec refuses (missing, wrong type...).
        malformed_key: catalog key of a body that does not parse.
        seeds: how many records a seeded collection starts with.
        shape: how its generated values write timestamps and ids.
        world: collections (last path segment) seeded although clients may add to them: the
            account's own extensions, numbers... exist before the first request.
    """

    not_found_key: str
    invalid_key: str
    malformed_key: str
    invalid_status: int | None = None
    not_found_status: int | None = 404
    seeds = 2
    shape = Shape()
    world: frozenset[str] = frozenset()

    def answer(self, call: Call, status: int, body: Any) -> Rendered:
        """A success answer in the vendor's wire format."""
        payload = b"" if status == 204 or body is None else compact_json(body)
        return Rendered(status, payload, JSON, call.vendor.success_headers(call.ctx))

    def body(self, call: Call, op: Operation) -> Any:
        """The parsed request body: a JSON value, or a form as a dict (repeats as lists)."""
        spec = op.get("body") or {}
        media = str(spec.get("media", ""))
        if "json" in media or (not media and call.snapshot.body):
            return call.json(self.malformed_key, objects_only=False)
        form: dict[str, Any] = {}
        for name, value in call.snapshot.form_all:
            if name in form:
                previous = form[name]
                form[name] = [*previous, value] if isinstance(previous, list) else [previous, value]
            else:
                form[name] = value
        return form

    def fields(self, call: Call, op: Operation, body: Any) -> Mapping[str, Any]:
        """The request's fields under the names the stored resource uses."""
        return body if isinstance(body, dict) else {}

    def canonical(self, call: Call, name: str, value: str) -> str:
        """A path argument as the vendor means it (RingCentral: `~` is the caller's own id)."""
        return value

    def store_as(self, collection: str) -> str:
        """The store's kind for a collection (its path with the arguments filled in)."""
        return "op:" + collection

    def link(self, call: Call, path: str) -> str | None:
        """The `uri` a resource at `path` (vendor-relative) carries; None keeps the synthesized."""
        return None

    def seed(self, call: Call, op: Operation, collection: str, records: list[Record]) -> None:
        """Make the first records of a seeded collection agree with the session's world."""

    def page(self, call: Call, op: Operation, records: list[Record], key: str) -> Any:
        """A list answer holding `records` under `key`, with the vendor's paging fields."""
        return {key: records}

    def not_found(self, call: Call, op: Operation, name: str, value: str) -> NoReturn:
        """Refuse an unknown id of a resource with the vendor's own not-found."""
        call.reject(self.not_found_key, self.not_found_status, parameterName=name)

    def invalid(self, call: Call, op: Operation, problem: Problem) -> NoReturn:
        """Refuse a request the spec does not allow with the vendor's validation error."""
        call.reject(self.invalid_key, self.invalid_status, parameterName=problem.name)


class TableDialect(Dialect):
    """A dialect whose error codes the hand-built table names (its `dialect:` section).

    `param` is the placeholder a vendor's validation entries name the field with.
    """

    param = "parameterName"
    not_found_key = ""
    invalid_key = ""
    malformed_key = ""

    def keys(self, op: Operation) -> Mapping[str, Any]:
        """The table's facts: not_found, validation{kind: key}, malformed_body."""
        return op.table.dialect

    def body(self, call: Call, op: Operation) -> Any:
        """The JSON body; the table's malformed-body code when it does not parse."""
        spec = op.get("body") or {}
        if "json" not in str(spec.get("media", "json")):
            return super().body(call, op)
        key = str(self.keys(op).get("malformed_body") or self.keys(op)["validation"]["type"])
        return call.json(key, objects_only=False)

    def not_found(self, call: Call, op: Operation, name: str, value: str) -> NoReturn:
        """The table's not-found code (per collection when it names one)."""
        facts = self.keys(op)
        by_collection: Mapping[str, str] = facts.get("not_found_by_collection", {})
        collection = str(op.get("collection") or "")
        key = next((k for c, k in by_collection.items() if collection.endswith(c)), None)
        call.reject(str(key or facts["not_found"]), self.not_found_status)

    def invalid(self, call: Call, op: Operation, problem: Problem) -> NoReturn:
        """The table's code for this kind of problem (type's for kinds it does not name)."""
        codes: Mapping[str, str] = self.keys(op)["validation"]
        key = codes.get(problem.kind) or codes.get("type") or codes["missing"]
        call.reject(str(key), self.invalid_status, **{self.param: problem.name})
