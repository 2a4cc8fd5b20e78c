"""Pure request matching: compiled matchers, mismatch explanations, near misses, a rule index."""

from __future__ import annotations

import heapq
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Generic, Literal, Protocol, TypeVar

from mockserver.memo import Memo
from mockserver.request.snapshot import RequestSnapshot
from mockserver.scenarios.linear import Pattern, compile_linear, escape
from mockserver.scenarios.matchers import (
    Match,
    PathMatcher,
    ValueMatcher,
    scalar_text,
)

ValueKind = Literal["equals", "contains", "regex", "exists"]
PathKind = Literal["exact", "prefix", "glob", "regex"]
_REGEX_META = frozenset(".^$*+?{}[]|()\\")
_QUANTIFIERS = frozenset("*+?{")


@dataclass(frozen=True, slots=True)
class ValueTest:
    """One compiled value matcher."""

    kind: ValueKind
    text: str = ""
    pattern: Pattern | None = None
    want: bool = True

    def test(self, value: str | None) -> bool:
        """Whether `value` (None: absent) satisfies the matcher."""
        if value is None:
            return self.kind == "exists" and not self.want
        if self.kind == "equals":
            return value == self.text
        if self.kind == "contains":
            return self.text in value
        if self.pattern is not None:
            return self.pattern.search(value) is not None
        return self.want

    def test_any(self, values: Sequence[str]) -> bool:
        """Whether any of a repeated parameter's values satisfies the matcher."""
        if not values:
            return self.test(None)
        return any(self.test(v) for v in values)

    def describe(self) -> str:
        """How the expectation reads in a mismatch."""
        if self.kind == "exists":
            return "present" if self.want else "absent"
        return f"{self.kind} {self.text!r}"


@dataclass(frozen=True, slots=True)
class PathTest:
    """The compiled path matcher, with the literal text every matching path starts with."""

    kind: PathKind
    text: str
    pattern: Pattern | None
    anchor: str

    def test(self, path: str) -> bool:
        """Whether `path` satisfies the matcher."""
        if self.kind == "exact":
            return path == self.text
        if self.kind == "prefix":
            return path.startswith(self.text)
        return self.pattern is not None and self.pattern.fullmatch(path) is not None

    def describe(self) -> str:
        """How the expectation reads in a mismatch."""
        return f"{self.kind} {self.text!r}"


@dataclass(frozen=True, slots=True)
class Mismatch:
    """One part of a rule's match that a request did not satisfy."""

    part: str
    expected: str
    actual: str | None

    def __str__(self) -> str:
        got = "nothing" if self.actual is None else repr(self.actual)
        return f"{self.part}: expected {self.expected} got {got}"


@dataclass(frozen=True, slots=True)
class Unfired:
    """A rule whose match held but whose trigger did not fire, explained when decided."""

    rule: str
    scenario: str
    expected: str
    actual: str

    def __str__(self) -> str:
        return f"rule {self.rule!r} matched; not fired: {self.expected} ({self.actual})"


@dataclass(frozen=True, slots=True)
class CompiledMatch:
    """A rule's match with every regex compiled and every name normalised."""

    vendor: str | None = None
    methods: frozenset[str] | None = None
    path: PathTest | None = None
    session: str | None = None
    query: tuple[tuple[str, ValueTest], ...] = ()
    headers: tuple[tuple[str, ValueTest], ...] = ()
    form: tuple[tuple[str, ValueTest], ...] = ()
    body: tuple[tuple[str, tuple[str, ...], ValueTest], ...] = ()

    @property
    def parts(self) -> int:
        """How many separate conditions this match has (for near-miss ranking)."""
        fixed = (self.vendor, self.methods, self.path, self.session)
        named = len(self.query) + len(self.headers) + len(self.form) + len(self.body)
        return sum(x is not None for x in fixed) + named

    def matches(self, s: RequestSnapshot) -> bool:
        """Whether every condition holds; cheap checks first, the JSON body last."""
        if self.vendor is not None and s.vendor != self.vendor:
            return False
        if self.methods is not None and s.method not in self.methods:
            return False
        if self.path is not None and not self.path.test(s.path):
            return False
        if self.session is not None and s.session != self.session:
            return False
        # most rules have none of these; testing the tuple first skips a generator each
        if self.headers and not all(t.test(s.headers.get(n)) for n, t in self.headers):
            return False
        if self.query and not all(t.test_any(_values(s.query_all, n)) for n, t in self.query):
            return False
        if self.form and not all(t.test_any(_values(s.form_all, n)) for n, t in self.form):
            return False
        return not self.body or all(t.test(body_value(s, segs)) for _, segs, t in self.body)

    def explain(self, s: RequestSnapshot) -> list[Mismatch]:
        """Every condition the request fails, in the order they are listed."""
        out: list[Mismatch] = []
        if self.vendor is not None and s.vendor != self.vendor:
            out.append(Mismatch("vendor", repr(self.vendor), s.vendor))
        if self.methods is not None and s.method not in self.methods:
            out.append(Mismatch("method", " or ".join(sorted(self.methods)), s.method))
        if self.path is not None and not self.path.test(s.path):
            out.append(Mismatch("path", self.path.describe(), s.path))
        if self.session is not None and s.session != self.session:
            out.append(Mismatch("session", repr(self.session), s.session))
        out += _explain_named("query", self.query, s.query_all)
        out += [
            Mismatch(f"headers.{n}", t.describe(), s.headers.get(n))
            for n, t in self.headers
            if not t.test(s.headers.get(n))
        ]
        out += _explain_named("form", self.form, s.form_all)
        for dotted, segs, test in self.body:
            value = body_value(s, segs)
            if not test.test(value):
                out.append(Mismatch(f"body.{dotted}", test.describe(), value))
        return out


