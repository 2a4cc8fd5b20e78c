"""The scenario engine: for one request, which rule wins, what it does, and why."""

from __future__ import annotations

import math
import secrets
import time
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from mockserver.answers.plan import RATE_LIMITED, Plan
from mockserver.answers.rendered import RateInfo
from mockserver.catalog.model import Catalog
from mockserver.request.snapshot import RequestSnapshot
from mockserver.scenarios.loader import semantic_problems
from mockserver.scenarios.matching import (
    CompiledMatch,
    Mismatch,
    NearMiss,
    RuleIndex,
    Unfired,
    compile_match,
)
from mockserver.scenarios.matching import near_misses as rank_near_misses
from mockserver.scenarios.model import (
    PASSTHROUGH,
    Action,
    RateLimit,
    Rule,
    Scenario,
    Step,
    action_kind,
)
from mockserver.scenarios.problems import ScenarioError, format_loc
from mockserver.scenarios.triggers import (
    draw_delay,
    fired_notes,
    gate,
    idle_reason,
    select_step,
    unfired_reason,
    window_text,
)
from mockserver.store.memory import BucketKey, Counters, LoadedScenario, RuleKey, ScenarioKey, Store

if TYPE_CHECKING:
    from mockserver.store.shared.counting import SharedCounting

# groups of rules that come from the server's configuration, not from a test: a global
# reset keeps them ("defaults": the shipped magic values, "files": --scenarios)
DEFAULTS_GROUP = "defaults"
FILES_GROUP = "files"
CONFIGURED_GROUPS = frozenset({DEFAULTS_GROUP, FILES_GROUP})
_THEN_DEFAULT = Step(passthrough=True)


@dataclass(frozen=True, slots=True)
class Decision:
    """What the winning rule does with one request.

    Attributes:
        action: the single action to carry out (for a sequence, the current step; when
            rate-limited, the RateLimit itself: answer the vendor's own 429).
        plan: everything about the answer the engine knows: the rule, its scenario, why
            (reason), the delay, rate-limit counters for the vendor's headers, whether the
            rule is a session's, and outcome "rate_limited" when over the limit. Its kind is
            passthrough: complete as it is for a passthrough action; the planner
            (scenarios/planner.py) makes the other actions' answers from it.
    """

    action: Action
    plan: Plan
    # made once for a rule whose firings are all alike: its plan may be kept with it too
    reusable: bool = False

    @property
    def rate_limited(self) -> bool:
        """The request is over the rule's rate limit."""
        return self.plan.outcome == RATE_LIMITED


@dataclass(frozen=True, slots=True)
class CompiledRule:
    """A loaded rule ready for matching: compiled match, resolved name, seed and order."""

    key: RuleKey
    name: str
    scenario: str
    owner: str | None
    group: str | None
    spec: Rule
    match: CompiledMatch
    steps: tuple[Step, ...]
    then: Step
    loaded_at: float
    seed: str
    seed_label: str
    order: tuple[int, int, int]
    stamp: str = ""
    # the decision of a rule whose every firing is alike (no trigger, sequence, rate limit,
    # active window or drawn delay): made once at compile time, not once per request
    fixed: Decision | None = None


@dataclass(frozen=True, slots=True)
class RuleInfo:
    """One loaded rule as listed by `Engine.rules`."""

    scenario: str
    rule: str
    session: str | None
    group: str | None
    priority: int
    vendor: str | None
    action: str
    hits: int
    description: str | None


