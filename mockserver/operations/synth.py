"""Deterministic, schema-valid values from an operation table's JSON Schemas."""

from __future__ import annotations

import math
import re
import string
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from mockserver.operations.validate import (
    compile_schema,
    deref,
    merge,
    property_schema,
    ref_name,
    registry,
)

if TYPE_CHECKING:
    import random

    from faker import Faker
    from jsonschema.protocols import Validator

# Objects this deep or deeper carry only their required properties: bodies stay small
FULL_DEPTH = 2
# Past this, recursion is a cycle through required properties: give up on the branch
MAX_DEPTH = 24
INT32 = (-(2**31), 2**31 - 1)
INT64 = (-(2**63), 2**63 - 1)
EPOCH = datetime(2026, 1, 1, tzinfo=UTC)
ALNUM = string.ascii_letters + string.digits
_CHOICES = ("oneOf", "anyOf")


# Compiled validators outlive the request (a Synth is made per request), keyed by the
# identity of the table's schema they check; bounded, oldest out.
_VALIDATORS: OrderedDict[tuple[int, int], tuple[Any, Validator]] = OrderedDict()
_MAX_VALIDATORS = 4096


def validator(schemas: Mapping[str, Any], schema: Any) -> Validator:
    """The compiled validator of `schema` against a table's `schemas`, made once per schema."""
    key = (id(schemas), id(schema))
    found = _VALIDATORS.get(key)
    if found is not None and found[0] is schema:
        return found[1]
    made = compile_schema(schema, registry(schemas))
    _VALIDATORS[key] = (schema, made)  # holding `schema` keeps its id from being reused
    if len(_VALIDATORS) > _MAX_VALIDATORS:
        _VALIDATORS.popitem(last=False)
    return made


def iso_utc(seconds: float) -> str:
    """ISO 8601 UTC to the second (`2026-01-02T15:04:05Z`): the default timestamp."""
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class Shape:
    """How a vendor writes what its schemas leave open; each vendor's dialect gives its own.

    Attributes:
        timestamp: a `format: date-time` value from epoch seconds.
        loose_timestamp: date-named strings with no format (`date_created`); None: timestamp.
        numeric_ids: ids are long numbers (RingCentral), not UUIDs.
    """

    timestamp: Callable[[float], str] = iso_utc
    loose_timestamp: Callable[[float], str] | None = None
    numeric_ids: bool = False


