"""Script calls made in one event-loop iteration go to Redis together: one write, one read.

Under load many requests each count a rule in the same iteration; sent one by one they cost
a connection, a write and a read each. Gathered, they are one pipelined round trip (scripts
by SHA, loaded once and again if Redis forgot them), and each caller gets its own answer.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
from collections.abc import Sequence
from typing import Any

from redis.exceptions import NoScriptError

from mockserver.store.shared.errors import StoreUnavailable
from mockserver.store.shared.link import RedisLink

Call = tuple[str, Sequence[str], Sequence[object], "asyncio.Future[Any]"]


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
        for source, *_ in batch:
            name = sha(source)
            if name not in self._sources:
                self._sources[name] = await client.script_load(source)
        pipe = client.pipeline(transaction=False)
        for source, keys, args, _ in batch:
            pipe.evalsha(sha(source), len(keys), *keys, *args)  # type: ignore[arg-type]
        results: list[Any] = await pipe.execute(raise_on_error=False)
        return results
