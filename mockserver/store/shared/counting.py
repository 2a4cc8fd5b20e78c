"""Exact rule counters and rate-limit windows across replicas: each check-and-count is one script.

A rule's trigger (triggers.gate) is `times` over a condition on the request's position
alone (`after`, `every`, `probability`): so the count of matching requests is one atomic
increment, and the count of firings another that refuses past `times`. The scripts apply
`after`, `every` and `times` as gate does (tests/shared/test_counting.py runs both over a
grid); a `probability` needs the seeded draw, which Python makes between the two steps.
`times: 3` fires exactly 3 times over any number of replicas and requests. A rate-limit
window is a sorted set of accepted times, trimmed, counted and added to in one script.
"""

from __future__ import annotations

import json
import math
import secrets

from mockserver.memo import Memo
from mockserver.scenarios.model import Rule
from mockserver.scenarios.triggers import unit
from mockserver.store.memory import BucketKey, RuleKey
from mockserver.store.shared.batch import ScriptBatch
from mockserver.store.shared.link import RedisLink

# KEYS[1] the counters hash; ARGV: after, every (0: none), times (-1: none), has probability,
# ttl. Returns {seen, fired before, verdict}: 1 fired, 0 not, 2 up to the probability draw
_COUNT = """
local seen = redis.call('HINCRBY', KEYS[1], 's', 1)
redis.call('EXPIRE', KEYS[1], ARGV[5])
local fired = tonumber(redis.call('HGET', KEYS[1], 'f') or '0')
local times = tonumber(ARGV[3])
if times >= 0 and fired >= times then return {seen, fired, 0} end
local eligible = seen - tonumber(ARGV[1])
local every = tonumber(ARGV[2])
if eligible <= 0 or (every > 0 and eligible % every ~= 0) then return {seen, fired, 0} end
if ARGV[4] == '1' then return {seen, fired, 2} end
redis.call('HINCRBY', KEYS[1], 'f', 1)
return {seen, fired, 1}
"""

# KEYS[1] the counters hash; ARGV: times (-1: none). Returns {fired?, fired before}
_FIRE = """
local fired = tonumber(redis.call('HGET', KEYS[1], 'f') or '0')
local times = tonumber(ARGV[1])
if times >= 0 and fired >= times then return {0, fired} end
redis.call('HINCRBY', KEYS[1], 'f', 1)
return {1, fired}
"""

# KEYS[1] the window's sorted set; ARGV: horizon, now, limit, ttl seconds, unique member
_WINDOW = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
local n = redis.call('ZCARD', KEYS[1])
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if n < tonumber(ARGV[3]) or #oldest == 0 then
  redis.call('ZADD', KEYS[1], ARGV[2], ARGV[5])
  redis.call('EXPIRE', KEYS[1], ARGV[4])
  return {n, 1, ''}
end
return {n, 0, oldest[2]}
"""


class SharedCounting:
    """Counters and windows in Redis, keyed by rule, load stamp, session and reset epoch."""

    def __init__(self, link: RedisLink, session_ttl: float) -> None:
        self.link = link
        self.ttl = max(1, math.ceil(session_ttl))
        self._batch = ScriptBatch(link)
        # the same few (rule, session) keys are asked for on every request: made once each
        self._keys: Memo[tuple[RuleKey, str, str | None, str], str] = Memo()

    def counter_key(self, rule: RuleKey, stamp: str, session: str | None, epoch: str) -> str:
        """Where one rule's counters for one session live (a new epoch starts them at zero)."""
        memo = (rule, stamp, session, epoch)
        return self._keys.get(memo, self._key, rule, stamp, session, epoch)

    def _key(self, rule: RuleKey, stamp: str, session: str | None, epoch: str) -> str:
        return self.link.key("c", json.dumps([epoch, stamp, *rule, session]))

    async def count(self, key: str, spec: Rule, seed: str) -> tuple[int, int, bool]:
        """Count one matching request: (its position, firings before it, whether it fires)."""
        times = -1 if spec.times is None else spec.times
        args = (spec.after or 0, spec.every or 0, times, int(spec.probability is not None))
        seen, fired, verdict = await self._run(_COUNT, [key], (*args, self.ttl))
        if verdict != 2:
            return int(seen), int(fired), verdict == 1
        probability = spec.probability or 0.0
        if unit(seed, "fire", int(seen) - (spec.after or 0)) >= probability:
            return int(seen), int(fired), False
        done, fired = await self._run(_FIRE, [key], (times,))
        return int(seen), int(fired), bool(done)

    async def window(
        self, bucket: BucketKey, stamp: str, epoch: str, now: float, span: float, limit: int
    ) -> tuple[int, float | None]:
        """(accepted in the last `span` before this one, oldest when refused); adds `now` if under."""
        rule, session = bucket.rule, None if bucket.shared else bucket.session
        key = self.link.key("w", json.dumps([epoch, stamp, *rule, session, bucket.value]))
        member = f"{now!r}:{secrets.token_hex(4)}"
        ttl = max(1, math.ceil(span))
        args = (now - span, now, limit, ttl, member)
        count, added, oldest = await self._run(_WINDOW, [key], args)
        return int(count), None if added else float(oldest)

    async def _run(
        self, source: str, keys: list[str], args: tuple[object, ...]
    ) -> list[int | bytes]:
        result: list[int | bytes] = await self._batch.run(source, keys, args)
        return result
