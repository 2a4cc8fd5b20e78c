"""`mockserver serve --store local` alone: one process, its own redis-server, stopped with it."""

from __future__ import annotations

import signal
import subprocess
import sys

import requests


def test_store_local_with_one_worker_serves_and_stops_cleanly() -> None:
    args = ["serve", "--port", "0", "--store", "local", "--no-watch"]
    process = subprocess.Popen(
        [sys.executable, "-m", "mockserver", *args], stdout=subprocess.PIPE, text=True
    )
    assert process.stdout is not None
    try:
        head = process.stdout.readline()
        assert "listening on" in head, head
        store = requests.get(head.split()[-1] + "/__admin/health", timeout=10).json()["store"]
        assert store["kind"] == "redis"
        assert store["problem"] is None
        process.send_signal(signal.SIGTERM)
        assert process.wait(60) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(30)
        process.stdout.close()