class Synth:
    """Values valid against a table's schemas, realistic by property name, seeded by `rng`."""

    def __init__(
        self, schemas: Mapping[str, Any], rng: random.Random, faker: Faker, shape: Shape
    ) -> None:
        self.schemas = schemas
        self.rng = rng
        self.faker = faker
        self.shape = shape
        self._make: dict[str, Callable[[Any, str, int, tuple[str, ...]], Any]] = {
            "object": self._object,
            "array": self._array,
            "string": lambda s, n, *_: self._string(s, n),
            "integer": lambda s, n, *_: self._number(s, integer=True),
            "number": lambda s, n, *_: self._number(s, integer=False),
            "boolean": lambda *_: self.rng.random() < 0.5,
        }

    def value(self, schema: Any, name: str = "") -> Any:
        """A value valid against `schema`; `name` is the property name (hints: email, phone...)."""
        return self._gen(schema, name, 0, ())

    def fill(self, schema: Any, fields: Mapping[str, Any]) -> dict[str, Any]:
        """An object valid against `schema`, with each of `fields` where its property takes it.

        A field whose property does not accept the value keeps the synthesized one.
        """
        made = self.value(schema)
        out: dict[str, Any] = dict(made) if isinstance(made, dict) else {}
        applied: list[tuple[str, Any]] = []
        for key, given in fields.items():
            prop = property_schema(schema, key, self.schemas)
            if prop is not None and self._valid(prop, given):
                applied.append((key, out.get(key, _ABSENT)))
                out[key] = given
        # a field can be fine alone and still break the whole (oneOf, dependencies): undo it
        while applied and not self._valid(schema, out):
            key, before = applied.pop()
            if before is _ABSENT:
                del out[key]
            else:
                out[key] = before
        return out

    # --- plumbing ---------------------------------------------------------------------------

    def _valid(self, schema: Any, value: Any) -> bool:
        return bool(validator(self.schemas, schema).is_valid(value))

    def _flat(self, schema: Any, stack: tuple[str, ...]) -> tuple[Any, tuple[str, ...]]:
        """`schema` with refs and allOf merged, and the component names passed through."""
        names = list(stack)
        for _ in range(MAX_DEPTH):
            if not isinstance(schema, dict):
                break
            if "$ref" in schema:
                name = ref_name(schema["$ref"])
                names.append(name)
                rest = {k: v for k, v in schema.items() if k != "$ref"}
                schema = merge(rest, self.schemas.get(name, {}))
            elif "allOf" in schema:
                out = {k: v for k, v in schema.items() if k != "allOf"}
                for branch in schema["allOf"]:
                    flat, names_in = self._flat(branch, ())
                    names.extend(names_in)
                    out = merge(out, flat)
                schema = out
            else:
                break
        return schema, tuple(names)

    def _cyclic(self, schema: Any, stack: tuple[str, ...]) -> bool:
        """Whether `schema` leads straight back into a component being built."""
        if not isinstance(schema, dict):
            return False
        ref = schema.get("$ref")
        if isinstance(ref, str) and ref_name(ref) in stack:
            return True
        nested = [schema.get("items"), *schema.get("allOf", ()), *schema.get("anyOf", ())]
        nested.extend(schema.get("oneOf", ()))
        return any(self._cyclic(s, stack) for s in nested if s is not None)

    # --- generation -------------------------------------------------------------------------

    def _gen(self, schema: Any, name: str, depth: int, stack: tuple[str, ...]) -> Any:
        if schema is True or schema is None or schema == {}:
            return self._string({}, name)
        if schema is False or depth > MAX_DEPTH:
            return None
        flat, stack = self._flat(schema, stack)
        if "const" in flat:
            return flat["const"]
        if "enum" in flat:
            return self._enum(flat["enum"], flat.get("type"), flat.get("default"))
        if any(k in flat for k in _CHOICES):
            return self._choose(flat, name, depth, stack)
        kind = _kind(flat)
        make = self._make.get(kind)
        return None if make is None else make(flat, name, depth, stack)

    def _enum(self, values: list[Any], declared: Any, default: Any = None) -> Any:
        # a YAML 1.1 reader turns an enum's `Off` into false: keep the values of the right type
        kinds = declared if isinstance(declared, list) else [declared] if declared else []
        real = [v for v in values if v is not None and (not kinds or _typed(v, kinds))]
        if default in real:
            return default
        # the first value, not a random one: specs list the ordinary state first (a new
        # contact is "Alive", not "Purged"), and a fresh resource should look ordinary
        return real[0] if real else None

    def _choose(self, flat: dict[str, Any], name: str, depth: int, stack: tuple[str, ...]) -> Any:
        """The first branch of oneOf/anyOf whose value passes the whole schema ("null" last)."""
        keyword = "oneOf" if "oneOf" in flat else "anyOf"
        rest = {k: v for k, v in flat.items() if k not in (keyword, "discriminator")}
        branches = sorted(flat[keyword], key=lambda b: _kind(deref(b, self.schemas)) == "null")
        first: Any = _ABSENT
        # loose branches (no required, no closed objects) all take a sparse value: try again
        # with two more levels of optional properties, which tell the branches apart
        for level in (depth, depth - FULL_DEPTH):
            for branch in branches:
                value = self._gen(merge(rest, branch), name, level, stack)
                value = self._discriminate(flat.get("discriminator"), branch, value)
                if self._valid(flat, value):
                    return value
                first = value if first is _ABSENT else first
        return None if first is _ABSENT else first

    def _discriminate(self, disc: Any, branch: Any, value: Any) -> Any:
        """Set the discriminator property to the branch's name when the branch leaves it open."""
        if not isinstance(disc, dict) or not isinstance(value, dict):
            return value
        prop, ref = (
            disc.get("propertyName"),
            branch.get("$ref") if isinstance(branch, dict) else None,
        )
        if not prop or not ref:
            return value
        mapped = [k for k, target in disc.get("mapping", {}).items() if target == ref]
        own = deref(branch, self.schemas).get("properties", {}).get(prop, {})
        if mapped:
            value[prop] = mapped[0]
        elif not {"enum", "const"} & set(deref(own, self.schemas)):
            value[prop] = ref_name(ref)
        return value

    def _object(
        self, flat: dict[str, Any], name: str, depth: int, stack: tuple[str, ...]
    ) -> dict[str, Any]:
        props: dict[str, Any] = flat.get("properties", {})
        required = [r for r in flat.get("required", ()) if isinstance(r, str)]
        wanted = list(dict.fromkeys([*required, *(props if depth < FULL_DEPTH else ())]))
        wanted = [k for k in wanted if k in required or not self._cyclic(props.get(k), stack)]
        limit = flat.get("maxProperties")
        if isinstance(limit, int):
            wanted = wanted[: max(limit, len(required))]
        out = {k: self._gen(props.get(k, {}), k, depth + 1, stack) for k in wanted}
        self._extra(flat, out, depth, stack)
        return out

    def _extra(
        self, flat: dict[str, Any], out: dict[str, Any], depth: int, stack: tuple[str, ...]
    ) -> None:
        """Entries for maps (additionalProperties) and for minProperties beyond the named."""
        extra = _open(flat)
        wanted = max(int(flat.get("minProperties", 0)), 0 if flat.get("properties") else 1)
        if isinstance(extra, dict) and not out:
            wanted = max(wanted, 1)
        props = flat.get("properties", {})
        for key in props:
            if len(out) >= wanted:
                return
            out.setdefault(key, self._gen(props[key], key, depth + 1, stack))
        while len(out) < wanted and extra is not False:
            schema = extra if isinstance(extra, dict) else {"type": "string"}
            out[f"key{len(out) + 1}"] = self._gen(schema, "", depth + 1, stack)

    def _array(
        self, flat: dict[str, Any], name: str, depth: int, stack: tuple[str, ...]
    ) -> list[Any]:
        items = flat.get("items", {})
        low = int(flat.get("minItems", 0))
        high = int(flat.get("maxItems", max(low, 1)))
        count = low if self._cyclic(items, stack) else min(max(low, 1), high)
        out: list[Any] = []
        for _ in range(count * 8 if flat.get("uniqueItems") else count):
            item = self._gen(items, _singular(name), depth, stack)
            if not flat.get("uniqueItems") or item not in out:
                out.append(item)
            if len(out) == count:
                break
        return out

    def _number(self, flat: dict[str, Any], *, integer: bool) -> int | float:
        low, high = _bounds(flat, integer)
        step = flat.get("multipleOf")
        if step:
            first, last = math.ceil(low / step), math.floor(high / step)
            k = self.rng.randint(first, max(first, last))
            return int(k * step) if integer else k * step
        if integer:
            return self.rng.randint(math.ceil(low), math.floor(high))
        return min(max(round(self.rng.uniform(low, high), 2), low), high)

    def _string(self, flat: dict[str, Any], name: str) -> str:
        fmt = flat.get("format")
        made = _FORMATS[fmt](self) if fmt in _FORMATS else self._hinted(name)
        pattern = flat.get("pattern")
        if isinstance(pattern, str) and not re.search(pattern, made):
            return self._matching(pattern, flat)
        return _sized(made, flat, self.rng)

    def _matching(self, pattern: str, flat: dict[str, Any]) -> str:
        low, high = int(flat.get("minLength", 0)), int(flat.get("maxLength", 10**6))
        made = ""
        for attempt in range(40):
            made = regex_string(pattern, self.rng, grow=attempt // 8)
            if re.search(pattern, made) and low <= len(made) <= high:
                return made
        return made

    # --- realistic strings ------------------------------------------------------------------

    def _hinted(self, name: str) -> str:
        """A string that looks like what a property so named holds."""
        key = name.replace("_", "").replace("-", "").lower()
        for test, make in _HINTS:
            if test(name, key):
                return make(self)
        if self._dated(name, key):
            return self.date_time(loose=True)
        return str(self.faker.word())

    def _dated(self, name: str, key: str) -> bool:
        return key.startswith("date") or key in ("starttime", "endtime") or name.endswith("_at")

    def moment(self) -> datetime:
        """A seeded instant in 2026 (no wall clock: the same seed gives the same dates)."""
        return EPOCH + timedelta(seconds=self.rng.randrange(365 * 86400))

    def date_time(self, loose: bool = False) -> str:
        """A timestamp as the vendor writes it (`loose`: a date-named string with no format)."""
        write = (self.shape.loose_timestamp if loose else None) or self.shape.timestamp
        return write(self.moment().timestamp())

    def phone(self) -> str:
        """A North American number in E.164, from the 555 range kept for fiction."""
        return "+1555" + "".join(str(self.rng.randint(0, 9)) for _ in range(7))

    def ident(self) -> str:
        """An id in the vendor's shape: a long number, or a UUID."""
        if self.shape.numeric_ids:
            return str(self.rng.randint(10**8, 10**11))
        return self.uuid()

    def uuid(self) -> str:
        """A version-4 UUID from the seeded stream."""
        h = f"{self.rng.getrandbits(128):032x}"
        return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:32]}"


