"""The in-memory stores, publishing each change they make to the replica's change log."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import Any

from mockserver.journal.entry import JournalEntry
from mockserver.scenarios.engine import CONFIGURED_GROUPS
from mockserver.store.memory import InMemoryStore, LoadedScenario, ScenarioKey
from mockserver.store.resources import ResourceStore, Token, TokenRegistry
from mockserver.store.shared import codec
from mockserver.store.shared.replica import Replica


@dataclass
class SharedStore(InMemoryStore):
    """Scenarios loaded through the API and the journal, shared; counters live in Redis.

    Configured scenarios (the shipped defaults, --scenarios files) are not published: every
    replica loads them itself, and their counters, keyed the same everywhere, are shared.
    Journal entries are not kept here when recorded: they come back through the journal
    stream, so every replica's journal holds every replica's entries in one order.
    """

    replica: Replica | None = field(default=None, compare=False, repr=False)

    def attach(self, replica: Replica) -> None:
        """Publish through `replica` and apply what it reads."""
        self.replica = replica
        replica.handlers["swap"] = self._apply_swap
        replica.on_clear = lambda session: InMemoryStore.clear_journal(self, session)
        replica.on_journal = lambda entries: InMemoryStore.record_many(self, entries)

    def swap_scenarios(self, put: Sequence[LoadedScenario], drop: Collection[ScenarioKey]) -> None:
        """Swap here, and publish the part other replicas do not load themselves."""
        current = {s.key: s.group for s in self.scenarios()}
        super().swap_scenarios(put, drop)
        shared = [codec.loaded_to(s) for s in put if s.group not in CONFIGURED_GROUPS]
        gone = [list(k) for k in drop if current.get(k) not in CONFIGURED_GROUPS]
        if self.replica is not None and (shared or gone):
            self.replica.publish("swap", {"put": shared, "drop": gone})

    def _apply_swap(self, change: dict[str, Any]) -> None:
        put = [codec.loaded_from(s) for s in change["put"]]
        drop = [(k[0], k[1]) for k in change["drop"]]
        InMemoryStore.swap_scenarios(self, put, drop)

    def clear_journal(self, session: str | None = None) -> None:
        """Forget the journal of one session, or all of it, on every replica."""
        super().clear_journal(session)
        if self.replica is not None:
            self.replica.publish_clear(session)

    def record(self, entry: JournalEntry) -> None:
        """Publish one entry (it lands here through the journal stream)."""
        self.record_many([entry])

    def record_many(self, entries: Sequence[JournalEntry]) -> None:
        """Publish entries (they land here through the journal stream)."""
        if self.replica is None:
            super().record_many(entries)
        else:
            self.replica.publish_entries(list(entries))


class SharedResources(ResourceStore):
    """Happy-path resources, each put and delete published to the other replicas."""

    def __init__(self, replica: Replica, capacity: int = 10_000) -> None:
        super().__init__(capacity)
        self.replica = replica
        replica.handlers["res.put"] = self._apply_put
        replica.handlers["res.del"] = self._apply_delete

    def _apply_put(self, change: dict[str, Any]) -> None:
        vendor, session, kind, rid = change["key"]
        ResourceStore.put(self, vendor, session, kind, rid, change["data"])

    def _apply_delete(self, change: dict[str, Any]) -> None:
        vendor, session, kind, rid = change["key"]
        ResourceStore.delete(self, vendor, session, kind, rid)

    def put(
        self, vendor: str, session: str | None, kind: str, rid: str, data: dict[str, Any]
    ) -> None:
        """Store (or replace) one resource, everywhere."""
        super().put(vendor, session, kind, rid, data)
        self.replica.publish("res.put", {"key": [vendor, session, kind, rid], "data": data})

    def delete(self, vendor: str, session: str | None, kind: str, rid: str) -> bool:
        """Remove one resource, everywhere."""
        found = super().delete(vendor, session, kind, rid)
        if found:
            self.replica.publish("res.del", {"key": [vendor, session, kind, rid]})
        return found


class SharedTokens(TokenRegistry):
    """Issued tokens, each new or changed one published to the other replicas."""

    def __init__(self, replica: Replica, capacity: int = 10_000) -> None:
        super().__init__(capacity)
        self.replica = replica
        replica.handlers["tok.put"] = lambda c: TokenRegistry._add(self, codec.token_from(c))

    def _add(self, token: Token) -> None:
        super()._add(token)
        self.replica.publish("tok.put", codec.token_to(token))

    def revoke(self, vendor: str, value: str) -> bool:
        """Revoke a token and its pair, everywhere."""
        token = self.get(vendor, value)
        done = super().revoke(vendor, value)
        if token is not None:
            self._publish_values((token.value, token.pair))
        return done

    def expire(self, vendor: str, session: str | None, now: float) -> int:
        """Make a session's access tokens expire now, everywhere."""
        before = dict(self._tokens)
        count = super().expire(vendor, session, now)
        self._publish_values(v for v, t in self._tokens.items() if before.get(v) is not t)
        return count

    def _publish_values(self, values: Any) -> None:
        for value in values:
            token = self._tokens.get(value)
            if token is not None:
                self.replica.publish("tok.put", codec.token_to(token))
