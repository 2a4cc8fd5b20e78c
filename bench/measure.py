"""Measurements: one case A/B against its baseline, start-up time, and memory under load."""

from __future__ import annotations

import contextlib
import http.client
import json
import statistics
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from bench import procs
from bench.baseline import Recorded
from bench.cases import Case, Skip, prepare, probe, request
from bench.load import Generator, Load, Result


@dataclass(frozen=True)
class Settings:
    """How hard and how long to push; shared by every case."""

    duration: float = 5.0
    connections: int = 32
    threads: int = 1
    repeats: int = 5
    warmup: float = 1.0
    loop: str = ""  # the event loop of both sides ("": the server's own choice)
    store: str = procs.MEMORY  # the mockserver's state store (the baseline has none)


@dataclass
class CaseOutcome:
    """Everything measured for one case, or why it was skipped."""

    case: Case
    skipped: str | None = None
    response: Recorded | None = None
    mock: list[Result] = field(default_factory=list)
    base: list[Result] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def median(self, side: str, metric: str) -> float:
        """Median of one metric over the repeats of one side ("mock" or "base")."""
        runs: list[Result] = getattr(self, side)
        return float(statistics.median(getattr(r, metric) for r in runs))

    @property
    def ratio(self) -> float:
        """Median over repeats of mockserver rps / baseline rps (each pair run back to back)."""
        return statistics.median(m.rps / b.rps for m, b in zip(self.mock, self.base, strict=True))

    @property
    def cpu_ratio(self) -> float | None:
        """Median over pairs of baseline / mockserver CPU time per request (None: unmeasured).

        The steadier figure on a shared machine: a neighbour's load slows both servers' wall
        clock far more than it changes the CPU each request costs.
        """
        pairs = [(m.cpu_us, b.cpu_us) for m, b in zip(self.mock, self.base, strict=True)]
        ratios = [b / m for m, b in pairs if m and b]
        return statistics.median(ratios) if ratios else None


@dataclass
class HeadToHead:
    """Two mockservers driven in turn: how `many` fares against `few`, pair by pair."""

    few: Case
    many: Case
    few_runs: list[Result] = field(default_factory=list)
    many_runs: list[Result] = field(default_factory=list)

    @property
    def ratios(self) -> list[float]:
        """`many` rps / `few` rps for each pair of runs made back to back."""
        return [m.rps / f.rps for m, f in zip(self.many_runs, self.few_runs, strict=True)]

    @property
    def ratio(self) -> float:
        """The median of the pairs' ratios."""
        return statistics.median(self.ratios)


@dataclass
class Calibration:
    """The replay baseline against the textbook aiohttp app, on the same bytes and loop."""

    case: Case
    base: list[Result] = field(default_factory=list)
    plain: list[Result] = field(default_factory=list)

    @property
    def ratios(self) -> list[float]:
        """baseline rps / plain app rps for each pair of runs made back to back."""
        return [b.rps / p.rps for b, p in zip(self.base, self.plain, strict=True)]

    @property
    def ratio(self) -> float:
        """The median of the pairs' ratios."""
        return statistics.median(self.ratios)

    @property
    def cpu_ratio(self) -> float | None:
        """plain app / baseline CPU time per request, median over pairs (None: unmeasured)."""
        pairs = zip(self.base, self.plain, strict=True)
        ratios = [p.cpu_us / b.cpu_us for b, p in pairs if b.cpu_us and p.cpu_us]
        return statistics.median(ratios) if ratios else None


@contextlib.contextmanager
def running(name: str, cmd: Sequence[str]) -> Iterator[procs.Server]:
    """A server for the duration of the block, always stopped (by its PID) afterwards."""
    server = procs.start(name, cmd)
    try:
        yield server
    finally:
        procs.stop(server)


def _mock_cmd(cfg: Settings, extra: Sequence[str] = ()) -> list[str]:
    return procs.mockserver_cmd(extra, loop=cfg.loop, store=cfg.store)


def _load(case: Case, server: procs.Server, cfg: Settings, duration: float) -> Load:
    return Load(
        url=server.url,
        method=case.method,
        path=case.path,
        headers=case.headers,
        body=case.body,
        connections=cfg.connections,
        duration=duration,
        threads=cfg.threads,
    )


