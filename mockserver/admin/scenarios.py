"""Admin handlers for scenarios, reset, the request journal, near misses and callbacks."""

from __future__ import annotations

import asyncio
import json
import math
from collections.abc import Collection
from dataclasses import replace
from typing import Any, get_type_hints

from aiohttp import web
from pydantic import ValidationError

from mockserver.admin.common import AdminInputError, services_of
from mockserver.admin.models import (
    Callbacks,
    Cleared,
    Count,
    CountBody,
    Journal,
    Loaded,
    NearMiss,
    Removed,
    ResetDone,
    Rules,
    Unmatched,
    UnmatchedEntry,
)
from mockserver.catalog.model import Catalog
from mockserver.journal.entry import JournalEntry
from mockserver.journal.query import JournalQuery
from mockserver.journal.redaction import REDACTED, is_oauth, is_secret, redact_text
from mockserver.scenarios import Match, Scenario, ScenarioError, load_text, too_large
from mockserver.scenarios.engine import DEFAULTS_GROUP, Engine
from mockserver.scenarios.matching import Mismatch, compile_match
from mockserver.scenarios.matching import NearMiss as RuleNearMiss


def _session(request: web.Request) -> str | None:
    return request.query.get("session") or None


async def list_scenarios(request: web.Request) -> Rules:
    """Loaded rules (with hit counts) and the last file-loading problems."""
    services = services_of(request)
    rules = services.engine.rules(_session(request))
    scenarios = sorted({r.scenario for r in rules})
    return {"scenarios": scenarios, "rules": rules, "errors": services.load_errors}


async def scenario_bytes(request: web.Request, limit: int) -> bytes:
    """An upload's bytes, refused (413) past `limit`."""
    # counted as the bytes arrive: a chunked upload declares no length to check up front
    declared = request.content_length
    if declared is not None and declared > limit:
        raise AdminInputError(413, "too_large", too_large("scenario upload", declared, limit))
    chunks: list[bytes] = []
    received = 0
    async for chunk in request.content.iter_chunked(65_536):
        received += len(chunk)
        if received > limit:
            message = too_large("scenario upload", limit, limit, over=True)
            raise AdminInputError(413, "too_large", message)
        chunks.append(chunk)
    return b"".join(chunks)


def parse_upload(raw: bytes, catalog: Catalog, source: str = "request body") -> list[Scenario]:
    """Decode, parse and validate an upload; pure, so it runs in a worker thread."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        raise AdminInputError(400, "bad_encoding", f"scenario body is not UTF-8: {err}") from None
    return load_text(text, source=source, catalog=catalog)


async def load_scenarios(request: web.Request) -> Loaded:
    """Load YAML or JSON scenarios atomically; a bad batch changes nothing."""
    services = services_of(request)
    raw = await scenario_bytes(request, services.settings.max_scenario_bytes)
    replace = request.query.get("replace", "true").lower() != "false"
    try:
        # parsing 10,000 rules takes about a second: off the loop, so other requests flow
        scenarios = await asyncio.to_thread(parse_upload, raw, services.catalog)
        names = services.engine.load(
            scenarios, session=_session(request), replace=replace, group="admin"
        )
    except ScenarioError as err:
        raise AdminInputError(
            400, "invalid_scenario", str(err), problems=list(err.problems)
        ) from None
    return {"loaded": names, "session": _session(request)}


async def delete_scenario(request: web.Request) -> Removed:
    """Remove one scenario of a session (or a shared one)."""
    name = request.match_info["name"]
    if not services_of(request).engine.remove(name, session=_session(request)):
        raise AdminInputError(404, "unknown_scenario", f"no scenario {name!r} in this session")
    return {"removed": name}


async def reset(request: web.Request) -> ResetDone:
    """Forget one session's state (`?session=`), or everything."""
    session = _session(request)
    services_of(request).reset(session)
    return {"reset": session or "all"}


def _float(request: web.Request, name: str) -> float | None:
    raw = request.query.get(name)
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or abs(value) > 1e15:  # int() of inf/nan raises: a 500 before
        raise AdminInputError(400, "bad_query", f"query parameter {name} must be a finite number")
    return value


def journal_query(request: web.Request, match: Any = None) -> JournalQuery:
    """The journal filter a request's query parameters ask for (400 on a bad number)."""
    q = request.query
    status = _float(request, "status")
    return JournalQuery(
        session=_session(request),
        vendor=q.get("vendor") or None,
        method=q.get("method") or None,
        path=q.get("path") or None,
        rule=q.get("rule") or None,
        status=int(status) if status is not None else None,
        outcome=q.get("outcome") or None,
        since=_float(request, "since"),
        match=match,
        # the mock's own outgoing callback attempts only show when asked for by outcome
        hide=frozenset() if q.get("outcome") else frozenset({"callback_attempt"}),
    )


