"""Delivery callbacks: send a vendor's status notifications with its retry policy, log attempts."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import aiohttp

from mockserver.callbacks.egress import EgressPolicy, refusal_of
from mockserver.journal.redaction import redact_body, redact_headers, redact_url

if TYPE_CHECKING:
    from mockserver.admin import models


@dataclass(frozen=True)
class Callback:
    """One notification to deliver.

    Attributes:
        vendor: who sends it.
        session: the session it belongs to.
        url: where to send it (the URL the request named).
        body: the exact payload bytes.
        content_type: the vendor's content type for it.
        headers: signature and other vendor headers.
        event: what it reports, e.g. "delivered" or "failed 30003".
        resource: the id of the resource it is about.
        delay: seconds before the first attempt.
        retries: seconds to wait before each retry after a failed attempt.
        method: HTTP method (some vendors allow GET receipts).
    """

    vendor: str
    session: str | None
    url: str
    body: bytes
    content_type: str
    headers: tuple[tuple[str, str], ...] = ()
    event: str = ""
    resource: str = ""
    delay: float = 0.0
    retries: tuple[float, ...] = ()
    method: str = "POST"


@dataclass
class CallbackRecord:
    """A scheduled callback and every attempt made to deliver it."""

    id: int
    callback: Callback
    scheduled: float
    attempts: list[dict[str, Any]] = field(default_factory=list)
    outcome: str = "pending"

    def to_dict(self) -> models.CallbackRecord:
        """JSON view for the admin API, credentials blanked (signatures, tokens in the URL)."""
        cb = self.callback
        return {
            "id": self.id,
            "vendor": cb.vendor,
            "session": cb.session,
            "url": redact_url(cb.url),
            "method": cb.method,
            "event": cb.event,
            "resource": cb.resource,
            "content_type": cb.content_type,
            "headers": redact_headers(dict(cb.headers)),
            "payload": redact_body(cb.body, cb.content_type, limit=len(cb.body) + 1),
            "scheduled": self.scheduled,
            "attempts": self.attempts,
            "outcome": self.outcome,
        }


class CallbackSender:
    """Delivers callbacks in background tasks; bounded log; drains on close."""

    def __init__(
        self,
        capacity: int = 10_000,
        timeout: float = 10.0,
        clock: Callable[[], float] = time.time,
        policy: EgressPolicy | None = None,
        on_attempt: Callable[[Callback, dict[str, Any]], None] | None = None,
    ) -> None:
        """A sender keeping the last `capacity` callbacks; `on_attempt` hears of every attempt."""
        self.timeout = timeout
        self.policy = policy or EgressPolicy()
        self.refused = 0
        self.clock = clock
        self.dropped = 0
        self.sent = 0
        self.failed = 0
        self.canceled = 0
        self._log: deque[CallbackRecord] = deque(maxlen=capacity)
        self._ids = itertools.count(1)
        self._tasks: set[asyncio.Task[None]] = set()
        # deliveries still waiting for their first attempt, so a resource that ends early
        # (a hung-up call) can withdraw the notifications of states it will never reach
        self._waiting: dict[int, asyncio.Task[None]] = {}
        self._session: aiohttp.ClientSession | None = None
        # told about every finished attempt (the server journals them); None: nobody listens
        self.on_attempt = on_attempt

    def schedule(self, callback: Callback) -> CallbackRecord:
        """Queue a callback; it is sent after its delay by a background task."""
        record = CallbackRecord(next(self._ids), callback, self.clock())
        if len(self._log) == self._log.maxlen:
            self.dropped += 1
        self._log.append(record)
        task = asyncio.get_running_loop().create_task(self._deliver(record))
        self._tasks.add(task)
        self._waiting[record.id] = task
        task.add_done_callback(self._tasks.discard)
        task.add_done_callback(lambda _: self._waiting.pop(record.id, None))
        return record

    def cancel(self, vendor: str, session: str | None, resource: str) -> int:
        """Withdraw a resource's callbacks not attempted yet; how many were withdrawn.

        Deliveries already under way keep their retries: the receiver has seen them.
        """
        withdrawn = 0
        for record in self.records(session, vendor):
            task = self._waiting.get(record.id)
            if task is None or record.callback.resource != resource:
                continue
            task.cancel()
            record.outcome = "canceled"
            self.canceled += 1
            withdrawn += 1
        return withdrawn

    def records(
        self, session: str | None = None, vendor: str | None = None
    ) -> list[CallbackRecord]:
        """Logged callbacks, oldest first, optionally of one session/vendor."""
        return [
            r
            for r in self._log
            if (session is None or r.callback.session == session)
            and (vendor is None or r.callback.vendor == vendor)
        ]

    def reset(self, session: str | None = None) -> None:
        """Forget the log of one session, or all (in-flight deliveries still finish)."""
        kept = [] if session is None else [r for r in self._log if r.callback.session != session]
        self._log.clear()
        self._log.extend(kept)

    @property
    def pending(self) -> int:
        """Deliveries not finished yet."""
        return len(self._tasks)

    async def _deliver(self, record: CallbackRecord) -> None:
        cb = record.callback
        waits = (cb.delay, *cb.retries)
        for number, wait in enumerate(waits, start=1):
            await asyncio.sleep(wait)
            self._waiting.pop(record.id, None)
            outcome = await self._attempt(record, number)
            # a refused target is never retried: the policy's answer will not change
            if outcome != "failed":
                self._finish(record, outcome)
                return
        self._finish(record, "failed")

    def _finish(self, record: CallbackRecord, outcome: str) -> None:
        record.outcome = outcome
        if outcome == "delivered":
            self.sent += 1
        elif outcome == "refused":
            self.refused += 1
        else:
            self.failed += 1

    async def _attempt(self, record: CallbackRecord, number: int) -> str:
        """Make one attempt unless the policy refuses it; delivered, refused or failed."""
        cb = record.callback
        attempt: dict[str, Any] = {"number": number, "time": self.clock(), "status": None}
        record.attempts.append(attempt)
        refusal = await self.policy.vet(cb.url)
        if refusal is None:
            refusal = await self._send(cb, attempt)
        if refusal is not None:
            attempt["error"] = refusal
        if self.on_attempt is not None:
            self.on_attempt(cb, attempt)
        if refusal is not None:
            return "refused"
        status = attempt["status"]
        return "delivered" if status is not None and 200 <= status < 300 else "failed"

    async def _send(self, cb: Callback, attempt: dict[str, Any]) -> str | None:
        """Send once, noting status or error in `attempt`; the policy's refusal, if any."""
        headers = {**dict(cb.headers), "Content-Type": cb.content_type}
        try:
            session = self._client()
            # a redirect is not followed: its target never passed the policy
            async with session.request(
                cb.method, cb.url, data=cb.body, headers=headers, allow_redirects=False
            ) as resp:
                attempt["status"] = resp.status
        except (TimeoutError, aiohttp.ClientError, OSError, ValueError) as err:
            # the resolver re-checks at connect time (a name that changed its answer)
            refusal = refusal_of(err)
            if refusal is not None:
                return refusal
            attempt["error"] = f"{type(err).__name__}: {err}"
        return None

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = self.policy.session(self.timeout)
        return self._session

    async def close(self, grace: float = 5.0) -> None:
        """Let pending deliveries finish within `grace` seconds, cancel the rest, close."""
        if self._tasks:
            _, late = await asyncio.wait(set(self._tasks), timeout=grace)
            for task in late:
                task.cancel()
            await asyncio.gather(*late, return_exceptions=True)
        if self._session is not None:
            await self._session.close()
