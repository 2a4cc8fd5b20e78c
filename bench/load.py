"""Load generators: wrk with a Lua request script, or a built-in asyncio client as fallback."""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import statistics
import subprocess
import tempfile
import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path

import aiohttp

UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 6e4}


@dataclass(frozen=True)
class Load:
    """What to send, how hard and for how long."""

    url: str
    method: str
    path: str
    headers: Mapping[str, str]
    body: bytes
    connections: int
    duration: float
    threads: int = 1


@dataclass(frozen=True)
class Result:
    """One load run: throughput, latency percentiles and failures."""

    requests: int
    seconds: float
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int
    non_2xx: int = 0  # answers outside 2xx/3xx (wrk's "Non-2xx or 3xx responses")
    cpu_us: float | None = None  # the server's CPU time per answered request (user + system)

    def to_json(self) -> dict[str, float | int]:
        """Plain dict for the results file."""
        return asdict(self)


def ensure_wrk() -> str | None:
    """Path to wrk; as root, try `apt-get install -y wrk` (after `apt-get update` if needed)."""
    found = shutil.which("wrk")
    if found or os.geteuid() != 0 or not shutil.which("apt-get"):
        return found
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "-q", "wrk"]
    for steps in ([install], [["apt-get", "update", "-q"], install]):
        for cmd in steps:
            subprocess.run(cmd, env=env, capture_output=True, timeout=600, check=False)
        if found := shutil.which("wrk"):
            return found
    return None


def _lua_str(raw: str | bytes) -> str:
    data = raw.encode() if isinstance(raw, str) else raw
    out = []
    for byte in data:
        char = chr(byte)
        out.append(char if 32 <= byte < 127 and char not in '"\\' else f"\\{byte:03d}")
    return '"' + "".join(out) + '"'


def lua_script(load: Load) -> str:
    """The wrk script: method, path, headers and body (no per-response hook, so wrk stays fast)."""
    lines = [
        f"wrk.method = {_lua_str(load.method)}",
        f"wrk.path = {_lua_str(load.path)}",
        f"wrk.body = {_lua_str(load.body)}" if load.body else "wrk.body = nil",
    ]
    lines += [f"wrk.headers[{_lua_str(k)}] = {_lua_str(v)}" for k, v in load.headers.items()]
    return "\n".join(lines) + "\n"


def run_wrk(wrk: str, load: Load) -> Result:
    """Run wrk once (bounded by --duration plus a margin) and parse its report."""
    with tempfile.TemporaryDirectory(prefix="bench-wrk-") as tmp:
        script = Path(tmp, "request.lua")
        script.write_text(lua_script(load))
        cmd = [
            wrk,
            f"-t{load.threads}",
            f"-c{load.connections}",
            f"-d{max(1, int(load.duration))}s",
            "--timeout",
            "10s",
            "--latency",
            "-s",
            str(script),
            load.url,
        ]
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=load.duration + 60)
    if done.returncode != 0:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr.strip()}")
    return parse_wrk(done.stdout)


def _ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    if match is None:
        raise ValueError(f"bad wrk duration {text!r}")
    return float(match[1]) * UNITS[match[2]]


def parse_wrk(out: str) -> Result:
    """Requests/sec, total requests, the 50%/99% lines of --latency and socket errors."""
    pct = dict(re.findall(r"^\s+(50|99)(?:\.0+)?%\s+(\S+)\s*$", out, re.M))
    total = re.search(r"(\d+) requests in ([\d.]+)(us|ms|s|m)", out)
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    if total is None or rps is None or not {"50", "99"} <= pct.keys():
        raise ValueError(f"cannot parse wrk output:\n{out}")
    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return Result(
        requests=int(total[1]),
        seconds=_ms(total[2] + total[3]) / 1000,
        rps=float(rps[1]),
        p50_ms=_ms(pct["50"]),
        p99_ms=_ms(pct["99"]),
        errors=errors,
        non_2xx=int(non_2xx[1]) if non_2xx else 0,
    )


def run_asyncio(load: Load) -> Result:
    """The fallback: `connections` keep-alive workers on one ClientSession for a fixed time."""
    return asyncio.run(_drive(load))


async def _drive(load: Load) -> Result:
    latencies: list[float] = []
    state = {"errors": 0, "non_2xx": 0}
    connector = aiohttp.TCPConnector(limit=load.connections, force_close=False)
    async with aiohttp.ClientSession(load.url, connector=connector) as session:
        started = time.perf_counter()
        stop_at = started + load.duration
        workers = [
            _worker(session, load, stop_at, latencies, state) for _ in range(load.connections)
        ]
        await asyncio.gather(*workers)
        seconds = time.perf_counter() - started
    return _summary(latencies, seconds, state["errors"], state["non_2xx"])


async def _worker(
    session: aiohttp.ClientSession,
    load: Load,
    stop_at: float,
    latencies: list[float],
    state: dict[str, int],
) -> None:
    headers = dict(load.headers)
    body = load.body or None
    while time.perf_counter() < stop_at:
        t0 = time.perf_counter()
        try:
            async with session.request(load.method, load.path, headers=headers, data=body) as r:
                await r.read()
                state["non_2xx"] += not 200 <= r.status < 400
        except (aiohttp.ClientError, OSError):
            state["errors"] += 1
            continue
        latencies.append((time.perf_counter() - t0) * 1000)


def _summary(latencies: list[float], seconds: float, errors: int, non_2xx: int) -> Result:
    if len(latencies) < 2:
        raise RuntimeError(f"load run got {len(latencies)} answers and {errors} errors")
    cuts = statistics.quantiles(latencies, n=100, method="inclusive")
    n = len(latencies)
    return Result(n, seconds, n / seconds, cuts[49], cuts[98], errors, non_2xx)


class Generator:
    """The chosen load generator, named for the report."""

    def __init__(self, prefer: str = "auto") -> None:
        self.wrk = ensure_wrk() if prefer in ("auto", "wrk") else None
        if prefer == "wrk" and self.wrk is None:
            raise RuntimeError("wrk requested but not installed and could not be installed")
        self.name = "wrk" if self.wrk else "asyncio (aiohttp client)"

    def run(self, load: Load) -> Result:
        """One load run with whichever generator is in use."""
        return run_wrk(self.wrk, load) if self.wrk else run_asyncio(load)

    def version(self) -> str:
        """wrk's version line, or the aiohttp client's version."""
        if not self.wrk:
            return f"aiohttp {aiohttp.__version__}"
        out = subprocess.run([self.wrk, "-v"], capture_output=True, text=True, check=False)
        return (out.stdout or out.stderr).splitlines()[0].strip()
