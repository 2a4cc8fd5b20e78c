"""The journal view and its live feed: requests as they are journalled, with near misses."""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import time
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Final

from aiohttp import web

from mockserver.admin.common import AdminInputError, services_of
from mockserver.admin.console.html import e, link, page, url
from mockserver.admin.console.html import field as labelled
from mockserver.admin.models import NearMiss, UnmatchedEntry
from mockserver.admin.scenarios import journal_query, with_near_misses
from mockserver.admin.spec import PREFIX
from mockserver.journal.entry import JournalEntry
from mockserver.journal.query import JournalQuery
from mockserver.scenarios.engine import Engine
from mockserver.server.services import Services
from mockserver.store.shared.errors import StoreUnavailable
from mockserver.verdicts.formats import when

SHOWN: Final = 200  # the newest entries a page renders
POLL: Final = 0.2  # seconds between journal reads of a live feed
HEARTBEAT: Final = 15.0  # seconds of quiet before a comment line (finds closed clients)
# an entry is journalled once answered, up to --max delay after it arrived; later ones are
# still streamed as long as they arrive within this many seconds of the newest seen
SLACK: Final = 60.0
FILTERS: Final = ("session", "vendor", "status", "outcome")
BATCH: Final = 500  # at most this many (the newest) per read: what the page keeps anyway


def entry_key(entry: JournalEntry) -> str:
    """An entry's identity in the feed (its SSE id), the same in a page and in the stream."""
    return f"{entry.time!r} {entry.session} {entry.method} {entry.path} {entry.status}"


async def journal_view(request: web.Request) -> web.Response:
    """The journal page: filters and the newest entries rendered server-side, then live."""
    services = services_of(request)
    wanted = {name: request.query.get(name, "") for name in FILTERS}
    try:
        query = journal_query(request)
    except AdminInputError as err:
        return page("journal", "Journal", _form(wanted) + f'<p role="alert">{e(err)}</p>')
    entries = services.store.journal(query, SHOWN)
    rows = "".join(row(with_near_misses(services.engine, x), entry_key(x)) for x in entries[::-1])
    stream = url(PREFIX + "/journal/stream", **wanted)
    since = min((x.time for x in entries[-1:]), default=time.time())
    body = (
        "<h1>Journal</h1>\n"
        + _form(wanted)
        + f'<p id="live" role="status">{len(entries)} shown, newest first.</p>\n'
        f'<ol id="requests" class="requests" data-stream="{e(stream)}" data-since="{since!r}"'
        f' aria-label="Requests, newest first">{rows}</ol>'
    )
    return page(
        "journal", f"Journal: {wanted['session']}" if wanted["session"] else "Journal", body
    )


def _form(wanted: dict[str, str]) -> str:
    labels = {"session": "Session", "vendor": "Vendor", "status": "HTTP status"}
    fields = "".join(labelled(n, label, wanted[n]) for n, label in labels.items())
    return (
        f'<form class="filters" method="get" action="{link("journal")}" aria-label="Filters">'
        + fields
        + labelled("outcome", "Outcome", wanted["outcome"])
        + '<button type="submit">Filter</button></form>\n'
    )


def row(item: UnmatchedEntry, key: str) -> str:
    """One journal entry as a list item (the script builds the same from the stream)."""
    outcome = item["outcome"]
    flag = '<strong class="flag">no endpoint</strong> ' if outcome == "no_endpoint" else ""
    decided = f"{item['scenario']}/{item['rule']}" if item["scenario"] else item["rule"]
    meta = [
        f"session {item['session'] or '(none)'}",
        f"outcome {outcome}",
        f"rule {decided}" if decided else "no rule decided",
        item["reason"],
        f"error {item['error']}" if item["error"] else "",
    ]
    misses = "".join(f"<li>{e(miss_line(m))}</li>" for m in item["near_misses"])
    return (
        f'<li class="req o-{e(outcome)}" data-key="{e(key)}">'
        f'<p class="line">{flag}<time datetime="{e(when(item["time"]))}">'
        f"{e(when(item['time'])[11:23])}</time> "
        f'<span class="status s{item["status"] // 100}">{item["status"]}</span> '
        f"<code>{e(item['method'])} /{e(item['vendor'])}{e(item['path'])}</code></p>"
        f'<p class="meta">{e(" · ".join(m for m in meta if m))}</p>'
        + (f'<ul class="misses" aria-label="Near misses">{misses}</ul>' if misses else "")
        + "</li>"
    )


