"""A bounded memo of derived answers (route lookups): kept while it is small, dropped when full."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
DEFAULT_LIMIT = 4096


class Memo(Generic[K, V]):
    """Answers of a pure lookup by key; when `limit` keys are held it starts over.

    Starting over (rather than evicting one by one) is safe because every answer can be
    derived again, and cheap: under a stream of distinct paths (ids in them) the memo
    costs a dict lookup and, now and then, a clear.
    """

    def __init__(self, limit: int = DEFAULT_LIMIT) -> None:
        self.limit = limit
        self._found: dict[K, V] = {}

    def get(self, key: K, make: Callable[..., V], *args: object) -> V:
        """The answer for `key`, made by `make(*args)` the first time."""
        try:
            return self._found[key]
        except KeyError:
            if len(self._found) >= self.limit:
                self._found.clear()
            found = self._found[key] = make(*args)
            return found

    def __len__(self) -> int:
        return len(self._found)