_ABSENT = object()


def _open(flat: dict[str, Any]) -> Any:
    """The schema of an object's other keys: a map's values, False when closed, else None."""
    for key in ("additionalProperties", "unevaluatedProperties"):
        extra = flat.get(key)
        if extra is False or extra == {"not": {}}:
            return False
        if isinstance(extra, dict):
            return extra
    return None


def _kind(flat: Any) -> str:
    """The JSON type to generate ("null" only when nothing else is allowed)."""
    if not isinstance(flat, dict):
        return "string"
    declared = flat.get("type")
    if isinstance(declared, list):
        real = [t for t in declared if t != "null"]
        return real[0] if real else "null"
    if isinstance(declared, str):
        return declared
    if "properties" in flat or "additionalProperties" in flat or "required" in flat:
        return "object"
    if "items" in flat:
        return "array"
    return "number" if "minimum" in flat or "maximum" in flat else "string"


def _typed(value: Any, kinds: list[str]) -> bool:
    """Whether `value` is of one of the JSON types `kinds`."""
    if isinstance(value, bool):
        return "boolean" in kinds
    if isinstance(value, int):
        return "integer" in kinds or "number" in kinds
    names = {str: "string", float: "number", dict: "object", list: "array"}
    return names.get(type(value)) in kinds


