"""The generic engine: any operation of a table answered from its schemas, stateful per session."""

from __future__ import annotations

import functools
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from mockserver.answers.rendered import Rendered
from mockserver.operations.content import is_file, placeholder
from mockserver.operations.dialect import Dialect, Record
from mockserver.operations.synth import Synth
from mockserver.operations.table import Operation, Operations, Table
from mockserver.operations.validate import Checker, deref, property_schema, typed_form
from mockserver.vendors.kit.call import Call

# re-shaped records by (record, schema) identity; bounded, oldest out
_SHAPED: OrderedDict[tuple[int, int], tuple[Record, Record]] = OrderedDict()
_MAX_SHAPED = 10_000
# paging and ordering parameters never filter a list
_NOT_FILTERS = {"page", "perpage", "pagesize", "page_size", "page_number", "pagetoken"}
_NOT_FILTERS |= {"page_token", "cursor", "limit", "offset", "sort", "sortby", "orderby"}


@functools.cache
def checker(table: Table) -> Checker:
    """One validator set per table (compiled schemas are kept between requests)."""
    return Checker(table.schemas)


@dataclass
class Turn:
    """One generic request: its operation, call, dialect and the session's resources."""

    op: Operation
    ops: Operations
    call: Call
    dialect: Dialect
    args: dict[str, str]

    @functools.cached_property
    def synth(self) -> Synth:
        """The session's seeded generator for this table's schemas."""
        return Synth(self.op.table.schemas, self.call.rng, self.call.faker, self.dialect.shape)

    def kind(self, collection: str | None = None) -> str:
        """The store's kind for a collection (or this singleton) with its arguments filled."""
        return self.dialect.store_as(self.filled(collection or self.op.collection or self.op.path))

    def filled(self, template: str) -> str:
        """A path template with this request's (canonical) arguments."""
        for name, value in self.args.items():
            template = template.replace("{" + name + "}", value)
        return template

    def linked(self, record: Record, rid: str | None, path: str | None = None) -> Record:
        """`record` with its `uri` leading back to the mock, where the vendor links one."""
        if "uri" not in record:
            return record
        if path is None:
            collection = self.filled(self.op.collection or self.op.path)
            path = collection if rid is None else f"{collection}/{rid}"
        link = self.dialect.link(self.call, path)
        return record if link is None else {**record, "uri": link}

    def answer(self, body: Any, status: int | None = None) -> Rendered:
        """The success answer."""
        return self.dialect.answer(self.call, status or self.op.success, body)

    def record_schema(self) -> Any:
        """What a stored record of this collection looks like (its fetch answer's schema)."""
        fetcher = self.ops.fetchers.get(self.op.collection)
        schema = fetcher.response_schema() if fetcher else None
        return schema or self.op.response_schema()

    def fields(self) -> Mapping[str, Any]:
        """The request body's fields, typed as the schema says, under the resource's names."""
        body, spec = self.body, self.op.get("body") or {}
        if isinstance(body, dict) and "form" in str(spec.get("media", "")):
            body = typed_form(body, spec.get("schema"), self.op.table.schemas)
        return self.dialect.fields(self.call, self.op, body)

    @functools.cached_property
    def body(self) -> Any:
        """The parsed request body (parsed once per request)."""
        return self.dialect.body(self.call, self.op)

    def validate(self) -> None:
        """Refuse the request with the vendor's own error when the spec does not allow it."""
        body = self.body if self.op.get("body") else None
        # path ids are looked up, not validated: an unknown one is the vendor's not-found
        # (and the hand-written routes accept any account id, e.g. a non-UUID project)
        problems = checker(self.op.table).problems(self.op.row, self.call.snapshot.query_all, body)
        if problems:
            self.dialect.invalid(self.call, self.op, problems[0])

    def records(self, kind: str | None = None) -> list[Record]:
        """The collection's records in this session (seeded ones first when it is seeded)."""
        kind = kind or self.kind()
        self.ensure_seeded(kind)
        return self.call.resources.list(kind)

    def ensure_seeded(self, kind: str) -> None:
        """Give a collection clients cannot add to its vendor-made records, once per session."""
        collection = self.op.collection
        if collection is None:
            return
        if (
            collection in self.ops.creatable
            and collection.rsplit("/", 1)[-1] not in self.dialect.world
        ):
            return
        resources = self.call.resources
        if resources.get("op-seeded", kind) is not None:
            return
        resources.put("op-seeded", kind, {})
        schema = self.record_schema() if self.op.action != "list" else self.item_schema()
        records = [self.synth.value(schema) for _ in range(self.dialect.seeds)]
        records = [r for r in records if isinstance(r, dict)]
        self.dialect.seed(self.call, self.op, kind, records)
        for index, record in enumerate(records):
            rid = self.record_id(record) or str(index)
            resources.put(kind, rid, self.linked(record, rid))

    def item_schema(self) -> Any:
        """The schema of one item of this list answer."""
        fetcher = self.ops.fetchers.get(self.op.collection)
        if fetcher is not None and fetcher.response_schema() is not None:
            return fetcher.response_schema()
        return items_of(
            self.op.table.schemas, self.op.response_schema(), str(self.op.get("list_key"))
        )

    def record_id(self, record: Record) -> str | None:
        """The id a record is stored under."""
        field = self.op.get("id_field")
        value = record.get(field) if field else None
        return None if value is None else str(value)

    def id_value(self, name: str) -> str:
        """The addressed id: a path argument, else a query or body field (Yeastar's `?id=`)."""
        if name in self.args:
            return self.args[name]
        found = self.call.snapshot.query.get(name)
        if found is None and isinstance(self.body, dict):
            found = self.body.get(name)
        return "" if found is None else str(found)

    def instance(self) -> tuple[str, Record]:
        """The addressed record; the vendor's not-found when there is none."""
        name = str(self.op.get("id_param"))
        rid = self.id_value(name)
        kind = self.kind()
        self.ensure_seeded(kind)
        record = self.call.resources.get(kind, rid)
        if record is None:
            self.dialect.not_found(self.call, self.op, name, rid)
        return rid, record


