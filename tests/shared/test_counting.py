"""The Redis scripts decide `times`, `after`, `every` and `probability` exactly as triggers.gate."""

from __future__ import annotations

import itertools

import pytest

from mockserver.scenarios.model import Rule
from mockserver.scenarios.triggers import gate
from mockserver.store.shared.counting import SharedCounting
from mockserver.store.shared.link import RedisLink

GRID = list(itertools.product((None, 0, 1, 3), (None, 1, 2, 3), (None, 1, 2, 5), (None, 0.5)))


def rule(times: int | None, after: int | None, every: int | None, p: float | None) -> Rule:
    fields = {"times": times, "after": after, "every": every, "probability": p}
    spec = {k: v for k, v in fields.items() if v is not None}
    return Rule.model_validate({"match": {"path": "/x"}, "error": "E", **spec})


def in_memory(spec: Rule, seed: str, n: int) -> list[tuple[int, int, bool]]:
    """(seen, fired before, fires) for n requests, as the in-memory engine counts them."""
    fired, out = 0, []
    for seen in range(1, n + 1):
        fires = gate(spec, seed, seen, fired)
        out.append((seen, fired, fires))
        fired += fires
    return out


@pytest.mark.parametrize(("after", "every", "times", "p"), GRID)
async def test_shared_counting_agrees_with_gate(
    redis_url: str, after: int | None, every: int | None, times: int | None, p: float | None
) -> None:
    spec = rule(times, after, every, p)
    link = RedisLink(redis_url)
    await link.start()
    try:
        counting = SharedCounting(link, session_ttl=60)
        key = counting.counter_key(("s", "scenario", "r"), "stamp", "session", "/")
        got = [await counting.count(key, spec, "seed") for _ in range(14)]
    finally:
        await link.close()
    assert got == in_memory(spec, "seed", 14)
