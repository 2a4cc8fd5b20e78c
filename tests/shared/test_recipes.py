"""deploy/compose.replicas.yaml and the Kubernetes sketch in docs/scaling.md describe servers that work.

No containers here: the compose file's replicas are started as processes with the settings it
gives them (its Redis URL swapped for a local redis-server), behind round-robin as nginx does.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Any

import yaml

from mockserver.settings import ENV_PREFIX, Settings, options
from tests.shared.replicas import load, replicas, spread
from tests.shared.test_replicas import THREE

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "deploy" / "compose.replicas.yaml"
NGINX = ROOT / "deploy" / "nginx.conf"
SCALING = ROOT / "docs" / "scaling.md"
VARIABLES = {option.env for option in options().values()}


def compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE.read_text())  # type: ignore[no-any-return]


def settings_of(env: dict[str, str]) -> dict[str, str]:
    """The service's MOCKSERVER_* variables as Settings fields (each one the server reads)."""
    assert set(env) <= VARIABLES, set(env) - VARIABLES
    return {name.removeprefix(ENV_PREFIX).lower(): value for name, value in env.items()}


def test_compose_runs_three_replicas_on_one_redis_behind_nginx() -> None:
    services = compose()["services"]
    server = services["mockserver"]
    assert server["deploy"]["replicas"] == 3
    assert server["depends_on"]["redis"]["condition"] == "service_healthy"
    assert settings_of(server["environment"])["store"] == "redis://redis:6379/0"
    assert "--appendonly" in services["redis"]["command"]
    upstream = re.search(r"server (\S+);", NGINX.read_text())
    assert upstream is not None
    assert upstream.group(1) == "mockserver:8080"
    assert services["balancer"]["volumes"] == ["./nginx.conf:/etc/nginx/conf.d/default.conf:ro"]


def test_the_compose_replicas_keep_times_exact(redis_url: str) -> None:
    given = settings_of(compose()["services"]["mockserver"]["environment"])
    given["store"] = redis_url
    Settings.model_validate(given)  # every value is one the server accepts
    extra = {k: v for k, v in given.items() if k != "store"}
    with replicas(redis_url, n=3, **extra) as servers:
        load(servers[2], THREE)
        answers = spread(servers, 90, session="compose")
        assert Counter(r.status_code for r in answers) == {201: 87, 400: 3}


def test_the_kubernetes_sketch_parses_and_uses_real_settings() -> None:
    block = re.search(
        r"<!-- recipe: kubernetes -->\s*```yaml\n(.*?)\n```", SCALING.read_text(), re.S
    )
    assert block is not None
    docs = [d for d in yaml.safe_load_all(block.group(1)) if d]
    kinds = {d["kind"] for d in docs}
    assert {"Deployment", "Service"} <= kinds
    deployment = next(
        d for d in docs if d["kind"] == "Deployment" and d["metadata"]["name"] == "mockserver"
    )
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    env = {e["name"]: e["value"] for e in container["env"]}
    assert settings_of(env)["store"].startswith("redis://")
    assert container["readinessProbe"]["httpGet"]["path"] == "/__admin/health"
    assert deployment["spec"]["replicas"] >= 2
