"""The scenario loader: YAML/JSON/multi-document input, file:line errors, fuzzing."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mockserver.catalog import Catalog
from mockserver.scenarios import ScenarioError, load_path, load_text, validate_paths
from mockserver.scenarios.model import ErrorAction, Scenario

SMS = "/restapi/v1.0/account/~/extension/~/sms"


def yaml_text(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def error_of(text: str, source: str = "s.yaml", catalog: Catalog | None = None) -> str:
    with pytest.raises(ScenarioError) as info:
        load_text(yaml_text(text), source, catalog)
    return str(info.value)


# ---- shapes of a file ----------------------------------------------------------------------


def test_one_scenario() -> None:
    (s,) = load_text("name: a\nvendor: ringcentral\nrules:\n  - error: CMN-301\n")
    assert s.name == "a"
    assert s.rules[0].error == ErrorAction(code="CMN-301")


def test_a_list_and_a_multi_document_stream() -> None:
    listed = load_text(
        "- {name: a, rules: [{passthrough: true}]}\n- {name: b, rules: [{passthrough: true}]}\n"
    )
    assert [s.name for s in listed] == ["a", "b"]
    stream = load_text(
        "name: a\nrules: [{passthrough: true}]\n---\n---\nname: b\nrules: [{passthrough: true}]\n"
    )
    assert [s.name for s in stream] == ["a", "b"]


def test_passthrough_shorthand_in_rules_list_is_a_step_only() -> None:
    # `passthrough` as a bare string is a sequence-step shorthand, not a rule
    assert "expected a mapping" in error_of("name: a\nrules: [passthrough]\n")


def test_json_with_tabs() -> None:
    text = '{\n\t"name": "j",\n\t"vendor": "ringcentral",\n\t"rules": [{"error": "CMN-301"}]\n}'
    (s,) = load_text(text, "j.json")
    assert s.name == "j"


def test_json_errors_name_their_line() -> None:
    with pytest.raises(ScenarioError, match=r"^j\.json:3: not valid JSON"):
        load_text('{\n "name": "j",\n "rules": [,]\n}', "j.json")


def test_json_validation_errors_name_their_line() -> None:
    text = '{\n\t"name": "j",\n\t"rules": [\n\t\t{"fault": "nope"}\n\t]\n}'
    with pytest.raises(ScenarioError, match=r"^j\.json:4: scenario 'j', rules\[0\]\.fault"):
        load_text(text, "j.json")


@pytest.mark.parametrize("text", ["", "# only a comment\n", "---\n...\n"])
def test_empty_text_is_refused(text: str) -> None:
    # an empty file is almost always a mistake (a truncated copy, a wrong path)
    with pytest.raises(ScenarioError) as raised:
        load_text(text, source="s.yaml")
    assert raised.value.problems == ("s.yaml:1: file is empty: no scenario in it",)


def test_merge_keys_and_anchors_work() -> None:
    text = """
    name: a
    vendor: ringcentral
    rules:
      - &base
        match: {method: POST}
        error: CMN-301
      - <<: *base
        name: other
        times: 2
    """
    (s,) = load_text(yaml_text(text))
    assert s.rules[1].times == 2
    assert s.rules[1].match.method == ("POST",)


# ---- errors name file and line -------------------------------------------------------------


def test_bad_regex_on_line_7() -> None:
    text = """
    # the regex below never closes its group
    name: sms
    vendor: ringcentral
    rules:
      - match:
          path:
            regex: "(unclosed"
        error: CMN-301
    """
    message = error_of(text)
    assert message.startswith("s.yaml:7: scenario 'sms', rules[0].match.path.regex: invalid regex")


def test_unknown_key_suggests_the_right_one() -> None:
    text = """
    name: sms
    rules:
      - passthrough: true
        priorty: 2
    """
    assert error_of(text) == (
        "s.yaml:4: scenario 'sms', rules[0].priorty: unknown key 'priorty' "
        "(did you mean 'priority'?)"
    )


def test_unknown_key_lists_allowed_keys() -> None:
    message = error_of("name: a\nrules:\n  - passthrough: true\n    match: {zzz: 1}\n")
    assert "s.yaml:4:" in message
    assert "unknown key 'zzz' (allowed: vendor, method, path, query" in message


def test_missing_key_points_at_its_mapping() -> None:
    assert error_of("description: x\nrules:\n  - passthrough: true\n") == (
        "s.yaml:1: scenario, name: missing required key 'name'"
    )


def test_yaml_syntax_errors_have_lines() -> None:
    message = error_of("name: a\nrules:\n  - passthrough: true\n   bad: [\n")
    assert message.startswith("s.yaml:")
    assert "not valid YAML" in message


def test_duplicate_keys_are_rejected() -> None:
    assert error_of("name: a\nrules: [{passthrough: true}]\nname: b\n") == (
        "s.yaml:3: duplicate key 'name' (first on line 1)"
    )


def test_duplicate_scenario_names() -> None:
    message = error_of(
        "- {name: a, rules: [{passthrough: true}]}\n- {name: a, rules: [{passthrough: true}]}"
    )
    assert message == "s.yaml:2: scenario name 'a' repeats line 1"


def test_every_problem_is_reported() -> None:
    text = """
    name: many
    rules:
      - fault: nope
      - error: X
        fault: reset
      - delay: [2, 1]
        passthrough: true
    """
    with pytest.raises(ScenarioError) as info:
        load_text(yaml_text(text), "m.yaml")
    lines = [p.split(":")[1] for p in info.value.problems]
    assert lines == ["3", "4", "6"]


@pytest.mark.parametrize(
    ("rule", "fragment"),
    [
        ("{probability: 1.5, passthrough: true}", "less than or equal to 1"),
        ("{times: 0, passthrough: true}", "greater than or equal to 1"),
        ("{after: -1, passthrough: true}", "greater than or equal to 0"),
        ("{every: 0, passthrough: true}", "greater than or equal to 1"),
        ("{passthrough: false}", "Input should be True"),
        (
            "{}",
            "needs exactly one of error, fault, respond, passthrough, callback, sequence, rate_limit",
        ),
        ("{then: passthrough, passthrough: true}", "then and cycle only apply to a sequence"),
        ("{sequence: [passthrough], cycle: true, then: passthrough}", "never reaches then"),
        ("{sequence: []}", "at least one step"),
        ("{fault: {type: reset, chunk: 3}}", "fault reset takes no chunk"),
        (
            "{rate_limit: {limit: 1, window: 1, key: cookie}}",
            "expected session, ip, rule or header",
        ),
        ("{delay: .inf, passthrough: true}", "finite number"),
        ("{delay: [1, 2, 3], passthrough: true}", "[min, max]"),
        ("{active: {from: 5, until: 2}, passthrough: true}", "ends (2.0) before it starts"),
        ("{match: {path: relative}, passthrough: true}", "start with '/'"),
        ("{match: {method: [GET, 'no such']}, passthrough: true}", "not an HTTP method"),
        ("{match: {query: {a: null}}, passthrough: true}", "use {exists: false}"),
        ("{match: {query: {a: {equals: x, contains: y}}}, passthrough: true}", "exactly one"),
        ("{match: {body: {'a..b': 1}}, passthrough: true}", "empty segment"),
        ("{match: {headers: {X-A: 1, x-a: 2}}, passthrough: true}", "case-insensitive"),
    ],
)
def test_validation_messages(rule: str, fragment: str) -> None:
    message = error_of(f"name: v\nrules:\n  - {rule}\n")
    assert fragment in message
    assert message.startswith("s.yaml:3:")


def test_rule_names_must_be_unique() -> None:
    text = "name: v\nrules:\n  - {name: x, passthrough: true}\n  - {name: x, passthrough: true}\n"
    assert "rule names repeat: x" in error_of(text)


# ---- catalog checks ------------------------------------------------------------------------


def test_unknown_code_names_it_and_suggests(catalog: Catalog) -> None:
    text = """
    name: sms
    vendor: ringcentral
    rules:
      - sequence:
          - error: CMN-301
          - error: {code: CMN-30}
    """
    message = error_of(text, catalog=catalog)
    assert message.startswith("s.yaml:6: scenario 'sms', rules[0].sequence[1].error.code:")
    assert "'CMN-30' is not in the ringcentral catalog; closest: " in message
    assert "CMN-301" in message


def test_numeric_codes_and_variants(catalog: Catalog) -> None:
    (s,) = load_text("name: n\nvendor: signalwire\nrules: [{error: 21211}]\n", catalog=catalog)
    assert s.rules[0].error == ErrorAction(code="21211")
    load_text("name: w\nvendor: webexconnect\nrules: [{error: 7003/2}]\n", catalog=catalog)


def test_asynchronous_codes_are_refused(catalog: Catalog) -> None:
    message = error_of("name: a\nvendor: signalwire\nrules: [{error: 30003}]\n", catalog=catalog)
    assert "'30003' only arrives in a delivery callback" in message


def test_unknown_vendor(catalog: Catalog) -> None:
    message = error_of("name: v\nvendor: twilio\nrules: [{passthrough: true}]\n", catalog=catalog)
    assert message.startswith("s.yaml:2: scenario 'v', vendor: unknown vendor 'twilio'; known: ")
    text = "name: v\nrules:\n  - {match: {vendor: nope}, error: X}\n"
    assert "rules[0].match.vendor: unknown vendor 'nope'" in error_of(text, catalog=catalog)


def test_error_actions_need_a_vendor() -> None:
    message = error_of("name: v\nrules:\n  - error: CMN-301\n")
    assert message == (
        "s.yaml:3: scenario 'v', rules[0].error: an error action needs a vendor: "
        "set the scenario's vendor or match.vendor"
    )


def test_session_contradiction() -> None:
    text = "name: v\nsession: a\nrules:\n  - {match: {session: b}, passthrough: true}\n"
    assert "rules[0].match.session: contradicts the scenario's session 'a'" in error_of(text)


# ---- files and folders ---------------------------------------------------------------------


def test_load_path_reads_a_folder_in_sorted_order(tmp_path: Path) -> None:
    (tmp_path / "b.yaml").write_text("name: b\nrules: [{passthrough: true}]\n")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "c.yml").write_text("name: c\nrules: [{passthrough: true}]\n")
    (tmp_path / "a.json").write_text('{"name": "a", "rules": [{"passthrough": true}]}')
    (tmp_path / "notes.txt").write_text("ignored")
    assert [s.name for s in load_path(tmp_path)] == ["a", "b", "c"]
    assert [s.name for s in load_path(tmp_path / "b.yaml")] == ["b"]


def test_load_path_reports_every_file(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("name: a\nrules: [{passthrough: true}]\n")
    (tmp_path / "b.yaml").write_text("name: a\nrules: [{passthrough: true}]\n")
    (tmp_path / "c.yaml").write_text("name: c\nrules: [{fault: nope}]\n")
    with pytest.raises(ScenarioError) as info:
        load_path(tmp_path)
    assert info.value.problems[0].startswith(f"{tmp_path / 'b.yaml'}:1: scenario name 'a' repeats")
    assert info.value.problems[1].startswith(f"{tmp_path / 'c.yaml'}:2:")


def test_validate_paths(tmp_path: Path, catalog: Catalog) -> None:
    good = tmp_path / "good.yaml"
    good.write_text("name: g\nvendor: ringcentral\nrules: [{error: CMN-301}]\n")
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: b\nvendor: ringcentral\nrules: [{error: NOPE}]\n")
    assert validate_paths([good], catalog) == []
    problems = validate_paths([good, bad, tmp_path / "missing.yaml"], catalog)
    assert problems[0].startswith(f"{bad}:3: scenario 'b', rules[0].error: 'NOPE' is not in")
    assert problems[1].startswith(f"{tmp_path / 'missing.yaml'}: cannot read")


def test_binary_file_is_a_scenario_error(tmp_path: Path) -> None:
    (tmp_path / "x.yaml").write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(ScenarioError, match="cannot read"):
        load_path(tmp_path)


# ---- hostile input -------------------------------------------------------------------------


def test_alias_bomb_is_refused() -> None:
    lines = ["a: &a [1,1,1,1,1,1,1,1,1,1]"]
    for name, prev in zip("bcdef", "abcde", strict=True):
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 10) + "]")
    assert "too large after alias expansion" in error_of("\n".join(lines))


def test_recursive_alias_is_refused() -> None:
    assert "an alias refers to itself" in error_of("a: &a [*a]")


@pytest.mark.parametrize(
    "text",
    [
        "[" * 5000,
        "{" * 5000,
        "- " * 3000 + "x",
        "d: 2001-13-45",
        "!!int x",
        "!!python/object:os.system x",
    ],
)
def test_nasty_yaml(text: str) -> None:
    with pytest.raises(ScenarioError):
        load_text(text)


def _problems(text: str, source: str) -> tuple[str, ...]:
    try:
        load_text(text, source)
    except ScenarioError as err:
        return err.problems
    return ()


def _never_crashes(text: str, source: str = "f.yaml") -> None:
    # anything but ScenarioError escapes _problems and fails the test
    assert all(p.startswith(source.split(".")[0]) for p in _problems(text, source))


FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))


@FUZZ
@given(st.text())
def test_fuzz_random_text(text: str) -> None:
    _never_crashes(text)
    _never_crashes(text, "f.json")


@FUZZ
@given(st.binary())
def test_fuzz_random_bytes(data: bytes) -> None:
    _never_crashes(data.decode("utf-8", errors="replace"))


_KEYS = st.sampled_from(
    [
        "name",
        "rules",
        "vendor",
        "session",
        "match",
        "method",
        "path",
        "query",
        "headers",
        "body",
        "form",
        "error",
        "fault",
        "respond",
        "passthrough",
        "sequence",
        "then",
        "cycle",
        "rate_limit",
        "times",
        "after",
        "every",
        "probability",
        "seed",
        "active",
        "delay",
        "code",
        "params",
        "status",
        "retry_after",
        "type",
        "regex",
        "glob",
        "prefix",
        "exact",
        "equals",
        "contains",
        "exists",
        "limit",
        "window",
        "key",
        "from",
        "until",
        "chunk",
        "interval",
    ]
)
_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**20), 10**20),
    st.floats(),
    st.text(max_size=12),
    st.sampled_from(["(", "[a-", "reset", "CMN-301", "/x", "passthrough", "header:X"]),
)
_TREES = st.recursive(
    _SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(_KEYS | st.text(max_size=5), inner, max_size=5)
    ),
    max_leaves=30,
)


@FUZZ
@given(_TREES)
def test_fuzz_random_structures(tree: Any) -> None:
    _never_crashes(yaml.safe_dump(tree))
    _never_crashes(json.dumps(tree), "f.json")


@FUZZ
@given(
    st.fixed_dictionaries(
        {"name": st.text(min_size=1, max_size=5), "rules": st.lists(_TREES, max_size=3)},
        optional={"vendor": _SCALARS, "session": _SCALARS, "description": _SCALARS},
    )
)
def test_fuzz_scenario_shaped_structures(tree: dict[str, Any]) -> None:
    _never_crashes(yaml.safe_dump(tree))


_TOKENS = st.sampled_from(
    [
        "name:",
        " x",
        "\n",
        "rules:",
        "- ",
        "  ",
        "{",
        "}",
        "[",
        "]",
        ",",
        ":",
        "&a ",
        "*a",
        "<<: ",
        "? ",
        "|",
        ">",
        "'",
        '"',
        "#",
        "---\n",
        "...\n",
        "%YAML 1.1\n",
        "\t",
        "\ufeff",
        "2001-13-45",
        "1e5",
        ".inf",
        "error",
        "match",
        "regex: '('",
        "!!int ",
        "!!float ",
        "!!binary ",
        "!!set ",
        "!!timestamp ",
        "!!map ",
        "!!seq ",
        "!!omap ",
        "!!pairs ",
        "!!str ",
        "!!null ",
        "!!bool ",
        "!!python/name:os.system ",
    ]
)


@FUZZ
@given(st.lists(_TOKENS, max_size=40).map("".join))
def test_fuzz_yaml_shaped_text(text: str) -> None:
    _never_crashes(text)


def test_loaded_scenarios_are_frozen() -> None:
    (s,) = load_text("name: a\nrules: [{passthrough: true}]\n")
    assert isinstance(s, Scenario)
    with pytest.raises(ValueError, match="frozen"):
        s.name = "b"  # type: ignore[misc]
