"""`python -m bench.scale`: the shared store and `--workers` against one in-memory process.

Two mockservers answering the same request are driven in alternation, pair by pair, so noise
on the machine hits both alike (as `bench.run`'s rule head-to-head does):

- store: `--store redis://...` (a redis-server started here) against in-memory, per case;
- workers: `--workers 2` against one worker, both on that Redis, per case.

Every server binds 127.0.0.1; the redis-server is stopped at the end.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from bench import measure, procs
from bench.cases import CASES, Case, Skip, prepare, probe
from bench.load import Generator, Result
from bench.report import RESULTS, machine
from mockserver.store.shared.local import LocalRedis

DEFAULT_CASES = "sw-magic,rules-1,sw-send,injected"
TARGETS = {"store": 0.5, "workers": 1.4}  # issue 14: redis >= 0.5x memory; 2 workers >= 1.4x


@dataclass
class Pair:
    """One comparison: `b` against `a` on the same case, run pair by pair."""

    kind: str
    case: Case
    a: str
    b: str
    a_runs: list[Result] = field(default_factory=list)
    b_runs: list[Result] = field(default_factory=list)
    skipped: str | None = None

    @property
    def ratio(self) -> float:
        """Median over pairs of b rps / a rps."""
        return statistics.median(
            b.rps / a.rps for a, b in zip(self.a_runs, self.b_runs, strict=True)
        )


def compare(
    kind: str, case: Case, sides: dict[str, list[str]], gen: Generator, cfg: measure.Settings
) -> Pair:
    """Alternate two servers (label -> extra serve arguments) on one case."""
    (a_name, a_args), (b_name, b_args) = sides.items()
    pair = Pair(kind, case, a_name, b_name)
    with (
        measure.running(a_name, procs.mockserver_cmd(a_args, cfg.loop)) as a,
        measure.running(b_name, procs.mockserver_cmd(b_args, cfg.loop)) as b,
    ):
        try:
            ready = {a_name: (prepare(case, a.host, a.port), a, pair.a_runs)}
            ready[b_name] = (prepare(case, b.host, b.port), b, pair.b_runs)
        except Skip as why:
            pair.skipped = str(why)
            return pair
        statuses = {probe(c, s.host, s.port).status for c, s, _ in ready.values()}
        if len(statuses) != 1:
            raise RuntimeError(f"{case.name}: the two sides answer {sorted(statuses)}")
        for prepared, server, _ in ready.values():
            gen.run(measure._load(prepared, server, cfg, cfg.warmup))
        for i in range(cfg.repeats):
            for name in (a_name, b_name) if i % 2 == 0 else (b_name, a_name):
                prepared, server, runs = ready[name]
                runs.append(result := gen.run(measure._load(prepared, server, cfg, cfg.duration)))
                print(f"  {kind:<7} {case.name:<9} {name:<18} {result.rps:9.0f} rps", flush=True)
    return pair


def run(names: Sequence[str], gen: Generator, cfg: measure.Settings) -> list[Pair]:
    """Store and workers comparisons for each named case."""
    known = {c.name: c for c in CASES}
    pairs: list[Pair] = []
    with LocalRedis() as redis:
        store = ["--store", redis.url]
        for name in names:
            redis.flush()
            sides = {"memory": [], "redis": store}
            pairs.append(compare("store", known[name], sides, gen, cfg))
            redis.flush()
            workers = {"redis, 1 worker": store, "redis, 2 workers": [*store, "--workers", "2"]}
            pairs.append(compare("workers", known[name], workers, gen, cfg))
    return pairs


def redis_parser() -> str:
    """Who parses Redis's replies in the servers: hiredis (C) or redis-py's own Python parser."""
    from redis.utils import HIREDIS_AVAILABLE

    return "hiredis" if HIREDIS_AVAILABLE else "redis-py (Python; hiredis not installed)"


def markdown(pairs: list[Pair], info: dict[str, Any]) -> str:
    """The table: each comparison's median ratio and its target."""
    rows = [
        f"Machine: {info['cpus_usable']} CPUs, Python {info['python']}, {info['loop']} loop, "
        f"Redis replies parsed by {info['redis_parser']}; load generator {info['generator']} "
        "on the same machine.",
        "",
        "| comparison | case | a rps | b rps | b / a | target |",
        "|---|---|---:|---:|---:|---|",
    ]
    for p in pairs:
        if p.skipped:
            rows.append(f"| {p.kind} | {p.case.name} | | | skipped: {p.skipped} | |")
            continue
        a = statistics.median(r.rps for r in p.a_runs)
        b = statistics.median(r.rps for r in p.b_runs)
        goal = TARGETS[p.kind]
        ok = "met" if p.ratio >= goal else "missed"
        rows.append(
            f"| {p.b} vs {p.a} | {p.case.name} | {a:,.0f} | {b:,.0f} | {p.ratio:.2f}x "
            f"| >= {goal}x: {ok} |"
        )
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    """Measure and print; results also go to bench/results/scale-latest.md."""
    p = argparse.ArgumentParser(prog="python -m bench.scale", description=__doc__)
    p.add_argument("--cases", default=DEFAULT_CASES, help=f"(default: {DEFAULT_CASES})")
    p.add_argument("--duration", type=float, default=3.0)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--connections", type=int, default=32)
    args = p.parse_args(argv)
    cfg = measure.Settings(args.duration, args.connections, 1, args.repeats, 1.0)
    gen = Generator("auto")
    names = [n.strip() for n in args.cases.split(",") if n.strip()]
    pairs = run(names, gen, cfg)
    info = machine(gen.name, gen.version())
    info["generator"] = gen.name
    info["redis_parser"] = redis_parser()
    text = markdown(pairs, info)
    print(text)
    RESULTS.mkdir(parents=True, exist_ok=True)
    when = datetime.now(UTC).strftime("%Y-%m-%dT%H:%MZ")
    (RESULTS / "scale-latest.md").write_text(f"# bench.scale, {when}\n\n{text}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
