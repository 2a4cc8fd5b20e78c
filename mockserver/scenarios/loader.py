"""Read scenario files (YAML or JSON) into validated Scenarios; every error names file:line."""

from __future__ import annotations

import difflib
import json
import types
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Union, get_args, get_origin

import yaml
from pydantic import BaseModel, ValidationError

from mockserver.catalog.model import Catalog
from mockserver.scenarios.model import ErrorAction, Rule, Scenario

SUFFIXES = (".yaml", ".yml", ".json")
MAX_NODES = 100_000
Loc = tuple[str | int, ...]


class ScenarioError(ValueError):
    """Scenarios that cannot be used; each of `problems` reads `file:line: where: reason`."""

    def __init__(self, problems: Iterable[str]) -> None:
        """Keep every problem; the message lists them one per line."""
        self.problems = tuple(problems) or ("invalid scenario",)
        super().__init__("\n".join(self.problems))


@dataclass(frozen=True)
class _Doc:
    node: yaml.Node | None
    data: Any


def load_text(text: str, source: str = "<string>", catalog: Catalog | None = None) -> list[Scenario]:
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


def load_path(path: Path | str, catalog: Catalog | None = None) -> list[Scenario]:
    """Load a scenario file, or every *.yaml, *.yml and *.json under a folder (sorted).

    Args:
        path: a file or a folder (searched recursively).
        catalog: when given, error codes and vendors are checked against it.

    Returns:
        The scenarios of every file, files in sorted order.

    Raises:
        ScenarioError: every problem of every file (nothing is returned half-loaded).
    """
    scenarios, problems = _load_paths([Path(path)], catalog)
    if problems:
        raise ScenarioError(problems)
    return scenarios


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


def _load_paths(paths: list[Path], catalog: Catalog | None) -> tuple[list[Scenario], list[str]]:
    scenarios: list[Scenario] = []
    problems: list[str] = []
    first: dict[tuple[str | None, str], str] = {}
    for file in (f for p in paths for f in scenario_files(p)):
        try:
            text = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as err:
            problems.append(f"{file}: cannot read: {err}")
            continue
        found, bad = _load(text, str(file), catalog)
        problems += bad
        for scenario, line in found:
            key = (scenario.session, scenario.name)
            if key in first:
                problems.append(f"{file}:{line}: scenario name {scenario.name!r} repeats {first[key]}")
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
    for node, item in (pair for doc in docs for pair in _items(doc, source, problems)):
        scenario = _validate(item, node, source, catalog, problems)
        if scenario is None:
            continue
        line = _line(node, ("name",))
        key = (scenario.session, scenario.name)
        if key in lines:
            problems.append(
                f"{source}:{line}: scenario name {scenario.name!r} repeats line {lines[key]}"
            )
        lines.setdefault(key, line)
        found.append((scenario, line))
    return found, problems


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
        _check_tree(node, source)
    return node


def _parse_yaml(text: str, source: str) -> list[_Doc]:
    loader = yaml.SafeLoader(text)
    docs: list[_Doc] = []
    node: yaml.Node | None = None
    try:
        while loader.check_node():
            node = loader.get_node()
            _check_tree(node, source)
            docs.append(_Doc(node, loader.construct_document(node)))
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
    except (ValueError, TypeError, OverflowError) as err:
        # PyYAML lets some constructor errors escape raw, e.g. a timestamp with month 13
        raise ScenarioError([f"{source}:{_line(node, ())}: bad value: {err}"]) from None
    finally:
        loader.dispose()
    return docs


def _check_tree(root: yaml.Node, source: str) -> None:
    """Reject duplicate keys, recursive aliases and alias bombs before constructing data."""
    sizes: dict[int, int] = {}

    def size(node: yaml.Node, active: frozenset[int]) -> int:
        if id(node) in sizes:
            return sizes[id(node)]
        if id(node) in active:
            raise ScenarioError([f"{source}:{_line(node, ())}: an alias refers to itself"])
        total = 1 + sum(size(child, active | {id(node)}) for child in _children(node, source))
        if total > MAX_NODES:
            raise ScenarioError([f"{source}:{_line(node, ())}: too large after alias expansion"])
        sizes[id(node)] = total
        return total

    try:
        size(root, frozenset())
    except RecursionError:
        raise ScenarioError([f"{source}:1: nested too deeply"]) from None


def _children(node: yaml.Node, source: str) -> Iterator[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        yield from node.value
    elif isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode) and key.tag != "tag:yaml.org,2002:merge":
                line = key.start_mark.line + 1
                if key.value in seen:
                    raise ScenarioError(
                        [f"{source}:{line}: duplicate key {key.value!r} (first on line {seen[key.value]})"]
                    )
                seen[key.value] = line
            yield key
            yield value


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
            f"{source}:{_line(doc.node, ())}: expected a scenario (a mapping) or a list of "
            f"scenarios, got {kind}"
        )


# ---- validation ----------------------------------------------------------------------------


def _validate(
    item: Any, node: yaml.Node | None, source: str, catalog: Catalog | None, problems: list[str]
) -> Scenario | None:
    label = f"scenario {item['name']!r}" if isinstance(item, dict) and isinstance(item.get("name"), str) else "scenario"
    try:
        scenario = Scenario.model_validate(item)
    except ValidationError as err:
        for e in err.errors():
            loc = tuple(e["loc"])
            problems.append(_format(source, node, item, label, loc, _message(e["type"], loc, e["msg"])))
        return None
    found = semantic_problems(scenario, catalog)
    problems += [_format(source, node, item, label, loc, msg) for loc, msg in found]
    return None if found else scenario


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
        out += [((("rules", i) + loc), msg) for loc, msg in _rule_problems(scenario, rule, catalog)]
    return out