async def list_requests(request: web.Request) -> Journal:
    """Journal entries, oldest first (filters: session, vendor, method, path, rule, status, since)."""
    store = services_of(request).store
    limit = _float(request, "limit")
    entries = store.journal(journal_query(request), int(limit) if limit else None)
    return {"requests": [e.to_dict() for e in entries], "dropped": store.dropped}


async def clear_requests(request: web.Request) -> Cleared:
    """Empty the journal of one session, or all of it."""
    services_of(request).store.clear_journal(_session(request))
    return {"cleared": _session(request) or "all"}


# what a count body may hold, from its declared type (so the document says what is checked);
# besides `match`, the answer-side filters of GET /requests
_COUNT_FIELDS = get_type_hints(CountBody)
_COUNT_FILTERS = {k: v for k, v in _COUNT_FIELDS.items() if k != "match"}


async def count_requests(request: web.Request) -> Count:
    """How many journalled requests match a rule-style `match` (for verification).

    The answer side is filtered by `status` and `outcome`, as query parameters (as for
    GET /requests) or beside `match` in the body.
    """
    body = await _count_body(request)
    try:
        match = Match.model_validate(body.get("match", {}))
    except (ValidationError, RecursionError) as err:
        raise AdminInputError(
            400, "invalid_match", f'body must be {{"match": {{...}}}}: {err}'
        ) from None
    query = replace(
        journal_query(request, compile_match(match, session=_session(request))),
        **{k: body[k] for k in _COUNT_FILTERS if k in body},
    )
    if "outcome" in body:  # asking by outcome shows callback attempts, as for GET /requests
        query = replace(query, hide=frozenset())
    return {"count": services_of(request).store.count(query)}


async def _count_body(request: web.Request) -> dict[str, Any]:
    try:
        body = json.loads(await request.read() or b"{}")
    except (ValueError, RecursionError) as err:
        raise AdminInputError(400, "invalid_match", f"body is not JSON: {err}") from None
    if not isinstance(body, dict):
        raise AdminInputError(400, "invalid_match", 'body must be {"match": {...}}')
    unknown = sorted(set(body) - set(_COUNT_FIELDS))
    if unknown:
        raise AdminInputError(
            400,
            "invalid_match",
            f"unknown body field(s) {', '.join(unknown)}; allowed: {', '.join(_COUNT_FIELDS)}",
        )
    for key, kind in _COUNT_FILTERS.items():
        if key in body and (type(body[key]) is not kind):
            raise AdminInputError(400, "invalid_match", f"{key} must be {kind.__name__}")
    return body


async def unmatched(request: web.Request) -> Unmatched:
    """Requests no rule decided, each with the closest rules and what did not match."""
    services = services_of(request)
    # requests no rule decided; callback attempts are the mock's own outgoing calls
    entries = [
        e
        for e in services.store.journal(journal_query(request))
        if e.rule is None and e.outcome != "callback_attempt"
    ]
    out: list[UnmatchedEntry] = []
    # defaults=false: only the user's own rules, not the shipped magic values
    skip = {DEFAULTS_GROUP} if request.query.get("defaults", "").lower() == "false" else set()
    for entry in entries[-50:]:
        out.append(with_near_misses(services.engine, entry, skip))
    return {"requests": out}


def with_near_misses(
    engine: Engine, entry: JournalEntry, skip: Collection[str] = ()
) -> UnmatchedEntry:
    """The entry as JSON with the rules that came closest to deciding it (credentials blanked)."""
    misses = engine.near_misses(entry.snapshot(), unfired=entry.unfired, skip_groups=skip)
    oauth = is_oauth(entry.path)
    return {**entry.to_dict(), "near_misses": [_miss(m, oauth) for m in misses]}


def _miss(miss: RuleNearMiss[Any], oauth: bool) -> NearMiss:
    return {
        "scenario": miss.rule.scenario,
        "rule": miss.rule.name,
        "matched_parts": f"{miss.satisfied}/{miss.total}",
        "mismatches": [str(_redacted(m, oauth)) for m in miss.mismatches],
    }


def _redacted(mismatch: Mismatch, oauth: bool) -> Mismatch:
    """The mismatch with the request's value blanked when it is (or holds) a credential."""
    if mismatch.actual is None:
        return mismatch
    # "headers.authorization", "form.client_secret", "body.auth.privateKey"
    names = mismatch.part.split(".")[1:]
    if any(is_secret(name, oauth) for name in names):
        return replace(mismatch, actual=REDACTED)
    return replace(mismatch, actual=redact_text(mismatch.actual, oauth))


async def list_callbacks(request: web.Request) -> Callbacks:
    """Delivery callbacks sent (or pending) and every attempt's outcome."""
    sender = services_of(request).env.callbacks
    records = sender.records(_session(request), request.query.get("vendor") or None)
    return {"callbacks": [r.to_dict() for r in records], "pending": sender.pending}
