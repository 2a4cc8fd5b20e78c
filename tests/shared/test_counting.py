"""The Redis scripts decide `times`, `after`, `every` and `probability` exactly as triggers.gate."""

from __future__ import annotations

import asyncio
import itertools

import pytest
import redis.asyncio as aioredis

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


CERTAIN = [(a, e, t) for a, e, t, p in GRID if p is None]


async def _counted_together(redis_url: str, spec: Rule, n: int) -> list[tuple[int, int, bool]]:
    link = RedisLink(redis_url)
    await link.start()
    try:
        counting = SharedCounting(link, session_ttl=60)
        key = counting.counter_key(("s", "scenario", "together"), repr(spec), "session", "/")
        # started in one loop iteration: one script call counts them all, in order
        return list(await asyncio.gather(*(counting.count(key, spec, "seed") for _ in range(n))))
    finally:
        await link.close()


@pytest.mark.parametrize(("after", "every", "times"), CERTAIN)
async def test_counts_made_together_agree_with_gate(
    redis_url: str, after: int | None, every: int | None, times: int | None
) -> None:
    spec = rule(times, after, every, None)
    assert await _counted_together(redis_url, spec, 14) == in_memory(spec, "seed", 14)


async def test_counts_of_one_iteration_are_one_command(redis_url: str) -> None:
    admin = aioredis.Redis.from_url(redis_url)
    try:
        await admin.config_resetstat()
        got = await _counted_together(redis_url, rule(3, None, None, None), 40)
        stats = await admin.info("commandstats")
    finally:
        await admin.aclose()
    assert [fires for *_, fires in got].count(True) == 3
    assert stats["cmdstat_evalsha"]["calls"] == 1


async def test_scripts_redis_forgot_are_loaded_again(redis_url: str) -> None:
    spec = rule(None, None, 2, None)
    first = await _counted_together(redis_url, spec, 4)
    admin = aioredis.Redis.from_url(redis_url)
    try:
        await admin.script_flush()
    finally:
        await admin.aclose()
    link = RedisLink(redis_url)
    await link.start()
    try:
        counting = SharedCounting(link, session_ttl=60)
        key = counting.counter_key(("s", "scenario", "together"), repr(spec), "session", "/")
        more = await asyncio.gather(*(counting.count(key, spec, "seed") for _ in range(4)))
    finally:
        await link.close()
    assert [*first, *more] == in_memory(spec, "seed", 8)