def _bounds(flat: dict[str, Any], integer: bool) -> tuple[float, float]:
    """The inclusive range to draw from: the declared limits, near 1 where one is open."""
    fmt_low, fmt_high = INT64 if flat.get("format") == "int64" else INT32
    nudge = 1 if integer else 0.01
    low, high = flat.get("minimum"), flat.get("maximum")
    if "exclusiveMinimum" in flat:
        low = max(low if low is not None else -math.inf, flat["exclusiveMinimum"] + nudge)
    if "exclusiveMaximum" in flat:
        high = min(high if high is not None else math.inf, flat["exclusiveMaximum"] - nudge)
    if low is None:
        # a small positive value reads better than one near the format's limit
        low = 1 if high is None or high >= 1 else high - 100
    if high is None:
        high = low + 1000
    return (max(low, fmt_low), min(high, max(low, 0) + 1000, fmt_high))


def _sized(text: str, flat: dict[str, Any], rng: random.Random) -> str:
    low, high = int(flat.get("minLength", 0)), flat.get("maxLength")
    if len(text) < low:
        text += "".join(rng.choice(string.ascii_lowercase) for _ in range(low - len(text)))
    return text[: int(high)] if isinstance(high, int) else text


def _singular(name: str) -> str:
    return name[:-1] if name.endswith("s") and not name.endswith("ss") else name


