"""This process's copy of the shared state, kept in step with the others through Redis streams.

Every replica keeps the whole state in memory (the in-memory stores, so handlers stay
synchronous and fast) and writes each change twice: at once into its own copy, and into the
`state` stream. Before a vendor request is decided, the replica applies what the others
wrote since it last looked (one XREAD, shared by every request arriving meanwhile), and a
request's own changes reach the stream before its answer leaves, so a client that creates a
message through one replica and reads it through another finds it. The journal has a stream
of its own, read only when someone reads the journal (the admin API). Exact counters are not
replicated: they live in Redis itself (counting.py).
"""

from __future__ import annotations

import json
import logging
import secrets
from collections.abc import Callable, Mapping
from typing import Any

from mockserver.journal.entry import JournalEntry
from mockserver.store.shared import codec
from mockserver.store.shared.link import RedisLink
from mockserver.store.shared.rounds import Rounds

log = logging.getLogger("mockserver.store")

Change = dict[str, Any]
Apply = Callable[[Change], None]
# entries read per XREAD call; a replica far behind loops
READ_BATCH = 1000
# the state stream keeps this many changes for replicas that join later (approximate trim)
STATE_KEEP = 200_000


class Replica:
    """The change log of one replica: what it publishes, and applying what others published."""

    def __init__(self, link: RedisLink, journal_keep: int) -> None:
        self.link = link
        self.id = secrets.token_hex(6)
        self.journal_keep = journal_keep
        self.outbox: list[tuple[str, Change]] = []
        self.cursor = {"state": "0-0", "journal": "0-0"}
        self.epochs: dict[str | None, str] = {}
        self.handlers: dict[str, Apply] = {}
        self.on_journal: Callable[[list[JournalEntry]], None] = lambda entries: None
        self._state = Rounds(lambda: self._read("state"))
        self._journal = Rounds(lambda: self._read("journal"))
        self._flush = Rounds(self._write)

    def epoch(self, session: str | None) -> str:
        """The resets a session's counters have seen (a reset starts new counter keys)."""
        return f"{self.epochs.get(None, '')}/{self.epochs.get(session, '') if session else ''}"

    def publish(self, op: str, data: Change) -> None:
        """Queue a change of this replica's for the state stream (sent by `flush`)."""
        self.outbox.append(("state", {"op": op, **data}))

    def publish_entries(self, entries: list[JournalEntry]) -> None:
        """Queue journal entries for the journal stream."""
        self.outbox.extend(("journal", codec.entry_to(e)) for e in entries)

    async def flush(self) -> None:
        """Send every queued change before returning (no-op when nothing is queued)."""
        if self.outbox:
            await self._flush.next()

    async def catch_up(self, journal: bool = False) -> None:
        """Apply every change published before this call (and the journal's, when asked)."""
        await self._state.next()
        if journal:
            await self._journal.next()

    async def _write(self) -> None:
        batch, self.outbox = self.outbox, []
        pipe = self.link.client.pipeline(transaction=False)
        for stream, change in batch:
            keep = STATE_KEEP if stream == "state" else self.journal_keep
            fields = {"r": self.id, "d": codec.dump(change)}
            pipe.xadd(self.link.key(stream), fields, maxlen=keep, approximate=True)  # type: ignore[arg-type]
        try:
            await self.link.call(pipe.execute())
        except BaseException:
            # nothing is dropped: the changes go out with the next flush, once Redis is back
            self.outbox[:0] = batch
            raise

    async def _read(self, stream: str) -> None:
        while True:
            pending = self.link.client.xread(
                {self.link.key(stream): self.cursor[stream]}, count=READ_BATCH
            )
            got: Any = await self.link.call(pending)
            entries = got[0][1] if got else []
            self._apply(stream, entries)
            if len(entries) < READ_BATCH:
                return

    def _apply(self, stream: str, entries: list[tuple[bytes, Mapping[bytes, bytes]]]) -> None:
        journal: list[JournalEntry] = []
        for raw_id, fields in entries:
            sid = raw_id.decode()
            self.cursor[stream] = sid
            change = json.loads(fields[b"d"])
            if stream == "journal":
                journal.append(codec.entry_from(change))
            else:
                self._change(sid, fields[b"r"].decode() == self.id, change)
        if journal:
            self.on_journal(journal)

    def _change(self, sid: str, own: bool, change: Change) -> None:
        op = change.pop("op")
        if op == "reset":
            # the entry's id names the reset: counters after it use new keys everywhere
            self.epochs[change["session"]] = sid
        if own:  # applied to this replica's copy when it was made
            return
        handler = self.handlers.get(op)
        if handler is None:
            log.warning("ignoring a shared-state change of unknown kind %r (newer replica?)", op)
            return
        handler(change)
