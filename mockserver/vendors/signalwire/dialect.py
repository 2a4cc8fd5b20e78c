"""SignalWire's shape of generic answers: compat (Twilio-style) and /api/* (REST) dialects."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, NoReturn

from mockserver.answers.rendered import Rendered
from mockserver.operations.dialect import Dialect, Record
from mockserver.operations.synth import Shape
from mockserver.operations.table import Operation
from mockserver.operations.validate import Problem
from mockserver.vendors.kit.call import Call
from mockserver.vendors.signalwire.paging import COMPAT, REST, compat_page, links_page, locate
from mockserver.vendors.signalwire.wire import INVALID, NOT_FOUND, answer, iso8601, rfc2822

# the SDKs' bare `/2010-04-01/...` is the same API as the documented `/api/laml/...`
ALIASES = {"/2010-04-01/": "/api/laml/2010-04-01/"}
_WORD = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def snake(name: str) -> str:
    """A compat form field as the resource names it: `StatusCallback` -> `status_callback`."""
    return _WORD.sub("_", name).lower()


class SignalWire(Dialect):
    """What both APIs share: their codes and compact JSON with the request id header."""

    not_found_key = NOT_FOUND
    invalid_key = INVALID
    malformed_key = INVALID

    def answer(self, call: Call, status: int, body: Any) -> Rendered:
        """Compact JSON with the request id header."""
        return answer(call, status, body)


class Compat(SignalWire):
    """The Compatibility API (sw-compat.yaml): form bodies, snake_case resources, 20404."""

    # a project owns numbers before a client buys any
    world = frozenset({"IncomingPhoneNumbers"})
    # `date_created` and the like are RFC 2822 strings; `format: date-time` ones ISO 8601
    shape = Shape(timestamp=iso8601, loose_timestamp=rfc2822)

    def link(self, call: Call, path: str) -> str | None:
        """Relative, with `.json`, as the compat API's `uri` fields are."""
        return path + ".json"

    def fields(self, call: Call, op: Operation, body: Any) -> Mapping[str, Any]:
        """Form fields (PascalCase) under the resource's snake_case names."""
        if not isinstance(body, dict):
            return {}
        return {snake(k): v for k, v in body.items()}

    def page(self, call: Call, op: Operation, records: list[Record], key: str) -> Any:
        """Twilio's page: the records and page/page_size/uri/next_page_uri..."""
        field = str(op.get("id_field") or "sid")
        ids = [str(r.get(field, i)) for i, r in enumerate(records)]
        window = locate(call, ids, COMPAT)
        return compat_page(records, key, call.snapshot.path, [], window, ids)

    def not_found(self, call: Call, op: Operation, name: str, value: str) -> NoReturn:
        """20404 "Not Found"."""
        call.reject(NOT_FOUND)

    def invalid(self, call: Call, op: Operation, problem: Problem) -> NoReturn:
        """20422 "Invalid Parameter" (400 on the compat API)."""
        call.reject(INVALID, attribute=problem.name)


class Rest(SignalWire):
    """The /api/* REST API (sw-rest.yaml): JSON bodies, `data`/`links` lists, 422 errors[]."""

    world = frozenset({"phone_numbers"})
    shape = Shape(timestamp=iso8601)

    def body(self, call: Call, op: Operation) -> Any:
        """The JSON body; an unreadable one is a 400."""
        return call.json(INVALID, objects_only=False, status=400)

    def page(self, call: Call, op: Operation, records: list[Record], key: str) -> Any:
        """`data` and `links` (self/first/next/prev)."""
        field = str(op.get("id_field") or "id")
        ids = [str(r.get(field, i)) for i, r in enumerate(records)]
        window = locate(call, ids, REST)
        body = links_page(records, call.snapshot.path, window, ids)
        body[key] = body.pop("data")
        # the spec's links are absolute (`format: uri`, e.g. https://example.signalwire.com/api/...)
        origin = space_url(call)
        body["links"] = {name: origin + link for name, link in body["links"].items()}
        return body

    def not_found(self, call: Call, op: Operation, name: str, value: str) -> NoReturn:
        """404 with the REST errors[] body."""
        call.reject(NOT_FOUND)

    def invalid(self, call: Call, op: Operation, problem: Problem) -> NoReturn:
        """422 `validation_error` naming the attribute (none when the body as a whole is wrong)."""
        named = {"attribute": problem.name} if problem.name else {}
        call.reject(INVALID, 422, **named)


def space_url(call: Call) -> str:
    """Scheme, host and mount the client used: the mock's stand-in for the space's URL."""
    host = call.snapshot.headers.get("host", "127.0.0.1")
    scheme = call.snapshot.headers.get("x-forwarded-proto", "http").split(",")[0].strip()
    # a `--vendor-port signalwire=N` listener serves the vendor at the root path
    port = call.env.settings.vendor_ports.get(call.vendor.name)
    root = port is not None and host.rpartition(":")[2] == str(port)
    return f"{scheme or 'http'}://{host}{'' if root else '/' + call.vendor.name}"


DIALECTS = {"compat": Compat(), "rest": Rest()}
