"""Group commit for round trips: callers that arrive while one is in flight share the next one."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable


class Rounds:
    """Runs `work` so each `await next()` is covered by a round that started after the call.

    A request must see every change made before it arrived, so a round already in flight is
    not enough; but every request arriving during it can share the one after, so under load
    the store sees one round trip per round, not per request.
    """

    def __init__(self, work: Callable[[], Awaitable[None]]) -> None:
        self._work = work
        self._started = 0
        self._finished = 0
        self._task: asyncio.Future[None] | None = None

    async def next(self) -> None:
        """Return once a round that started after this call has finished (or raise its error)."""
        target = self._started + 1
        while self._finished < target:
            if self._task is None:
                self._started += 1
                self._task = asyncio.ensure_future(self._round(self._started))
                # a failed round whose waiters all left must not warn "never retrieved"
                self._task.add_done_callback(_consume)
            await asyncio.shield(self._task)

    async def _round(self, number: int) -> None:
        try:
            await self._work()
            self._finished = number
        finally:
            self._task = None


def _consume(task: asyncio.Future[None]) -> None:
    if not task.cancelled():
        task.exception()
