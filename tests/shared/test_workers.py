"""`mockserver serve --workers 2 --store local`: two processes on one port, exact together."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

import mockserver.server.workers as workers_module
from mockserver.settings import StartupError
from tests.shared.replicas import send_sms
from tests.shared.test_replicas import THREE


class Served:
    """A `mockserver serve` child process and the URL its banner printed."""

    def __init__(self, process: subprocess.Popen[str], url: str) -> None:
        self.process, self.url = process, url


@pytest.fixture
def workers() -> Iterator[Served]:
    args = ["serve", "--port", "0", "--workers", "2", "--store", "local", "--no-watch"]
    process = subprocess.Popen(
        [sys.executable, "-m", "mockserver", *args], stdout=subprocess.PIPE, text=True
    )
    assert process.stdout is not None
    head = process.stdout.readline()  # "mockserver X listening on URL" once serving
    assert "listening on" in head, head
    try:
        yield Served(process, head.split()[-1])
    finally:
        if process.poll() is None:  # SIGTERM: the parent stops its workers and its redis-server
            process.terminate()
            process.wait(60)
        process.stdout.close()


def test_two_workers_answer_on_one_port_and_count_rules_exactly(workers: Served) -> None:
    seen = set()
    for _ in range(40):  # a new connection each: the kernel picks a worker for each
        store = requests.get(f"{workers.url}/__admin/health", timeout=10).json()["store"]
        seen.add(store["replica"])
    assert len(seen) == 2
    load = requests.post(f"{workers.url}/__admin/scenarios", data=THREE, timeout=10)
    assert load.status_code == 201
    with ThreadPoolExecutor(max_workers=20) as pool:
        codes = Counter(r.status_code for r in pool.map(lambda _: send_sms(workers), range(60)))  # type: ignore[arg-type]
    assert codes == {201: 57, 400: 3}


def test_sigterm_stops_every_worker_and_the_local_redis(workers: Served) -> None:
    children = _children(workers.process.pid)
    assert len(children) == 3  # two workers and the redis-server
    workers.process.send_signal(signal.SIGTERM)
    assert workers.process.wait(60) == 0
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in children) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not [pid for pid in children if _alive(pid)]


def _children(pid: int) -> list[int]:
    with open(f"/proc/{pid}/task/{pid}/children") as f:
        return [int(p) for p in f.read().split()]


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split()[2] != "Z"
    except FileNotFoundError:
        return False


def _exits_at_once() -> None:
    sys.exit(2)


def test_a_worker_that_exits_before_listening_is_a_startup_error_not_a_crash() -> None:
    # its end of the ready pipe closes as it exits: the parent must not trip on EOF
    ready, told = workers_module._FORK.Pipe(duplex=False)
    process = workers_module._FORK.Process(target=_exits_at_once, name="mockserver-worker-0")
    process.start()
    told.close()
    process.join(30)
    with pytest.raises(StartupError, match=r"^mockserver-worker-0 did not start"):
        workers_module._await_ready([(process, ready)])
