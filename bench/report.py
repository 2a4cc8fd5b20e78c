"""Targets, the Markdown table and the JSON results file."""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
from dataclasses import asdict, dataclass
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any

import aiohttp

from bench.measure import Calibration, CaseOutcome, HeadToHead, Settings
from mockserver.server.loop import event_loop_name

RESULTS = Path(__file__).resolve().parent / "results"
RSS_FLAT_MB = 2.0


@dataclass(frozen=True)
class Target:
    """One goal from the issue, and whether this run met it."""

    name: str
    value: str
    goal: str
    ok: bool | None  # None: not measured in this run

    @property
    def verdict(self) -> str:
        """pass / FAIL / n/a."""
        return {True: "pass", False: "FAIL", None: "n/a"}[self.ok]


def machine(generator: str, generator_version: str) -> dict[str, Any]:
    """Where and with what the run happened."""
    try:
        import mockserver

        mock_version = mockserver.__version__
    except ImportError:
        mock_version = "unknown"
    return {
        "nproc": os.cpu_count(),
        "cpus_usable": len(os.sched_getaffinity(0)),
        "loadavg_at_start": list(os.getloadavg()),
        "platform": platform.platform(),
        "python": sys.version.split()[0],
        "aiohttp": aiohttp.__version__,
        "loop": event_loop_name(),
        "mockserver": mock_version,
        "git_commit": _git_commit(),
        "load_generator": generator,
        "load_generator_version": generator_version,
    }