def timed_run(gen: Generator, load: Load, server: procs.Server) -> Result:
    """One load run, with the server's CPU time per answered request."""
    before = procs.cpu_seconds(server.pid)
    result = gen.run(load)
    spent = procs.cpu_seconds(server.pid) - before
    return replace(result, cpu_us=spent / max(result.requests, 1) * 1e6)


def _check_replay(base: procs.Server, case: Case, recorded: Recorded) -> None:
    got = request(base.host, base.port, case.method, case.path, case.headers, case.body)
    if (got.status, got.body) != (recorded.status, recorded.body):
        raise RuntimeError(f"baseline replay differs for {case.name}: {got.status}")


def measure_case(case: Case, gen: Generator, cfg: Settings, log: Any = print) -> CaseOutcome:
    """Fresh mockserver, probe once, replay in a bare app, then alternate A/B runs."""
    outcome = CaseOutcome(case)
    try:
        return _measure(outcome, gen, cfg, log)
    except (RuntimeError, OSError, http.client.HTTPException) as err:
        outcome.skipped = f"failed: {_gist(str(err))}"
        outcome.mock.clear()
        outcome.base.clear()
        return outcome


def _gist(text: str) -> str:
    lines = [ln for ln in text.splitlines() if ln.strip()]
    return f"{lines[0]} ... {lines[-1]}" if len(lines) > 1 else text


def _measure(outcome: CaseOutcome, gen: Generator, cfg: Settings, log: Any) -> CaseOutcome:
    case = outcome.case
    with running("mockserver", _mock_cmd(cfg)) as mock:
        try:
            outcome.case = case = prepare(case, mock.host, mock.port)
            outcome.response = probe(case, mock.host, mock.port)
        except Skip as skip:
            outcome.skipped = str(skip)
            return outcome
        with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
            spec = Path(tmp, "response.json")
            spec.write_text(json.dumps(outcome.response.to_json()))
            with running("baseline", procs.baseline_cmd(spec, cfg.loop)) as base:
                _check_replay(base, case, outcome.response)
                _alternate(outcome, mock, base, gen, cfg, log)
    return outcome


def _alternate(
    out: CaseOutcome,
    mock: procs.Server,
    base: procs.Server,
    gen: Generator,
    cfg: Settings,
    log: Any,
) -> None:
    sides = {"mock": mock, "base": base}
    if cfg.warmup > 0:
        for server in (mock, base):
            gen.run(_load(out.case, server, cfg, cfg.warmup))
    for i in range(cfg.repeats):
        order = ("mock", "base") if i % 2 == 0 else ("base", "mock")
        for side in order:
            server = sides[side]
            result = timed_run(gen, _load(out.case, server, cfg, cfg.duration), server)
            getattr(out, side).append(result)
            _check_run(out, side, result)
            log(
                f"  {out.case.name:<10} {side:<4} run {i + 1}: {result.rps:9.0f} rps  "
                f"p50 {result.p50_ms:6.2f} ms  p99 {result.p99_ms:6.2f} ms  "
                f"cpu {result.cpu_us:6.1f} us/req"
            )


def _check_run(out: CaseOutcome, side: str, result: Result) -> None:
    """Note runs with socket errors or answers outside the probed status class."""
    assert out.response is not None
    ok_class = 200 <= out.response.status < 400
    off = result.non_2xx if ok_class else result.requests - result.non_2xx
    if off or result.errors:
        out.warnings.append(
            f"{side}: {off} of {result.requests} answers not {out.response.status // 100}xx, "
            f"{result.errors} socket errors"
        )


def ready_time(runs: int, timeout: float = 30.0, cfg: Settings = Settings()) -> list[float]:
    """Seconds from spawning `mockserver serve --port 0` to a 200 from /__admin/health."""
    times = []
    for _ in range(runs):
        with running("mockserver", _mock_cmd(cfg)) as mock:
            deadline = mock.started_at + timeout
            if not procs.wait_healthy(mock.host, mock.port, deadline):
                raise RuntimeError("mockserver never answered /__admin/health with 200")
            times.append(time.perf_counter() - mock.started_at)
    return times


# The leak check's server keeps 1,000 resources and journal entries instead of 10,000: its
# bounded stores are full well before half-way, so growth in the second half is a leak, not
# the stores filling (at the defaults the mixed cases were still filling them at 100,000)
RSS_BOUNDS = ("--resource-limit", "1000", "--journal-size", "1000")


