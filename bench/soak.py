"""`python -m bench.soak`: long mixed traffic; RSS must level off and no answer be a 5xx."""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp

from bench import procs

RESULTS = Path(__file__).resolve().parent / "results"
SCENARIO = """
name: soak
vendor: ringcentral
rules:
  - name: soak-hit
    match: {headers: {X-Soak: hit}}
    error: CMN-301
"""
VENDOR_ERRORS = {
    "ringcentral": "CMN-301",
    "yeastar": "-1",
    "signalwire": "20429",
    "fonedynamics": "FORBIDDEN",
    "webexconnect": "7020",
}
SESSIONS = 1000  # distinct X-Mock-Session values, so per-session state is exercised too
FORM_BODY = "&".join(f"Field{n}=" + "x" * 40 for n in range(40)).encode()  # ~2 KB, truncated


@dataclass(frozen=True)
class Req:
    """One request of the mix."""

    kind: str
    method: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | None = None


def build_request(i: int) -> Req:
    """The i-th request: a fixed rotation over every kind of traffic (deterministic)."""
    vendors = list(VENDOR_ERRORS)
    vendor = vendors[i % len(vendors)]
    session = {"X-Mock-Session": f"soak-{i % SESSIONS}"}
    slot = i % 20
    if slot < 6:
        headers = {**session, "X-Mock-Error": VENDOR_ERRORS[vendor]}
        return Req("injected", "GET", f"/{vendor}/soak/injected", headers)
    if slot < 10:
        headers = {**session, "X-Soak": "hit"}
        return Req(
            "scenario", "POST", "/ringcentral/restapi/v1.0/account/~/extension/~/sms", headers
        )
    if slot < 15:
        return Req("not_found", "GET", f"/{vendor}/soak/nothing/{i}", session)  # unique paths
    if slot < 19:
        headers = {**session, "Content-Type": "application/x-www-form-urlencoded"}
        return Req("body", "POST", f"/{vendor}/soak/form", headers, FORM_BODY)
    return Req("journal", "GET", "/__admin/requests?limit=20")


@dataclass
class Sample:
    """One RSS reading, taken every `--sample-every` requests."""

    requests: int
    seconds: float
    rss_mb: float
    rps: float


@dataclass
class Tally:
    """Shared by the workers (one event loop: no locks needed)."""

    total: int
    deadline: float
    sample_every: int
    rss: Callable[[], float]
    started: float = field(default_factory=time.perf_counter)
    done: int = 0
    statuses: Counter[str] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    samples: list[Sample] = field(default_factory=list)

    def count(self, kind: str, status: int) -> None:
        self.done += 1
        self.statuses[f"{kind} {status}"] += 1
        if status >= 500:
            self.errors[f"{kind} {status}"] += 1
        if self.done % self.sample_every == 0:
            self.sample()

    def sample(self) -> None:
        now = time.perf_counter() - self.started
        last = self.samples[-1] if self.samples else Sample(0, 0.0, 0.0, 0.0)
        rps = (self.done - last.requests) / max(now - last.seconds, 1e-9)
        self.samples.append(Sample(self.done, round(now, 2), round(self.rss(), 1), round(rps)))
        print(_row(self.samples[-1]), file=sys.stderr, flush=True)


async def worker(
    session: aiohttp.ClientSession, url: str, tally: Tally, numbers: itertools.count[int]
) -> None:
    """Send requests until the count or the time runs out."""
    while (i := next(numbers)) < tally.total and time.perf_counter() < tally.deadline:
        req = build_request(i)
        try:
            async with session.request(
                req.method, url + req.path, headers=req.headers, data=req.body
            ) as resp:
                await resp.read()
                tally.count(req.kind, resp.status)
        except (aiohttp.ClientError, TimeoutError) as err:
            tally.errors[f"{req.kind} {type(err).__name__}"] += 1


async def drive(url: str, tally: Tally, connections: int) -> None:
    """Load the soak scenario, then run the workers on keep-alive connections."""
    timeout = aiohttp.ClientTimeout(total=30)
    connector = aiohttp.TCPConnector(limit=connections)
    async with aiohttp.ClientSession(timeout=timeout, connector=connector) as session:
        async with session.post(url + "/__admin/scenarios", data=SCENARIO) as resp:
            if resp.status != 201:
                raise SystemExit(
                    f"could not load the soak scenario: {resp.status} {await resp.text()}"
                )
        tally.sample()  # the baseline, before any load
        numbers = itertools.count()
        await asyncio.gather(*(worker(session, url, tally, numbers) for _ in range(connections)))
    if not tally.samples or tally.samples[-1].requests != tally.done:
        tally.sample()


