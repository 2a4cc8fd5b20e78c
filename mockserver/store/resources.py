"""Per-session vendor state for happy paths: stored resources and issued tokens, both bounded."""

from __future__ import annotations

import secrets
from collections import OrderedDict
from dataclasses import dataclass, replace
from typing import Any, Literal

TokenState = Literal["valid", "expired", "revoked", "unknown"]
ResourceKey = tuple[str, str | None, str, str]  # vendor, session, kind, id
GroupKey = tuple[str, str | None, str]  # vendor, session, kind


class ResourceStore:
    """Resources created through happy paths, scoped by vendor and session.

    Bounded: past `capacity` resources the oldest is dropped and counted in `dropped`.
    Indexed by (vendor, session, kind), so listing one session's resources costs what that
    session holds, not what the whole store holds.
    """

    def __init__(self, capacity: int = 10_000) -> None:
        self.capacity = capacity
        self.dropped = 0
        self._order: OrderedDict[ResourceKey, None] = OrderedDict()
        self._groups: dict[GroupKey, OrderedDict[str, dict[str, Any]]] = {}

    def put(
        self, vendor: str, session: str | None, kind: str, rid: str, data: dict[str, Any]
    ) -> None:
        """Store (or replace) one resource."""
        key = (vendor, session, kind, rid)
        group = self._groups.setdefault((vendor, session, kind), OrderedDict())
        group[rid] = data
        group.move_to_end(rid)
        self._order[key] = None
        self._order.move_to_end(key)
        while len(self._order) > self.capacity:
            oldest, _ = self._order.popitem(last=False)
            self._discard(oldest)
            self.dropped += 1

    def _discard(self, key: ResourceKey) -> None:
        vendor, session, kind, rid = key
        group = self._groups.get((vendor, session, kind))
        if group is not None:
            group.pop(rid, None)
            if not group:
                del self._groups[(vendor, session, kind)]

    def get(self, vendor: str, session: str | None, kind: str, rid: str) -> dict[str, Any] | None:
        """One resource, or None."""
        group = self._groups.get((vendor, session, kind))
        return None if group is None else group.get(rid)

    def list(self, vendor: str, session: str | None, kind: str) -> list[dict[str, Any]]:
        """All resources of a kind in this session, oldest first."""
        group = self._groups.get((vendor, session, kind))
        return [] if group is None else list(group.values())

    def delete(self, vendor: str, session: str | None, kind: str, rid: str) -> bool:
        """Remove one resource; False when it did not exist."""
        key = (vendor, session, kind, rid)
        if key not in self._order:
            return False
        del self._order[key]
        self._discard(key)
        return True

    def reset(self, session: str | None = None) -> None:
        """Forget one session's resources, or everything."""
        if session is None:
            self._order.clear()
            self._groups.clear()
            return
        for key in [k for k in self._order if k[1] == session]:
            del self._order[key]
            self._discard(key)

    def __len__(self) -> int:
        return len(self._order)


@dataclass(frozen=True)
class Token:
    """An issued access or refresh token."""

    value: str
    vendor: str
    kind: Literal["access", "refresh"]
    session: str | None
    client_id: str
    issued: float
    expires: float
    pair: str = ""
    revoked: bool = False
    scope: str = ""

    def state(self, now: float) -> TokenState:
        """Whether the token can be used at `now`."""
        if self.revoked:
            return "revoked"
        return "valid" if now < self.expires else "expired"


class TokenRegistry:
    """Tokens the mock issued; they really expire, and refresh/revoke really change them."""

    def __init__(self, capacity: int = 10_000) -> None:
        self.capacity = capacity
        self._tokens: OrderedDict[str, Token] = OrderedDict()

    def issue(
        self,
        vendor: str,
        session: str | None,
        client_id: str,
        now: float,
        ttl: float,
        refresh_ttl: float,
        scope: str = "",
    ) -> tuple[Token, Token]:
        """A new access/refresh pair."""
        access_value, refresh_value = _token_value(vendor), _token_value(vendor)
        access = Token(
            access_value,
            vendor,
            "access",
            session,
            client_id,
            now,
            now + ttl,
            refresh_value,
            scope=scope,
        )
        refresh = Token(
            refresh_value,
            vendor,
            "refresh",
            session,
            client_id,
            now,
            now + refresh_ttl,
            access_value,
            scope=scope,
        )
        self._add(access)
        self._add(refresh)
        return access, refresh

    def _add(self, token: Token) -> None:
        self._tokens[token.value] = token
        while len(self._tokens) > self.capacity:
            self._tokens.popitem(last=False)

    def get(self, vendor: str, value: str) -> Token | None:
        """The token with this value issued by `vendor`, or None."""
        token = self._tokens.get(value)
        return token if token is not None and token.vendor == vendor else None

    def state(self, vendor: str, value: str, now: float) -> TokenState:
        """valid / expired / revoked / unknown."""
        token = self.get(vendor, value)
        return "unknown" if token is None else token.state(now)

    def revoke(self, vendor: str, value: str) -> bool:
        """Revoke a token and its pair; False when it was not issued here."""
        token = self.get(vendor, value)
        if token is None:
            return False
        for item in (token.value, token.pair):
            if item in self._tokens:
                self._tokens[item] = replace(self._tokens[item], revoked=True)
        return True

    def expire(self, vendor: str, session: str | None, now: float) -> int:
        """Make every access token of a session expire now (for "token expires mid-run")."""
        count = 0
        for value, token in list(self._tokens.items()):
            if token.vendor == vendor and token.session == session and token.kind == "access":
                self._tokens[value] = replace(token, expires=min(token.expires, now))
                count += 1
        return count

    def reset(self, session: str | None = None) -> None:
        """Forget one session's tokens, or all."""
        if session is None:
            self._tokens.clear()
            return
        for value in [v for v, t in self._tokens.items() if t.session == session]:
            del self._tokens[value]


def _token_value(vendor: str) -> str:
    # Unpredictable on purpose: tokens are credentials even in a mock (journal redaction tests)
    return f"{vendor[:2].upper()}{secrets.token_urlsafe(24)}"
