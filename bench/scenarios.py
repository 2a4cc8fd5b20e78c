"""Scenario documents for the rule-count cases: N rules, only the last of which matches."""

from __future__ import annotations

import yaml

BENCH_HEADER = "X-Bench-Rule"
HIT = "hit"


def rule(index: int, value: str, path: str, error: str) -> dict[str, object]:
    """One rule: match vendor, method, path and the bench header; answer a catalogued error."""
    return {
        "name": f"bench-{index}",
        "match": {
            "vendor": "ringcentral",
            "method": "POST",
            "path": path,
            "headers": {BENCH_HEADER: value},
        },
        "error": error,
    }


def scenario_yaml(rules: int, path: str, error: str = "CMN-301") -> str:
    """A scenario of `rules` rules; decoys differ from the request only in the bench header.

    The matching rule is last, so an engine that scans rules in order pays for every decoy:
    this is the worst case the "1,000 rules >= 0.85x of 1 rule" target is about.
    """
    decoys = [rule(i, f"miss-{i}", path, error) for i in range(rules - 1)]
    doc = {"name": f"bench-{rules}-rules", "rules": [*decoys, rule(rules - 1, HIT, path, error)]}
    return yaml.safe_dump(doc, sort_keys=False)
