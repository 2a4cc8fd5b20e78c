"""How long the verdicts report takes over a full journal (10,000 entries): `python -m bench.verdicts`."""

from __future__ import annotations

import argparse
import random
import statistics
import time

from mockserver.catalog import load_catalog
from mockserver.journal.entry import JournalEntry
from mockserver.vendors import VENDORS
from mockserver.verdicts.report import build_report

SESSIONS = 50
# (vendor, path, errors served there, chance an answer is one of them)
OPERATIONS = (
    ("signalwire", "/2010-04-01/Accounts/P/Messages.json", ("20429", "21211", "21610"), 0.3),
    ("signalwire", "/2010-04-01/Accounts/P/Calls.json", ("20429", "21205"), 0.2),
    ("ringcentral", "/restapi/v1.0/account/~/extension/~/sms", ("CMN-301", "OAU-128"), 0.3),
    ("ringcentral", "/restapi/v1.0/account/~/extension/~/message-store/1", ("CMN-102",), 0.1),
)


def journal(size: int, seed: int = 1) -> list[JournalEntry]:
    """`size` entries as a busy suite leaves them: sessions interleaved, errors mixed in."""
    rng = random.Random(seed)
    now = 1_767_225_600.0
    out = []
    for _ in range(size):
        now += rng.uniform(0.0, 0.05)
        vendor, path, errors, rate = rng.choice(OPERATIONS)
        error = rng.choice(errors) if rng.random() < rate else None
        token = f"Bearer token-{rng.randrange(3)}"
        out.append(
            JournalEntry(
                time=now,
                session=f"session-{rng.randrange(SESSIONS)}",
                vendor=vendor,
                method="POST",
                path=path,
                raw_query=(),
                raw_headers=(("Authorization", token), ("Content-Type", "application/json")),
                raw_body=b'{"to": "+1555010%04d"}' % rng.randrange(20),
                rule="header" if error else None,
                reason="",
                outcome="error" if error else "passthrough",
                status=400 if error else 200,
                latency_ms=0.1,
                error=error,
                retry_after=2.0 if error in ("20429", "CMN-301") else None,
            )
        )
    return out


def main() -> None:
    """Build the report `--repeats` times and print the median and worst times."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    catalog = load_catalog(names=tuple(VENDORS))
    entries = journal(args.entries)
    times = []
    for _ in range(args.repeats):
        started = time.perf_counter()
        report = build_report(entries, catalog, VENDORS)
        times.append(time.perf_counter() - started)
    summary = report["summary"]
    print(
        f"report over {len(entries):,} entries ({summary['served']:,} errors served, "
        f"{summary['sessions']} sessions): median {statistics.median(times) * 1000:.0f} ms, "
        f"worst {max(times) * 1000:.0f} ms (target < 1 s)"
    )


if __name__ == "__main__":
    main()
