"""Script calls made in one event-loop iteration go to Redis together: one write, one read.

Under load many requests each count a rule in the same iteration; sent one by one they cost
a connection, a write and a read each. Gathered, they are one pipelined round trip (scripts
by SHA, loaded once and again if Redis forgot them), and each caller gets its own answer.
Calls of the same script in one iteration go as one call of that script wrapped in a loop
(`together`): redis-py packs and parses each command in Python, which was most of what
counting a rule cost the server; Redis runs the calls in order, each as it would alone.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
from collections.abc import Sequence
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import NoScriptError, ResponseError

from mockserver.store.shared.errors import StoreUnavailable
from mockserver.store.shared.link import RedisLink

Call = tuple[str, Sequence[str], Sequence[object], "asyncio.Future[Any]"]
# one command for several calls of a script: ARGV[1] calls, then per call its key count, its
# argument count and its arguments; KEYS every call's keys in turn. The script's body sees
# its own KEYS and ARGV (function parameters shadow the globals)
_TOGETHER = """
local function one(KEYS, ARGV)
%s
end
local out, k, a = {}, 0, 2
for c = 1, tonumber(ARGV[1]) do
  local nk, na = tonumber(ARGV[a]), tonumber(ARGV[a + 1])
  local keys, args = {}, {}
  for j = 1, nk do keys[j] = KEYS[k + j] end
  for j = 1, na do args[j] = ARGV[a + 1 + j] end
  k, a = k + nk, a + 2 + na
  out[c] = one(keys, args)
end
return out
"""


@functools.lru_cache(maxsize=32)
def together(source: str) -> str:
    """`source` made to run once per call for a batch of calls in one script call."""
    return _TOGETHER % source


@functools.lru_cache(maxsize=32)
def sha(source: str) -> str:
    """The SHA1 Redis names a script by (a handful of scripts, hashed once each)."""
    return hashlib.sha1(source.encode(), usedforsecurity=False).hexdigest()


class ScriptBatch:
    """Runs Lua scripts for many callers, one pipeline per event-loop iteration."""

    def __init__(self, link: RedisLink) -> None:
        self.link = link
        self._pending: list[Call] = []
        self._sources: dict[str, str] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    async def run(self, source: str, keys: Sequence[str], args: Sequence[object]) -> Any:
        """The script's result for these keys and arguments (StoreUnavailable on failure)."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Any] = loop.create_future()
        self._pending.append((source, keys, args, future))
        if len(self._pending) == 1:
            loop.call_soon(self._send)
        return await future

    def _send(self) -> None:
        batch, self._pending = self._pending, []
        task = asyncio.ensure_future(self._execute(batch))
        self._tasks.add(task)  # held until done: the loop keeps only weak references
        task.add_done_callback(self._tasks.discard)

    async def _execute(self, batch: list[Call]) -> None:
        try:
            results = await self.link.call(self._pipeline(batch))
        except StoreUnavailable as err:
            for *_, future in batch:
                if not future.done():
                    future.set_exception(StoreUnavailable(str(err)))
            return
        for (*_, future), result in zip(batch, results, strict=True):
            if future.done():
                continue
            if isinstance(result, Exception):
                future.set_exception(StoreUnavailable(f"Redis refused a script: {result}"))
            else:
                future.set_result(result)

    async def _pipeline(self, batch: list[Call]) -> list[Any]:
        results: list[Any] = await self._pipe(batch)
        forgotten = [i for i, r in enumerate(results) if isinstance(r, NoScriptError)]
        if forgotten:  # Redis restarted: those never ran, so they are run again (once)
            self._sources.clear()
            again = await self._pipe([batch[i] for i in forgotten])
            for i, result in zip(forgotten, again, strict=True):
                results[i] = result
        return results

    async def _pipe(self, batch: list[Call]) -> list[Any]:
        client = self.link.client
        groups: dict[str, list[int]] = {}
        for i, (source, *_) in enumerate(batch):
            groups.setdefault(source, []).append(i)
        runs = [(together(src) if len(at) > 1 else src, at) for src, at in groups.items()]
        for source, _ in runs:
            name = sha(source)
            if name not in self._sources:
                self._sources[name] = await client.script_load(source)
        calls = [
            (sha(source), *(_packed([batch[i] for i in at]) if len(at) > 1 else batch[at[0]][1:3]))
            for source, at in runs
        ]
        answers = await _evalshas(client, calls)
        results: list[Any] = [None] * len(batch)
        for (_, at), answer in zip(runs, answers, strict=True):
            many = len(at) > 1 and not isinstance(answer, Exception)
            for n, i in enumerate(at):
                results[i] = answer[n] if many else answer
        return results


async def _evalshas(
    client: Redis, calls: list[tuple[str, Sequence[str], Sequence[object]]]
) -> list[Any]:
    """Each call's answer, a Redis error as a value; one call goes without a pipeline.

    Most rounds run a single script (every count of the iteration wrapped in one call), and
    redis-py's pipeline machinery cost more than the command.
    """
    if len(calls) == 1:
        name, keys, args = calls[0]
        try:
            return [await client.evalsha(name, len(keys), *keys, *args)]  # type: ignore[arg-type]
        except ResponseError as err:  # NOSCRIPT, or a script that failed: the caller's answer
            return [err]
    pipe = client.pipeline(transaction=False)
    for name, keys, args in calls:
        pipe.evalsha(name, len(keys), *keys, *args)  # type: ignore[arg-type]
    answers: list[Any] = await pipe.execute(raise_on_error=False)
    return answers


def _packed(calls: list[Call]) -> tuple[list[str], list[object]]:
    """The keys and arguments of `together(source)` for these calls of `source`."""
    keys: list[str] = []
    args: list[object] = [len(calls)]
    for _, call_keys, call_args, _ in calls:
        keys += call_keys
        args += [len(call_keys), len(call_args), *call_args]
    return keys, args