def _email(s: Synth) -> str:
    return str(s.faker.email())


_FORMATS: dict[str, Callable[[Synth], str]] = {
    "date-time": lambda s: s.date_time(),
    "date": lambda s: s.moment().strftime("%Y-%m-%d"),
    "time": lambda s: s.moment().strftime("%H:%M:%SZ"),
    "email": _email,
    "idn-email": _email,
    "uri": lambda s: str(s.faker.url()),
    "url": lambda s: str(s.faker.url()),
    "uri-reference": lambda s: "/" + str(s.faker.uri_path()),
    "uuid": lambda s: s.uuid(),
    "ipv4": lambda s: f"192.0.2.{s.rng.randint(1, 254)}",  # TEST-NET-1, never routed
    "ipv6": lambda s: f"2001:db8::{s.rng.randint(1, 0xFFFF):x}",  # the documentation prefix
    "hostname": lambda s: str(s.faker.domain_name()),
    "idn-hostname": lambda s: str(s.faker.domain_name()),
    "password": lambda s: "".join(s.rng.choice(ALNUM) for _ in range(16)),
    "byte": lambda s: "bW9ja3NlcnZlcg==",
    "jwt": lambda s: (
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJtb2NrIn0."
        + "".join(s.rng.choice(ALNUM) for _ in range(43))
    ),
}

_ID_ENDINGS = ("Id", "_id", "ID", "Sid", "_sid", "Uuid", "_uuid")
_HINTS: tuple[tuple[Callable[[str, str], bool], Callable[[Synth], str]], ...] = (
    (lambda n, k: "email" in k, _email),
    (lambda n, k: k in ("id", "sid", "uuid") or n.endswith(_ID_ENDINGS), lambda s: s.ident()),
    (lambda n, k: k == "extensionnumber", lambda s: str(s.rng.randint(101, 999))),
    (
        lambda n, k: "phone" in k or k in ("to", "from", "callerid", "fromnumber", "tonumber"),
        lambda s: s.phone(),
    ),
    (lambda n, k: k.endswith(("url", "uri", "href", "callback")), lambda s: str(s.faker.url())),
    (lambda n, k: k == "firstname", lambda s: str(s.faker.first_name())),
    (lambda n, k: k == "lastname", lambda s: str(s.faker.last_name())),
    (lambda n, k: k == "username", lambda s: str(s.faker.user_name())),
    (lambda n, k: k.startswith("company") or k == "organization", lambda s: str(s.faker.company())),
    (
        lambda n, k: k in ("name", "fullname", "displayname", "contactname", "friendlyname"),
        lambda s: str(s.faker.name()),
    ),
    (lambda n, k: k == "city", lambda s: str(s.faker.city())),
    (
        lambda n, k: k in ("street", "street1", "address", "streetaddress"),
        lambda s: str(s.faker.street_address()),
    ),
    (lambda n, k: k in ("zip", "zipcode", "postalcode"), lambda s: str(s.faker.postcode())),
    (lambda n, k: k in ("domain", "hostname", "host"), lambda s: str(s.faker.domain_name())),
    (
        lambda n, k: k in ("text", "body", "subject", "message", "description", "note", "comment"),
        lambda s: str(s.faker.sentence()),
    ),
    (
        lambda n, k: k in ("password", "secret", "token"),
        lambda s: "".join(s.rng.choice(ALNUM) for _ in range(24)),
    ),
    (lambda n, k: k in ("language", "locale", "languagecode"), lambda s: "en-US"),
    (lambda n, k: k in ("timezone", "tz"), lambda s: "America/New_York"),
)


# A parsed pattern: ("alt", [seq...]) | ("seq", [(node, low, high or None)...]) |
# ("chars", choices) | ("skip", None) for anchors and lookarounds
Node = tuple[str, Any]


def regex_string(pattern: str, rng: random.Random, grow: int = 0) -> str:
    r"""A string the pattern should match (the caller checks: lookarounds are not honoured).

    A small subset of Python's syntax, enough for every pattern in the tables: literals,
    escapes (\d \w \s \S, escaped punctuation), classes with ranges and negation, `.`,
    groups (capturing, `(?:`, lookarounds skipped), alternation and ? * + {n} {n,} {n,m}.
    `grow` lengthens open repetitions, for a minLength the first tries fell short of.
    """
    return _emit(_Parser(pattern).parse(), rng, grow)


