"""Matching: every matcher kind, explanations, near misses and the rule index."""

from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mockserver.request.snapshot import RequestSnapshot
from mockserver.scenarios.matchers import Match
from mockserver.scenarios.matching import (
    CompiledMatch,
    RuleIndex,
    compile_match,
    explain,
    glob_regex,
    matches,
    near_misses,
    regex_literal_prefix,
)

SMS = "/restapi/v1.0/account/~/extension/~/sms"


@dataclass(frozen=True)
class R:
    """A minimal rule for the pure functions: a name and a compiled match."""

    name: str
    match: CompiledMatch


def rule(name: str = "r", **match: Any) -> R:
    return R(name, compile_match(Match.model_validate(match)))


def snap(
    method: str = "POST",
    path: str = SMS,
    *,
    vendor: str = "ringcentral",
    query: list[tuple[str, str]] | None = None,
    headers: dict[str, str] | None = None,
    body: Any = None,
    form: str | None = None,
    session: str | None = None,
) -> RequestSnapshot:
    hdrs = dict(headers or {})
    raw = b""
    if body is not None:
        raw = json.dumps(body).encode()
        hdrs.setdefault("Content-Type", "application/json")
    if form is not None:
        raw = form.encode()
        hdrs["Content-Type"] = "application/x-www-form-urlencoded"
    return RequestSnapshot(
        vendor=vendor,
        method=method,
        path=path,
        query=query,
        headers=hdrs,
        body=raw,
        session=session,
    )


# ---- path ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "request_path", "expected"),
    [
        (SMS, SMS, True),
        (SMS, SMS + "/", False),
        ({"exact": SMS}, SMS, True),
        ({"prefix": "/restapi/v1.0/account"}, SMS, True),
        ({"prefix": "/restapi/v1.0/account"}, "/restapi/oauth/token", False),
        ({"glob": "/restapi/v1.0/account/*/extension/*/sms"}, SMS, True),
        ({"glob": "/restapi/v1.0/account/*/sms"}, SMS, False),  # * stays in one segment
        ({"glob": "/restapi/**/sms"}, SMS, True),
        ({"glob": "/restapi/v1.?/account/**"}, SMS, True),
        ({"regex": r"/restapi/v1\.0/account/[^/]+/extension/[^/]+/sms"}, SMS, True),
        ({"regex": r"/restapi/v1\.0"}, SMS, False),  # a path regex must match all of it
    ],
)
def test_path_kinds(path: Any, request_path: str, expected: bool) -> None:
    assert matches(rule(path=path), snap(path=request_path)) is expected


def test_vendor_and_method() -> None:
    r = rule(vendor="ringcentral", method=["post", "PUT"])
    assert matches(r, snap("POST"))
    assert matches(r, snap("put"))
    assert not matches(r, snap("GET"))
    assert not matches(r, snap("POST", vendor="signalwire"))


def test_vendor_default_comes_from_scenario() -> None:
    compiled = compile_match(Match(), vendor="yeastar")
    assert not compiled.matches(snap())
    assert compiled.matches(snap(vendor="yeastar"))


# ---- value matchers ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("matcher", "value", "expected"),
    [
        ("abc", "abc", True),
        ("abc", "abcd", False),
        (5, "5", True),  # scalars compare as text
        (True, "true", True),
        ({"equals": "x"}, "x", True),
        ({"contains": "bc"}, "abcd", True),
        ({"contains": "zz"}, "abcd", False),
        ({"regex": r"^\+1555"}, "+15551234", True),
        ({"regex": "555"}, "+15551234", True),  # a value regex searches
        ({"regex": "^555"}, "+15551234", False),
        ({"exists": True}, "", True),
        ({"exists": True}, None, False),
        ({"exists": False}, None, True),
        ({"exists": False}, "x", False),
        ({"equals": "x"}, None, False),
    ],
)
def test_value_matchers_on_query(matcher: Any, value: str | None, expected: bool) -> None:
    query = [] if value is None else [("to", value)]
    assert matches(rule(query={"to": matcher}), snap(query=query)) is expected


def test_repeated_query_values_any_may_match() -> None:
    r = rule(query={"to": "+2"})
    assert matches(r, snap(query=[("to", "+1"), ("to", "+2")]))


def test_headers_are_case_insensitive() -> None:
    r = rule(headers={"X-Test-Case": {"regex": "^rate"}})
    assert matches(r, snap(headers={"x-test-case": "rate-limit"}))
    assert not matches(r, snap(headers={"X-Other": "rate-limit"}))


