"""What replicas send each other through Redis decodes to what was sent (no Redis needed)."""

from __future__ import annotations

import json
from dataclasses import replace

from mockserver.journal.entry import journal_entry
from mockserver.request.snapshot import RequestSnapshot
from mockserver.scenarios.matching import Unfired
from mockserver.store.shared import codec


def test_a_journal_entry_survives_the_trip_whole() -> None:
    snapshot = RequestSnapshot(
        vendor="signalwire",
        method="POST",
        path="/2010-04-01/Accounts/p/Messages.json",
        query=[("a", "1"), ("a", "2")],
        headers={"Authorization": "Basic cDp0", "X-Odd": "\udcff"},
        body=b"To=%2B15005550001&Body=\xff",
        session="s1",
    )
    snapshot.served = ("21211", "5")
    unfired = (Unfired("r", "s", "times 1", "already fired 1 time"),)
    entry = journal_entry(snapshot, 1.5, "error", 400, 0.25, "rule", "scn", "why", unfired)
    sent = codec.dump(codec.entry_to(entry))
    assert sent.isascii()  # a lone surrogate travels escaped
    back = codec.entry_from(json.loads(sent))
    assert tuple(back.header_pairs()) == tuple(entry.header_pairs())
    # headers travel as pairs (the server's mapping stays behind): all else is equal
    assert replace(back, raw_headers=entry.raw_headers) == entry
