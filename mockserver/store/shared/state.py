"""A replica's handle on the shared store: start, keep in step, answer whether it is healthy."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

from mockserver.store.shared.counting import SharedCounting
from mockserver.store.shared.errors import StoreUnavailable
from mockserver.store.shared.link import RedisLink
from mockserver.store.shared.replica import Replica

log = logging.getLogger("mockserver.store")

# how often changes made outside a request (journal batches, a message's later status, a
# callback attempt) are sent to the other replicas
FLUSH_EVERY = 0.02


class SharedState:
    """The Redis link, exact counting and the change log of one replica."""

    def __init__(self, url: str, session_ttl: float, journal_keep: int) -> None:
        self.link = RedisLink(url)
        self.session_ttl = session_ttl
        self.replica = Replica(self.link, journal_keep)
        # lands records still being batched (the journal), so a flush sends them too
        self.settle: Callable[[], None] = lambda: None
        self._counting: SharedCounting | None = None
        self._flusher: asyncio.Task[None] | None = None

    @property
    def counting(self) -> SharedCounting:
        """Exact counters and windows (after `start`)."""
        if self._counting is None:
            raise StoreUnavailable("the shared store is not started")
        return self._counting

    @property
    def problem(self) -> str | None:
        """Why the store is unavailable now, or None."""
        return self.link.problem

    async def start(self) -> None:
        """Connect, take in everything the other replicas published, start flushing."""
        await self.link.start()
        self._counting = SharedCounting(self.link, self.session_ttl)
        await self.replica.catch_up(journal=True)
        self._flusher = asyncio.ensure_future(self._flush_forever())

    async def stop(self) -> None:
        """Send what is queued (if Redis answers) and close."""
        if self._flusher is not None:
            self._flusher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._flusher
        with contextlib.suppress(StoreUnavailable):
            await self.flush()
        await self.link.close()

    async def flush(self) -> None:
        """Send this replica's queued changes and journal entries."""
        self.settle()
        await self.replica.flush()

    async def before_request(self) -> None:
        """Apply what other replicas changed before this request arrived."""
        await self.replica.catch_up()

    async def before_read(self) -> None:
        """Land and send this replica's records, then take in everyone's (admin reads)."""
        await self.flush()
        await self.replica.catch_up(journal=True)

    def epoch(self, session: str | None) -> str:
        """The resets a session's counters have seen."""
        return self.replica.epoch(session)

    async def _flush_forever(self) -> None:
        while True:
            await asyncio.sleep(FLUSH_EVERY)
            # a lost store is reported by requests and the health check; retried here
            with contextlib.suppress(StoreUnavailable):
                await self.flush()
