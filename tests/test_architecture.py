"""The shape of the tree: no import cycles, and every vendor folder with the same skeleton."""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from mockserver.vendors import VENDORS

PACKAGE = Path(__file__).resolve().parents[1] / "mockserver"
# Every vendor folder has these; resource modules (messages.py, calls.py...) come on top.
SKELETON = (
    "__init__.py",
    "envelope.py",
    "auth.py",
    "routes.py",
    "callbacks.py",
    "wire.py",
    "policy.py",
    "defaults.yaml",
)


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imported(path: Path, modules: set[str]) -> set[str]:
    """The mockserver modules `path` imports anywhere (function bodies too), but for typing."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _type_checking(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parts, *([node.module] if node.module else [])])
            # `from pkg import module` depends on that module, not on the package's __init__
            names = [f"{base}.{alias.name}" for alias in node.names]
            found.update(n for n in names if n in modules)
            if any(n not in modules for n in names):
                found.add(base)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(ast.parse(path.read_text(encoding="utf-8")))
    return {_known(target, modules) for target in found} - {"", name}


def _known(target: str, modules: set[str]) -> str:
    while target and target not in modules:
        target = target.rpartition(".")[0]
    return target


def import_graph() -> dict[str, set[str]]:
    paths = list(PACKAGE.rglob("*.py"))
    modules = {module_name(p) for p in paths}
    return {module_name(p): imported(p, modules) for p in paths}


def cycles(graph: dict[str, set[str]]) -> Iterator[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, edges = work[-1]
            nxt = next(edges, None)
            if nxt is not None:
                if nxt not in index:
                    index[nxt] = low[nxt] = len(index)
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, iter(sorted(graph[nxt]))))
                elif nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    yield sorted(component)


def test_the_cycle_finder_finds_a_cycle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert list(cycles(graph)) == [["a", "b", "c"]]


def test_no_import_cycles() -> None:
    found = list(cycles(import_graph()))
    assert found == [], "import cycles: " + "; ".join(" <-> ".join(c) for c in found)


@pytest.mark.parametrize("vendor", list(VENDORS))
def test_every_vendor_folder_has_the_skeleton(vendor: str) -> None:
    folder = PACKAGE / "vendors" / vendor
    missing = [name for name in SKELETON if not (folder / name).is_file()]
    assert missing == [], f"{vendor} lacks {missing}"


@pytest.mark.parametrize("vendor", list(VENDORS))
def test_vendor_modules_never_import_their_package_or_envelope_its_siblings(vendor: str) -> None:
    graph = import_graph()
    package = f"mockserver.vendors.{vendor}"
    members = [m for m in graph if m.startswith(package + ".")]
    into_init = [m for m in members if package in graph[m]]
    assert into_init == [], f"{into_init} import {package} (its __init__ imports them)"
    siblings = {m for m in graph[f"{package}.envelope"] if m.startswith(package + ".")}
    assert siblings == set(), "envelope.py renders only: it imports nothing of its folder"


@pytest.mark.parametrize("vendor", list(VENDORS))
def test_routes_is_a_table_only(vendor: str) -> None:
    tree = ast.parse((PACKAGE / "vendors" / vendor / "routes.py").read_text(encoding="utf-8"))
    defined = [n.name for n in tree.body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]
    assert defined == [], f"{vendor}/routes.py defines handlers {defined}: they belong in resources"


@pytest.mark.parametrize("vendor", list(VENDORS))
def test_vendor_is_declared_in_its_folder(vendor: str) -> None:
    found = VENDORS[vendor]
    assert type(found).__module__ == f"mockserver.vendors.{vendor}"
    assert found.defaults_file.is_file()
    assert found.test_credentials("s1")


def test_handler_modules_load_with_their_vendors_first_request_not_at_start_up() -> None:
    # a fresh interpreter: this one imported every vendor's routes long ago
    code = (
        "import sys\n"
        "from mockserver.server.services import build_services\n"
        "from mockserver.settings import Settings\n"
        "services = build_services(Settings())\n"
        "loaded = [m for m in sys.modules if m.endswith('.routes')]\n"
        "assert loaded == [], loaded\n"
        "assert services.vendors['signalwire'].router() is not None\n"
        "assert 'mockserver.vendors.signalwire.routes' in sys.modules\n"
        "assert 'mockserver.vendors.yeastar.routes' not in sys.modules\n"
    )
    in_fresh_interpreter(code)


def test_an_in_memory_server_without_proxy_loads_neither_redis_nor_the_proxy() -> None:
    # a fresh interpreter: what `mockserver serve` with defaults imports to start
    code = (
        "import sys\n"
        "import mockserver.server.run\n"
        "from mockserver.server.services import build_services\n"
        "from mockserver.settings import Settings\n"
        "build_services(Settings())\n"
        "unwanted = ('redis', 'mockserver.store.shared.state', 'mockserver.request.proxy',\n"
        "            'mockserver.request.capture')\n"
        "loaded = [m for m in unwanted if m in sys.modules]\n"
        "assert loaded == [], loaded\n"
    )
    in_fresh_interpreter(code)


def in_fresh_interpreter(code: str) -> None:
    """Run `code` in a new interpreter (this one has imported everything); it must succeed."""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