def test_form_fields() -> None:
    r = rule(form={"grant_type": "password", "username": {"exists": True}})
    assert matches(r, snap(form="grant_type=password&username=bob"))
    assert not matches(r, snap(form="grant_type=refresh_token&username=bob"))
    assert not matches(r, snap(body={"grant_type": "password", "username": "bob"}))


def test_body_dotted_paths_and_indexes() -> None:
    body = {"to": [{"phoneNumber": "+15550001"}, {"phoneNumber": "+15550002"}], "text": "hi"}
    assert matches(rule(body={"to.0.phoneNumber": "+15550001"}), snap(body=body))
    assert matches(rule(body={"to.-1.phoneNumber": "+15550002"}), snap(body=body))
    assert not matches(rule(body={"to.2.phoneNumber": {"exists": True}}), snap(body=body))
    assert matches(rule(body={"to.2.phoneNumber": {"exists": False}}), snap(body=body))
    assert matches(rule(body={"text": {"contains": "h"}}), snap(body=body))
    assert not matches(rule(body={"text.x": {"exists": True}}), snap(body=body))


def test_body_scalars_compare_as_json_text() -> None:
    body = {"flag": True, "n": 3, "none": None, "obj": {"a": 1}}
    assert matches(rule(body={"flag": True, "n": 3, "none": "null"}), snap(body=body))
    assert matches(rule(body={"obj": {"contains": '"a":1'}}), snap(body=body))


def test_body_matchers_need_json() -> None:
    r = rule(body={"text": {"exists": False}})
    assert matches(r, snap())  # no body: absent
    assert matches(r, RequestSnapshot(vendor="ringcentral", method="POST", path=SMS, body=b"{no"))


def test_session_condition() -> None:
    r = rule(session="t1")
    assert matches(r, snap(session="t1"))
    assert not matches(r, snap(session="t2"))
    assert not matches(r, snap())


def test_empty_match_matches_everything() -> None:
    assert matches(rule(), snap("DELETE", "/anything", vendor="yeastar"))


# ---- explanations and near misses ----------------------------------------------------------


def test_explain_names_each_failed_part() -> None:
    r = rule(method="POST", path={"prefix": "/restapi/v1.0/account"}, query={"a": "1"})
    found = [str(m) for m in explain(r, snap("GET", "/restapi/oauth/token"))]
    assert found == [
        "method: expected POST got 'GET'",
        "path: expected prefix '/restapi/v1.0/account' got '/restapi/oauth/token'",
        "query.a: expected equals '1' got nothing",
    ]
    assert explain(r, snap("POST", SMS, query=[("a", "1")])) == []


def test_explain_body_and_headers() -> None:
    r = rule(body={"to.0.phoneNumber": "+1"}, headers={"x-a": {"exists": True}})
    found = [str(m) for m in explain(r, snap(body={"to": [{"phoneNumber": "+2"}]}))]
    assert found == [
        "headers.x-a: expected present got nothing",
        "body.to.0.phoneNumber: expected equals '+1' got '+2'",
    ]


def test_near_misses_rank_by_parts_satisfied() -> None:
    rules = [
        rule("far", vendor="signalwire", method="GET"),
        rule("close", vendor="ringcentral", method="POST", path="/restapi/v1.0/other"),
        rule("closer", vendor="ringcentral", method="POST", path=SMS, query={"x": "1"}, form={}),
        rule("hit", vendor="ringcentral"),
        rule("nothing", vendor="yeastar"),
    ]
    found = near_misses(rules, snap(), n=3)
    assert [m.rule.name for m in found] == ["closer", "close"]
    assert found[0].satisfied == 3
    assert found[0].total == 4
    assert [str(m) for m in found[0].mismatches] == ["query.x: expected equals '1' got nothing"]
    assert len(near_misses(rules, snap(), n=1)) == 1


# ---- compiling helpers ---------------------------------------------------------------------


def test_glob_translation() -> None:
    assert re.fullmatch(glob_regex("/a/*/c"), "/a/b/c")
    assert not re.fullmatch(glob_regex("/a/*/c"), "/a/b/x/c")
    assert re.fullmatch(glob_regex("/a/**/c"), "/a/b/x/c")
    assert re.fullmatch(glob_regex("/a.b?"), "/a.bc")
    assert not re.fullmatch(glob_regex("/a.b"), "/axb")


