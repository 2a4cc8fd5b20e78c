"""Scenario file format: frozen pydantic models for scenarios, rules, actions and triggers."""

from __future__ import annotations

import re
from collections import Counter
from typing import Annotated, Any, Literal

from pydantic import Field, JsonValue, field_validator, model_validator

from mockserver.scenarios.matchers import Match, Spec, Text, only_one, to_text

FaultType = Literal["reset", "empty", "hang", "drip", "truncate", "malformed", "html502", "html503"]
FAULT_TYPES: tuple[str, ...] = FaultType.__args__  # type: ignore[attr-defined]
MAX_DELAY = 300.0
RATE_KEY = re.compile(r"^(session|ip|rule|header:[!#$%&'*+.^_`|~0-9A-Za-z-]+)$")


Seconds = Annotated[float, Field(ge=0, le=MAX_DELAY, allow_inf_nan=False)]


class ErrorAction(Spec):
    """Answer with a catalogued vendor error; a bare string is its code."""

    code: Text = Field(
        min_length=1, description="Catalog key or code of the rule's vendor, e.g. CMN-301."
    )
    params: dict[str, Text] = Field(
        default_factory=dict, description="Values for the message's ${placeholders}."
    )
    status: int | None = Field(
        None, ge=100, le=599, description="HTTP status instead of the catalogued one."
    )
    headers: dict[str, Text] = Field(
        default_factory=dict, description="Extra or overriding response headers."
    )
    retry_after: int | None = Field(None, ge=0, description="Seconds for a Retry-After header.")

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data: Any) -> Any:
        return {"code": to_text(data)} if isinstance(data, str | int) else data


class FaultAction(Spec):
    """A transport-level fault; a bare string is its type."""

    type: FaultType = Field(description="What goes wrong on the connection.")
    chunk: int | None = Field(None, ge=1, description="drip: bytes per write (default 16).")
    interval: float | None = Field(
        None, ge=0, le=60, allow_inf_nan=False, description="drip: seconds between writes (0.2)."
    )
    duration: float | None = Field(
        None,
        gt=0,
        le=MAX_DELAY,
        allow_inf_nan=False,
        description="hang: seconds before the connection is closed (default: until the client leaves).",
    )

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data: Any) -> Any:
        return {"type": data} if isinstance(data, str) else data

    @model_validator(mode="after")
    def _knobs(self) -> FaultAction:
        allowed = {"drip": {"chunk", "interval"}, "hang": {"duration"}}.get(self.type, set())
        given = {k for k in ("chunk", "interval", "duration") if getattr(self, k) is not None}
        if given - allowed:
            raise ValueError(f"fault {self.type} takes no {', '.join(sorted(given - allowed))}")
        return self


class RespondAction(Spec):
    """Answer with a literal response."""

    status: int = Field(200, ge=100, le=599, description="HTTP status.")
    headers: dict[str, Text] = Field(default_factory=dict, description="Response headers.")
    body: JsonValue = Field(
        None, description="A string is sent as-is; anything else is sent as JSON."
    )


class CallbackAction(Spec):
    """Let the request through, but end its delivery lifecycle with a catalogued async failure.

    The vendor's normal answer is sent (e.g. the SMS is accepted, 201), then the status
    callbacks to the URL the request named report this code instead of success, and the
    stored resource ends with it. A bare string is the code.
    """

    code: Text = Field(
        min_length=1, description="An asynchronous catalog code, e.g. 30003 or 7109."
    )
    delay: Seconds | None = Field(
        None,
        description="Seconds from the request to the failure callback (vendor default if unset).",
    )

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data: Any) -> Any:
        return {"code": to_text(data)} if isinstance(data, str | int) else data


class PassthroughAction(Spec):
    """Let the request through to the vendor's normal (happy-path) answer."""


PASSTHROUGH = PassthroughAction()


class RateLimit(Spec):
    """Count requests per window; over the limit the vendor's own 429 is answered."""

    limit: int = Field(ge=1, description="Requests allowed per window.")
    window: float = Field(gt=0, le=86400, allow_inf_nan=False, description="Window in seconds.")
    key: str = Field(
        "session",
        description="What is counted separately: session, ip, rule (shared by all sessions) "
        "or header:<Name>.",
    )

    @field_validator("key")
    @classmethod
    def _key(cls, value: str) -> str:
        if not RATE_KEY.match(value):
            raise ValueError(f"key {value!r}: expected session, ip, rule or header:<Name>")
        return value


Action = ErrorAction | FaultAction | RespondAction | PassthroughAction | CallbackAction | RateLimit


