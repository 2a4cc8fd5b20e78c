"""A vendor's stored resources seen from one call: already bound to the vendor and session."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mockserver.store.resources import ResourceStore

Record = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Resources:
    """The call's view of the resource store: kind and id are all a handler names."""

    store: ResourceStore
    vendor: str
    session: str | None

    def get(self, kind: str, rid: str) -> Record | None:
        """One record of this session, or None."""
        return self.store.get(self.vendor, self.session, kind, rid)

    def put(self, kind: str, rid: str, record: Record) -> None:
        """Keep (or replace) a record in this session."""
        self.store.put(self.vendor, self.session, kind, rid, record)

    def list(self, kind: str) -> list[Record]:
        """Every record of a kind in this session, oldest first."""
        return self.store.list(self.vendor, self.session, kind)

    def delete(self, kind: str, rid: str) -> bool:
        """Remove a record; False when it did not exist."""
        return self.store.delete(self.vendor, self.session, kind, rid)