@pytest.mark.parametrize(
    ("pattern", "prefix"),
    [
        (r"/restapi/v1\.0/account/.*", "/restapi/v1.0/account/"),
        (r"^/abc", "/abc"),
        (r"/abc?", "/ab"),
        (r"/ab{2}", "/a"),
        (r"/a|/b", ""),
        (r"(?i)/abc", ""),
        (r"\d+", ""),
        (r"/x\/y", "/x/y"),
    ],
)
def test_regex_literal_prefix(pattern: str, prefix: str) -> None:
    assert regex_literal_prefix(pattern) == prefix


@pytest.mark.filterwarnings("ignore::FutureWarning")
@given(
    st.from_regex(r"[/a-c.?*+|()\\\[\]{}2^]{0,12}", fullmatch=True), st.text("/abc.", max_size=12)
)
def test_regex_literal_prefix_is_sound(pattern: str, path: str) -> None:
    try:
        compiled = re.compile(pattern)
    except re.error:
        return
    if compiled.fullmatch(path):
        assert path.startswith(regex_literal_prefix(pattern))


# ---- index ---------------------------------------------------------------------------------


def _random_match(rng: random.Random) -> dict[str, Any]:
    segs = ["/a", "/a/b", "/a/b/c", "/x", "/a/bc"]
    match: dict[str, Any] = {}
    if rng.random() < 0.7:
        match["vendor"] = rng.choice(["ringcentral", "yeastar"])
    if rng.random() < 0.6:
        match["method"] = rng.sample(["GET", "POST", "PUT"], rng.randint(1, 2))
    kind = rng.choice(["none", "exact", "prefix", "glob", "regex"])
    seg = rng.choice(segs)
    if kind == "exact":
        match["path"] = seg
    elif kind == "prefix":
        match["path"] = {"prefix": seg[: rng.randint(1, len(seg))]}
    elif kind == "glob":
        match["path"] = {"glob": seg + rng.choice(["/*", "*", "/**", "?"])}
    elif kind == "regex":
        match["path"] = {"regex": re.escape(seg) + rng.choice([".*", "(/c)?", "|/x"])}
    # a discriminating value, so rules land in the index's keyed tables too
    where = rng.choice(["", "", "headers", "body", "query"])
    if where == "headers":
        match["headers"] = {"X-Case": rng.choice("ab")}
    elif where == "body":
        match["body"] = {"to.0": rng.choice("ab")}
    elif where == "query":
        match["query"] = {"q": rng.choice("ab")}
    return match


def test_index_returns_exactly_the_matching_rules_in_order() -> None:
    rng = random.Random(7)
    rules = [rule(f"r{i}", **_random_match(rng)) for i in range(300)]
    index = RuleIndex(rules)
    assert len(index) == 300
    for _ in range(400):
        s = snap(
            rng.choice(["GET", "POST", "PUT", "DELETE"]),
            rng.choice(["/a", "/a/b", "/a/b/c", "/x", "/a/bc", "/", "/a/b/c/d", "/q"]),
            vendor=rng.choice(["ringcentral", "yeastar", "signalwire"]),
            headers={"X-Case": rng.choice("abc")},
            body={"to": [rng.choice("abc")]},
            query=[("q", v) for v in rng.sample("abc", rng.randint(0, 2))],
        )
        expected = [r.name for r in rules if r.match.matches(s)]
        got = [r.name for r in index.candidates(s) if r.match.matches(s)]
        assert got == expected


def test_index_reads_a_body_only_when_a_rule_reading_it_is_due() -> None:
    rules = [rule("header", headers={"X-Case": "a"}), rule("body", body={"to.0": "a"})]
    index = RuleIndex(rules)
    s = snap(headers={"X-Case": "a"}, body={"to": ["a"]})
    found = index.candidates(s)
    assert next(found).name == "header"
    assert "_json" not in vars(s)  # the header rule decided: the body was never parsed
    assert [r.name for r in found] == ["body"]
    assert "_json" in vars(s)


def test_index_skips_rules_that_cannot_match() -> None:
    rules = [rule(f"p{i}", vendor="ringcentral", method="POST", path=f"/p/{i}") for i in range(500)]
    rules += [rule("any", path={"prefix": "/q/"})]
    index = RuleIndex(rules)
    assert [r.name for r in index.candidates(snap("POST", "/p/42"))] == ["p42"]
    assert [r.name for r in index.candidates(snap("POST", "/q/1"))] == ["any"]
    assert list(index.candidates(snap("GET", "/p/42"))) == []
