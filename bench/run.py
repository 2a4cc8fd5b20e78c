"""`python -m bench.run`: measure the mockserver against a bare aiohttp replay of its answers."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

from bench import loops, measure, procs
from bench.cases import CASES, Case
from bench.load import Generator
from bench.report import Run, machine, markdown, payload, write_json

T = TypeVar("T")


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__)
    p.add_argument("--duration", type=float, default=5.0, help="seconds per load run (5)")
    p.add_argument("--connections", type=int, default=32, help="concurrent connections (32)")
    p.add_argument(
        "--threads", type=int, default=1, help="wrk threads (1: the server gets the other core)"
    )
    p.add_argument(
        "--repeats", type=int, default=5, help="A/B pairs per case; medians are reported (5)"
    )
    p.add_argument(
        "--warmup", type=float, default=1.0, help="seconds of unrecorded load per server (1)"
    )
    p.add_argument("--client", choices=["auto", "wrk", "asyncio"], default="auto")
    p.add_argument("--cases", default="", help="comma-separated case names (default: all)")
    p.add_argument("--ready-runs", type=int, default=5, help="start-ups timed; 0 skips (5)")
    p.add_argument("--rss-requests", type=int, default=100_000, help="requests before RSS; 0 skips")
    p.add_argument(
        "--loops",
        default=",".join(loops.available()),
        help="event loops, each a whole run with both sides on it (default: asyncio, and "
        "uvloop when installed)",
    )
    p.add_argument("--store", default=procs.MEMORY, help="the mockserver's state store (memory)")
    p.add_argument("--strict", action="store_true", help="exit 1 when a measured target is missed")
    return p


def _loops(names: str) -> list[str]:
    wanted = [n.strip() for n in names.split(",") if n.strip()]
    missing = [n for n in wanted if n not in loops.available()]
    if missing or not wanted:
        raise SystemExit(f"loop(s) {missing or names!r} not available; have {loops.available()}")
    return wanted


def _selected(names: str) -> list[Case]:
    if not names:
        return list(CASES)
    wanted = [n.strip() for n in names.split(",") if n.strip()]
    known = {c.name: c for c in CASES}
    unknown = [n for n in wanted if n not in known]
    if unknown:
        raise SystemExit(f"unknown case(s) {unknown}; known: {', '.join(known)}")
    return [known[n] for n in wanted]


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _cases(cases: list[Case], gen: Generator, cfg: measure.Settings) -> list[measure.CaseOutcome]:
    outcomes = []
    for case in cases:
        _log(f"case {case.name}: {case.title}")
        outcome = measure.measure_case(case, gen, cfg, _log)
        if outcome.skipped:
            _log(f"  skipped: {outcome.skipped}")
        outcomes.append(outcome)
    return outcomes


def _rss(
    outcomes: list[measure.CaseOutcome], gen: Generator, cfg: measure.Settings, n: int
) -> dict[str, float] | None:
    drivable = [o.case for o in outcomes if o.skipped is None and o.case.rules is None]
    if n <= 0 or not drivable:
        return None
    _log(f"  idle, then {n:,} requests over {', '.join(c.name for c in drivable)}")
    rss = measure.rss_under_load(drivable, gen, cfg, n)
    recorded = next(o.response for o in outcomes if o.response is not None)
    return {**rss, "baseline_idle": measure.baseline_idle_rss(recorded, cfg)}


def _calibrate(
    outcomes: list[measure.CaseOutcome], gen: Generator, cfg: measure.Settings
) -> measure.Calibration | None:
    """The baseline against the textbook app, on the injected case's bytes when it ran."""
    ran = [o for o in outcomes if o.skipped is None and o.response is not None]
    if not ran:
        return None
    first = next((o for o in ran if o.case.name == "injected"), ran[0])
    assert first.response is not None
    return _guarded("calibration", measure.calibrate, first.case, first.response, gen, cfg, _log)


def _rules_h2h(
    outcomes: list[measure.CaseOutcome], gen: Generator, cfg: measure.Settings
) -> measure.HeadToHead | None:
    """The rule-count target measured directly, when both rule cases ran."""
    ran = {o.case.name: o.case for o in outcomes if o.skipped is None and o.mock}
    if "rules-1" not in ran or "rules-1000" not in ran:
        return None
    known = {c.name: c for c in CASES}
    few, many = known["rules-1"], known["rules-1000"]
    return _guarded("rules head to head", measure.head_to_head, few, many, gen, cfg, _log)


def _guarded(what: str, fn: Callable[..., T], *args: Any) -> T | None:
    """Run one measurement; a server that fails to start costs that figure, not the run."""
    _log(f"{what} ...")
    try:
        return fn(*args)
    except (RuntimeError, OSError) as err:
        _log(f"  {what} failed: {err}")
        return None


def _one_loop(args: argparse.Namespace, cfg: measure.Settings, gen: Generator, first: bool) -> Run:
    """Every selected case on one loop; start-up and memory on the first loop only."""
    when = datetime.now(UTC)
    info = {**machine(gen.name, gen.version()), "loop": cfg.loop}
    _log(f"== {cfg.loop} loop, {cfg.store} store ==")
    outcomes = _cases(_selected(args.cases), gen, cfg)
    calibration = _calibrate(outcomes, gen, cfg)
    h2h = _rules_h2h(outcomes, gen, cfg)
    ready = rss = None
    if first and args.ready_runs > 0:
        ready = _guarded("ready", measure.ready_time, args.ready_runs, 30.0, cfg)
    if first:
        rss = _guarded("RSS", _rss, outcomes, gen, cfg, args.rss_requests)
    return Run(when, info, cfg, outcomes, ready, rss, args.rss_requests, h2h, calibration)


def main(argv: list[str] | None = None) -> int:
    """Run every selected case on each loop, start-up timing and RSS; print Markdown, write JSON."""
    args = _parser().parse_args(argv)
    gen = Generator(args.client)
    when = datetime.now(UTC)
    _log(f"load generator: {gen.name}; servers bind {procs.HOST} only")
    runs = []
    for index, loop in enumerate(_loops(args.loops)):
        cfg = measure.Settings(
            args.duration,
            args.connections,
            args.threads,
            args.repeats,
            args.warmup,
            loop,
            args.store,
        )
        runs.append(run := _one_loop(args, cfg, gen, first=index == 0))
        print(markdown(run) + "\n", flush=True)
    path = write_json({"runs": [payload(run) for run in runs]}, when)
    print(f"JSON: {path.relative_to(procs.REPO)} (and bench/results/latest.json)")
    missed = [t for run in runs for t in run.targets if t.ok is False]
    return 1 if args.strict and missed else 0


if __name__ == "__main__":
    sys.exit(main())
