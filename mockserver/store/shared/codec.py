"""What replicas send each other through Redis, as JSON: loaded scenarios, tokens, journal entries."""

from __future__ import annotations

import base64
import dataclasses
import json
from collections.abc import Mapping
from typing import Any

from mockserver.journal.entry import JournalEntry
from mockserver.scenarios.matching import Unfired
from mockserver.scenarios.model import Scenario
from mockserver.store.memory import LoadedScenario
from mockserver.store.resources import Token

Json = dict[str, Any]
# one encoder, not one per call (json.dumps with options builds a new one each time): every
# journal entry of a replica passes here
_COMPACT_ASCII = json.JSONEncoder(separators=(",", ":"))
_ENTRY_FIELDS = tuple(f.name for f in dataclasses.fields(JournalEntry))


def dump(data: Any) -> str:
    """Compact ASCII JSON: lone surrogates (undecodable header bytes) survive only escaped."""
    return _COMPACT_ASCII.encode(data)


def loaded_to(loaded: LoadedScenario) -> Json:
    """A loaded scenario as JSON (its scenario exactly as validated)."""
    scenario = loaded.scenario.model_dump(mode="json", by_alias=True, exclude_unset=True)
    fields = {f.name: getattr(loaded, f.name) for f in dataclasses.fields(loaded)}
    return {**fields, "scenario": scenario}


def loaded_from(data: Mapping[str, Any]) -> LoadedScenario:
    """Inverse of loaded_to."""
    scenario = Scenario.model_validate(data["scenario"])
    return LoadedScenario(**{**data, "scenario": scenario})


def token_to(token: Token) -> Json:
    """A token as JSON."""
    return dataclasses.asdict(token)


def token_from(data: Mapping[str, Any]) -> Token:
    """Inverse of token_to."""
    return Token(**data)


def entry_to(entry: JournalEntry) -> Json:
    """A journal entry as JSON: raw as kept (it is redacted when read, as in memory)."""
    out = {name: getattr(entry, name) for name in _ENTRY_FIELDS}
    out["raw_headers"] = list(entry.header_pairs())
    out["raw_body"] = base64.b64encode(entry.raw_body).decode()
    out["unfired"] = [(u.rule, u.scenario, u.expected, u.actual) for u in entry.unfired]
    return out


def entry_from(data: Mapping[str, Any]) -> JournalEntry:
    """Inverse of entry_to."""
    fields = dict(data)
    fields["raw_query"] = tuple(tuple(pair) for pair in data["raw_query"])
    fields["raw_headers"] = tuple(tuple(pair) for pair in data["raw_headers"])
    fields["raw_body"] = base64.b64decode(data["raw_body"])
    fields["unfired"] = tuple(Unfired(*u) for u in data["unfired"])
    return JournalEntry(**fields)
