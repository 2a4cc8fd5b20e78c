"""One request per table operation of every vendor: each answered by an operation, none a 5xx."""

from __future__ import annotations

import json
import random
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, unquote

import pytest
import requests
from faker import Faker

from mockserver.operations.router import generic_router
from mockserver.operations.synth import Synth
from mockserver.operations.table import Operation
from mockserver.settings import Settings
from mockserver.testing.thread import ServerThread
from mockserver.vendors import VENDORS
from tests.operations.clients import OWN, Client, sign_in

# operations per (vendor, table): the 520/79/253 and every hand-built table's rows
EXPECTED = {
    ("ringcentral", "platform"): 520,
    ("signalwire", "compat"): 79,
    ("signalwire", "rest"): 253,
    ("yeastar", "openapi"): 25,
    ("fonedynamics", "rest-v2"): 8,
    ("webexconnect", "messaging"): 9,
}
# operations that end the credentials every later request uses go last
_LOGOUT = re.compile(r"oauth/(revoke|logout)|del_token|refresh_token|/token")
_SAFE = "+~:@"


@dataclass(frozen=True)
class Sent:
    """One operation's request and its answer's status."""

    op: Operation
    method: str
    path: str
    status: int


@pytest.fixture(scope="module")
def server() -> Iterator[ServerThread]:
    with ServerThread(Settings(watch_interval=0, delivery_delay=0)) as running:
        yield running


def _operations(vendor: str) -> list[Operation]:
    ops = generic_router(VENDORS[vendor]).operations.operations
    return sorted(ops, key=lambda op: bool(_LOGOUT.search(op.path)))


def _synth(op: Operation) -> Synth:
    seed = sum(map(ord, op.id))  # deterministic per operation, whatever the order
    faker = Faker()
    faker.seed_instance(seed)
    shape = generic_router(VENDORS[op.table.vendor]).dialects[op.table.style].shape
    return Synth(op.table.schemas, random.Random(seed), faker, shape)


def _text(value: Any) -> str:
    if isinstance(value, list):  # path arrays are `style: simple`: comma-separated
        return ",".join(map(_text, value)) or "1"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, dict | list):
        return json.dumps(value)
    return "1" if value is None or value == "" else str(value)


def _path(vendor: str, op: Operation, synth: Synth) -> str:
    own = OWN.get(vendor, {})
    params = {p["name"]: p for p in op.get("params") or [] if p["in"] == "path"}
    path = op.path
    for name in op.names:
        value = own.get(name) or _text(synth.value(params.get(name, {}).get("schema"), name))
        # a segment cannot carry `/` (even as %2F: the server routes the decoded path)
        value = value.replace("/", "") or "1"
        path = path.replace("{" + name + "}", quote(value, safe=_SAFE), 1)
    return path


def _query(op: Operation, synth: Synth) -> list[tuple[str, str]]:
    query = []
    for param in op.get("params") or []:
        if param["in"] == "query" and param.get("required"):
            value = synth.value(param.get("schema"), param["name"])
            values = value if isinstance(value, list) else [value]
            query += [(param["name"], _text(v)) for v in values or [None]]
    return query


def _body(op: Operation, synth: Synth) -> dict[str, Any]:
    """`requests` keywords for the operation's minimal body in its media type."""
    spec = op.get("body")
    if not spec:
        return {}
    value = synth.value(spec.get("schema"))
    media = str(spec.get("media"))
    if "json" in media:
        return {"json": value}
    fields = value if isinstance(value, dict) else {}
    pairs = [
        (k, _text(item)) for k, v in fields.items() for item in (v if isinstance(v, list) else [v])
    ]
    if "multipart" in media:
        return {"files": [(k, (None, v)) for k, v in pairs] or [("file", ("a.txt", b"x"))]}
    if "form" in media:
        return {"data": pairs}
    return {"data": b"x", "headers": {"Content-Type": media}}


def _send(vendor: str, client: Client, op: Operation) -> Sent:
    synth = _synth(op)
    path = _path(vendor, op, synth)
    query = [*_query(op, synth), *client.query.items()]
    got = client.http.request(
        op.method, client.base + path, params=query, timeout=10, **_body(op, synth)
    )
    return Sent(op, op.method, path, got.status_code)


def _journal(server: ServerThread, vendor: str) -> list[dict[str, Any]]:
    got = requests.get(f"{server.url}/__admin/requests", params={"vendor": vendor}, timeout=10)
    entries: list[dict[str, Any]] = got.json()["requests"]
    return entries


def _failures(sent: list[Sent], entries: list[dict[str, Any]]) -> list[str]:
    """Every operation answered by `no_endpoint` or a 5xx, or not journalled at all."""
    found, pending = [], iter(entries)
    entry = next(pending, None)
    for one in sent:
        where = f"{one.op.table.name}:{one.op.id} {one.method} {one.path}"
        if entry is None or (entry["method"], entry["path"]) != (one.method, unquote(one.path)):
            found.append(f"{where}: {one.status}, not journalled")
            continue
        if entry["outcome"] == "no_endpoint" or entry["status"] >= 500:
            found.append(f"{where}: {entry['status']} {entry['outcome']}")
        entry = next(pending, None)
    return found


@pytest.mark.parametrize("vendor", sorted(VENDORS))
def test_every_operation_is_answered_by_an_operation(server: ServerThread, vendor: str) -> None:
    client = sign_in(server, vendor)
    ops = _operations(vendor)
    counts = Counter(op.table.name for op in ops)
    assert counts == {t: n for (v, t), n in EXPECTED.items() if v == vendor}
    requests.delete(f"{server.url}/__admin/requests", timeout=10)
    sent = [_send(vendor, client, op) for op in ops]
    entries = _journal(server, vendor)
    failures = _failures(sent, entries)
    print(vendor, dict(counts), "statuses:", sorted(Counter(s.status for s in sent).items()))
    assert not failures, "\n".join(failures)