def create(turn: Turn) -> Rendered:
    """POST to a collection: a new record from the request and the schema, stored."""
    record = turn.synth.fill(turn.op.response_schema() or turn.record_schema(), turn.fields())
    rid = turn.record_id(record)
    record = turn.linked(record, rid)
    if rid is not None:
        turn.call.resources.put(turn.kind(), rid, record)
    return turn.answer(record)


def fetch(turn: Turn) -> Rendered:
    """GET an instance (stored in this answer's own shape unless the operations differ)."""
    _, record = turn.instance()
    return turn.answer(shaped(turn, turn.op.response_schema(), record))


def shaped(turn: Turn, schema: Any, record: Record) -> Record:
    """`record` as `schema` describes it: as stored when that is its own schema.

    Records are made from their collection's fetch schema, so most reads need no work;
    re-shaping (synthesis plus a validation per field, ~4 ms) is done once per stored record
    and schema: stored records are replaced, never changed in place, so identity is the key.
    """
    if schema is None or schema == turn.record_schema():
        return record
    key = (id(record), id(schema))
    found = _SHAPED.get(key)
    if found is not None and found[0] is record:
        return found[1]
    made = turn.synth.fill(schema, record)
    _SHAPED[key] = (record, made)  # holding `record` keeps its id from being reused
    if len(_SHAPED) > _MAX_SHAPED:
        _SHAPED.popitem(last=False)
    return made


def update(turn: Turn) -> Rendered:
    """PUT/PATCH (or compat POST) to an instance: the request's fields kept."""
    rid, record = turn.instance()
    updated = turn.synth.fill(turn.record_schema(), {**record, **turn.fields()})
    turn.call.resources.put(turn.kind(), rid, updated)
    return turn.answer(turn.synth.fill(turn.op.response_schema(), updated))


def delete(turn: Turn) -> Rendered:
    """DELETE an instance (or a singleton's settings)."""
    if turn.op.get("id_param"):
        rid, _ = turn.instance()
        turn.call.resources.delete(turn.kind(), rid)
    return answer_schema(turn)