def miss_line(miss: NearMiss) -> str:
    """A near miss in one line: `scenario/rule matched 2/3: why; why`."""
    why = "; ".join(miss["mismatches"])
    return f"{miss['scenario']}/{miss['rule']} matched {miss['matched_parts']}: {why}"


@dataclass
class Feed:
    """What a live feed has sent: entry keys by time, within SLACK of the newest."""

    since: float | None
    sent: dict[str, float] = field(default_factory=dict)

    def fresh(self, entries: Iterable[JournalEntry]) -> list[JournalEntry]:
        """The entries not sent yet; they count as sent from now on."""
        out = []
        for entry in entries:
            key = entry_key(entry)
            if key not in self.sent:
                self.sent[key] = entry.time
                out.append(entry)
        newest = max(self.sent.values(), default=self.since or 0.0)
        self.sent = {k: t for k, t in self.sent.items() if t >= newest - SLACK}
        return out

    def window(self, query: JournalQuery) -> JournalQuery:
        """The query for entries that may be new: none older than SLACK before the newest."""
        newest = max(self.sent.values(), default=None)
        floor = None if newest is None else newest - SLACK
        since = max((t for t in (self.since, floor) if t is not None), default=None)
        return replace(query, since=since)


async def journal_stream(request: web.Request) -> web.StreamResponse:
    """Server-sent events: one `request` event per journalled entry passing the filters.

    With `Accept: text/event-stream` (an EventSource) the answer stays open and sends each
    new entry as it is journalled; otherwise it sends the entries so far and ends.
    """
    query = journal_query(request)
    feed = Feed(_since(request, query.since))
    follow = "text/event-stream" in request.headers.get("Accept", "")
    response = web.StreamResponse(headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})
    response.content_type = "text/event-stream"
    response.charset = "utf-8"
    await response.prepare(request)
    await _pump(response, services_of(request), feed, query, follow)
    await response.write_eof()
    return response


async def _pump(
    response: web.StreamResponse, services: Services, feed: Feed, query: JournalQuery, follow: bool
) -> None:
    """Send what is new; when following, read again every POLL seconds until shutdown."""
    stopping = services.pipeline.stopping
    quiet = 0.0
    while True:
        if services.shared is not None:  # every replica's entries, not only this one's
            with contextlib.suppress(StoreUnavailable):
                await services.shared.before_read()
        fresh = feed.fresh(services.store.journal(feed.window(query)))
        if fresh:
            await response.write(_events(services.engine, fresh[-BATCH:]))
            quiet = 0.0
        elif quiet >= HEARTBEAT:  # a write to a gone client fails: the handler ends
            await response.write(b": still here\n\n")
            quiet = 0.0
        if not follow or stopping.is_set():
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stopping.wait(), POLL)
        quiet += POLL


def _since(request: web.Request, since: float | None) -> float:
    """Where a feed starts: `since`, or now; a reconnecting EventSource resumes at its last id."""
    start = since if since is not None else time.time()
    last = request.headers.get("Last-Event-ID", "").split(" ", 1)[0]
    try:
        resumed = float(last)
    except ValueError:
        return start
    return max(start, resumed) if math.isfinite(resumed) else start


def _events(engine: Engine, entries: list[JournalEntry]) -> bytes:
    lines = []
    for entry in entries:
        data = json.dumps(with_near_misses(engine, entry), separators=(",", ":"))
        lines.append(f"id: {entry_key(entry)}\nevent: request\ndata: {data}\n\n")
    return "".join(lines).encode()
