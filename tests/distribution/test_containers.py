"""MockServerContainer against a real engine: podman's Docker-compatible socket, or Docker's.

Needs a socket (DOCKER_HOST, or podman's/Docker's default path) and the image (MOCKSERVER_IMAGE,
default localhost/mockserver:smoke, which `make docker-smoke` builds); skipped with the reason
otherwise, failed instead when MOCKSERVER_REQUIRE_CONTAINERS=1 (scripts/docker-smoke.sh
sets it when it runs this file against the image it just built). Ryuk, testcontainers'
reaper, is an image from a registry: it is switched off and the container is removed here.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import requests

from tests.distribution.conftest import ROOT

SOCKETS = ("/run/podman/podman.sock", "/var/run/docker.sock")
IMAGE = os.environ.get("MOCKSERVER_IMAGE") or "localhost/mockserver:smoke"
SCENARIO = ROOT / "scenarios" / "ringcentral" / "token-expires-mid-run.yaml"
TOKEN = "tc-token"


def _engine() -> str | None:
    """Why the test cannot run here, or None."""
    host = os.environ.get("DOCKER_HOST")
    if not host:
        found = next((s for s in SOCKETS if Path(s).is_socket()), None)
        if found is None:
            return f"no container engine socket: DOCKER_HOST unset, none of {SOCKETS}"
        os.environ["DOCKER_HOST"] = f"unix://{found}"
    import docker

    try:
        docker.from_env().images.get(IMAGE)
    except Exception as err:
        return f"image {IMAGE} not available on {os.environ['DOCKER_HOST']}: {err}"
    return None


@pytest.fixture
def engine(monkeypatch: pytest.MonkeyPatch) -> None:
    reason = _engine()
    if reason and os.environ.get("MOCKSERVER_REQUIRE_CONTAINERS") == "1":
        pytest.fail(reason)
    if reason:
        pytest.skip(reason)
    from testcontainers.core.config import ConnectionMode, testcontainers_config

    monkeypatch.setattr(testcontainers_config, "ryuk_disabled", True)
    if not os.environ.get("TESTCONTAINERS_CONNECTION_MODE"):
        # a local engine publishes ports on this machine's loopback, even when this machine
        # is itself a container (which testcontainers would otherwise reach by its gateway)
        mode = ConnectionMode.docker_host
        monkeypatch.setattr(testcontainers_config, "connection_mode_override", mode)


def test_container_serves_mounted_scenarios_behind_a_token(engine: None) -> None:
    from mockserver.testing.containers import MockServerContainer

    with MockServerContainer(IMAGE, scenarios=SCENARIO, admin_token=TOKEN) as mock:
        url = mock.get_url()
        assert mock.url_for("ringcentral") == url + "/ringcentral"
        answer = requests.post(
            mock.url_for("ringcentral") + "/restapi/v1.0/account/~/extension/~/sms",
            headers={"X-Mock-Error": "CMN-301"},
            timeout=10,
        )
        assert answer.status_code == 429
        assert requests.get(url + "/__admin/scenarios", timeout=10).status_code == 401
        loaded = requests.get(
            url + "/__admin/scenarios",
            headers={"Authorization": f"Bearer {TOKEN}"},
            timeout=10,
        )
        assert "ringcentral-token-expires-mid-run" in loaded.text


def test_a_container_that_never_serves_times_out_with_its_logs(engine: None) -> None:
    from mockserver.testing.containers import MockServerContainer

    # a server that refuses to start: an unknown vendor in --vendor-port
    broken = MockServerContainer(IMAGE, startup_timeout=10).with_command(
        ["serve", "--vendor-port", "nosuchvendor=9001"]
    )
    with pytest.raises(TimeoutError, match="/__admin/health not healthy"):
        broken.start()
    broken.stop()
