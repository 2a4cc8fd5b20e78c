"""The admin API's types: every answer, request body and parameter, declared once for the docs."""

# No `from __future__ import annotations` here: TypedDict would compile each of its ~100
# string annotations into a ForwardRef at start-up; real annotations cost nothing more.

from dataclasses import dataclass
from typing import Annotated, Any, Literal, NotRequired

from pydantic import Field, GetJsonSchemaHandler, TypeAdapter
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema
from typing_extensions import TypedDict

from mockserver.catalog.model import CatalogEntry
from mockserver.scenarios.engine import RuleInfo

# Handlers build these TypedDicts as plain dicts: mypy checks every key of every answer, the
# JSON is written as before, and openapi.py asks pydantic for the schema of the same types.


@dataclass(frozen=True)
class ShapedAs:
    """Marks a value typed loosely in Python (a dict built elsewhere) with its JSON's shape.

    The shape is `model`'s (a dataclass, a model) plus `extra` keys, all present.
    """

    model: Any
    extra: tuple[tuple[str, Any], ...] = ()

    def __get_pydantic_json_schema__(
        self, core: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        """The model's schema, copied inline when keys are added."""
        schema = handler(TypeAdapter(self.model).core_schema)
        if not self.extra:
            return schema
        base = handler.resolve_ref_schema(schema)
        added = {name: handler(TypeAdapter(kind).core_schema) for name, kind in self.extra}
        return {
            **base,
            "properties": {**base["properties"], **added},
            "required": [*base.get("required", ()), *added],
        }


@dataclass(frozen=True)
class ScenarioSchema:
    """Marks a value described by a definition of the scenario file schema (one description).

    openapi.py puts that schema's definitions among the components and turns the mark into
    a `$ref`; pydantic's own schema of the same models lacks the short forms.
    """

    name: str

    def __get_pydantic_json_schema__(
        self, core: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        """A placeholder that openapi.py replaces with the `$ref`."""
        return {SCENARIO_REF: self.name}


SCENARIO_REF = "x-scenario-schema"
OUTCOMES = ("pending", "delivered", "failed", "refused", "canceled")  # of a callback


def _query(description: str, **constraints: Any) -> Any:
    return Field(description=description, **constraints)


def _segment(description: str, example: str) -> Any:
    # no "/" inside a segment: the router would take it for a separator
    return Field(description=description, min_length=1, pattern="^[^/]+$", examples=[example])


# ---- parameters (query parameters arrive as text; the types say what they must parse as) ----


class SessionQuery(TypedDict, total=False):
    """Selects one test session."""

    session: Annotated[str, _query("Only this test session (default: everything).")]


class ReportQuery(SessionQuery, total=False):
    """Which session a verdicts report covers, and in which format."""

    format: Annotated[
        Literal["json", "markdown", "html", "text"],
        _query("json (default); the others only where the formats module is installed."),
    ]


class JournalFilters(SessionQuery, total=False):
    """Filters of the request journal."""

    vendor: Annotated[str, _query("Only requests to this vendor.")]
    method: Annotated[str, _query("Only this HTTP method (case-insensitive).")]
    path: Annotated[str, _query("The vendor-relative path, or a glob when it has * or ?.")]
    rule: Annotated[str, _query("Only requests decided by this rule.")]
    status: Annotated[int, _query("Only requests answered with this HTTP status.")]
    outcome: Annotated[
        str, _query("error, fault, respond, passthrough, rate_limited, too_large...")
    ]
    since: Annotated[float, _query("Only requests received at or after this Unix time.")]


class RequestsQuery(JournalFilters, total=False):
    """Journal filters and how many entries."""

    limit: Annotated[int, _query("Only the newest N entries.", ge=0)]


class UnmatchedQuery(JournalFilters, total=False):
    """Journal filters and whose rules to compare with."""

    defaults: Annotated[
        Literal["true", "false"], _query("false: near misses of your own rules only.")
    ]


class CatalogQuery(TypedDict, total=False):
    """Filters of the catalog listing."""

    vendor: Annotated[str, _query("One vendor (404 with suggestions when unknown).")]
    tag: Annotated[str, _query("Entries with this tag.")]
    status: Annotated[int, _query("Entries with this HTTP status.", ge=0)]
    q: Annotated[str, _query("Free text searched in key, code, message and description.")]
    delivery: Annotated[
        Literal["sync", "async"], _query("sync: HTTP answers; async: callbacks only.")
    ]
    limit: Annotated[int, _query("At most this many entries (0 or absent: all).", ge=0)]
    offset: Annotated[int, _query("Skip this many entries first.", ge=0)]


class RenderQuery(TypedDict, total=False):
    """How to render a catalog entry."""

    family: Annotated[str, _query("Envelope family (default: the vendor's first).")]
    params: Annotated[str, _query("Placeholder values: name=value; name2=value2.")]
    status: Annotated[int, _query("Override the HTTP status.", ge=0)]


class UploadQuery(SessionQuery, total=False):
    """Where uploaded scenarios go."""

    replace: Annotated[bool, _query("false: keep this session's other scenarios.")]


class CallbacksQuery(SessionQuery, total=False):
    """Filters of the callback log."""

    vendor: Annotated[str, _query("Only this vendor.")]


class VendorPath(TypedDict):
    """A vendor's place."""

    vendor: Annotated[str, _segment("Vendor id.", "signalwire")]


class OperationRow(TypedDict):
    """One operation the vendor publishes and who answers it."""

    id: str
    method: str
    path: str
    action: str
    served_by: Literal["hand", "generic"]
    table: str


class OperationSource(TypedDict):
    """One operation table: the spec (or pages) it was derived from."""

    table: str
    style: str
    operations: int
    source: dict[str, Any]


class OperationsPage(TypedDict):
    """Every operation a vendor serves: hand-written handlers and the generic engine."""

    vendor: str
    count: int
    hand: int
    generic: int
    tables: list[OperationSource]
    operations: list[OperationRow]
    routes: list[str]


class EntryPath(TypedDict):
    """A catalog entry's place."""

    vendor: Annotated[str, _segment("Vendor id.", "ringcentral")]
    key: Annotated[str, _segment("Catalog key.", "CMN-301")]


class ScenarioPath(TypedDict):
    """A loaded scenario's place."""

    name: Annotated[str, _segment("Scenario name.", "second-sms-rate-limited")]


# ---- request bodies ----------------------------------------------------------------------------

ScenarioFile = Annotated[Any, ScenarioSchema("ScenarioFile")]
ScenarioText = Annotated[str, Field(description="One scenario, a list, or several YAML documents.")]


class CountBody(TypedDict, total=False):
    """A rule-style match, and the answer-side filters of GET /requests."""

    match: Annotated[dict[str, Any], ScenarioSchema("Match")]
    status: int
    outcome: str


# ---- answers -----------------------------------------------------------------------------------


class Error(TypedDict):
    """Every admin (and X-Mock-* header) error: a kind and a sentence."""

    error: str
    message: str
    vendor: NotRequired[str]
    suggestions: NotRequired[list[str]]
    problems: NotRequired[list[str]]


class VendorSummary(TypedDict):
    """One vendor: where it is mounted and what its catalog holds."""

    prefix: str
    entries: int
    codes: int
    envelopes: list[str]


class StoreHealth(TypedDict):
    """Where shared state lives, and whether it answers."""

    kind: Literal["memory", "redis"]
    url: str | None
    problem: str | None
    # this process's id among the replicas (None in memory): which one answered
    replica: str | None


class Health(TypedDict):
    """Liveness plus what is loaded; `degraded` while the shared store cannot be reached."""

    status: Literal["ok", "degraded"]
    version: str
    entries: int
    vendors: dict[str, VendorSummary]
    store: StoreHealth


# built by mockserver.catalog.query from the entry's own fields
CatalogEntrySummary = Annotated[dict[str, Any], ShapedAs(CatalogEntry, (("vendor", str),))]
CatalogEntryDetail = Annotated[
    dict[str, Any], ShapedAs(CatalogEntry, (("vendor", str), ("variants", list[str])))
]


class CatalogPage(TypedDict):
    """Catalog entries (without their long text) and how many matched in all."""

    total: int
    entries: list[CatalogEntrySummary]


class RenderedAnswer(TypedDict):
    """A rendered answer: status, headers, body text, and the body parsed when it is JSON."""

    status: int
    content_type: str
    headers: dict[str, str]
    body_text: str
    body: NotRequired[Annotated[Any, Field(description="The body parsed, when it is JSON.")]]


class RenderedEntry(RenderedAnswer):
    """The exact status, headers and body an entry produces."""

    vendor: str
    key: str
    delivery: Literal["sync", "async"]
    family: str


class Rules(TypedDict):
    """Loaded rules with their hit counts, and the last file-loading problems."""

    scenarios: list[str]
    rules: list[RuleInfo]
    errors: list[str]


class Loaded(TypedDict):
    """The scenarios an upload loaded."""

    loaded: list[str]
    session: str | None


class Validated(TypedDict):
    """What checking scenarios found, without loading them (the web console's editor)."""

    valid: bool
    scenarios: list[str]
    problems: Annotated[
        list[str],
        Field(description="As `mockserver validate` prints them: `editor:LINE: where: reason`."),
    ]


class Removed(TypedDict):
    """The scenario removed."""

    removed: str


class ResetDone(TypedDict):
    """The session forgotten, or "all"."""

    reset: str


class JournalEntry(TypedDict):
    """One answered vendor request; credentials are blanked as ***."""

    time: float
    session: str | None
    vendor: str
    method: str
    path: str
    query: dict[str, str | list[str]]
    headers: dict[str, str]
    body: str
    rule: str | None
    reason: str
    outcome: str
    status: int
    latency_ms: float
    scenario: str | None
    # the catalogued error answered (a fault's is "fault:<type>"), and the Retry-After sent
    error: str | None
    retry_after: float | None


class Journal(TypedDict):
    """Journal entries, oldest first, and how many fell off a full journal."""

    requests: list[JournalEntry]
    dropped: int


class Cleared(TypedDict):
    """The session whose journal was emptied, or "all"."""

    cleared: str


class Count(TypedDict):
    """How many journalled requests match."""

    count: int


class NearMiss(TypedDict):
    """A rule that almost decided a request, and what did not match."""

    scenario: str
    rule: str
    matched_parts: str
    mismatches: list[str]


class UnmatchedEntry(JournalEntry):
    """A request no rule decided, with the closest rules."""

    near_misses: list[NearMiss]


class Unmatched(TypedDict):
    """The last 50 requests no rule decided."""

    requests: list[UnmatchedEntry]


class CallbackAttempt(TypedDict):
    """One delivery attempt: the receiver's status, or why there was none."""

    number: int
    time: float
    status: int | None
    error: NotRequired[str]


class CallbackRecord(TypedDict):
    """A callback sent (or pending) and every attempt; credentials are blanked."""

    id: int
    vendor: str
    session: str | None
    url: str
    method: str
    event: str
    resource: str
    content_type: str
    headers: dict[str, str]
    payload: str
    scheduled: float
    # the sender builds attempts as it makes them (mockserver/callbacks.py)
    attempts: list[Annotated[dict[str, Any], ShapedAs(CallbackAttempt)]]
    outcome: Annotated[str, Field(json_schema_extra={"enum": list(OUTCOMES)})]


class Callbacks(TypedDict):
    """Delivery callbacks and how many deliveries are not finished."""

    callbacks: list[CallbackRecord]
    pending: int


MetricsText = Annotated[str, Field(description="Prometheus text exposition format.")]
ReportText = Annotated[str, Field(description="The verdicts report rendered as a document.")]
OpenApiDocument = dict[str, Any]
HtmlPage = Annotated[str, Field(description="A page of the web console (docs/console.md).")]
Asset = Annotated[str, Field(description="A stylesheet or script of the web console.")]
EventStream = Annotated[
    str,
    Field(
        description="Server-sent events: `event: request`, `id:` the entry's identity, `data:` "
        "the entry as JSON with its near misses (as GET /__admin/requests/unmatched)."
    ),
]
