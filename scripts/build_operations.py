"""Build each vendor's operation table (`mockserver/vendors/<v>/spec/*.json`) from its OpenAPI spec."""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
SPECS = ROOT.parent / "shared" / "specs"
METHODS = ("get", "post", "put", "patch", "delete")
# prose and tooling hints: facts only go into the project
DROP = {"description", "summary", "title", "example", "examples", "externalDocs", "xml"}
DROP |= {"deprecated", "$schema", "$id", "contentMediaType", "contentEncoding"}
# request media types in the order a client would choose them
MEDIA = ("application/json", "application/x-www-form-urlencoded", "multipart/form-data")
# the array property a list answer carries its items in, by style (else the only array)
LIST_KEYS = ("records", "data", "items", "resources", "Resources")


class _Loader(yaml.SafeLoader):
    """YAML 1.2 booleans only: YAML 1.1 reads `Off`/`On`/`yes`/`no` as booleans, and the specs
    mean the strings (RingCentral's `screening` enum has "Off")."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in rules if tag != "tag:yaml.org,2002:bool"]
    for first, rules in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


@dataclass(frozen=True)
class Source:
    """One spec file and what it becomes."""

    spec: str
    vendor: str
    name: str
    origin: str
    base: str
    style: str


SOURCES = (
    Source(
        "rc-public-openapi.yml",
        "ringcentral",
        "platform",
        "tylerlong/ringcentral-open-api-parser @ 799e12a6d8f5 : rc-public-openapi.yml",
        "",
        "ringcentral",
    ),
    Source(
        "sw-compat.yaml",
        "signalwire",
        "compat",
        "signalwire/docs @ 668371b21781 : fern/apis/compatibility/openapi.yaml",
        "/api/laml/2010-04-01",
        "compat",
    ),
    Source(
        "sw-rest.yaml",
        "signalwire",
        "rest",
        "signalwire/docs @ 668371b21781 : fern/apis/signalwire-rest/openapi.yaml",
        "",
        "rest",
    ),
)


class Spec:
    """A loaded spec with `$ref` resolution for non-schema components."""

    def __init__(self, doc: dict[str, Any]) -> None:
        self.doc = doc
        self.used: set[str] = set()

    def deref(self, node: Any) -> Any:
        """Follow a `$ref` to a parameter/requestBody/response component."""
        while isinstance(node, dict) and "$ref" in node:
            parts = node["$ref"].lstrip("#/").split("/")
            target: Any = self.doc
            for part in parts:
                target = target[part.replace("~1", "/").replace("~0", "~")]
            node = target
        return node

    def schema(self, node: Any) -> Any:
        """A schema with prose dropped, 3.0 idioms made 2020-12, refs to `#/schemas/X`."""
        if isinstance(node, list):
            return [self.schema(n) for n in node]
        if not isinstance(node, dict):
            return node
        out: dict[str, Any] = {}
        for key, value in node.items():
            if key in DROP or key.startswith("x-"):
                continue
            if key in ("allOf", "anyOf", "oneOf") and not value:
                continue  # an empty list is invalid 2020-12 and says nothing
            if key == "$ref":
                out[key] = self.ref(value)
            elif key in ("properties", "patternProperties", "$defs", "definitions"):
                out[key] = {k: self.schema(v) for k, v in value.items()}
            elif key == "discriminator":
                out[key] = {"propertyName": value["propertyName"]}
                # values to branches: a fact clients dispatch on (dangling targets dropped)
                known = self.doc.get("components", {}).get("schemas", {})
                mapping = value.get("mapping", {})
                kept = {k: self.ref(v) for k, v in mapping.items() if v.rsplit("/", 1)[-1] in known}
                if kept:
                    out[key]["mapping"] = kept
            else:
                out[key] = self.schema(value)
        return nullable(bounds(out))

    def ref(self, ref: str) -> str:
        name = ref.rsplit("/", 1)[-1].replace("~1", "/").replace("~0", "~")
        if not ref.startswith("#/components/schemas/"):
            raise ValueError(f"unsupported schema $ref {ref}")
        self.used.add(name)
        return f"#/schemas/{name}"

    def schemas(self) -> dict[str, Any]:
        """Every component schema reachable from the operations (refs inside refs too)."""
        components = self.doc.get("components", {}).get("schemas", {})
        out: dict[str, Any] = {}
        pending = set(self.used)
        while pending:
            name = pending.pop()
            before = set(self.used)
            out[name] = self.schema(components[name])
            pending |= self.used - before - set(out)
        return dict(sorted(out.items()))


def bounds(node: dict[str, Any]) -> dict[str, Any]:
    """OpenAPI 3.0's boolean exclusiveMinimum/Maximum as 2020-12 numbers."""
    for word, limit in (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")):
        if isinstance(node.get(word), bool) and node.pop(word) and limit in node:
            node[word] = node.pop(limit)
    return node


def nullable(node: dict[str, Any]) -> dict[str, Any]:
    """OpenAPI 3.0's `nullable: true` as a 2020-12 type list (or anyOf) with null."""
    if not node.pop("nullable", False):
        return node
    kind = node.get("type")
    if isinstance(kind, str):
        node["type"] = [kind, "null"]
        if "enum" in node and None not in node["enum"]:
            node["enum"] = [*node["enum"], None]
        return node
    if isinstance(kind, list):
        node["type"] = kind if "null" in kind else [*kind, "null"]
        return node
    return {"anyOf": [node, {"type": "null"}]}


def operations(spec: Spec) -> Iterator[dict[str, Any]]:
    """Every operation of the spec, facts only."""
    for path, item in spec.doc["paths"].items():
        item = spec.deref(item)
        shared = item.get("parameters", [])
        for method in METHODS:
            if method in item:
                yield operation(spec, path, method.upper(), item[method], shared)


def operation(
    spec: Spec, path: str, method: str, op: dict[str, Any], shared: list[Any]
) -> dict[str, Any]:
    """One operation's row."""
    row: dict[str, Any] = {
        "id": op.get("operationId") or f"{method} {path}",
        "method": method,
        "path": path,
    }
    params = parameters(spec, [*shared, *op.get("parameters", [])])
    if params:
        row["params"] = params
    body = request_body(spec, op.get("requestBody"))
    if body:
        row["body"] = body
    row["responses"] = responses(spec, op.get("responses", {}))
    ok = sorted(s for s in row["responses"] if s.startswith("2"))
    row["success"] = ok[0] if ok else "200"
    return row


def parameters(spec: Spec, raw: list[Any]) -> list[dict[str, Any]]:
    """Path, query and header parameters; an operation's own override the path item's."""
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for param in raw:
        param = spec.deref(param)
        if param.get("in") == "cookie":
            continue
        row: dict[str, Any] = {"name": param["name"], "in": param["in"]}
        if param.get("required") or param["in"] == "path":
            row["required"] = True
        if "schema" in param:
            row["schema"] = spec.schema(param["schema"])
        if "style" in param or "explode" in param:
            row["explode"] = param.get("explode", param.get("style", "form") == "form")
        found[(row["name"], row["in"])] = row
    return list(found.values())


def request_body(spec: Spec, raw: Any) -> dict[str, Any] | None:
    """The body a client sends: its media type, whether required, its schema."""
    if raw is None:
        return None
    raw = spec.deref(raw)
    content = raw.get("content", {})
    if not content:
        return None
    media = next((m for m in MEDIA if m in content), next(iter(content)))
    body: dict[str, Any] = {"media": media}
    if raw.get("required"):
        body["required"] = True
    schema = content[media].get("schema")
    if schema is not None:
        body["schema"] = spec.schema(schema)
    return body


def responses(spec: Spec, raw: dict[str, Any]) -> dict[str, Any]:
    """Every documented status: its media type and, for JSON, its schema."""
    out: dict[str, Any] = {}
    for status, response in raw.items():
        response = spec.deref(response)
        content = response.get("content") or {}
        row: dict[str, Any] = {}
        if content:
            media = next((m for m in content if "json" in m), next(iter(content)))
            row["media"] = media
            schema = content[media].get("schema")
            if "json" in media and schema is not None:
                row["schema"] = spec.schema(schema)
        out[str(status)] = row
    return out


PARAM = re.compile(r"\{([^}]+)\}")


def bare(path: str) -> str:
    """A path without the compat API's `.json` suffix."""
    return path[:-5] if path.endswith(".json") else path


def classify(rows: list[dict[str, Any]], schemas: dict[str, Any]) -> None:
    """Say what each operation does to which resource (action, collection, id, list key)."""
    paths = {bare(r["path"]) for r in rows}
    for row in rows:
        path = bare(row["path"])
        head, _, last = path.rpartition("/")
        method = row["method"]
        instance = PARAM.fullmatch(last) is not None and head in paths | collections(rows)
        if instance:
            row["collection"], row["id_param"] = head, last[1:-1]
            row["action"] = {"GET": "fetch", "DELETE": "delete"}.get(method, "update")
        elif any(
            PARAM.fullmatch(p.rpartition("/")[2]) and p.rpartition("/")[0] == path for p in paths
        ):
            row["collection"] = path
            row["action"] = {"GET": "list", "POST": "create"}.get(method, "write")
        else:
            row["action"] = {"GET": "read", "POST": "act", "DELETE": "delete"}.get(method, "write")
        key = list_key(success_schema(row), schemas)
        if row["action"] == "list" and key is None:
            key = only_array(success_schema(row), schemas, path)
        if key and method == "GET" and row["action"] in ("list", "read"):
            row["action"], row["list_key"] = "list", key
            row.setdefault("collection", path)
    ids(rows, schemas)


def collections(rows: list[dict[str, Any]]) -> set[str]:
    """Collection paths implied by instance paths (a collection may have no GET of its own)."""
    out = set()
    for row in rows:
        head, _, last = bare(row["path"]).rpartition("/")
        if PARAM.fullmatch(last):
            out.add(head)
    return out


def success_schema(row: dict[str, Any]) -> Any:
    return row["responses"].get(row["success"], {}).get("schema")


def resolve(schema: Any, schemas: dict[str, Any], depth: int = 0) -> dict[str, Any]:
    """A schema's own properties, following refs and allOf (enough to find fields)."""
    if not isinstance(schema, dict) or depth > 8:
        return {}
    if "$ref" in schema:
        return resolve(schemas.get(schema["$ref"].rsplit("/", 1)[-1]), schemas, depth + 1)
    props: dict[str, Any] = dict(schema.get("properties", {}))
    for part in schema.get("allOf", []):
        props.update(resolve(part, schemas, depth + 1))
    return props


def list_key(schema: Any, schemas: dict[str, Any]) -> str | None:
    """The array property of a list answer, when the answer is one."""
    props = resolve(schema, schemas)
    arrays = [k for k, v in props.items() if is_array(v, schemas)]
    for key in LIST_KEYS:
        if key in arrays:
            return key
    paging = {"paging", "navigation", "links", "next_page_uri", "page_size", "meta"}
    return arrays[0] if len(arrays) == 1 and paging & props.keys() else None


def only_array(schema: Any, schemas: dict[str, Any], path: str) -> str | None:
    """A collection's array property: the only one, or the one its path names (`/Media`)."""
    arrays = [k for k, v in resolve(schema, schemas).items() if is_array(v, schemas)]
    if len(arrays) == 1:
        return arrays[0]
    named = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", path.rsplit("/", 1)[-1]).lower()
    return named if named in arrays else None


def is_array(schema: Any, schemas: dict[str, Any]) -> bool:
    if not isinstance(schema, dict):
        return False
    if "$ref" in schema:
        return is_array(schemas.get(schema["$ref"].rsplit("/", 1)[-1]), schemas)
    kind = schema.get("type")
    return kind == "array" or (isinstance(kind, list) and "array" in kind)


def ids(rows: list[dict[str, Any]], schemas: dict[str, Any]) -> None:
    """The response property carrying each collection's id (id, sid, or the parameter's name)."""
    fields: dict[str, str] = {}
    for row in rows:
        if row.get("id_param") and row["action"] == "fetch":
            props = resolve(success_schema(row), schemas)
            field = id_field(row["id_param"], props)
            if field:  # the first fetch names it (`/rooms/{id}` before `/rooms/{name}`)
                fields.setdefault(row["collection"], field)
    for row in rows:
        field = fields.get(row.get("collection", ""))
        if field and row["action"] in ("create", "fetch", "update", "delete", "list"):
            row["id_field"] = field


def id_field(param: str, props: dict[str, Any]) -> str | None:
    """Which property of an instance is its id."""
    snake = re.sub(r"(?<!^)(?=[A-Z])", "_", param).lower()
    for name in (param, snake, "id", "sid", "Id", "uuid"):
        if name in props:
            return name
    return None


def build(source: Source, specs: Path) -> dict[str, Any]:
    """The operation table of one spec."""
    path = specs / source.spec
    raw = path.read_bytes()
    doc = json.loads(raw) if source.spec.endswith(".json") else yaml.load(raw, _Loader)
    spec = Spec(doc)
    rows = list(operations(spec))
    schemas = spec.schemas()
    classify(rows, schemas)
    return {
        "source": {
            "file": source.spec,
            "origin": source.origin,
            "version": str(doc.get("info", {}).get("version", "")),
            "openapi": str(doc.get("openapi", "")),
            "sha256": hashlib.sha256(raw).hexdigest(),
        },
        "base": source.base,
        "style": source.style,
        "operations": rows,
        "schemas": schemas,
    }


def target(source: Source, root: Path = ROOT) -> Path:
    """Where a spec's table is committed."""
    return root / "mockserver" / "vendors" / source.vendor / "spec" / f"{source.name}.json"


def render(table: dict[str, Any]) -> str:
    """One operation or schema per line: small, and a spec change reads as a short diff."""
    lines = ["{"]
    lines.append(f'"source": {dumps(table["source"])},')
    lines.append(f'"base": {dumps(table["base"])},')
    lines.append(f'"style": {dumps(table["style"])},')
    lines.append('"operations": [')
    ops = [dumps(op) for op in table["operations"]]
    lines.append(",\n".join(ops))
    lines.append("],")
    lines.append('"schemas": {')
    items = [f"{dumps(k)}: {dumps(v)}" for k, v in table["schemas"].items()]
    lines.append(",\n".join(items))
    lines.append("}")
    lines.append("}")
    return "\n".join(lines) + "\n"


def dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, default=str)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--specs", type=Path, default=SPECS, help="folder of the vendor specs")
    parser.add_argument("--check", action="store_true", help="fail when a table would change")
    args = parser.parse_args(argv)
    if not args.specs.is_dir():
        print(f"skipped: {args.specs} not found (the specs live outside the project)")
        return 0
    stale = []
    for source in SOURCES:
        text = render(build(source, args.specs))
        out = target(source)
        if args.check:
            if not out.exists() or out.read_text() != text:
                stale.append(str(out.relative_to(ROOT)))
            continue
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text)
        print(f"{out.relative_to(ROOT)}: {len(text):,} bytes")
    if stale:
        print("stale (run `make operations`): " + ", ".join(stale))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