def _git_commit() -> str | None:
    root = RESULTS.parent.parent
    done = subprocess.run(
        ["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True, text=True, check=False
    )
    return done.stdout.strip() or None


def _find(outcomes: list[CaseOutcome], name: str) -> CaseOutcome | None:
    found = [o for o in outcomes if o.case.name == name and o.skipped is None and o.mock]
    return found[0] if found else None


def _rules_target(outcomes: list[CaseOutcome], h2h: HeadToHead | None) -> Target:
    """1,000 rules against 1: head to head when measured, else the two cases' ratios."""
    scale: float | None
    if h2h is not None:
        name, scale = "1,000 rules vs 1 rule (head to head)", h2h.ratio
    else:
        one, many = _find(outcomes, "rules-1"), _find(outcomes, "rules-1000")
        name = "1,000 rules vs 1 rule (ratio to baseline of each)"
        scale = many.ratio / one.ratio if one and many else None
    value = f"{scale:.2f}x" if scale else "-"
    return Target(name, value, ">= 0.85x", scale >= 0.85 if scale else None)


def targets(
    outcomes: list[CaseOutcome],
    ready: list[float] | None,
    rss: dict[str, float] | None,
    h2h: HeadToHead | None = None,
) -> list[Target]:
    """The issue's targets evaluated on this run's figures."""
    out = [_class_target(o) for o in outcomes if o.case.goal is not None]
    out.append(_rules_target(outcomes, h2h))
    med = statistics.median(ready) if ready else None
    out.append(
        Target(
            "ready (median)", f"{med:.3f} s" if med else "-", "< 0.5 s", med < 0.5 if med else None
        )
    )
    out += _rss_targets(rss)
    return out


def _class_target(o: CaseOutcome) -> Target:
    """A request class's ratio to the bare app against the issue's goal for it."""
    goal = o.case.goal or 0.0
    ran = o.skipped is None and bool(o.mock)
    value = f"{o.ratio:.2f}x" if ran else "-"
    return Target(
        f"{o.case.name} vs bare aiohttp", value, f">= {goal:.2f}x", o.ratio >= goal if ran else None
    )


def calibration_target(cal: Calibration | None) -> Target:
    """The replay baseline within 10 % of the textbook aiohttp app (a ceiling, not a floor)."""
    name = "baseline vs plain aiohttp app (same bytes)"
    if cal is None:
        return Target(name, "-", ">= 0.90x", None)
    return Target(name, f"{cal.ratio:.2f}x", ">= 0.90x", cal.ratio >= 0.9)


def _rss_targets(rss: dict[str, float] | None) -> list[Target]:
    if not rss:
        return [Target("RSS idle", "-", "< 60 MB", None), Target("RSS flat", "-", "flat", None)]
    growth = rss["after"] - rss["half"]
    return [
        Target("RSS idle", f"{rss['idle']:.1f} MB", "< 60 MB", rss["idle"] < 60),
        Target(
            "RSS after the run (1,000 resources and journal entries kept)",
            f"{rss['half']:.1f} -> {rss['after']:.1f} MB (2nd half {growth:+.1f} MB)",
            f"flat (2nd half <= {RSS_FLAT_MB:g} MB)",
            growth <= RSS_FLAT_MB,
        ),
    ]


@dataclass
class Run:
    """One whole bench run: settings, machine, and every figure."""

    when: datetime
    info: dict[str, Any]
    cfg: Settings
    outcomes: list[CaseOutcome]
    ready: list[float] | None
    rss: dict[str, float] | None
    rss_requests: int
    rules_h2h: HeadToHead | None = None
    calibration: Calibration | None = None

    @property
    def targets(self) -> list[Target]:
        """The issue's targets on this run's figures."""
        found = targets(self.outcomes, self.ready, self.rss, self.rules_h2h)
        return [calibration_target(self.calibration), *found]


def _fmt(n: float) -> str:
    return f"{n:,.0f}"


def _case_row(o: CaseOutcome) -> str:
    m, b = partial(o.median, "mock"), partial(o.median, "base")
    target = f" (target >= {o.case.goal:.2f}x)" if o.case.goal is not None else ""
    return (
        f"| {o.case.title} | {_fmt(m('rps'))} | {m('p50_ms'):.2f} | {m('p99_ms'):.2f} "
        f"| {_fmt(b('rps'))} | {b('p50_ms'):.2f} | {b('p99_ms'):.2f} | **{o.ratio:.2f}x**{target} "
        f"| {_cpu(o)} |"
    )


def _cpu(o: CaseOutcome) -> str:
    """CPU time per request, mockserver / baseline, and their ratio (the steadier figure)."""
    mock, base = ([r.cpu_us for r in runs if r.cpu_us] for runs in (o.mock, o.base))
    if not mock or not base or o.cpu_ratio is None:
        return "-"
    return f"{statistics.median(mock):.0f} / {statistics.median(base):.0f} us = {o.cpu_ratio:.2f}x"


def markdown(run: Run) -> str:
    """The human report: per-case table, skipped cases, then start-up, memory and targets."""
    info, cfg = run.info, run.cfg
    lines = [
        f"## mockserver bench ({info['load_generator']}, {cfg.connections} connections, "
        f"{cfg.duration:g} s x {cfg.repeats} repeats, A/B alternated, medians; "
        f"{info['nproc']} CPUs, Python {info['python']}, aiohttp {info['aiohttp']}, "
        f"{info.get('loop', 'asyncio')} loop on both sides, {cfg.store} store)",
        "",
        "| case | mockserver req/s | p50 ms | p99 ms | bare aiohttp req/s | p50 ms | p99 ms "
        "| ratio | CPU per request, mock / bare |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    lines += [_case_row(o) for o in run.outcomes if o.skipped is None and o.mock]
    if not info["load_generator"].startswith("wrk"):
        lines += [
            "",
            "> no wrk: the asyncio client shares the CPU and is itself the bottleneck, "
            "so ratios are squeezed towards 1x; install wrk for real figures.",
        ]
    skipped = [o for o in run.outcomes if o.skipped]
    warned = [f"- warning, {o.case.name}: {w}" for o in run.outcomes for w in o.warnings]
    lines += ["", *warned] if warned else []
    lines += ["", *[f"- skipped {o.case.title}: {o.skipped}" for o in skipped]] if skipped else []
    lines += ["", "| other | value | target | verdict |", "|---|---|---|---|"]
    lines += _other_rows(run)
    return "\n".join(lines)


def _other_rows(run: Run) -> list[str]:
    rows = []
    if run.calibration:
        cal = run.calibration
        base, plain = (statistics.median(r.rps for r in rs) for rs in (cal.base, cal.plain))
        cpu = f"; CPU ratio {cal.cpu_ratio:.2f}x" if cal.cpu_ratio else ""
        rows.append(
            f"| calibration ({cal.case.name} bytes): replay baseline / plain aiohttp app "
            f"req/s (medians) | {_fmt(base)} / {_fmt(plain)}{cpu} | | |"
        )
    if run.ready:
        spread = ", ".join(f"{t:.3f}" for t in run.ready)
        rows.append(f"| ready runs: spawn -> 200 on /__admin/health | {spread} s | | |")
    if run.rss:
        rss = run.rss
        rows.append(
            f"| RSS idle / half-way / after {int(rss['requests']):,} requests "
            f"| {rss['idle']:.1f} / {rss['half']:.1f} / {rss['after']:.1f} MB "
            f"(bare aiohttp idle: {rss['baseline_idle']:.1f} MB) | | |"
        )
    if run.rules_h2h:
        h2h = run.rules_h2h
        few, many = (
            statistics.median(r.rps for r in runs) for runs in (h2h.few_runs, h2h.many_runs)
        )
        rows.append(
            f"| head to head: {h2h.few.name} / {h2h.many.name} req/s (medians) "
            f"| {_fmt(few)} / {_fmt(many)} | | |"
        )
    return rows + [f"| {t.name} | {t.value} | {t.goal} | {t.verdict} |" for t in run.targets]


def _case_json(o: CaseOutcome) -> dict[str, Any]:
    data: dict[str, Any] = {"name": o.case.name, "title": o.case.title, "skipped": o.skipped}
    data["warnings"] = o.warnings
    if o.response is not None:
        data["response"] = {"status": o.response.status, "body_bytes": len(o.response.body)}
    if o.skipped is None and o.mock:
        for side, label in (("mock", "mockserver"), ("base", "baseline")):
            data[label] = {
                "rps": o.median(side, "rps"),
                "p50_ms": o.median(side, "p50_ms"),
                "p99_ms": o.median(side, "p99_ms"),
                "runs": [r.to_json() for r in getattr(o, side)],
            }
        data["ratio"] = o.ratio
        data["ratios"] = [m.rps / b.rps for m, b in zip(o.mock, o.base, strict=True)]
        data["cpu_ratio"] = o.cpu_ratio
    return data


def write_json(payload: dict[str, Any], when: datetime) -> Path:
    """bench/results/<UTC timestamp>.json and bench/results/latest.json."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{when.strftime('%Y%m%dT%H%M%SZ')}.json"
    text = json.dumps(payload, indent=2) + "\n"
    path.write_text(text)
    (RESULTS / "latest.json").write_text(text)
    return path


def payload(run: Run) -> dict[str, Any]:
    """The JSON document of one run."""
    ready = run.ready
    return {
        "timestamp": run.when.isoformat(),
        "machine": run.info,
        "settings": {**asdict(run.cfg), "rss_requests": run.rss_requests},
        "cases": [_case_json(o) for o in run.outcomes],
        "ready_s": {"runs": ready, "median": statistics.median(ready) if ready else None},
        "rss_mb": run.rss,
        "rules_head_to_head": _h2h_json(run.rules_h2h),
        "calibration": _calibration_json(run.calibration),
        "targets": [{**asdict(t), "verdict": t.verdict} for t in run.targets],
    }


def _h2h_json(h2h: HeadToHead | None) -> dict[str, Any] | None:
    if h2h is None:
        return None
    return {
        "few": h2h.few.name,
        "many": h2h.many.name,
        "ratio": h2h.ratio,
        "ratios": h2h.ratios,
        "few_runs": [r.to_json() for r in h2h.few_runs],
        "many_runs": [r.to_json() for r in h2h.many_runs],
    }


def _calibration_json(cal: Calibration | None) -> dict[str, Any] | None:
    if cal is None:
        return None
    return {
        "case": cal.case.name,
        "ratio": cal.ratio,
        "ratios": cal.ratios,
        "cpu_ratio": cal.cpu_ratio,
        "baseline_runs": [r.to_json() for r in cal.base],
        "plain_runs": [r.to_json() for r in cal.plain],
    }
