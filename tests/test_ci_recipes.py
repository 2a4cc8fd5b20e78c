"""docs/ci.md recipes, the Dockerfile and its entrypoint agree with each other and with the CLI.

Every recipe parses, names the image, port 8080, /__admin/health and a scenario folder, and
uses only MOCKSERVER_* variables the server reads; the entrypoint only execs the server (which
reads those variables itself) and its healthcheck follows them. Nothing here needs Docker
(scripts/docker-smoke.sh runs the image).
"""

from __future__ import annotations

import fnmatch
import importlib.util
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest
import yaml

from mockserver.settings import Settings, options
from mockserver.testing import ServerThread
from mockserver.testing.plugin import URL_ENV

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "ci.md"
DOCKERFILE = ROOT / "Dockerfile"
ENTRYPOINT = ROOT / "scripts" / "docker-entrypoint.sh"
RECIPES = {
    "github-actions": "yaml",
    "github-actions-build": "yaml",
    "gitlab-ci": "yaml",
    "docker-compose": "yaml",
    "testcontainers-python": "python",
}
RECIPE = re.compile(r"<!-- recipe: ([\w-]+) -->\s*```(\w+)\n(.*?)\n```", re.DOTALL)
VAR = re.compile(r"\bMOCKSERVER_[A-Z0-9_]+\b")
# every variable `mockserver serve` reads: one per setting
SERVER_VARS = {option.env for option in options().values()}


def recipes() -> dict[str, tuple[str, str]]:
    found: dict[str, tuple[str, str]] = {}
    for name, lang, text in RECIPE.findall(DOC.read_text(encoding="utf-8")):
        assert name not in found, f"recipe {name} appears twice in {DOC}"
        found[name] = (lang, text)
    return found


def image_vars() -> set[str]:
    """Every MOCKSERVER_* variable the Dockerfile sets."""
    env = re.findall(r"^ENV (.*?)(?<!\\)$", DOCKERFILE.read_text(encoding="utf-8"), re.M | re.S)
    return set(re.findall(r"\b(MOCKSERVER_[A-Z0-9_]+)=", "\n".join(env)))


def test_every_recipe_is_there() -> None:
    assert {name: lang for name, (lang, _) in recipes().items()} == RECIPES


@pytest.mark.parametrize("name", sorted(RECIPES))
def test_recipe_parses(name: str) -> None:
    lang, text = recipes()[name]
    if lang == "yaml":
        assert isinstance(yaml.safe_load(text), dict | list)
    else:
        compile(text, f"{DOC}:{name}", "exec")


@pytest.mark.parametrize("name", sorted(RECIPES))
def test_recipe_names_image_port_health_and_scenarios(name: str) -> None:
    text = recipes()[name][1]
    assert "mockserver:latest" in text
    assert "8080" in text
    assert "/__admin/health" in text
    assert "/scenarios" in text or "MOCKSERVER_SCENARIOS" in text


@pytest.mark.parametrize("name", sorted(RECIPES))
def test_recipe_uses_only_variables_the_server_reads(name: str) -> None:
    # the pytest plugin's own variable is read by the tests, not by the image
    used = set(VAR.findall(recipes()[name][1])) - {URL_ENV}
    assert used <= SERVER_VARS, f"unknown to the server: {used - SERVER_VARS}"


@pytest.mark.parametrize("name", sorted(RECIPES))
def test_recipe_points_the_plugin_at_the_container(name: str) -> None:
    text = recipes()[name][1]
    if "pytest" not in text:
        return
    if recipes()[name][0] == "python":
        # a conftest overrides the plugin's fixture instead
        assert "def mockserver_url(" in text
        return
    # any other name leaves the plugin starting its own server: the container goes unused
    assert f"{URL_ENV}:" in text or f"{URL_ENV}=" in text or f'"{URL_ENV}"' in text, name
    assert not re.search(r"\bMOCK_URL\b", text), name


def test_github_service_waits_for_health() -> None:
    job = yaml.safe_load(recipes()["github-actions"][1])["jobs"]["integration"]
    service = job["services"]["mockserver"]
    assert "--health-cmd" in service["options"]
    assert "8080:8080" in service["ports"]
    assert set(service["env"]) <= SERVER_VARS


def test_compose_healthcheck_gates_the_tests() -> None:
    services = yaml.safe_load(recipes()["docker-compose"][1])["services"]
    assert services["mockserver"]["healthcheck"]["test"][1:] == [
        "mockserver-entrypoint",
        "healthcheck",
    ]
    assert services["tests"]["depends_on"]["mockserver"]["condition"] == "service_healthy"


def test_variable_table_matches_the_image() -> None:
    table = set(re.findall(r"^\| `(MOCKSERVER_[A-Z0-9_]+)` \|", DOC.read_text(), re.MULTILINE))
    assert table == image_vars() == {"MOCKSERVER_HOST", "MOCKSERVER_PORT", "MOCKSERVER_SCENARIOS"}
    assert image_vars() <= SERVER_VARS


