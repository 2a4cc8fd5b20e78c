"""Start and stop the servers under test (by PID only), and read their memory from /proc."""

from __future__ import annotations

import contextlib
import http.client
import os
import queue
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
URL_RE = re.compile(r"listening on http://([\d.]+):(\d+)")
HOST = "127.0.0.1"
MEMORY = "memory"  # the default store: state in the server process


class StartError(RuntimeError):
    """A server did not print its listening line in time."""


@dataclass
class Server:
    """A server process we started, and where it listens."""

    name: str
    proc: subprocess.Popen[bytes]
    host: str
    port: int
    started_at: float
    banner: list[str] = field(default_factory=list)

    @property
    def pid(self) -> int:
        """The process id (the only handle we ever signal)."""
        return self.proc.pid

    @property
    def url(self) -> str:
        """Base URL, no trailing slash."""
        return f"http://{self.host}:{self.port}"


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH")) if p)
    env["PYTHONUNBUFFERED"] = "1"
    return env


def _module(module: str, loop: str) -> list[str]:
    """`python -m module`, pinned to `loop` through bench.loops when one is named."""
    if not loop:
        return [sys.executable, "-m", module]
    return [sys.executable, "-m", "bench.loops", loop, module]


def mockserver_cmd(extra: Sequence[str] = (), loop: str = "", store: str = MEMORY) -> list[str]:
    """The command that starts the mockserver on a free loopback port.

    `loop` pins the event loop ("" is the server's own choice); a `store` other than the
    in-memory one is passed as `--store` (the shared-store option of `mockserver serve`).
    """
    stored = [] if store == MEMORY else ["--store", store]
    serve = ["serve", "--host", HOST, "--port", "0", *stored, *extra]
    return [*_module("mockserver", loop), *serve]


def baseline_cmd(spec: Path, loop: str = "", plain: tuple[str, str] | None = None) -> list[str]:
    """The bare aiohttp replay server (or, with `plain`, the textbook app) on a free port."""
    args = [str(spec), "--host", HOST, "--port", "0", *(["--plain", *plain] if plain else [])]
    return [*_module("bench.baseline", loop), *args]


def start(name: str, cmd: Sequence[str], timeout: float = 30.0) -> Server:
    """Spawn cmd and wait for its `listening on http://HOST:PORT` first line.

    stdout is drained by a thread and stderr goes to a temp file, so a chatty server can
    never block on a full pipe while it is being measured.
    """
    started = time.perf_counter()
    with tempfile.TemporaryFile() as errfile:
        proc = subprocess.Popen(
            list(cmd), cwd=REPO, env=_env(), stdout=subprocess.PIPE, stderr=errfile
        )
        line = _first_line(proc, timeout)
        match = URL_RE.search(line)
        if match is None:
            stop_proc(proc)
            errfile.seek(0)
            err = errfile.read().decode(errors="replace").strip()[-2000:]
            raise StartError(f"{name} did not start ({line or 'no output'}): {err}")
    return Server(name, proc, match[1], int(match[2]), started, [line])


def _first_line(proc: subprocess.Popen[bytes], timeout: float) -> str:
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=_pump, args=(proc, lines), daemon=True).start()
    try:
        return lines.get(timeout=timeout)
    except queue.Empty:
        return ""


def _pump(proc: subprocess.Popen[bytes], lines: queue.Queue[str]) -> None:
    assert proc.stdout is not None
    for raw in proc.stdout:
        lines.put(raw.decode(errors="replace").rstrip())
    lines.put("")


def stop_proc(proc: subprocess.Popen[bytes], grace: float = 5.0) -> None:
    """SIGTERM this one PID, then SIGKILL it if it has not exited within grace seconds."""
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(proc.pid, signal.SIGTERM)
        try:
            proc.wait(grace)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.kill(proc.pid, signal.SIGKILL)
            proc.wait(grace)


def stop(server: Server) -> None:
    """Stop a server we started."""
    stop_proc(server.proc)


def rss_mb(pid: int) -> float:
    """Resident set size (VmRSS) of one process, in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for pid {pid}")


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time one process has used so far (from /proc/PID/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wait_healthy(host: str, port: int, deadline: float, interval: float = 0.005) -> bool:
    """Poll GET /__admin/health until it answers 200 or the deadline passes."""
    while time.perf_counter() < deadline:
        with contextlib.suppress(OSError, http.client.HTTPException):
            conn = http.client.HTTPConnection(host, port, timeout=1.0)
            try:
                conn.request("GET", "/__admin/health")
                if conn.getresponse().status == 200:
                    return True
            finally:
                conn.close()
        time.sleep(interval)
    return False
