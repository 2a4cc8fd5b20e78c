"""Read scenario files (YAML or JSON) into validated Scenarios; every error names file:line."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from mockserver.catalog.model import Catalog
from mockserver.scenarios.model import CallbackAction, ErrorAction, Rule, Scenario
from mockserver.scenarios.problems import (
    Loc,
    NodeBudget,
    check_tree,
    error_message,
    format_problem,
    line_of,
)
from mockserver.scenarios.problems import ScenarioError as ScenarioError

SUFFIXES = (".yaml", ".yml", ".json")
MAX_RULES = 10_000  # per file or upload; validation time grows with it, and it runs in one go


def too_large(what: str, size: int, limit: int, over: bool = False) -> str:
    """The refusal of a scenario file or upload over --max-scenario-bytes.

    `over`: the whole size is unknown (a chunked upload cut at the limit), say "over".
    """
    amount = f"over {size:,}" if over else f"{size:,}"
    return f"{what} is {amount} bytes; the limit is {limit:,} (--max-scenario-bytes)"


def _is_list(value: Any) -> bool:
    return isinstance(value, list)


@dataclass(frozen=True)
class _Doc:
    node: yaml.Node | None
    data: Any


def load_text(
    text: str, source: str = "<string>", catalog: Catalog | None = None
) -> list[Scenario]:
    """Parse and validate scenarios from YAML or JSON text.

    The text holds one scenario, a list of them, or several YAML documents.

    Args:
        text: the file's content.
        source: the name errors are reported under (usually the file path).
        catalog: when given, error codes and vendors are checked against it.

    Returns:
        The scenarios, in file order.

    Raises:
        ScenarioError: anything wrong, each problem with `source:line`.
    """
    found, problems = _load(text, source, catalog)
    if problems:
        raise ScenarioError(problems)
    return [scenario for scenario, _ in found]


def load_path(
    path: Path | str, catalog: Catalog | None = None, max_bytes: int | None = None
) -> list[Scenario]:
    """Load a scenario file, or every *.yaml, *.yml and *.json under a folder (sorted).

    Args:
        path: a file or a folder (searched recursively).
        catalog: when given, error codes and vendors are checked against it.
        max_bytes: a larger file is refused unread (--max-scenario-bytes).

    Returns:
        The scenarios of every file, files in sorted order.

    Raises:
        ScenarioError: every problem of every file (nothing is returned half-loaded).
    """
    return load_files([Path(path)], catalog, max_bytes)[0]


def load_files(
    paths: Iterable[Path | str], catalog: Catalog | None = None, max_bytes: int | None = None
) -> tuple[list[Scenario], list[tuple[str, int]]]:
    """`load_path` for several paths, also saying how many rules each file held.

    Returns:
        The scenarios, and (file, rule count) for every file read, in load order.

    Raises:
        ScenarioError: every problem of every file.
    """
    counts: list[tuple[str, int]] = []
    scenarios, problems = _load_paths([Path(p) for p in paths], catalog, max_bytes, counts)
    if problems:
        raise ScenarioError(problems)
    return scenarios, counts


def validate_paths(paths: Iterable[Path | str], catalog: Catalog | None) -> list[str]:
    """Check scenario files and folders without loading them anywhere.

    Args:
        paths: files or folders.
        catalog: the catalog error codes must exist in (None: skip that check).

    Returns:
        One message per problem, `file:line: where: reason`; empty when all is well.
    """
    return _load_paths([Path(p) for p in paths], catalog)[1]


def scenario_files(path: Path) -> list[Path]:
    """The scenario files a path stands for: itself, or the sorted files under a folder."""
    if path.is_dir():
        return sorted(p for p in path.rglob("*") if p.suffix in SUFFIXES and p.is_file())
    return [path]


def _load_paths(
    paths: list[Path],
    catalog: Catalog | None,
    max_bytes: int | None = None,
    counts: list[tuple[str, int]] | None = None,
) -> tuple[list[Scenario], list[str]]:
    scenarios: list[Scenario] = []
    problems: list[str] = []
    first: dict[tuple[str | None, str], str] = {}
    for file in (f for p in paths for f in scenario_files(p)):
        try:
            size = file.stat().st_size
            if max_bytes is not None and size > max_bytes:
                problems.append(too_large(f"{file}: the file", size, max_bytes))
                continue
            text = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as err:
            problems.append(f"{file}: cannot read: {err}")
            continue
        found, bad = _load(text, str(file), catalog)
        problems += bad
        if counts is not None:
            counts.append((str(file), sum(len(scenario.rules) for scenario, _ in found)))
        for scenario, line in found:
            key = (scenario.session, scenario.name)
            if key in first:
                problems.append(
                    f"{file}:{line}: scenario name {scenario.name!r} repeats {first[key]}"
                )
            first.setdefault(key, f"{file}:{line}")
            scenarios.append(scenario)
    return scenarios, problems


# ---- parsing -------------------------------------------------------------------------------


def _load(
    text: str, source: str, catalog: Catalog | None
) -> tuple[list[tuple[Scenario, int]], list[str]]:
    try:
        docs = _parse(text, source)
    except ScenarioError as err:
        return [], list(err.problems)
    found: list[tuple[Scenario, int]] = []
    problems: list[str] = []
    lines: dict[tuple[str | None, str], int] = {}
    items = [pair for doc in docs for pair in _items(doc, source, problems)]
    rules = sum(
        len(i["rules"]) for _, i in items if isinstance(i, dict) and _is_list(i.get("rules"))
    )
    if rules > MAX_RULES:
        return [], [f"{source}:1: the file has {rules:,} rules; the limit is {MAX_RULES:,}"]
    for node, item in items:
        scenario = _validate(item, node, source, catalog, problems)
        if scenario is None:
            continue
        line = line_of(node, ("name",))
        key = (scenario.session, scenario.name)
        if key in lines:
            problems.append(
                f"{source}:{line}: scenario name {scenario.name!r} repeats line {lines[key]}"
            )
        lines.setdefault(key, line)
        found.append((scenario, line))
    if not found and not problems:
        problems.append(f"{source}:1: file is empty: no scenario in it")
    return found, sorted(problems, key=lambda p: _line(p, source))


def _line(problem: str, source: str) -> int:
    # every problem reads `source:line: ...`; sorting is stable, so one line keeps its order
    head = problem[len(source) + 1 :].split(":", 1)[0]
    return int(head) if head.isdigit() else 0


def _parse(text: str, source: str) -> list[_Doc]:
    if source.endswith(".json") or text.lstrip()[:1] in ("{", "["):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as err:
            if source.endswith(".json"):
                raise ScenarioError([f"{source}:{err.lineno}: not valid JSON: {err.msg}"]) from None
        except RecursionError:
            raise ScenarioError([f"{source}:1: nested too deeply"]) from None
        else:
            return [_Doc(_json_node(text, source), data)]
    return _parse_yaml(text, source)


def _json_node(text: str, source: str) -> yaml.Node | None:
    # the YAML node tree only serves line numbers; tabs are JSON whitespace but not YAML's
    try:
        node = yaml.compose(text.replace("\t", " "), Loader=yaml.SafeLoader)
    except (yaml.YAMLError, RecursionError):
        return None
    if node is not None:
        check_tree(node, source)
    return node


def _parse_yaml(text: str, source: str) -> list[_Doc]:
    docs: list[_Doc] = []
    node: yaml.Node | None = None
    loader: yaml.CSafeLoader | None = None
    try:
        loader = yaml.CSafeLoader(text)  # libyaml: ten times the pure-Python parser
        budget = NodeBudget()
        while loader.check_node():
            node = loader.get_node()
            if node is None:
                break
            check_tree(node, source, budget)
            docs.append(_Doc(node, loader.construct_document(node)))
    except ScenarioError:
        raise
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line = mark.line + 1 if mark else 1
        what = " ".join(x for x in (err.context, err.problem) if x)
        raise ScenarioError([f"{source}:{line}: not valid YAML: {what}"]) from None
    except yaml.reader.ReaderError as err:
        line = text.count("\n", 0, err.position) + 1
        raise ScenarioError([f"{source}:{line}: not valid YAML: {err.reason}"]) from None
    except yaml.YAMLError as err:
        raise ScenarioError([f"{source}:1: not valid YAML: {err}"]) from None
    except RecursionError:
        raise ScenarioError([f"{source}:1: nested too deeply"]) from None
    except (ValueError, TypeError, OverflowError, LookupError, AttributeError) as err:
        # PyYAML lets some constructor errors escape raw: month 13, an empty `!!int`...
        raise ScenarioError([f"{source}:{line_of(node, ())}: bad value: {err}"]) from None
    finally:
        if loader is not None:
            loader.dispose()
    return docs


def _items(doc: _Doc, source: str, problems: list[str]) -> Iterator[tuple[yaml.Node | None, Any]]:
    if doc.data is None:
        return
    if isinstance(doc.data, dict):
        yield doc.node, doc.data
    elif isinstance(doc.data, list):
        nodes = doc.node.value if isinstance(doc.node, yaml.SequenceNode) else []
        for i, item in enumerate(doc.data):
            yield (nodes[i] if i < len(nodes) else doc.node), item
    else:
        kind = type(doc.data).__name__
        problems.append(
            f"{source}:{line_of(doc.node, ())}: expected a scenario (a mapping) or a list of "
            f"scenarios, got {kind}"
        )


# ---- validation ----------------------------------------------------------------------------


def _validate(
    item: Any, node: yaml.Node | None, source: str, catalog: Catalog | None, problems: list[str]
) -> Scenario | None:
    label = (
        f"scenario {item['name']!r}"
        if isinstance(item, dict) and isinstance(item.get("name"), str)
        else "scenario"
    )
    try:
        scenario = Scenario.model_validate(item)
    except ValidationError as err:
        for e in err.errors():
            loc = tuple(e["loc"])
            msg = error_message(e["type"], loc, e["msg"], e.get("input"))
            problems.append(format_problem(source, node, item, label, loc, msg))
        found = _partial_problems(item, catalog)
        problems += [format_problem(source, node, item, label, loc, msg) for loc, msg in found]
        return None
    found = semantic_problems(scenario, catalog)
    problems += [format_problem(source, node, item, label, loc, msg) for loc, msg in found]
    return None if found else scenario


def _partial_problems(item: Any, catalog: Catalog | None) -> list[tuple[Loc, str]]:
    # a scenario that fails validation still gets its valid rules checked against the
    # catalog, so one run of `validate` reports every problem, unknown codes included
    if not isinstance(item, dict) or not isinstance(item.get("rules"), list):
        return []
    vendor, session = item.get("vendor"), item.get("session")
    scenario = Scenario.model_construct(
        name=str(item.get("name")),
        vendor=vendor if isinstance(vendor, str) else None,
        session=session if isinstance(session, str) else None,
        rules=(),
    )
    out: list[tuple[Loc, str]] = []
    for i, raw in enumerate(item["rules"]):
        try:
            rule = Rule.model_validate(raw)
        except ValidationError:
            continue  # its own problems are already reported
        out += [(("rules", i, *loc), msg) for loc, msg in _rule_problems(scenario, rule, catalog)]
    return out


def semantic_problems(scenario: Scenario, catalog: Catalog | None = None) -> list[tuple[Loc, str]]:
    """Checks that need more than one field: vendors, catalog codes, session consistency.

    Args:
        scenario: a scenario that passed model validation.
        catalog: when given, vendors and error codes must exist in it.

    Returns:
        (location, message) pairs; empty when the scenario is usable.
    """
    out: list[tuple[Loc, str]] = []
    if catalog is not None and scenario.vendor and scenario.vendor not in catalog.vendors:
        out.append((("vendor",), _unknown_vendor(scenario.vendor, catalog)))
    for i, rule in enumerate(scenario.rules):
        out += [(("rules", i, *loc), msg) for loc, msg in _rule_problems(scenario, rule, catalog)]
    return out


def _rule_problems(
    scenario: Scenario, rule: Rule, catalog: Catalog | None
) -> Iterator[tuple[Loc, str]]:
    vendor = scenario.rule_vendor(rule)
    if catalog is not None and rule.match.vendor and rule.match.vendor not in catalog.vendors:
        yield ("match", "vendor"), _unknown_vendor(rule.match.vendor, catalog)
    if scenario.session and rule.match.session not in (None, scenario.session):
        yield ("match", "session"), f"contradicts the scenario's session {scenario.session!r}"
    for loc, action in _coded_actions(rule):
        kind = "error" if isinstance(action, ErrorAction) else "callback"
        if vendor is None:
            article = "an" if kind == "error" else "a"
            yield (
                loc,
                f"{article} {kind} action needs a vendor: set the scenario's vendor or match.vendor",
            )
        elif catalog is not None and vendor in catalog.vendors:
            check = _code_problem if kind == "error" else _callback_problem
            problem = check(catalog, vendor, action.code)
            if problem:
                yield (*loc, "code"), problem


def _callback_problem(catalog: Catalog, vendor: str, code: str) -> str | None:
    entry = catalog.vendor(vendor).get(code)
    if entry is None:
        near = catalog.vendor(vendor).closest(code)
        hint = f"; closest: {', '.join(near)}" if near else ""
        return f"{code!r} is not in the {vendor} catalog{hint}"
    if entry.delivery != "async":
        return f"{code!r} is an HTTP answer, not a delivery failure: use an error action for it"
    return None


def _code_problem(catalog: Catalog, vendor: str, code: str) -> str | None:
    vendor_catalog = catalog.vendor(vendor)
    entry = vendor_catalog.get(code)
    if entry is None:
        near = vendor_catalog.closest(code)
        hint = f"; closest: {', '.join(near)}" if near else ""
        return f"{code!r} is not in the {vendor} catalog{hint}"
    if entry.delivery == "async":
        return f"{code!r} only arrives in a delivery callback, never as an HTTP answer"
    return None


def _coded_actions(rule: Rule) -> Iterator[tuple[Loc, ErrorAction | CallbackAction]]:
    for key in ("error", "callback"):
        if getattr(rule, key) is not None:
            yield (key,), getattr(rule, key)
        for j, step in enumerate(rule.sequence or ()):
            if getattr(step, key) is not None:
                yield ("sequence", j, key), getattr(step, key)
        if rule.then is not None and getattr(rule.then, key) is not None:
            yield ("then", key), getattr(rule.then, key)


def _unknown_vendor(vendor: str, catalog: Catalog) -> str:
    return f"unknown vendor {vendor!r}; known: {', '.join(sorted(catalog.vendors))}"