def test_dockerfile_contract() -> None:
    text = DOCKERFILE.read_text(encoding="utf-8")
    assert re.search(r"^ARG BASE=python:3\.12-slim$", text, re.MULTILINE)
    assert re.search(r"^EXPOSE 8080$", text, re.MULTILINE)
    assert "MOCKSERVER_HOST=0.0.0.0" in text
    assert "MOCKSERVER_PORT=8080" in text
    assert re.search(
        r'^HEALTHCHECK .*\n\s+CMD \["mockserver-entrypoint", "healthcheck"\]', text, re.M
    )
    assert re.search(r'^ENTRYPOINT \["mockserver-entrypoint"\]$', text, re.MULTILINE)
    user = re.findall(r"^USER (\S+)", text, re.MULTILINE)
    assert user
    assert user[-1].split(":")[0] not in ("root", "0")
    for source in re.findall(r"^COPY (?!--from)(\S+)", text, re.MULTILINE):
        assert not dockerignored(source), f".dockerignore drops {source}, which is copied"


def dockerignored(path: str) -> bool:
    """Docker's rule, simplified: the last matching pattern wins; a directory covers its files."""
    lines = (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
    patterns = [ln.strip() for ln in lines if ln.strip() and not ln.startswith("#")]
    parts = path.strip("/").split("/")
    candidates = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    result = False
    for pattern in patterns:
        keep = pattern.startswith("!")
        glob = pattern.lstrip("!").strip("/")
        if any(fnmatch.fnmatchcase(c, glob) for c in candidates):
            result = not keep
    return result


def test_dockerignore_helper_follows_exceptions() -> None:
    assert dockerignored("tests/test_cli.py")
    assert dockerignored("scripts/smoke_container.py")
    assert not dockerignored("scripts/docker-entrypoint.sh")
    assert not dockerignored("mockserver/cli.py")


def entrypoint(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Run the entrypoint with a fake `mockserver` that prints the command line it gets."""
    fake = tmp_path / "mockserver"
    fake.write_text('#!/bin/sh\necho "$@"\n')
    fake.chmod(0o755)
    path = f"{tmp_path}{os.pathsep}{os.environ['PATH']}"
    return subprocess.run(
        ["sh", str(ENTRYPOINT), *args],
        env={"PATH": path, **env},
        capture_output=True,
        text=True,
        timeout=30,
    )


@pytest.mark.skipif(shutil.which("sh") is None, reason="the entrypoint is a shell script")
@pytest.mark.parametrize(
    ("args", "execs"),
    [
        ((), "serve"),
        (("--port", "9000"), "serve --port 9000"),
        (("serve", "--seed", "7"), "serve --seed 7"),
        (("catalog", "list"), "catalog list"),
        (("--version",), "--version"),
    ],
)
def test_entrypoint_execs_the_server_as_given(
    tmp_path: Path, args: tuple[str, ...], execs: str
) -> None:
    # the variables reach the server untouched: it reads them itself
    done = entrypoint(tmp_path, *args, MOCKSERVER_PORT="8080", MOCKSERVER_SEED="7")
    assert (done.returncode, done.stdout, done.stderr) == (0, execs + "\n", "")


def test_entrypoint_maps_no_variable_to_a_flag() -> None:
    # a flag here would be a second declaration of a setting (mockserver/settings.py has it)
    text = ENTRYPOINT.read_text(encoding="utf-8")
    assert set(re.findall(r"(?<![\w-])--[a-z][a-z-]*", text)) <= {"--version", "--host", "--port"}
    assert "$MOCKSERVER_" not in text
    assert "${MOCKSERVER_" not in text


@pytest.mark.skipif(shutil.which("sh") is None, reason="the entrypoint is a shell script")
def test_healthcheck_follows_port_and_admin_token(tmp_path: Path) -> None:
    with ServerThread(Settings(admin_token="hc-token", defaults=False)) as server:
        port = str(server.port)
        healthy = entrypoint(
            tmp_path, "healthcheck", MOCKSERVER_PORT=port, MOCKSERVER_ADMIN_TOKEN="hc-token"
        )
        no_token = entrypoint(tmp_path, "healthcheck", MOCKSERVER_PORT=port)
        everywhere = entrypoint(
            tmp_path,
            "healthcheck",
            MOCKSERVER_HOST="0.0.0.0",
            MOCKSERVER_PORT=port,
            MOCKSERVER_ADMIN_TOKEN="hc-token",
        )
    assert (healthy.returncode, healthy.stderr) == (0, "")
    assert everywhere.returncode == 0
    assert no_token.returncode == 1
    assert f"unhealthy: http://127.0.0.1:{port}/__admin/health: HTTP Error 401" in no_token.stderr


def test_healthcheck_defaults_are_the_servers() -> None:
    text = ENTRYPOINT.read_text(encoding="utf-8")
    assert f'os.environ.get("MOCKSERVER_HOST") or "{Settings().host}"' in text
    assert f"os.environ.get('MOCKSERVER_PORT') or '{Settings().port}'" in text


def load_smoke() -> ModuleType:
    path = ROOT / "scripts" / "smoke_container.py"
    spec = importlib.util.spec_from_file_location("smoke_container", path)
    assert spec
    assert spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is made
    spec.loader.exec_module(module)
    return module


def test_smoke_scenarios_follow_the_scenario_format() -> None:
    model = pytest.importorskip("mockserver.scenarios.model")
    smoke = load_smoke()
    model.Scenario.model_validate(yaml.safe_load(smoke.SCENARIO_MOUNTED_YAML))
    model.Scenario.model_validate(smoke.SCENARIO_ADMIN_JSON)