def _row(s: Sample) -> str:
    return f"{s.requests:>10,} {s.seconds:>9.1f} {s.rss_mb:>9.1f} {s.rps:>8,}"


def summary(tally: Tally) -> dict[str, Any]:
    """The figures that say whether memory levelled off."""
    loaded = [s for s in tally.samples if s.requests > 0]
    rss = [s.rss_mb for s in loaded] or [0.0]
    half = loaded[len(loaded) // 2 :] or loaded
    seconds = tally.samples[-1].seconds if tally.samples else 0.0
    return {
        "requests": tally.done,
        "seconds": seconds,
        "rps": round(tally.done / seconds) if seconds else 0,
        "rss_baseline_mb": tally.samples[0].rss_mb if tally.samples else 0.0,
        "rss_first_mb": rss[0],
        "rss_max_mb": max(rss),
        "rss_last_mb": rss[-1],
        # steady state: growth over the second half of the run (the first half fills the bounds)
        "rss_growth_second_half_mb": round(half[-1].rss_mb - half[0].rss_mb, 1) if half else 0.0,
        "failures": sum(tally.errors.values()),  # 5xx answers and transport errors
    }


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m bench.soak", description=__doc__)
    p.add_argument("--requests", type=int, default=1_000_000, help="requests to send (1,000,000)")
    p.add_argument(
        "--max-duration", type=float, default=1800, help="stop after this many seconds (1800)"
    )
    p.add_argument(
        "--connections", type=int, default=16, help="concurrent keep-alive connections (16)"
    )
    p.add_argument("--sample-every", type=int, default=10_000, help="requests between RSS samples")
    p.add_argument("--journal-size", type=int, default=10_000, help="the server's --journal-size")
    p.add_argument(
        "--max-growth-mb", type=float, help="exit 1 when RSS grows more over the second half"
    )
    p.add_argument("--out-dir", type=Path, default=RESULTS, help="where soak-<timestamp>.json goes")
    return p


def main(argv: list[str] | None = None) -> int:
    """Run the soak; print the table and the summary; write the JSON result."""
    args = _parser().parse_args(argv)
    started = datetime.now(UTC)
    cmd = procs.mockserver_cmd(["--no-watch", "--journal-size", str(args.journal_size)])
    server = procs.start("mockserver", cmd)
    print(
        f"soak: {args.requests:,} requests, at most {args.max_duration:g} s, pid {server.pid}",
        file=sys.stderr,
    )
    print(f"{'requests':>10} {'seconds':>9} {'rss MiB':>9} {'req/s':>8}", file=sys.stderr)
    deadline = time.perf_counter() + args.max_duration
    tally = Tally(args.requests, deadline, args.sample_every, lambda: procs.rss_mb(server.pid))
    try:
        asyncio.run(drive(server.url, tally, args.connections))
    finally:
        procs.stop(server)
    figures = summary(tally)
    result = {
        "started": started.isoformat(timespec="seconds"),
        "args": {
            k: os.path.relpath(v) if isinstance(v, Path) else v for k, v in vars(args).items()
        },
        "summary": figures,
        "statuses": dict(sorted(tally.statuses.items())),
        "errors": dict(tally.errors),
        "samples": [asdict(s) for s in tally.samples],
    }
    out = args.out_dir / f"soak-{started.strftime('%Y%m%dT%H%M%SZ')}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(figures, indent=2))
    print(f"wrote {out}", file=sys.stderr)
    return _verdict(figures, args.max_growth_mb)


def _verdict(figures: dict[str, Any], max_growth: float | None) -> int:
    if figures["failures"]:
        print(f"FAIL: {figures['failures']} 5xx answers or transport errors", file=sys.stderr)
        return 1
    if max_growth is not None and figures["rss_growth_second_half_mb"] > max_growth:
        print(
            f"FAIL: RSS grew {figures['rss_growth_second_half_mb']} MiB > {max_growth}",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