def action_kind(action: Action) -> str:
    """error, fault, respond, passthrough or rate_limit."""
    kinds: dict[type, str] = {
        ErrorAction: "error",
        FaultAction: "fault",
        RespondAction: "respond",
        CallbackAction: "callback",
        RateLimit: "rate_limit",
    }
    return kinds.get(type(action), "passthrough")


class Delay(Spec):
    """Seconds to wait before answering: a number, or [min, max] drawn from the rule's RNG."""

    min: Seconds = Field(description="Shortest delay in seconds.")
    max: Seconds = Field(description="Longest delay in seconds.")

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data: Any) -> Any:
        if isinstance(data, int | float) and not isinstance(data, bool):
            return {"min": data, "max": data}
        if isinstance(data, list | tuple):
            if len(data) != 2:
                raise ValueError("a delay range is [min, max]")
            return {"min": data[0], "max": data[1]}
        return data

    @model_validator(mode="after")
    def _order(self) -> Delay:
        if self.min > self.max:
            raise ValueError(f"delay range [{self.min}, {self.max}] has min > max")
        return self


class Active(Spec):
    """A time window, in seconds after the scenario was loaded."""

    start: float = Field(
        0, alias="from", ge=0, allow_inf_nan=False, description="Seconds after load it starts."
    )
    until: float | None = Field(
        None, gt=0, allow_inf_nan=False, description="Seconds after load it ends (exclusive)."
    )

    @model_validator(mode="after")
    def _order(self) -> Active:
        if self.until is not None and self.until <= self.start:
            raise ValueError(f"active window ends ({self.until}) before it starts ({self.start})")
        return self

    def contains(self, elapsed: float) -> bool:
        """Whether `elapsed` seconds after load fall inside the window."""
        return self.start <= elapsed and (self.until is None or elapsed < self.until)


ACTION_KEYS = ("error", "fault", "respond", "passthrough", "callback")


class Step(Spec):
    """One action with an optional delay: a rule's own action, a sequence step, or `then`."""

    error: ErrorAction | None = Field(
        None,
        description="A catalogued error: a code, or {code, params, status, headers, retry_after}.",
    )
    fault: FaultAction | None = Field(
        None, description="A transport fault: a type, or {type, chunk, interval, duration}."
    )
    respond: RespondAction | None = Field(
        None, description="A literal answer: {status, headers, body}."
    )
    passthrough: Literal[True] | None = Field(None, description="true: the vendor's normal answer.")
    callback: CallbackAction | None = Field(
        None, description="The normal answer, then a failure delivery callback with this code."
    )
    delay: Delay | None = Field(None, description="Seconds to wait first: a number or [min, max].")

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data: Any) -> Any:
        return {"passthrough": True} if data == "passthrough" else data

    @model_validator(mode="after")
    def _one(self) -> Step:
        only_one(self, ACTION_KEYS, "a step")
        return self

    def action(self) -> Action:
        """The one action this step carries."""
        return self.error or self.fault or self.respond or self.callback or PASSTHROUGH