def _values(pairs: Sequence[tuple[str, str]], name: str) -> list[str]:
    return [v for k, v in pairs if k == name]


def _explain_named(
    part: str, tests: Sequence[tuple[str, ValueTest]], pairs: Sequence[tuple[str, str]]
) -> list[Mismatch]:
    out = []
    for name, test in tests:
        values = _values(pairs, name)
        if not test.test_any(values):
            out.append(Mismatch(f"{part}.{name}", test.describe(), ", ".join(values) or None))
    return out


def body_value(s: RequestSnapshot, segments: Sequence[str]) -> str | None:
    """The JSON body value at a dotted path, as text; None when the body or path is missing."""
    if not s.json_valid:
        return None
    data: Any = s.json
    for seg in segments:
        if isinstance(data, dict):
            if seg not in data:
                return None
            data = data[seg]
        elif isinstance(data, list) and _is_index(seg) and -len(data) <= int(seg) < len(data):
            data = data[int(seg)]
        else:
            return None
    return scalar_text(data)


def _is_index(seg: str) -> bool:
    return seg.lstrip("-").isdigit() and seg.count("-") <= 1


# ---- compiling -----------------------------------------------------------------------------


def compile_value(m: ValueMatcher) -> ValueTest:
    """Compile one value matcher (its regex was already checked by the model)."""
    if m.regex is not None:
        return ValueTest("regex", m.regex, compile_linear(m.regex))
    if m.exists is not None:
        return ValueTest("exists", want=m.exists)
    if m.contains is not None:
        return ValueTest("contains", m.contains)
    return ValueTest("equals", m.equals or "")


def glob_regex(glob: str) -> str:
    """Translate a path glob: `**` any text, `*` any text within a segment, `?` one char."""
    out = []
    i = 0
    while i < len(glob):
        if glob.startswith("**", i):
            out.append(".*")
            i += 2
            continue
        char = glob[i]
        out.append("[^/]*" if char == "*" else "[^/]" if char == "?" else escape(char))
        i += 1
    return "".join(out)


def regex_literal_prefix(pattern: str) -> str:
    """Text every full match of `pattern` starts with; conservative (may return less)."""
    if "|" in pattern:
        return ""  # an alternation can start anywhere
    out: list[str] = []
    i = 1 if pattern.startswith("^") else 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            nxt = pattern[i + 1 : i + 2]
            if not nxt or nxt.isalnum():
                break  # classes (\d, \w) and anchors (\A, \b) are not literal
            out.append(nxt)
            i += 2
        elif char in _REGEX_META:
            if char in _QUANTIFIERS and out:
                out.pop()  # the last literal is optional or repeated
            break
        else:
            out.append(char)
            i += 1
    return "".join(out)


def compile_path(m: PathMatcher) -> PathTest:
    """Compile a path matcher and work out the literal text its matches start with."""
    if m.exact is not None:
        return PathTest("exact", m.exact, None, m.exact)
    if m.prefix is not None:
        return PathTest("prefix", m.prefix, None, _to_slash(m.prefix))
    if m.glob is not None:
        literal = re.split(r"[*?]", m.glob, maxsplit=1)[0]
        return PathTest("glob", m.glob, compile_linear(glob_regex(m.glob)), _to_slash(literal))
    regex = m.regex or ""
    return PathTest("regex", regex, compile_linear(regex), _to_slash(regex_literal_prefix(regex)))


def _to_slash(literal: str) -> str:
    # index keys end at a "/" so a request's keys are simply its path prefixes up to each "/"
    return literal[: literal.rfind("/") + 1]