class Engine:
    """Chooses the rule that decides a request; all mutable state lives in the Store.

    Rules are ordered by priority (highest first), then load order (scenario, then the
    rule's place in it). The first rule whose match holds and whose trigger fires wins.
    """

    def __init__(
        self,
        store: Store,
        clock: Callable[[], float] = time.monotonic,
        *,
        seed: int | None = None,
        catalog: Catalog | None = None,
    ) -> None:
        """Create an engine.

        Args:
            store: where scenarios, counters, windows and the journal live.
            clock: seconds, monotonic; drives `active` windows and rate limits.
            seed: default seed for rules without one (None: random per load).
            catalog: when given, every load checks vendors and error codes against it.
        """
        self._store = store
        self._clock = clock
        self._seed = seed
        self._catalog = catalog
        # derived from the store and rebuilt when its generation changes: a cache, not state
        self._cache: tuple[int, RuleIndex[CompiledRule]] | None = None

    # ---- loading ---------------------------------------------------------------------------

    def load(
        self,
        scenarios: Iterable[Scenario],
        *,
        session: str | None = None,
        replace: bool = False,
        group: str | None = None,
    ) -> list[str]:
        """Load scenarios atomically: everything is checked first, then swapped in at once.

        Args:
            scenarios: validated scenarios (from the loader, or built in code).
            session: bind them to this test session (their rules see only its requests).
            replace: replace loaded scenarios of the same name (they keep their place in
                the order, their counters restart) instead of rejecting the batch.
            group: a label of where they come from (e.g. "admin"), kept with each one.

        Returns:
            The names loaded, in order.

        Raises:
            ScenarioError: a problem with any scenario; nothing was changed.
        """
        return self._apply(list(scenarios), session, replace, group, sync=False)

    def sync(self, scenarios: Iterable[Scenario], group: str) -> list[str]:
        """Make `group` hold exactly `scenarios`, atomically (for reloading scenario files).

        Scenarios of the group with a name in the batch are replaced, new ones are added and
        the group's other scenarios are removed; scenarios of other groups are untouched.

        Args:
            scenarios: the group's new content.
            group: the group, e.g. "files".

        Returns:
            The names loaded, in order.

        Raises:
            ScenarioError: a problem with any scenario; nothing was changed.
        """
        return self._apply(list(scenarios), None, True, group, sync=True)

    def _apply(
        self,
        batch: list[Scenario],
        session: str | None,
        replace: bool,
        group: str | None,
        *,
        sync: bool,
    ) -> list[str]:
        current = {s.key: s for s in self._store.scenarios()}
        bound = [self._bind(s, session) for s in batch]
        problems = self._problems(bound, session, replace, current)
        if problems:
            raise ScenarioError(problems)
        put = self._place(bound, current, group)
        for loaded in put:
            self._compile(loaded)  # fails here, before the swap, if anything cannot compile
        keep = {p.key for p in put}
        stale = [k for k, s in current.items() if sync and s.group == group and k not in keep]
        self._store.swap_scenarios(put, stale)
        return [s.name for s in bound]

    def _bind(self, scenario: Scenario, session: str | None) -> Scenario:
        if session is None or scenario.session is not None:
            return scenario
        return scenario.model_copy(update={"session": session})

    def _problems(
        self,
        batch: list[Scenario],
        session: str | None,
        replace: bool,
        current: Mapping[ScenarioKey, LoadedScenario],
    ) -> list[str]:
        problems: list[str] = []
        seen: set[ScenarioKey] = set()
        for scenario in batch:
            label = f"scenario {scenario.name!r}"
            key = (scenario.session, scenario.name)
            if session is not None and scenario.session != session:
                problems.append(
                    f"{label}: belongs to session {scenario.session!r}, not {session!r}"
                )
            if key in seen:
                problems.append(f"{label}: appears twice in the batch")
            if key in current and not replace:
                problems.append(f"{label}: already loaded (remove it first, or replace)")
            seen.add(key)
            for loc, msg in semantic_problems(scenario, self._catalog):
                problems.append(f"{label}, {format_loc(loc)}: {msg}")
        return problems

    def _place(
        self,
        batch: list[Scenario],
        current: Mapping[ScenarioKey, LoadedScenario],
        group: str | None,
    ) -> list[LoadedScenario]:
        now = self._clock()
        next_seq = max((s.seq for s in current.values()), default=-1) + 1
        put = []
        for scenario in batch:
            old = current.get((scenario.session, scenario.name))
            seq = old.seq if old else next_seq  # a replaced scenario keeps its place
            next_seq += old is None
            # a fresh stamp per load: a shared store's counters restart when a scenario does
            stamp = "" if group in CONFIGURED_GROUPS else secrets.token_hex(6)
            salt = self._salt(scenario)
            put.append(LoadedScenario(scenario, scenario.session, seq, now, group, salt, stamp))
        return put

    def _salt(self, scenario: Scenario) -> str:
        if self._seed is None:
            return secrets.token_hex(8)
        return f"{self._seed}:{scenario.name}"

    def remove(self, name: str, *, session: str | None = None) -> bool:
        """Remove one scenario (and its counters).

        Args:
            name: the scenario's name.
            session: the session it was loaded for (None: a shared scenario).

        Returns:
            Whether it was loaded.
        """
        key = (session, name)
        if all(s.key != key for s in self._store.scenarios()):
            return False
        self._store.swap_scenarios((), [key])
        return True

    def reset(self, session: str | None = None) -> None:
        """Forget one session's scenarios, counters, windows and journal; or return to the start.

        A global reset keeps the configured rules (groups in CONFIGURED_GROUPS: the shipped
        defaults and the --scenarios files) with fresh counters, as if just loaded; rules
        loaded through the admin API or `inject` are dropped.
        """
        if session is not None:
            self._store.reset(session)
            return
        now = self._clock()
        kept = [
            replace(s, loaded_at=now)  # `active` windows start again, as at start-up
            for s in self._store.scenarios()
            if s.group in CONFIGURED_GROUPS
        ]
        self._store.reset()
        self._store.swap_scenarios(kept, ())

    def inject(
        self,
        rule: Rule | Mapping[str, Any],
        *,
        vendor: str | None = None,
        session: str | None = None,
        name: str | None = None,
    ) -> str:
        """Load a one-off rule as its own scenario (for test helpers and quick experiments).

        Args:
            rule: a Rule, or a mapping in the scenario-file format of one rule.
            vendor: the vendor it applies to.
            session: the session it belongs to.
            name: the scenario name (default: a fresh `inject-<hex>`); an existing one of
                that name is replaced.

        Returns:
            The scenario name, for `remove`.

        Raises:
            ScenarioError: the rule is invalid.
        """
        spec = rule if isinstance(rule, Rule) else _rule_from(rule)
        name = name or f"inject-{secrets.token_hex(4)}"
        scenario = Scenario(name=name, vendor=vendor, rules=(spec,))
        self.load([scenario], session=session, replace=True, group="inject")
        return name

    # ---- deciding --------------------------------------------------------------------------

    def evaluate(
        self,
        snapshot: RequestSnapshot,
        *,
        peer: str | None = None,
        authorized: Callable[[], bool] | None = None,
        unfired: list[Unfired] | None = None,
    ) -> Decision | None:
        """Find the first rule that matches and fires, count it, and say what it does.

        Synchronous on purpose: the check-and-increment of counters cannot interleave with
        another request, so `times: 3` gives exactly 3 under any concurrency.

        Args:
            snapshot: the request.
            peer: the client's IP address, for `rate_limit.key: ip`.
            authorized: the vendor's own auth check, asked (at most once) when a shipped
                default matches: magic values answer only requests the vendor would accept,
                so an unauthenticated one gets the vendor's 401 (test and file rules still
                come first). None: defaults apply to every request.
            unfired: when given, each rule that matched but did not fire is appended, with
                why, as it stood for this request (only rules that matched cost anything).

        Returns:
            Its decision, or None when no rule fired (the happy path).
        """
        now = self._clock()
        for rule in self._matching(snapshot, authorized):
            decision = self._fire(rule, snapshot, now, peer, unfired)
            if decision is not None:
                return decision
        return None

    async def evaluate_shared(
        self,
        snapshot: RequestSnapshot,
        shared: SharedCounting,
        epoch: str,
        *,
        peer: str | None = None,
        authorized: Callable[[], bool] | None = None,
        unfired: list[Unfired] | None = None,
    ) -> Decision | None:
        """`evaluate` with counters and windows in a store shared by replicas.

        Each rule that matches is counted atomically in the shared store
        (store/shared/counting.py), so `times: 3` fires exactly 3 times across replicas;
        a rule whose firings are all alike (no trigger) fires whatever the count and is
        counted on this replica only. `epoch` names the resets the session has seen.
        Raises StoreUnavailable when the store cannot be reached.
        """
        now = self._clock()
        for rule in self._matching(snapshot, authorized):
            decision = await self._fire_shared(rule, snapshot, now, peer, unfired, shared, epoch)
            if decision is not None:
                return decision
        return None

    def _matching(
        self, snapshot: RequestSnapshot, authorized: Callable[[], bool] | None
    ) -> Iterator[CompiledRule]:
        """The rules matching the request in decision order (defaults only if it is authorized)."""
        passed: bool | None = None
        for rule in self._index().candidates(snapshot):
            if rule.owner is not None and rule.owner != snapshot.session:
                continue
            if not rule.match.matches(snapshot):
                continue
            if rule.group == DEFAULTS_GROUP and authorized is not None:
                passed = authorized() if passed is None else passed
                if not passed:
                    continue  # not counted either: the vendor never got this far
            yield rule

    def _fire(
        self,
        rule: CompiledRule,
        snapshot: RequestSnapshot,
        now: float,
        peer: str | None,
        unfired: list[Unfired] | None = None,
    ) -> Decision | None:
        notes = self._active(rule, now, unfired)
        if notes is None:
            return None
        spec, session = rule.spec, snapshot.session
        state = self._store.counters(rule.key, session)
        seen = state.seen + 1
        if not gate(spec, rule.seed, seen, state.fired):
            self._store.set_counters(rule.key, session, Counters(seen, state.fired), now)
            self._not_fired(rule, seen, state.fired, unfired)
            return None
        rated = None
        if spec.rate_limit is not None:
            rated = self._rate(rule, spec.rate_limit, snapshot, now, peer)
        self._store.set_counters(rule.key, session, Counters(seen, state.fired + 1), now)
        return self._decision(rule, seen, state.fired, notes, rated)

    async def _fire_shared(
        self,
        rule: CompiledRule,
        snapshot: RequestSnapshot,
        now: float,
        peer: str | None,
        unfired: list[Unfired] | None,
        shared: SharedCounting,
        epoch: str,
    ) -> Decision | None:
        if rule.fixed is not None:
            # it fires for every matching request whatever the count, so there is nothing
            # to count across replicas: counted here only, for this replica's hit counts
            return self._fire(rule, snapshot, now, peer, unfired)
        notes = self._active(rule, now, unfired)
        if notes is None:
            return None
        spec, session = rule.spec, snapshot.session
        key = shared.counter_key(rule.key, rule.stamp, session, epoch)
        seen, fired, fires = await shared.count(key, spec, rule.seed)
        # this replica's view, for the admin API's counts and near misses
        self._store.set_counters(rule.key, session, Counters(seen, fired + fires), now)
        if not fires:
            self._not_fired(rule, seen, fired, unfired)
            return None
        rated = None
        if spec.rate_limit is not None:
            limit = spec.rate_limit
            bucket = _bucket(rule.key, limit.key, snapshot, peer)
            counted = await shared.window(bucket, rule.stamp, epoch, now, limit.window, limit.limit)
            rated = _rated(limit, *counted, now)
        return self._decision(rule, seen, fired, notes, rated)

    def _active(
        self, rule: CompiledRule, now: float, unfired: list[Unfired] | None
    ) -> list[str] | None:
        """Notes on the rule's `active` window, or None when the request falls outside it."""
        spec = rule.spec
        if spec.active is None:
            return []
        elapsed = now - rule.loaded_at
        if not spec.active.contains(elapsed):
            if unfired is not None:  # outside the window a request is not counted at all
                window = f"active {window_text(spec.active)}"
                unfired.append(_unfired(rule, window, f"{elapsed:.1f}s after load"))
            return None
        return [f"active {window_text(spec.active)} (at {elapsed:.1f}s)"]

    @staticmethod
    def _not_fired(
        rule: CompiledRule, seen: int, fired: int, unfired: list[Unfired] | None
    ) -> None:
        if unfired is not None:
            unfired.append(_unfired(rule, *unfired_reason(rule.spec, seen, fired)))

    def _decision(
        self,
        rule: CompiledRule,
        seen: int,
        fired: int,
        notes: list[str],
        rated: tuple[Action, RateInfo, bool, str] | None,
    ) -> Decision:
        """What a rule that fires for its `seen`-th request, `fired` times before, does."""
        if rule.fixed is not None and rated is None:
            return rule.fixed
        spec = rule.spec
        notes += fired_notes(spec, rule.seed_label, seen, fired)
        step, note = select_step(spec, rule.steps, rule.then, fired)
        action: Action = step.action()
        rate, limited = None, False
        if rated is not None:
            action, rate, limited, note = rated
        delay = draw_delay(step.delay or spec.delay, rule.seed, seen)
        reason = _reason(rule, [*notes, note] if note else notes)
        outcome = RATE_LIMITED if limited else None
        owned = rule.owner is not None
        # positional (Plan's why-and-when fields): keyword binding cost twice as much
        plan = Plan("passthrough", delay, rule.name, rule.scenario, reason, rate, outcome, owned)
        return Decision(action, plan)

    def _rate(
        self,
        rule: CompiledRule,
        limit: RateLimit,
        snapshot: RequestSnapshot,
        now: float,
        peer: str | None,
    ) -> tuple[Action, RateInfo, bool, str]:
        # sliding log: only accepted requests are kept, so hammering does not extend a penalty
        bucket = _bucket(rule.key, limit.key, snapshot, peer)
        count, oldest = self._store.window(bucket, now - limit.window)
        if count < limit.limit or oldest is None:
            self._store.push_window(bucket, now, limit.window)
            oldest = None
        return _rated(limit, count, oldest, now)

    # ---- introspection ---------------------------------------------------------------------

    def near_misses(
        self,
        snapshot: RequestSnapshot,
        n: int = 3,
        *,
        unfired: Sequence[Unfired] | None = None,
        skip_groups: Collection[str] = (),
    ) -> list[NearMiss[CompiledRule]]:
        """Why no rule decided `snapshot`, best explanation first.

        Rules that matched but whose trigger did not fire come first, then the rules that
        satisfied the most match parts.

        Args:
            snapshot: the request (usually one that got the happy path).
            n: how many to return.
            unfired: the trigger explanations recorded when the request was decided (its
                journal entry's); None explains with the counters as they stand now.
            skip_groups: leave out rules of these groups (e.g. the shipped defaults).

        Returns:
            Near misses, best first; only rules visible to the request's session.
        """
        now = self._clock()
        visible = [
            r
            for r in self._index()
            if r.owner in (None, snapshot.session) and r.group not in skip_groups
        ]
        said = None if unfired is None else {(u.scenario, u.rule): u for u in unfired}
        matched = [
            NearMiss(r, r.match.parts, r.match.parts, (self._trigger(r, snapshot, now, said),))
            for r in visible
            if r.match.matches(snapshot)
        ]
        if said is not None:  # as decided: the rules that matched then come first
            matched.sort(key=lambda m: (m.rule.scenario, m.rule.name) not in said)
        return (matched + rank_near_misses(visible, snapshot, n))[:n]

    def _trigger(
        self,
        rule: CompiledRule,
        snapshot: RequestSnapshot,
        now: float,
        said: Mapping[tuple[str, str], Unfired] | None,
    ) -> Mismatch:
        if said is None:
            return self._trigger_state(rule, snapshot, now)
        told = said.get((rule.scenario, rule.name))
        if told is None:  # it did not match (or exist) when the request was decided
            return Mismatch("trigger", "a match when the request came", "loaded or changed later")
        return Mismatch("trigger", told.expected, told.actual)

    def _trigger_state(self, rule: CompiledRule, snapshot: RequestSnapshot, now: float) -> Mismatch:
        c = self._store.counters(rule.key, snapshot.session)
        expected, actual = idle_reason(rule.spec, c.seen, c.fired, now - rule.loaded_at)
        return Mismatch("trigger", expected, actual)

    def rules(self, session: str | None = None) -> list[RuleInfo]:
        """Loaded rules in decision order, with how often each decided a request.

        Args:
            session: only rules visible to this session, with its hits only (None: all
                rules, hits summed over sessions).

        Returns:
            One entry per rule.
        """
        out = []
        for r in self._index():
            if session is not None and r.owner not in (None, session):
                continue
            hits = self._store.hits(r.key)
            count = sum(hits.values()) if session is None else hits.get(session, 0)
            out.append(
                RuleInfo(
                    r.scenario,
                    r.name,
                    r.owner,
                    r.group,
                    r.spec.priority,
                    r.match.vendor,
                    action_kind(r.spec.action()),
                    count,
                    r.spec.description,
                )
            )
        return out

    # ---- compiling -------------------------------------------------------------------------

    def _index(self) -> RuleIndex[CompiledRule]:
        generation = self._store.generation
        if self._cache is None or self._cache[0] != generation:
            compiled = [r for s in self._store.scenarios() for r in self._compile(s)]
            compiled.sort(key=lambda r: r.order)
            self._cache = (generation, RuleIndex(compiled))
        return self._cache[1]

    def _compile(self, loaded: LoadedScenario) -> list[CompiledRule]:
        scenario = loaded.scenario
        out = []
        for i, (spec, name) in enumerate(zip(scenario.rules, scenario.rule_names(), strict=True)):
            seed, label = _seed(spec, loaded, name)
            rule = CompiledRule(
                key=(loaded.owner, scenario.name, name),
                name=name,
                scenario=scenario.name,
                owner=loaded.owner,
                group=loaded.group,
                spec=spec,
                match=compile_match(spec.match, scenario.vendor),
                steps=spec.steps(),
                then=spec.then or _THEN_DEFAULT,
                loaded_at=loaded.loaded_at,
                seed=seed,
                seed_label=label,
                order=(-spec.priority, loaded.seq, i),
                stamp=loaded.stamp,
            )
            if _alike(spec):
                fixed = replace(self._decision(rule, 1, 0, [], None), reusable=True)
                rule = replace(rule, fixed=fixed)
            out.append(rule)
        return out


