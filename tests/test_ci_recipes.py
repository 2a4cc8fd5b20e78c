"""docs/ci.md recipes, the Dockerfile and its entrypoint agree with each other and with the CLI.

Every recipe parses, names the image, port 8080, /__admin/health and a scenario folder, and
uses only MOCKSERVER_* variables the image knows; the entrypoint maps those variables to
flags the CLI really has. Nothing here needs Docker (scripts/docker-smoke.sh runs the image).
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

from mockserver.cli import main
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
# entrypoint-internal: where the build-time `serve --help` is read from (a test hook)
INTERNAL = {"MOCKSERVER_SERVE_HELP"}


def recipes() -> dict[str, tuple[str, str]]:
    found: dict[str, tuple[str, str]] = {}
    for name, lang, text in RECIPE.findall(DOC.read_text(encoding="utf-8")):
        assert name not in found, f"recipe {name} appears twice in {DOC}"
        found[name] = (lang, text)
    return found


def image_vars() -> set[str]:
    """Every MOCKSERVER_* variable the Dockerfile or the entrypoint names."""
    text = DOCKERFILE.read_text(encoding="utf-8") + ENTRYPOINT.read_text(encoding="utf-8")
    return set(VAR.findall(text))


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
def test_recipe_uses_only_variables_the_image_knows(name: str) -> None:
    # the pytest plugin's own variable is read by the tests, not by the image
    used = set(VAR.findall(recipes()[name][1])) - {URL_ENV}
    assert used <= image_vars() - INTERNAL, f"unknown to the image: {used - image_vars()}"


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
    assert set(service["env"]) <= image_vars()


def test_compose_healthcheck_gates_the_tests() -> None:
    services = yaml.safe_load(recipes()["docker-compose"][1])["services"]
    assert services["mockserver"]["healthcheck"]["test"][1:] == [
        "mockserver-entrypoint",
        "healthcheck",
    ]
    assert services["tests"]["depends_on"]["mockserver"]["condition"] == "service_healthy"


def test_variable_table_matches_the_image() -> None:
    table = set(re.findall(r"^\| `(MOCKSERVER_[A-Z0-9_]+)` \|", DOC.read_text(), re.MULTILINE))
    read = set(re.findall(r"\$\{(MOCKSERVER_[A-Z0-9_]+)", ENTRYPOINT.read_text()))
    assert table == image_vars() - INTERNAL
    assert read - INTERNAL <= table


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


def serve_help(capsys: pytest.CaptureFixture[str]) -> str:
    with pytest.raises(SystemExit):
        main(["serve", "--help"])
    return capsys.readouterr().out


def test_entrypoint_passes_unconditionally_only_flags_the_cli_has(
    capsys: pytest.CaptureFixture[str],
) -> None:
    text = ENTRYPOINT.read_text(encoding="utf-8")
    optional = set(re.findall(r"has_flag (--[a-z-]+)", text))
    always = set(re.findall(r"flags\+=\((--[a-z-]+)", text)) - optional
    assert always == {"--host", "--port", "--seed", "--vendor-port"}
    help_text = serve_help(capsys)
    for flag in always:
        assert re.search(rf"{flag}\b", help_text), f"the CLI has no {flag}"


@pytest.mark.skipif(shutil.which("bash") is None, reason="the entrypoint is a bash script")
def test_entrypoint_maps_environment_to_flags(tmp_path: Path) -> None:
    fake = tmp_path / "mockserver"  # prints the command line the entrypoint would exec
    fake.write_text('#!/bin/sh\necho "$@"\n')
    fake.chmod(0o755)
    help_file = tmp_path / "help.txt"
    help_file.write_text("usage: mockserver serve [--host HOST] [--scenarios PATH]\n")
    env = {
        "PATH": f"{tmp_path}{os.pathsep}{os.environ['PATH']}",
        "MOCKSERVER_SERVE_HELP": str(help_file),
        "MOCKSERVER_HOST": "0.0.0.0",
        "MOCKSERVER_PORT": "8080",
        "MOCKSERVER_SEED": "7",
        "MOCKSERVER_VENDOR_PORTS": "signalwire=9001 yeastar=9002",
        "MOCKSERVER_SCENARIOS": str(tmp_path),
        "MOCKSERVER_LOG_FORMAT": "json",  # not in this help text: not passed
        "MOCKSERVER_ADMIN_TOKEN": "secret",  # read by the server; never on the command line
    }
    out = subprocess.run(
        ["bash", str(ENTRYPOINT), "--port", "9000"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert out == [
        "serve",
        "--host",
        "0.0.0.0",
        "--port",
        "8080",
        "--seed",
        "7",
        "--vendor-port",
        "signalwire=9001",
        "--vendor-port",
        "yeastar=9002",
        "--scenarios",
        str(tmp_path),
        "--port",
        "9000",
    ]
    env["MOCKSERVER_SCENARIOS"] = str(tmp_path / "missing")
    missing = subprocess.run(
        ["bash", str(ENTRYPOINT)], env=env, capture_output=True, text=True, check=True
    )
    assert "--scenarios" not in missing.stdout
    assert "does not exist" in missing.stderr


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