class Rule(Spec):
    """Match + exactly one action (or rate_limit) + optional triggers and delay."""

    name: str | None = Field(
        None, min_length=1, description="Rule name; default '<scenario>#<index>' (from 0)."
    )
    description: str | None = Field(None, description="Free text for people.")
    priority: int = Field(0, description="Higher wins; equal priorities keep load order.")
    match: Match = Field(default_factory=Match, description="Which requests it applies to.")
    error: ErrorAction | None = Field(
        None,
        description="A catalogued error: a code, or {code, params, status, headers, retry_after}.",
    )
    fault: FaultAction | None = Field(
        None, description="A transport fault: a type, or {type, chunk, interval, duration}."
    )
    respond: RespondAction | None = Field(None, description="A literal answer.")
    passthrough: Literal[True] | None = Field(
        None, description="true: the vendor's normal answer (useful with delay)."
    )
    callback: CallbackAction | None = Field(
        None, description="The normal answer, then a failure delivery callback with this code."
    )
    sequence: tuple[Step, ...] | None = Field(
        None,
        description="Actions played one per firing, in order.",
        json_schema_extra={"minItems": 1},
    )
    then: Step | None = Field(
        None, description="sequence: the action after the list is exhausted (default passthrough)."
    )
    cycle: bool = Field(False, description="sequence: start over instead of playing `then`.")
    rate_limit: RateLimit | None = Field(
        None, description="Count requests per window; over the limit answer the vendor's 429."
    )
    delay: Delay | None = Field(
        None, description="Seconds to wait first: a number or [min, max] (seeded)."
    )
    times: int | None = Field(
        None, ge=1, description="Fire for the first N eligible requests only."
    )
    after: int | None = Field(None, ge=0, description="Skip the first N matching requests.")
    every: int | None = Field(None, ge=1, description="Fire on every Nth eligible request.")
    probability: float | None = Field(
        None, ge=0, le=1, allow_inf_nan=False, description="Chance to fire, drawn per request."
    )
    seed: int | None = Field(
        None, description="Seed for probability and delay ranges: same seed, same pattern."
    )
    active: Active | None = Field(
        None, description="Time window {from, until} in seconds after load."
    )

    @field_validator("sequence")
    @classmethod
    def _some_steps(cls, value: tuple[Step, ...] | None) -> tuple[Step, ...] | None:
        if value == ():
            raise ValueError("a sequence needs at least one step")
        return value

    @model_validator(mode="after")
    def _shape(self) -> Rule:
        only_one(self, (*ACTION_KEYS, "sequence", "rate_limit"), "a rule")
        if self.sequence is None and (self.then is not None or self.cycle):
            raise ValueError("then and cycle only apply to a sequence")
        if self.cycle and self.then is not None:
            raise ValueError("a cycling sequence never reaches then; drop one of them")
        return self

    def action(self) -> Action:
        """The rule's single action (for sequences: the first step; rate_limit: itself)."""
        if self.sequence is not None:
            return self.sequence[0].action()
        if self.rate_limit is not None:
            return self.rate_limit
        return self.error or self.fault or self.respond or self.callback or PASSTHROUGH

    def steps(self) -> tuple[Step, ...]:
        """The steps it plays: its sequence, or its single action (with the rule's delay)."""
        return self.sequence if self.sequence is not None else (_own_step(self),)


def _own_step(rule: Rule) -> Step:
    if rule.error or rule.fault or rule.respond or rule.callback:
        return Step(
            error=rule.error,
            fault=rule.fault,
            respond=rule.respond,
            callback=rule.callback,
            delay=rule.delay,
        )
    return Step(passthrough=True, delay=rule.delay)


class Scenario(Spec):
    """A named set of rules, loaded and removed as one."""

    name: str = Field(min_length=1, description="Unique id of the scenario (per session).")
    description: str | None = Field(None, description="Free text for people.")
    vendor: str | None = Field(None, description="Default vendor of its rules.")
    session: str | None = Field(
        None, min_length=1, description="Test session owning it; its rules see only that session."
    )
    rules: tuple[Rule, ...] = Field(
        description="The rules; on equal priority the first listed wins.",
        json_schema_extra={"minItems": 1},
    )

    @field_validator("rules")
    @classmethod
    def _some_rules(cls, value: tuple[Rule, ...]) -> tuple[Rule, ...]:
        if not value:
            raise ValueError("a scenario needs at least one rule")
        return value

    @model_validator(mode="after")
    def _names(self) -> Scenario:
        names = self.rule_names()
        repeated = sorted(n for n, times in Counter(names).items() if times > 1)
        if repeated:
            raise ValueError(f"rule names repeat: {', '.join(repeated)}")
        return self

    def rule_names(self) -> list[str]:
        """Each rule's name, defaulting to '<scenario>#<index>' (index from 0)."""
        return [r.name or f"{self.name}#{i}" for i, r in enumerate(self.rules)]

    def rule_vendor(self, rule: Rule) -> str | None:
        """The vendor a rule applies to: its own match.vendor, else the scenario's."""
        return rule.match.vendor or self.vendor


_SECONDS = {"type": "number", "minimum": 0, "maximum": MAX_DELAY}
SHORTHANDS: dict[str, list[dict[str, Any]]] = {
    "ValueMatcher": [{"type": ["string", "number", "boolean"], "description": "Same as equals."}],
    "PathMatcher": [{"type": "string", "description": "Same as exact."}],
    "ErrorAction": [{"type": ["string", "integer"], "description": "Same as {code: ...}."}],
    "CallbackAction": [{"type": ["string", "integer"], "description": "Same as {code: ...}."}],
    "FaultAction": [{"enum": list(FAULT_TYPES), "description": "Same as {type: ...}."}],
    "Delay": [
        {**_SECONDS, "description": "A fixed delay in seconds."},
        {
            "type": "array",
            "items": _SECONDS,
            "minItems": 2,
            "maxItems": 2,
            "description": "[min, max]: uniform, drawn from the rule's seeded RNG.",
        },
    ],
    "Step": [{"const": "passthrough", "description": "Same as {passthrough: true}."}],
}
"""JSON Schema of the short forms each model also accepts (used by the schema generator)."""