def compile_match(m: Match, vendor: str | None = None, session: str | None = None) -> CompiledMatch:
    """Compile a rule's match; `vendor` is the scenario default, `session` an extra condition.

    Args:
        m: the match as written.
        vendor: used when the match names no vendor.
        session: used when the match names no session.

    Returns:
        The compiled match, ready for `matches`/`explain`.
    """
    return CompiledMatch(
        vendor=m.vendor or vendor,
        methods=frozenset(m.method) if m.method else None,
        path=compile_path(m.path) if m.path else None,
        session=m.session or session,
        query=tuple((n, compile_value(v)) for n, v in m.query.items()),
        headers=tuple((n.lower(), compile_value(v)) for n, v in m.headers.items()),
        form=tuple((n, compile_value(v)) for n, v in m.form.items()),
        body=tuple((d, tuple(d.split(".")), compile_value(v)) for d, v in m.body.items()),
    )


# ---- rules ---------------------------------------------------------------------------------


class HasMatch(Protocol):
    """Anything carrying a compiled match (the engine's compiled rules)."""

    @property
    def match(self) -> CompiledMatch:
        """The rule's compiled match."""


R = TypeVar("R", bound=HasMatch)


@dataclass(frozen=True, slots=True)
class NearMiss(Generic[R]):
    """A rule that almost matched: how many parts held and which did not."""

    rule: R
    satisfied: int
    total: int
    mismatches: tuple[Mismatch, ...]


def matches(rule: HasMatch, snapshot: RequestSnapshot) -> bool:
    """Whether `snapshot` satisfies every part of the rule's match."""
    return rule.match.matches(snapshot)


def explain(rule: HasMatch, snapshot: RequestSnapshot) -> list[Mismatch]:
    """Which parts of the rule's match `snapshot` fails; empty when it matches."""
    return rule.match.explain(snapshot)


def near_misses(rules: Iterable[R], snapshot: RequestSnapshot, n: int = 3) -> list[NearMiss[R]]:
    """The `n` non-matching rules that satisfied the most parts (ties keep rule order).

    Args:
        rules: candidate rules, in priority order.
        snapshot: the request that matched none of them.
        n: how many to return.

    Returns:
        Near misses, best first; rules satisfying no part at all are left out.
    """
    ranked: list[tuple[int, int, int, NearMiss[R]]] = []
    for position, rule in enumerate(rules):
        found = rule.match.explain(snapshot)
        total = rule.match.parts
        satisfied = total - len(found)
        if found and satisfied > 0:
            miss = NearMiss(rule, satisfied, total, tuple(found))
            ranked.append((-satisfied, len(found), position, miss))
    ranked.sort(key=lambda item: item[:3])
    return [item[3] for item in ranked[:n]]


# ---- index ---------------------------------------------------------------------------------

Probe = tuple[str, str, tuple[str, ...]]
"""Where a discriminating value is read: (part, name, body path segments)."""


def discriminator(m: CompiledMatch) -> tuple[Probe, str] | None:
    """The match's first `equals` condition on a named value, used to index rules by value."""
    for part, tests in (("headers", m.headers), ("query", m.query), ("form", m.form)):
        for name, test in tests:
            if test.kind == "equals":
                return (part, name, ()), test.text
    for dotted, segs, test in m.body:
        if test.kind == "equals":
            return ("body", dotted, segs), test.text
    return None


def probe_values(probe: Probe, s: RequestSnapshot) -> set[str]:
    """The request's values at a probe (several for a repeated query or form key)."""
    part, name, segs = probe
    if part == "headers":
        found = s.headers.get(name)
    elif part == "body":
        found = body_value(s, segs)
    else:
        return set(_values(s.query_all if part == "query" else s.form_all, name))
    return set() if found is None else {found}


@dataclass(frozen=True, slots=True)
class _Bucket:
    exact: dict[str, tuple[int, ...]]
    anchored: dict[str, tuple[int, ...]]


@dataclass(frozen=True, slots=True)
class _Keyed:
    """The rules of a slice discriminated by one probe, by value; `first` is the lowest position."""

    first: int
    probe: Probe
    table: dict[str, tuple[int, ...]]


@dataclass(frozen=True, slots=True)
class _Slice:
    """The rules that fit one (vendor, method, path), split by discriminating value.

    `keyed` is ordered by `first`, the order in which a lazy merge needs their probes.
    """

    plain: tuple[int, ...]
    keyed: tuple[_Keyed, ...]


