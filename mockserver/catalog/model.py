"""Catalog data model: one frozen entry per published vendor error row, indexed by vendor and key."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, model_validator
from pydantic.dataclasses import dataclass as validated

PLACEHOLDER = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")

Delivery = Literal["sync", "async"]
StatusOrigin = Literal["documented", "inferred"]

KNOWN_TAGS = frozenset(
    {
        "auth",
        "rate-limit",
        "validation",
        "not-found",
        "permission",
        "server",
        "delivery",
        "conflict",
        "limit",
        "billing",
        "account",
        "unsupported",
        "webhook",
        "cxml",
        "voice",
        "messaging",
        "media",
        "push",
        "ott",
        "profile",
        "event",
        "success",
        "oauth",
        "gateway",
        "timeout",
        "network",
        "warning",
    }
)


# Entries are validated dataclasses with slots rather than BaseModels: the same validation,
# but ~250 bytes an entry instead of ~1.6 KB (a BaseModel keeps a __dict__ and a set of the
# fields given). With 1,500 entries loaded at start-up that is 2.5 MB of the idle RSS.
_ENTRY_CONFIG = ConfigDict(extra="forbid")


@validated(frozen=True, slots=True, kw_only=True, config=_ENTRY_CONFIG)
class StatusInfo:
    """The HTTP status of an entry and where it comes from."""

    origin: StatusOrigin
    rule: str = Field(min_length=1)
    documented: tuple[int, ...] = ()


@validated(frozen=True, slots=True, kw_only=True, config=_ENTRY_CONFIG)
class FamilyMessage:
    """The wording one envelope family sends instead of the entry's `message`."""

    family: str = Field(min_length=1)
    message: str = Field(min_length=1)


@validated(frozen=True, slots=True, kw_only=True, config=_ENTRY_CONFIG)
class CatalogEntry:
    """One published vendor error (or non-error status) row, as data."""

    key: str = Field(min_length=1)
    code: str = Field(min_length=1)
    message: str
    params: tuple[str, ...] = ()
    http_status: int = Field(ge=100, le=599)
    status: StatusInfo
    delivery: Delivery
    error: bool = True
    retryable: bool
    retry_reason: str = Field(min_length=1)
    tags: tuple[str, ...] = Field(min_length=1)
    source_line: int | None = Field(default=None, ge=1)
    source: str | None = None
    seed_message: str | None = None
    # The word an API family puts at the top level instead of `code` (captured per vendor).
    top_code: str | None = None
    family_messages: tuple[FamilyMessage, ...] = ()
    description: str | None = None
    section: str | None = None
    variant: int | None = Field(default=None, ge=1)
    notes: tuple[str, ...] = ()
    log_level: str | None = None
    secondary_message: str | None = None
    causes: str | None = None
    solutions: str | None = None
    docs_title: str | None = None
    docs: str | None = None

    @model_validator(mode="after")
    def _check(self) -> CatalogEntry:
        found = tuple(dict.fromkeys(PLACEHOLDER.findall(self.message)))
        if found != self.params:
            raise ValueError(f"params {list(self.params)} do not match placeholders {list(found)}")
        if self.source_line is None and self.source is None:
            raise ValueError(
                "needs source_line (a seed row) or source (where else it is documented)"
            )
        for wording in self.family_messages:
            extra = set(PLACEHOLDER.findall(wording.message)) - set(self.params)
            if extra:
                raise ValueError(f"family message {wording.family!r} adds placeholders {extra}")
        unknown = [t for t in self.tags if t not in KNOWN_TAGS]
        if unknown:
            raise ValueError(f"unknown tags {unknown}; known: {sorted(KNOWN_TAGS)}")
        return self

    def format_message(self, values: Mapping[str, str], family: str | None = None) -> str:
        """Fill `${name}` placeholders (of `family`'s own wording, if it has one)."""
        text = next((w.message for w in self.family_messages if w.family == family), self.message)
        return PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(1)), text)


ENTRY = TypeAdapter(CatalogEntry)
"""Validates, dumps and describes (JSON Schema) catalog entries."""


class VendorSource(BaseModel):
    """Where a vendor's catalog comes from."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    seed: str
    page: str


class VendorFile(BaseModel):
    """Schema of one `catalog/<vendor>.yaml` file."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    vendor: str
    name: str
    source: VendorSource
    status_policy: str
    envelopes: tuple[str, ...]
    entries: tuple[CatalogEntry, ...]

    @model_validator(mode="after")
    def _unique_keys(self) -> VendorFile:
        seen: set[str] = set()
        for entry in self.entries:
            if entry.key in seen:
                raise ValueError(f"duplicate entry key {entry.key!r}")
            seen.add(entry.key)
        return self


@dataclass(frozen=True)
class VendorCatalog:
    """All entries of one vendor, indexed by key (and code, for the first variant)."""

    vendor: str
    name: str
    source: VendorSource
    status_policy: str
    envelopes: tuple[str, ...]
    entries: tuple[CatalogEntry, ...]
    _by_key: Mapping[str, CatalogEntry] = field(repr=False, default_factory=dict)

    @classmethod
    def from_file(cls, data: VendorFile) -> VendorCatalog:
        """Build the index; a bare code resolves to its first variant."""
        index: dict[str, CatalogEntry] = {}
        for entry in data.entries:
            index[entry.key.lower()] = entry
            index.setdefault(entry.code.lower(), entry)
        return cls(
            data.vendor,
            data.name,
            data.source,
            data.status_policy,
            data.envelopes,
            data.entries,
            index,
        )

    def get(self, key: str) -> CatalogEntry | None:
        """Look an entry up by key or code, case-insensitively."""
        return self._by_key.get(key.strip().lower())

    def variants(self, code: str) -> tuple[CatalogEntry, ...]:
        """Every entry that shares a vendor code, in seed order."""
        wanted = code.strip().lower()
        return tuple(e for e in self.entries if e.code.lower() == wanted)

    def closest(self, key: str, n: int = 5) -> list[str]:
        """Keys that look most like `key`, for "did you mean" answers."""
        keys = [e.key for e in self.entries]
        upper = {k.upper(): k for k in keys}
        near = difflib.get_close_matches(key.upper(), list(upper), n=n, cutoff=0.5)
        prefix = [k for k in keys if k.upper().startswith(key.upper()[:3])] if len(key) >= 3 else []
        return list(dict.fromkeys([upper[k] for k in near] + prefix))[:n]

    def __len__(self) -> int:
        return len(self.entries)

    def __iter__(self) -> Iterator[CatalogEntry]:
        return iter(self.entries)


@dataclass(frozen=True)
class Catalog:
    """Every vendor's catalog."""

    vendors: Mapping[str, VendorCatalog]

    def vendor(self, name: str) -> VendorCatalog:
        """The catalog of one vendor; KeyError names the known vendors."""
        try:
            return self.vendors[name]
        except KeyError:
            raise KeyError(f"unknown vendor {name!r}; known: {sorted(self.vendors)}") from None

    def get(self, vendor: str, key: str) -> CatalogEntry | None:
        """Look up one entry."""
        return self.vendor(vendor).get(key)

    def __len__(self) -> int:
        return sum(len(v) for v in self.vendors.values())
