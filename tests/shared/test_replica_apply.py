"""How a replica applies the state stream: its own changes are not decoded again."""

from __future__ import annotations

from mockserver.store.shared import codec
from mockserver.store.shared.link import RedisLink
from mockserver.store.shared.replica import Replica


def entry(replica: str, data: bytes) -> dict[bytes, bytes]:
    return {b"r": replica.encode(), b"d": data}


def test_own_changes_are_skipped_undecoded_but_an_own_reset_names_the_epoch() -> None:
    replica = Replica(RedisLink("redis://127.0.0.1:1/0"), journal_keep=10)
    applied: list[dict[str, object]] = []
    replica.handlers["res.put"] = applied.append
    own_reset = codec.dump({"op": "reset", "session": "s"}).encode()
    other = codec.dump({"op": "res.put", "key": ["v", "s", "k", "1"], "data": {}}).encode()
    replica._apply(
        "state",
        [
            (b"1-0", entry(replica.id, b"not JSON: never decoded")),
            (b"2-0", entry(replica.id, own_reset)),
            (b"3-0", entry("another-replica", other)),
        ],
    )
    assert replica.cursor["state"] == "3-0"
    assert replica.epochs == {"s": "2-0"}
    assert applied == [{"key": ["v", "s", "k", "1"], "data": {}}]