class RuleIndex(Generic[R]):
    """Rules bucketed by vendor, method, the literal start of their path, and one value.

    A lookup touches only rules that could match: those of the request's vendor (or any),
    method (or any), whose exact path or literal path start fits the request's path, and
    whose first `equals` condition (on a header, query, form or body value) holds. Order is
    preserved: candidates come out in the order the rules were given.
    """

    def __init__(self, rules: Sequence[R]) -> None:
        """Build the index once; `rules` must already be in priority order."""
        self._rules = tuple(rules)
        self._keys = tuple(discriminator(r.match) for r in rules)
        self._vendors = frozenset(r.match.vendor for r in rules if r.match.vendor is not None)
        self._methods = frozenset(m for r in rules for m in (r.match.methods or ()))
        self._buckets = {
            (v, m): self._bucket(v, m)
            for v in (*self._vendors, None)
            for m in (*self._methods, None)
        }
        # memo of per-path slices: derived data, rebuilt on demand, so dropping it is safe
        self._memo: Memo[tuple[str | None, str | None, str], _Slice] = Memo()

    def __len__(self) -> int:
        return len(self._rules)

    def __iter__(self) -> Iterator[R]:
        return iter(self._rules)

    def _bucket(self, vendor: str | None, method: str | None) -> _Bucket:
        exact: dict[str, list[int]] = {}
        anchored: dict[str, list[int]] = {}
        for i, rule in enumerate(self._rules):
            m = rule.match
            if m.vendor not in (None, vendor) or (
                m.methods is not None and method not in m.methods
            ):
                continue
            if m.path is not None and m.path.kind == "exact":
                exact.setdefault(m.path.text, []).append(i)
            else:
                anchored.setdefault(m.path.anchor if m.path else "", []).append(i)
        return _Bucket(
            {k: tuple(v) for k, v in exact.items()}, {k: tuple(v) for k, v in anchored.items()}
        )

    def candidates(self, snapshot: RequestSnapshot) -> Iterator[R]:
        """Rules that may match `snapshot`, in order (each still has to be tested)."""
        part = self._slice(snapshot)
        if not part.keyed:
            return map(self._rules.__getitem__, part.plain)
        return map(self._rules.__getitem__, _merge(part, snapshot))

    def _slice(self, s: RequestSnapshot) -> _Slice:
        vendor = s.vendor if s.vendor in self._vendors else None
        method = s.method if s.method in self._methods else None
        return self._memo.get((vendor, method, s.path), self._slice_of, vendor, method, s.path)

    def _slice_of(self, vendor: str | None, method: str | None, path: str) -> _Slice:
        return self._split(self._path_positions(self._buckets[(vendor, method)], path))

    def _path_positions(self, bucket: _Bucket, path: str) -> list[int]:
        lists = [bucket.exact.get(path, ()), bucket.anchored.get("", ())]
        start = path.find("/")
        while start != -1:
            lists.append(bucket.anchored.get(path[: start + 1], ()))
            start = path.find("/", start + 1)
        return sorted(i for positions in lists for i in positions)

    def _split(self, positions: list[int]) -> _Slice:
        plain: list[int] = []
        keyed: dict[Probe, dict[str, list[int]]] = {}
        for i in positions:
            key = self._keys[i]
            if key is None:
                plain.append(i)
            else:
                keyed.setdefault(key[0], {}).setdefault(key[1], []).append(i)
        tables = [
            _Keyed(min(i for p in table.values() for i in p), probe, _frozen(table))
            for probe, table in keyed.items()
        ]
        return _Slice(tuple(plain), tuple(sorted(tables, key=lambda k: k.first)))


def _frozen(table: dict[str, list[int]]) -> dict[str, tuple[int, ...]]:
    return {v: tuple(p) for v, p in table.items()}


def _merge(part: _Slice, snapshot: RequestSnapshot) -> Iterator[int]:
    """Positions of a slice's candidates in order, reading each probe only when it is due.

    A keyed table's probe (a JSON body path, say) is read once the merge reaches the first
    position the table could yield, so rules that decide before it spare the parse. Each
    rule sits in exactly one source, so nothing is yielded twice.
    """
    heap: list[tuple[int, int, Iterator[int]]] = []
    sources = 0
    waiting = iter(part.keyed)
    due = next(waiting, None)
    if part.plain:
        heap.append((part.plain[0], sources, iter(part.plain[1:])))
        sources += 1
    while True:
        while due is not None and (not heap or due.first <= heap[0][0]):
            for value in probe_values(due.probe, snapshot):
                found = due.table.get(value)
                if found:
                    heapq.heappush(heap, (found[0], sources, iter(found[1:])))
                    sources += 1
            due = next(waiting, None)
        if not heap:
            return
        position, source, rest = heap[0]
        yield position
        following = next(rest, None)
        if following is None:
            heapq.heappop(heap)
        else:
            heapq.heapreplace(heap, (following, source, rest))
