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

from redis.commands.core import AsyncScript

from mockserver.journal.entry import JournalEntry
from mockserver.store.shared import codec
from mockserver.store.shared.errors import redacted
from mockserver.store.shared.link import RedisLink
from mockserver.store.shared.rounds import Rounds

log = logging.getLogger("mockserver.store")

Change = dict[str, Any]
Apply = Callable[[Change], None]
# entries read per XREAD call; a replica far behind loops
READ_BATCH = 1000
# the state stream keeps this many changes for replicas that join later (approximate trim)
STATE_KEEP = 200_000

# KEYS: the data token, the state and journal streams. ARGV: the token this replica follows,
# its id, each stream's length, then (s|j, change) pairs. Nothing is written when the token
# is not Redis's: a Redis that lost its data must not take changes made before
_APPEND = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
for i = 5, #ARGV, 2 do
  local key, keep = KEYS[2], ARGV[3]
  if ARGV[i] == 'j' then key, keep = KEYS[3], ARGV[4] end
  redis.call('XADD', key, 'MAXLEN', '~', keep, '*', 'r', ARGV[2], 'd', ARGV[i + 1])
end
return 1
"""


# KEYS[1] the data token, KEYS[2] a stream; ARGV: the cursor, how many. Returns {token or
# nil, XREAD's answer or nil}: the catch-up round as one command (it was a two-command
# pipeline, whose client-side machinery cost more than the commands)
_CATCH_UP = """
local token = redis.call('GET', KEYS[1])
local got = redis.call('XREAD', 'COUNT', ARGV[2], 'STREAMS', KEYS[2], ARGV[1])
return {token, got}
"""


# how a reset reads in a state entry (codec.dump is compact): a replica's own entries are
# decoded only when they may be one (a record holding this text is decoded for nothing)
_RESET = b'"op":"reset"'


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
        self.on_clear: Callable[[str | None], None] = lambda session: None
        # called when Redis comes back without the data it had (restarted without persistence)
        self.on_lost: Callable[[], None] = lambda: None
        self.token: bytes | None = None  # the data's identity (see _same_data)
        self.applying = False
        self._state = Rounds(lambda: self._read("state"))
        self._journal = Rounds(lambda: self._read("journal"))
        self._flush = Rounds(self._write)
        self._catch_up: AsyncScript | None = None
        self._script: AsyncScript | None = None

    def epoch(self, session: str | None) -> str:
        """The resets a session's counters have seen (a reset starts new counter keys)."""
        return f"{self.epochs.get(None, '')}/{self.epochs.get(session, '') if session else ''}"

    def publish(self, op: str, data: Change) -> None:
        """Queue a change of this replica's for the state stream (sent by `flush`).

        Not while applying another replica's change: its effects are that replica's, and
        publishing them again would echo between replicas forever.
        """
        if not self.applying:
            self.outbox.append(("state", {"op": op, **data}))

    def publish_entries(self, entries: list[JournalEntry]) -> None:
        """Queue journal entries for the journal stream."""
        self.outbox.extend(("journal", codec.entry_to(e)) for e in entries)

    def publish_clear(self, session: str | None) -> None:
        """Queue a journal clear, in the journal stream: entries before it go, later ones stay."""
        if not self.applying:
            self.outbox.append(("journal", {"clear": True, "session": session}))

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
        streams = [self.link.key("data"), self.link.key("state"), self.link.key("journal")]
        args: list[str | int] = [self.token.decode() if self.token else "", self.id]
        args += [STATE_KEEP, self.journal_keep]
        for stream, change in batch:
            args += ["s" if stream == "state" else "j", codec.dump(change)]
        try:
            if self._script is None:
                self._script = self.link.client.register_script(_APPEND)
            written = await self.link.call(self._script(keys=streams, args=args))
        except BaseException:
            # nothing is dropped: the changes go out with the next flush, once Redis is back
            self.outbox[:0] = batch
            raise
        if not written:  # Redis lost its data: a read notices and starts this replica over
            self.outbox[:0] = batch
            await self._read("state")
            if self.outbox:  # not lost after all (the token had not been read yet)
                await self._write()

    async def _read(self, stream: str) -> None:
        keys = [self.link.key("data"), self.link.key(stream)]
        while True:
            if self._catch_up is None:
                self._catch_up = self.link.client.register_script(_CATCH_UP)
            args: list[str | int] = [self.cursor[stream], READ_BATCH]
            got: Any = await self.link.call(self._catch_up(keys=keys, args=args))
            token = got[0] if got[0] is not None else await self._new_token()
            if not self._same_data(token):
                continue  # start over from the (empty) streams
            entries = _entries(got[1])
            self._apply(stream, entries)
            if len(entries) < READ_BATCH:
                return

    async def _new_token(self) -> bytes:
        """Name the data Redis holds, first replica wins (only on a fresh or emptied Redis)."""
        pipe = self.link.client.pipeline(transaction=False)
        pipe.set(self.link.key("data"), secrets.token_hex(8), nx=True)
        pipe.get(self.link.key("data"))
        got: Any = await self.link.call(pipe.execute())
        return bytes(got[1])

    def _same_data(self, token: bytes) -> bool:
        """Whether Redis still holds the data this replica has been following.

        A Redis restarted without persistence comes back empty: the replicas' copies would
        then fork from it and from replicas started later. Instead every replica notices
        (the token each started with is gone), says so, and starts again from what Redis
        holds now, as after a global reset.
        """
        if self.token is None or token == self.token:
            self.token = token
            return True
        log.error(
            "shared store %s lost its data (restarted without persistence?): state on this "
            "replica is reset to match it",
            redacted(self.link.url),
        )
        self.token = token
        self.cursor = {"state": "0-0", "journal": "0-0"}
        self.epochs.clear()
        self.outbox.clear()  # made before the loss: other replicas' copies no longer have them
        self.applying = True
        try:
            self.on_lost()
        finally:
            self.applying = False
        return False

    def _apply(self, stream: str, entries: list[tuple[bytes, Mapping[bytes, bytes]]]) -> None:
        journal: list[JournalEntry] = []
        mine = self.id.encode()
        for raw_id, fields in entries:
            sid = raw_id.decode()
            self.cursor[stream] = sid
            data = fields[b"d"]
            if stream == "state" and fields[b"r"] == mine and _RESET not in data:
                continue  # applied here when it was made; only a reset's entry id matters
            change = json.loads(data)
            if stream == "journal" and change.get("clear"):
                self.on_journal(journal)  # what came before the clear, then the clear
                journal = []
                self.on_clear(change["session"])
            elif stream == "journal":
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
        self.applying = True
        try:
            handler(change)
        finally:
            self.applying = False


def _entries(raw: Any) -> list[tuple[bytes, Mapping[bytes, bytes]]]:
    """Stream entries from a script's raw XREAD answer, shaped as redis-py's XREAD gives them."""
    if not raw:
        return []
    return [(sid, dict(zip(flat[::2], flat[1::2], strict=True))) for sid, flat in raw[0][1]]
