"""The OpenAPI 3.1 document of the admin API, built from its route table and declared types."""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterator, Sequence
from typing import Any, Literal

from aiohttp import web
from pydantic import TypeAdapter
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue
from pydantic_core import core_schema

from mockserver import __version__
from mockserver.admin.models import SCENARIO_REF, Error
from mockserver.admin.spec import JSON, PREFIX, Body, Route
from mockserver.scenarios.schema import scenario_schema

SCHEMAS = "#/components/schemas/"
HTML = "text/html"
Json = dict[str, Any]
Mode = Literal["validation", "serialization"]
# the routes an admin app serves, which its document describes
DOCUMENTED: web.AppKey[tuple[Route, ...]] = web.AppKey("admin_routes", tuple)


class _Schemas(GenerateJsonSchema):
    """pydantic's JSON Schema, with every admin object closed and no per-property titles."""

    def field_title_should_be_set(self, schema: Any) -> bool:
        """Never: pydantic titles each property after its name ("Latency Ms")."""
        return False

    def typed_dict_schema(self, schema: core_schema.TypedDictSchema) -> JsonSchemaValue:
        """Closed: a key the type does not declare is a drift the conformance test catches."""
        return {**super().typed_dict_schema(schema), "additionalProperties": False}

    def dataclass_schema(self, schema: core_schema.DataclassSchema) -> JsonSchemaValue:
        """Closed, as typed dicts are (a catalog entry forbids extra keys already)."""
        found = super().dataclass_schema(schema)
        return found if "$ref" in found else {**found, "additionalProperties": False}


# aiohttp refuses these before any route runs, in its own words and media type
MALFORMED = (
    "text/plain: the HTTP parser refused the request (a request line or header over "
    "8190 bytes, a bad header character)."
)


def document(routes: Sequence[Route]) -> Json:
    """The OpenAPI document describing `routes` (a fresh copy)."""
    data: Json = json.loads(document_bytes(tuple(routes)))
    return data


@functools.cache
def document_bytes(routes: tuple[Route, ...]) -> bytes:
    """The document as compact JSON; built once per table, on first use."""
    return json.dumps(_build(routes), separators=(",", ":")).encode()


async def openapi(request: web.Request) -> web.Response:
    """The OpenAPI 3.1 document of the admin API."""
    return web.Response(body=document_bytes(request.app[DOCUMENTED]), content_type=JSON)


def _build(routes: tuple[Route, ...]) -> Json:
    schemas, defs = _type_schemas(routes)
    paths: dict[str, Json] = {}
    for route in routes:
        item = paths.setdefault(PREFIX + openapi_path(route.path), {})
        item[route.method.lower()] = _operation(route, schemas)
    document = {
        "openapi": "3.1.0",
        "info": {
            "title": "mockserver admin API",
            "version": __version__,
            "description": "Health, catalog, scenarios, request journal, callbacks and metrics. "
            "Vendor APIs live under /<vendor>/ and answer in each vendor's own envelopes.",
        },
        "security": [{"adminToken": []}, {}],
        "paths": paths,
        "components": {
            "schemas": {**defs, **_scenario_schemas()},
            "securitySchemes": {
                "adminToken": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "Required on every admin route when the server runs with "
                    "--admin-token (or MOCKSERVER_ADMIN_TOKEN).",
                }
            },
            "responses": {
                "Unauthorized": _content(schemas[Error], "The admin token is missing or wrong."),
                "UnauthorizedPage": _sign_in(schemas[Error]),
            },
        },
    }
    linked: Json = _with_scenario_refs(document)
    return linked


def openapi_path(path: str) -> str:
    """aiohttp's path as an OpenAPI path template: `{key:.+}` becomes `{key}`."""
    return re.sub(r"\{(\w+):[^{}]*\}", r"{\1}", path)


def _described(routes: Sequence[Route]) -> Iterator[tuple[Any, Mode]]:
    """Every type the document describes, and whether it is read (body) or written."""
    yield Error, "serialization"
    for route in routes:
        yield route.answer.type, "serialization"
        for kind in route.answer.also.values():
            yield kind, "serialization"
        for kind in route.body.types.values() if route.body else ():
            yield kind, "validation"