def rss_under_load(
    cases: Sequence[Case], gen: Generator, cfg: Settings, total: int
) -> dict[str, float]:
    """VmRSS (MiB) idle after start, after half the requests and after all of them."""
    with running("mockserver", _mock_cmd(cfg, RSS_BOUNDS)) as mock:
        procs.wait_healthy(mock.host, mock.port, time.perf_counter() + 30)
        time.sleep(1.0)
        rss = {"idle": procs.rss_mb(mock.pid), "requests": 0.0}
        for label in ("half", "after"):
            for case in cases:
                rss["requests"] += drive(case, mock, gen, cfg, total // 2 // len(cases))
            time.sleep(0.5)
            rss[label] = procs.rss_mb(mock.pid)
    return rss


def baseline_idle_rss(recorded: Recorded, cfg: Settings = Settings()) -> float:
    """VmRSS (MiB) of the bare aiohttp replay app one second after start, for scale."""
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        spec = Path(tmp, "response.json")
        spec.write_text(json.dumps(recorded.to_json()))
        with running("baseline", procs.baseline_cmd(spec, cfg.loop)) as base:
            time.sleep(1.0)
            return procs.rss_mb(base.pid)


def drive(case: Case, server: procs.Server, gen: Generator, cfg: Settings, n: int) -> int:
    """Send at least n requests in time-bounded chunks sized from the last chunk's rate."""
    done, seconds = 0, 1.0
    while done < n:
        result = gen.run(_load(case, server, cfg, seconds))
        done += result.requests
        seconds = min(30.0, max(1.0, (n - done) / max(result.rps, 1.0)))
    return done


def head_to_head(
    few: Case, many: Case, gen: Generator, cfg: Settings, log: Any = print
) -> HeadToHead | None:
    """Drive two mockservers (say 1 and 1,000 rules) in alternation and compare them directly.

    Both are mockservers answering the same bytes, so noise on the machine hits both alike;
    dividing two separately normalised case ratios instead compounds two baselines' noise.
    None when either side cannot be prepared (the case would be skipped too).
    """
    out = HeadToHead(few, many)
    with running("few", _mock_cmd(cfg)) as a, running("many", _mock_cmd(cfg)) as b:
        try:
            out.few, out.many = prepare(few, a.host, a.port), prepare(many, b.host, b.port)
            answers = probe(out.few, a.host, a.port), probe(out.many, b.host, b.port)
        except Skip:
            return None
        if answers[0].status != answers[1].status:
            raise RuntimeError(f"the two sides answer {answers[0].status} and {answers[1].status}")
        sides = {"few": (out.few, a, out.few_runs), "many": (out.many, b, out.many_runs)}
        for case, server, _ in sides.values():
            if cfg.warmup > 0:
                gen.run(_load(case, server, cfg, cfg.warmup))
        for i in range(cfg.repeats):
            for side in ("few", "many") if i % 2 == 0 else ("many", "few"):
                case, server, runs = sides[side]
                runs.append(result := gen.run(_load(case, server, cfg, cfg.duration)))
                log(f"  {case.name:<10} run {i + 1}: {result.rps:9.0f} rps")
    return out


def calibrate(
    case: Case, recorded: Recorded, gen: Generator, cfg: Settings, log: Any = print
) -> Calibration:
    """The replay baseline against the textbook app answering `recorded`, alternated A/B.

    The ratios of every case are only as good as this ceiling: a baseline slower than a
    plain aiohttp app flatters them all, so the bench measures it in the same run.
    """
    out = Calibration(case)
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        spec = Path(tmp, "response.json")
        spec.write_text(json.dumps(recorded.to_json()))
        plain_cmd = procs.baseline_cmd(spec, cfg.loop, (case.method, case.path))
        with (
            running("baseline", procs.baseline_cmd(spec, cfg.loop)) as base,
            running("plain", plain_cmd) as plain,
        ):
            for server in (base, plain):
                _check_replay(server, case, recorded)
                if cfg.warmup > 0:
                    gen.run(_load(case, server, cfg, cfg.warmup))
            sides = {"base": (base, out.base), "plain": (plain, out.plain)}
            for i in range(cfg.repeats):
                for side in ("base", "plain") if i % 2 == 0 else ("plain", "base"):
                    server, runs = sides[side]
                    result = timed_run(gen, _load(case, server, cfg, cfg.duration), server)
                    runs.append(result)
                    log(
                        f"  calibrate  {side:<5} run {i + 1}: {result.rps:9.0f} rps  "
                        f"cpu {result.cpu_us:6.1f} us/req"
                    )
    return out
