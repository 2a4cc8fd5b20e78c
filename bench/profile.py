"""`python -m bench.profile`: py-spy a mockserver under wrk load and print where the time goes."""

from __future__ import annotations

import argparse
import collections
import re
import shutil
import subprocess
import sys
import threading
from pathlib import Path

from bench import procs
from bench.cases import CASES, Skip, prepare, probe
from bench.load import Generator, Load
from bench.measure import running

FRAME_LINE = re.compile(r":\d+\)$")


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m bench.profile", description=__doc__)
    p.add_argument("--case", default="injected", choices=[c.name for c in CASES])
    p.add_argument("--seconds", type=int, default=12, help="sampling time (12)")
    p.add_argument("--connections", type=int, default=32)
    p.add_argument("--out", type=Path, default=Path("/tmp/mockserver-profile.txt"))
    p.add_argument("--top", type=int, default=30, help="rows of the summary (30)")
    p.add_argument(
        "--store", default="memory", help="memory, or a Redis URL for `serve --store` (memory)"
    )
    return p


def top_frames(raw: Path, top: int) -> list[tuple[float, str]]:
    """Inclusive share of samples per function from py-spy's raw (collapsed) output."""
    counts: collections.Counter[str] = collections.Counter()
    total = 0
    for line in raw.read_text().splitlines():
        stack, _, n = line.rpartition(" ")
        total += int(n)
        counts.update({FRAME_LINE.sub(")", f): int(n) for f in set(stack.split(";"))})
    return [(100 * n / max(total, 1), name) for name, n in counts.most_common(top)]


def py_spy() -> str:
    """The py-spy command; a clear exit before any server starts when it is not installed."""
    beside = Path(sys.executable).with_name("py-spy")
    spy = shutil.which("py-spy") or (str(beside) if beside.exists() else None)
    if spy is None:
        raise SystemExit("bench.profile needs py-spy: pip install py-spy (bench/README.md)")
    return spy


def record(spy: str, pid: int, seconds: int, out: Path) -> None:
    """py-spy record (raw format) on one PID for a fixed time."""
    cmd = [
        spy,
        "record",
        "-p",
        str(pid),
        "-d",
        str(seconds),
        "-r",
        "250",
        "-f",
        "raw",
        "-o",
        str(out),
    ]
    subprocess.run(cmd, check=True, timeout=seconds + 60, capture_output=True)


def main(argv: list[str] | None = None) -> int:
    """Start a mockserver, load it for longer than the sampling window, and sample it."""
    args = _parser().parse_args(argv)
    spy = py_spy()
    case = next(c for c in CASES if c.name == args.case)
    gen = Generator("auto")
    with running("mockserver", procs.mockserver_cmd(store=args.store)) as mock:
        try:
            case = prepare(case, mock.host, mock.port)
            probe(case, mock.host, mock.port)
        except Skip as skip:
            raise SystemExit(f"{case.name}: {skip}") from None
        load = Load(
            mock.url,
            case.method,
            case.path,
            case.headers,
            case.body,
            args.connections,
            args.seconds + 3,
        )
        loader = threading.Thread(target=gen.run, args=(load,), daemon=True)
        loader.start()
        record(spy, mock.pid, args.seconds, args.out)
        loader.join()
    print(f"py-spy samples of mockserver pid {mock.pid}, case {case.name} (raw: {args.out})")
    for share, name in top_frames(args.out, args.top):
        print(f"{share:5.1f}%  {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