# ---- pure helpers --------------------------------------------------------------------------


def _rule_from(data: Mapping[str, Any]) -> Rule:
    try:
        return Rule.model_validate(data)
    except ValidationError as err:
        problems = [
            f"rule{', ' + format_loc(tuple(e['loc'])) if e['loc'] else ''}: {e['msg']}"
            for e in err.errors()
        ]
        raise ScenarioError(problems) from None


def _alike(spec: Rule) -> bool:
    """Whether every firing of the rule decides the same (its Decision can be made once)."""
    varying = (spec.times, spec.after, spec.every, spec.probability, spec.sequence)
    if any(v is not None for v in varying) or spec.rate_limit or spec.active:
        return False
    delays = (spec.delay, *(step.delay for step in spec.steps()))
    return all(d is None or d.min == d.max for d in delays)


def _seed(spec: Rule, loaded: LoadedScenario, name: str) -> tuple[str, str]:
    if spec.seed is not None:
        return str(spec.seed), f"seed {spec.seed}"
    return f"{loaded.salt}:{name}", "unseeded"


def _bucket(rule: RuleKey, key: str, snapshot: RequestSnapshot, peer: str | None) -> BucketKey:
    if key == "rule":
        return BucketKey(rule, None, "", shared=True)
    if key == "ip":
        forwarded = snapshot.headers.get("x-forwarded-for", "").split(",")[0].strip()
        return BucketKey(rule, snapshot.session, peer or forwarded or "unknown")
    if key.startswith("header:"):
        return BucketKey(rule, snapshot.session, snapshot.headers.get(key[7:].lower(), ""))
    return BucketKey(rule, snapshot.session)


def _rated(
    limit: RateLimit, count: int, oldest: float | None, now: float
) -> tuple[Action, RateInfo, bool, str]:
    """A rate limit's verdict: `count` accepted before; `oldest` set when this one is refused."""
    window = math.ceil(limit.window)
    per = f"{limit.limit} per {limit.window:g}s (key {limit.key})"
    if oldest is None:
        info = RateInfo(limit.limit, limit.limit - count - 1, window)
        return PASSTHROUGH, info, False, f"rate limit {count + 1}/{per}"
    retry = max(1, math.ceil(oldest + limit.window - now))
    info = RateInfo(limit.limit, 0, window, retry_after=retry)
    return limit, info, True, f"rate limit {per} exceeded; retry after {retry}s"


def _unfired(rule: CompiledRule, expected: str, actual: str) -> Unfired:
    return Unfired(rule.name, rule.scenario, expected, actual)


def _reason(rule: CompiledRule, notes: list[str]) -> str:
    prio = f" (priority {rule.spec.priority})" if rule.spec.priority else ""
    head = f"rule {rule.name!r} of scenario {rule.scenario!r}{prio}"
    return f"{head}: {', '.join(notes) if notes else 'always'}"
