"""Deterministic per-session randomness (ids, Faker) so `--seed` reproduces every value."""

from __future__ import annotations

import random
from collections import OrderedDict
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from faker import Faker


HEX = "0123456789abcdef"
DIGITS = "0123456789"
# The largest id a signed 64-bit integer holds: Java's long and .NET's Int64 parse ids as that
INT64_MAX = 2**63 - 1


class Ids:
    """Deterministic randomness per session, so `--seed` reproduces every id a test sees."""

    def __init__(self, seed: int, capacity: int = 256, salt: str = "") -> None:
        self.seed = seed
        # replicas sharing a store each get their own salt: two must never mint the same id
        self.salt = salt
        self.capacity = capacity
        self._rngs: OrderedDict[str | None, random.Random] = OrderedDict()
        self._fakers: OrderedDict[str | None, Faker] = OrderedDict()

    def rng(self, session: str | None) -> random.Random:
        """The session's random stream."""
        rng = self._rngs.get(session)
        if rng is None:
            rng = random.Random(_seed_bytes(self.seed, session, self.salt))
            self._remember(self._rngs, session, rng)
        return rng

    def faker(self, session: str | None) -> Faker:
        """A seeded Faker for realistic names, text and numbers (imported on first use)."""
        fake = self._fakers.get(session)
        if fake is None:
            from faker import Faker

            fake = Faker()
            fake.seed_instance(_seed_bytes(self.seed, session, self.salt))
            self._remember(self._fakers, session, fake)
        return fake

    def hex(self, session: str | None, length: int = 32) -> str:
        """A lowercase hex id: the characters `rng.choice(HEX)` draws, one by one."""
        # choice() on CPython 3.11 draws getrandbits(5) until below 16; the same draws inline
        # skip two calls per character (a uuid was a tenth of a SignalWire send), and
        # test_ids pins the stream to choice()'s
        bits = self.rng(session).getrandbits
        out = []
        for _ in range(length):
            r = bits(5)
            while r >= 16:
                r = bits(5)
            out.append(HEX[r])
        return "".join(out)

    def digits(self, session: str | None, length: int) -> str:
        """A numeric id without a leading zero: the digits `rng.randint` draws, in order."""
        # randint(1, 9) and randint(0, 9) draw getrandbits(4) until below 9 and 10 (as for
        # hex); inline, the three calls per digit go (test_ids pins the stream to randint's)
        bits = self.rng(session).getrandbits
        r = bits(4)
        while r >= 9:
            r = bits(4)
        out = [DIGITS[r + 1]]
        for _ in range(length - 1):
            r = bits(4)
            while r >= 10:
                r = bits(4)
            out.append(DIGITS[r])
        return "".join(out)

    def uuid(self, session: str | None) -> str:
        """A version-4-shaped UUID."""
        h = self.hex(session, 32)
        return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:32]}"

    def reset(self, session: str | None = None) -> None:
        """Restart a session's streams (or all), so a reset test sees the same ids again."""
        for table in (self._rngs, self._fakers):
            if session is None:
                table.clear()
            else:
                table.pop(session, None)

    def _remember(self, table: OrderedDict[Any, Any], key: str | None, value: Any) -> None:
        table[key] = value
        while len(table) > self.capacity:
            table.popitem(last=False)


def id_bounds(length: int) -> tuple[int, int]:
    """The smallest and largest `length`-digit id that still fits a signed 64-bit integer."""
    low = 10 ** (length - 1)
    high = min(10**length - 1, INT64_MAX)
    if length < 1 or low > high:
        raise ValueError(f"no {length}-digit id fits a signed 64-bit integer")
    return low, high


def _seed_bytes(seed: int, session: str | None, salt: str = "") -> bytes:
    # header values may carry lone surrogates (aiohttp decodes bytes with surrogateescape)
    text = f"{seed}:{salt}:{session}" if salt else f"{seed}:{session}"
    return text.encode("utf-8", "surrogatepass")