def _type_schemas(routes: Sequence[Route]) -> tuple[dict[Any, Json], Json]:
    """Each described type's schema (often a `$ref`) and the definitions they share."""
    kinds = list(dict.fromkeys(_described(routes)))
    keyed, defs = TypeAdapter.json_schemas(
        [(kind, mode, TypeAdapter(kind)) for kind, mode in kinds],
        ref_template=SCHEMAS + "{model}",
        schema_generator=_Schemas,
    )
    schemas = {kind: schema for (kind, _), schema in keyed.items()}
    return schemas, defs.get("$defs", {})


def _scenario_schemas() -> dict[str, Json]:
    """The scenario file format, its `#/$defs/` references moved under components."""
    raw = json.loads(json.dumps(scenario_schema()).replace('"#/$defs/', f'"{SCHEMAS}'))
    defs: dict[str, Json] = raw.pop("$defs")
    for key in ("$schema", "$id"):
        raw.pop(key, None)
    return {**defs, "ScenarioFile": raw}


def _with_scenario_refs(node: Any) -> Any:
    """Every `ScenarioSchema` mark replaced by a `$ref` to that definition."""
    if isinstance(node, list):
        return [_with_scenario_refs(x) for x in node]
    if not isinstance(node, dict):
        return node
    if SCENARIO_REF in node:
        rest = {k: v for k, v in node.items() if k != SCENARIO_REF}
        return {"$ref": SCHEMAS + node[SCENARIO_REF], **rest}
    return {k: _with_scenario_refs(v) for k, v in node.items()}


def _operation(route: Route, schemas: dict[Any, Json]) -> Json:
    answer = route.answer
    ok = _content(schemas[answer.type], answer.description, answer.media)
    ok["content"].update({media: {"schema": schemas[kind]} for media, kind in answer.also.items()})
    responses: Json = {str(answer.status): ok}
    for status, when in route.errors.items():
        responses[str(status)] = _content(schemas[Error], when)
    _add_malformed(responses)
    op: Json = {
        "operationId": route.name,
        "summary": route.summary,
        "parameters": [*_parameters(route.params, "path"), *_parameters(route.query, "query")],
        "responses": responses,
    }
    if route.auth:
        refusal = "UnauthorizedPage" if answer.media == HTML else "Unauthorized"
        responses["401"] = {"$ref": f"#/components/responses/{refusal}"}
    else:
        op["security"] = []
    if route.body is not None:
        op["requestBody"] = _request_body(route.body, schemas)
    return op


def _add_malformed(responses: Json) -> None:
    """Any route can get the HTTP parser's own plain-text 400 (docs/operations.md, Logs)."""
    bad = responses.setdefault("400", {"description": "", "content": {}})
    bad["description"] = " ".join(filter(None, [bad["description"], MALFORMED]))
    bad["content"]["text/plain"] = {"schema": {"type": "string"}}


def _sign_in(error: Json) -> Json:
    """A console page's 401: a sign-in form for browsers (docs/console.md), else the error."""
    found = _content(error, "The admin token is missing or wrong; Accept: text/html gets a form.")
    found["content"][HTML] = {"schema": {"type": "string"}}
    return found


def _content(schema: Json, description: str, media: str = JSON) -> Json:
    return {"description": description, "content": {media: {"schema": schema}}}


def _request_body(body: Body, schemas: dict[Any, Json]) -> Json:
    out: Json = {
        "required": body.required,
        "content": {media: {"schema": schemas[kind]} for media, kind in body.types.items()},
    }
    if body.description:
        out["description"] = body.description
    return out


def _parameters(kind: Any, where: Literal["path", "query"]) -> list[Json]:
    """One parameter per key of the TypedDict `kind`: its type, description and example."""
    if kind is None:
        return []
    schema = TypeAdapter(kind).json_schema(schema_generator=_Schemas)
    required = set(schema.get("required", ()))
    found = []
    for name, prop in schema["properties"].items():
        param = {"name": name, "in": where, "required": name in required}
        examples = prop.pop("examples", None)
        param["description"] = prop.pop("description")
        param["schema"] = prop
        if examples:  # schemathesis tries it first: one call reaches the 200 answer
            param["example"] = examples[0]
        found.append(param)
    return found