def _emit(node: Node, rng: random.Random, grow: int) -> str:
    kind, body = node
    if kind == "alt":
        return _emit(rng.choice(body), rng, grow)
    if kind == "chars":
        # a class like [c|C] also takes "|"; letters and digits read better
        plain = [c for c in body if c.isalnum()] or list(body)
        return str(rng.choice(plain))
    if kind == "skip":
        return ""
    out: list[str] = []
    for inner, low, high in body:
        top = high if high is not None else low + 2 + grow * 4
        out.extend(
            _emit(inner, rng, grow) for _ in range(rng.randint(low, min(top, low + 8 + grow * 8)))
        )
    return "".join(out)


class _Parser:
    """Recursive descent over one pattern."""

    def __init__(self, pattern: str) -> None:
        self.text = pattern
        self.at = 0

    def parse(self) -> Node:
        return self._alternation()

    def _peek(self, size: int = 1) -> str:
        return self.text[self.at : self.at + size]

    def _alternation(self) -> Node:
        options = [self._sequence()]
        while self._peek() == "|":
            self.at += 1
            options.append(self._sequence())
        return ("alt", options)

    def _sequence(self) -> Node:
        items: list[tuple[Node, int, int | None]] = []
        while self.at < len(self.text) and self._peek() not in ("|", ")"):
            atom = self._atom()
            low, high = self._quantifier()
            items.append((atom, low, high))
        return ("seq", items)

    def _atom(self) -> Node:
        char = self._peek()
        self.at += 1
        if char in ("^", "$"):
            return ("skip", None)
        if char == "(":
            return self._group()
        if char == "[":
            return ("chars", self._class())
        if char == ".":
            return ("chars", ALNUM)
        if char == "\\":
            return ("chars", self._escape())
        return ("chars", char)

    def _group(self) -> Node:
        lookaround = next((p for p in ("?=", "?!", "?<=", "?<!") if self._peek(len(p)) == p), "")
        self.at += len(lookaround) or (2 if self._peek(2) == "?:" else 0)
        inner = self._alternation()
        self.at += 1  # the ")"
        return ("skip", None) if lookaround else inner

    def _class(self) -> str:
        negate = self._peek() == "^"
        self.at += negate
        chars: list[str] = []
        while self.at < len(self.text) and (self._peek() != "]" or not chars):
            char = self._peek()
            self.at += 1
            if char == "\\":
                chars.extend(self._escape())
            elif self._peek() == "-" and self._peek(2)[1:] not in ("]", ""):
                chars.extend(chr(c) for c in range(ord(char), ord(self.text[self.at + 1]) + 1))
                self.at += 2
            else:
                chars.append(char)
        self.at += 1  # the "]"
        if negate:
            return "".join(c for c in ALNUM + "_.:-" if c not in chars)
        return "".join(dict.fromkeys(chars))

    def _escape(self) -> str:
        char = self._peek()
        self.at += 1
        return _ESCAPES.get(char, char)

    def _quantifier(self) -> tuple[int, int | None]:
        char = self._peek()
        found = re.match(r"\{(\d+)(,?)(\d*)\}", self.text[self.at :])
        if char in ("?", "*", "+"):
            self.at += 1
            bounds: tuple[int, int | None] = {"?": (0, 1), "*": (0, None), "+": (1, None)}[char]
        elif found:
            self.at += found.end()
            low = int(found[1])
            bounds = (low, int(found[3]) if found[3] else (None if found[2] else low))
        else:
            return (1, 1)
        self.at += self._peek() == "?"  # lazy or not, the same strings match
        return bounds


_ESCAPES = {
    "d": string.digits,
    "w": ALNUM + "_",
    "s": " ",
    "S": ALNUM,
    "D": string.ascii_letters,
    "W": "-. ",
}