def _rule_problems(scenario: Scenario, rule: Rule, catalog: Catalog | None) -> Iterator[tuple[Loc, str]]:
    vendor = scenario.rule_vendor(rule)
    if catalog is not None and rule.match.vendor and rule.match.vendor not in catalog.vendors:
        yield ("match", "vendor"), _unknown_vendor(rule.match.vendor, catalog)
    if scenario.session and rule.match.session not in (None, scenario.session):
        yield ("match", "session"), f"contradicts the scenario's session {scenario.session!r}"
    for loc, error in _error_actions(rule):
        if vendor is None:
            yield loc, "an error action needs a vendor: set the scenario's vendor or match.vendor"
        elif catalog is not None and vendor in catalog.vendors:
            vendor_catalog = catalog.vendor(vendor)
            if vendor_catalog.get(error.code) is None:
                near = vendor_catalog.closest(error.code)
                hint = f"; closest: {', '.join(near)}" if near else ""
                yield (*loc, "code"), f"{error.code!r} is not in the {vendor} catalog{hint}"


def _error_actions(rule: Rule) -> Iterator[tuple[Loc, ErrorAction]]:
    if rule.error is not None:
        yield ("error",), rule.error
    for j, step in enumerate(rule.sequence or ()):
        if step.error is not None:
            yield ("sequence", j, "error"), step.error
    if rule.then is not None and rule.then.error is not None:
        yield ("then", "error"), rule.then.error


def _unknown_vendor(vendor: str, catalog: Catalog) -> str:
    return f"unknown vendor {vendor!r}; known: {', '.join(sorted(catalog.vendors))}"


# ---- messages ------------------------------------------------------------------------------


def _format(
    source: str, node: yaml.Node | None, item: Any, label: str, loc: Loc, msg: str
) -> str:
    where = format_loc(_clean_loc(item, loc))
    return f"{source}:{_line(node, loc)}: {label}{', ' + where if where else ''}: {msg}"


def _message(kind: str, loc: Loc, msg: str) -> str:
    if kind == "missing" and loc:
        return f"missing required key {loc[-1]!r}"
    if kind == "extra_forbidden" and loc:
        return _unknown_key(loc)
    return msg.removeprefix("Value error, ")


def _unknown_key(loc: Loc) -> str:
    allowed = _keys_at(loc[:-1])
    if not allowed:
        return f"unknown key {loc[-1]!r}"
    near = difflib.get_close_matches(str(loc[-1]), allowed, n=1)
    hint = f"did you mean {near[0]!r}?" if near else f"allowed: {', '.join(allowed)}"
    return f"unknown key {loc[-1]!r} ({hint})"


def _keys_at(loc: Loc) -> list[str]:
    """The keys the model at `loc` accepts (by alias), found by walking field annotations."""
    kind: Any = Scenario
    for part in loc:
        kind = _unwrap(kind)
        if isinstance(kind, type) and issubclass(kind, BaseModel):
            fields = {f.alias or n: f for n, f in kind.model_fields.items()}
            if part not in fields:
                return []
            kind = fields[str(part)].annotation
        elif get_origin(kind) in (tuple, list) and isinstance(part, int):
            kind = get_args(kind)[0]
        elif get_origin(kind) is dict:
            kind = get_args(kind)[1]
        else:
            return []
    kind = _unwrap(kind)
    if isinstance(kind, type) and issubclass(kind, BaseModel):
        return [f.alias or n for n, f in kind.model_fields.items()]
    return []


def _unwrap(kind: Any) -> Any:
    while get_origin(kind) in (Union, types.UnionType, Annotated):
        args = [a for a in get_args(kind) if a is not type(None)]
        kind = args[0]
    return kind


def _clean_loc(item: Any, loc: Loc) -> Loc:
    """The part of a pydantic location that exists in the data (drops union branch tags)."""
    out: list[str | int] = []
    data = item
    for i, part in enumerate(loc):
        if isinstance(data, dict) and part in data:
            data = data[part]
        elif isinstance(data, list) and isinstance(part, int) and 0 <= part < len(data):
            data = data[part]
        elif i == len(loc) - 1 and isinstance(data, dict):
            pass  # a missing key: still worth naming
        else:
            continue
        out.append(part)
    return tuple(out)


def format_loc(loc: Loc) -> str:
    """A location as people read it: `rules[0].match.path`."""
    text = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc)
    return text.lstrip(".")


def _line(node: yaml.Node | None, loc: Loc) -> int:
    """1-based line of the deepest node `loc` reaches (the key's line for mapping members)."""
    if node is None:
        return 1
    line = node.start_mark.line + 1
    for part in loc:
        found = _child(node, part)
        if found is None:
            continue
        key, node = found
        line = (key or node).start_mark.line + 1
    return line


def _child(node: yaml.Node, part: str | int) -> tuple[yaml.Node | None, yaml.Node] | None:
    if isinstance(node, yaml.MappingNode):
        for key, value in reversed(node.value):  # the last duplicate wins, as in the data
            if isinstance(key, yaml.ScalarNode) and key.value == str(part):
                return key, value
    elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
        if 0 <= part < len(node.value):
            return None, node.value[part]
    return None
