"""The connection to Redis, its health, and the one error every failed call becomes."""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable
from typing import TypeVar

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from mockserver.store.shared.errors import StoreUnavailable, redacted

T = TypeVar("T")
log = logging.getLogger("mockserver.store")

# long enough for a loaded Redis, short enough that a client waiting on a lost one gets its
# 503 well inside common client timeouts
TIMEOUT = 2.0


class RedisLink:
    """One Redis client for a server process, tracking whether the last call worked.

    Created outside any loop; the client is made on `start` in the serving loop (asyncio
    clients belong to the loop they were made in).
    """

    def __init__(self, url: str, namespace: str = "mockserver") -> None:
        self.url = url
        self.namespace = namespace
        self.problem: str | None = None
        self.reason = ""  # the last failure, in Redis's (or the OS's) words
        self.serving = False  # before, a failure is the start-up error's to report
        self.since: float | None = None  # when it became unavailable
        self._client: aioredis.Redis | None = None

    @property
    def client(self) -> aioredis.Redis:
        """The client (after `start`)."""
        if self._client is None:
            raise StoreUnavailable("the shared store is not started")
        return self._client

    def key(self, *parts: str) -> str:
        """A key in this deployment's namespace."""
        return ":".join((self.namespace, *parts))

    async def start(self) -> None:
        """Connect and check Redis answers; StoreUnavailable with a one-line reason if not."""
        self._client = aioredis.Redis.from_url(
            self.url, socket_timeout=TIMEOUT, socket_connect_timeout=TIMEOUT
        )
        await self.call(self._client.ping())
        self.serving = True

    def unreachable(self) -> str:
        """The start-up error's line: the flag, the URL (without its password) and why."""
        return f"--store {redacted(self.url)}: Redis does not answer ({self.reason})"

    async def close(self) -> None:
        """Close the client's connections."""
        if self._client is not None:
            await self._client.aclose()

    async def call(self, pending: Awaitable[T]) -> T:
        """Await a Redis call; any Redis failure becomes StoreUnavailable naming the store."""
        try:
            result = await pending
        except (RedisError, OSError) as err:
            self._lost(err)
            raise StoreUnavailable(self.problem) from None
        if self.problem is not None:
            log.warning("shared store %s is back", redacted(self.url))
            self.problem, self.since = None, None
        return result

    def _lost(self, err: BaseException) -> None:
        reason = str(err).splitlines()[0] if str(err) else type(err).__name__
        if self.problem is None and self.serving:
            log.error("shared store %s unavailable: %s", redacted(self.url), reason)
            self.since = time.time()
        self.reason = reason
        self.problem = f"shared store {redacted(self.url)} unavailable: {reason}"