def listing(turn: Turn) -> Rendered:
    """GET a collection: its records, filtered by the query, in the vendor's pages.

    A list documented as a bare array (no page object around it) answers the array.
    """
    schema = turn.op.response_schema()
    array = deref(schema, turn.op.table.schemas)
    bare = isinstance(array, dict) and array.get("type") == "array"
    key = str(turn.op.get("list_key") or "records")
    item = array.get("items") if bare else items_of(turn.op.table.schemas, schema, key)
    wanted = filters(turn)
    records = [r for r in turn.records() if matches(r, wanted)]
    items = [shaped(turn, item, r) for r in reversed(records)]
    page = turn.dialect.page(turn.call, turn.op, items, key)
    if bare:  # a bare array still takes the vendor's paging query (its window, no page fields)
        return turn.answer(page[key])
    # the page's other fields are checked against the schema, its items already were
    shell = turn.synth.fill(schema, {k: v for k, v in page.items() if k != key})
    # a schema with no array property to list under (no list_key) answers its own shape
    return turn.answer(shell if item is None else {**shell, key: page[key]})


def items_of(schemas: Mapping[str, Any], schema: Any, key: str) -> Any:
    """The item schema of the array property `key` of a list answer's schema (or None)."""
    array = deref(property_schema(schema, key, schemas), schemas)
    return array.get("items") if isinstance(array, dict) else None


def filters(turn: Turn) -> dict[str, str]:
    """Query parameters that name a record field (paging and ordering ones never do)."""
    fields = turn.dialect.fields(turn.call, turn.op, dict(turn.call.snapshot.query))
    return {k: str(v) for k, v in fields.items() if k.lower() not in _NOT_FILTERS}


def matches(record: Record, wanted: Mapping[str, str]) -> bool:
    """Whether a record's scalar fields equal every filter that names them (case-blind)."""
    for name, value in wanted.items():
        found = record.get(name)
        if isinstance(found, str | int | float | bool) and str(found).lower() != value.lower():
            return False
    return True


def read(turn: Turn) -> Rendered:
    """GET a singleton (settings, presence...): made on first read, then kept."""
    return turn.answer(singleton(turn))


def singleton(turn: Turn) -> Any:
    """The singleton's stored record; an array (or scalar) answer is made anew, not kept."""
    resources, kind = turn.call.resources, turn.kind(turn.op.path)
    record = resources.get(kind, "")
    if record is None:
        record = turn.synth.value(turn.op.response_schema())
        if not isinstance(record, dict):
            return record  # an array (or scalar) answer: made afresh, nothing to keep
        record = turn.linked(record, None, turn.filled(turn.op.path))
        resources.put(kind, "", record)
    return record


def write(turn: Turn) -> Rendered:
    """PUT/PATCH a singleton: the request's fields kept."""
    resources, kind = turn.call.resources, turn.kind(turn.op.path)
    current = resources.get(kind, "") or {}
    updated = turn.synth.fill(turn.op.response_schema(), {**current, **turn.fields()})
    if turn.op.response_schema() is not None:
        resources.put(kind, "", updated)
    return answer_schema(turn, updated)


def act(turn: Turn) -> Rendered:
    """Any other POST: the documented answer, with the request's fields where they fit."""
    return answer_schema(turn, turn.fields())


def answer_schema(turn: Turn, fields: Mapping[str, Any] | None = None) -> Rendered:
    """The success answer: its schema's value (with `fields`), or no body when it has none."""
    schema = turn.op.response_schema()
    if schema is None:
        return turn.answer(None)
    return turn.answer(turn.synth.fill(schema, fields or {}))


ACTIONS: dict[str, Callable[[Turn], Rendered]] = {
    "create": create,
    "fetch": fetch,
    "update": update,
    "delete": delete,
    "list": listing,
    "read": read,
    "write": write,
    "act": act,
}


def serve(op: Operation, ops: Operations, dialect: Dialect, call: Call) -> Rendered:
    """Answer `call` as the vendor answers `op`."""
    args = {k: dialect.canonical(call, k, v) for k, v in call.args.items()}
    turn = Turn(op, ops, call, dialect, args)
    turn.validate()
    media = str(op.row.get("responses", {}).get(str(op.success), {}).get("media", ""))
    if op.method == "GET" and is_file(media):
        return file_answer(turn, media)
    return ACTIONS.get(op.action, act)(turn)


def file_answer(turn: Turn, media: str) -> Rendered:
    """A recording, greeting, image or export: placeholder bytes of the documented type."""
    content_type, body = placeholder(media)
    headers = turn.call.vendor.success_headers(turn.call.ctx)
    return Rendered(turn.op.success, body, content_type, headers)
