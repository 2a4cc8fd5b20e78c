"""Redis lost and back: mock-level 503s meanwhile, a degraded health, recovery without restart."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator

import pytest
import requests

from mockserver.store.shared.local import LocalRedis, free_port
from tests.shared.replicas import journal, load, replicas, send_sms
from tests.shared.test_replicas import THREE


@pytest.fixture
def own_redis(request: pytest.FixtureRequest) -> Iterator[LocalRedis]:
    """A Redis this test may kill (persistent when the test is marked so)."""
    persist = request.node.get_closest_marker("persist") is not None
    with LocalRedis(persist=persist) as server:
        yield server


def health(url: str) -> dict[str, object]:
    resp = requests.get(f"{url}/__admin/health", timeout=10)
    assert resp.status_code == 200
    return resp.json()  # type: ignore[no-any-return]


def assert_unavailable(resp: requests.Response) -> None:
    assert resp.status_code == 503
    assert resp.headers["X-Mock-Server-Error"] == "true"
    body = resp.json()
    assert body["error"] == "store_unavailable"
    assert "shared store redis://127.0.0.1:" in body["message"]


def test_lost_redis_answers_mock_level_503s_then_recovers_with_its_state_reset(
    own_redis: LocalRedis,
) -> None:
    with replicas(own_redis.url) as (a, b):
        load(a, THREE)
        assert send_sms(b, session="f").status_code == 400
        own_redis.stop(kill=True)
        for server in (a, b):
            assert_unavailable(send_sms(server, session="f"))
            said = health(server.url)
            assert said["status"] == "degraded"
            assert "unavailable" in str(said["store"])
            assert_unavailable(requests.get(f"{server.url}/__admin/requests", timeout=10))
        own_redis.start()  # empty: it kept nothing
        assert health(a.url)["status"] == "ok"
        # both replicas notice the data went and start again from it: nobody forks
        assert [send_sms(s, session="f").status_code for s in (a, b)] == [201, 201]
        for server in (a, b):
            rules = requests.get(f"{server.url}/__admin/scenarios", timeout=10).json()["rules"]
            assert "three-failures" not in {r["scenario"] for r in rules}
            assert len(journal(server, session="f")) == 2


@pytest.mark.persist
def test_a_persistent_redis_restarted_keeps_counting_where_it_was(own_redis: LocalRedis) -> None:
    with replicas(own_redis.url) as (a, b):
        load(a, THREE)
        assert [send_sms(s, session="p").status_code for s in (a, b)] == [400, 400]
        own_redis.stop()
        assert_unavailable(send_sms(a, session="p"))
        own_redis.start()
        codes = [send_sms(s, session="p").status_code for s in (b, a, b)]
        assert codes == [400, 201, 201]  # the third firing, then done: 3 in all


@pytest.mark.parametrize("workers", ["1", "2"])
def test_serve_refuses_to_start_without_its_redis(workers: str) -> None:
    # with --workers the parent asks Redis before forking: one line, not one per worker
    url = f"redis://127.0.0.1:{free_port()}/0"
    serve = ["serve", "--port", "0", "--store", url, "--workers", workers]
    done = subprocess.run(
        [sys.executable, "-m", "mockserver", *serve],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"mockserver: --store {url}: Redis does not answer (")


def test_more_than_one_worker_needs_a_shared_store() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "mockserver", "serve", "--port", "0", "--workers", "2"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "--workers" in done.stderr
    assert "needs a shared store (--store redis://... or local)" in done.stderr
